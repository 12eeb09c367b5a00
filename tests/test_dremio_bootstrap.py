"""The first-user Job's script against a fake Dremio API: creates the admin once, then the dbt
user, and is idempotent on a second run (runs the real script with sh and curl)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from http.server import ThreadingHTTPServer

import pytest

from components.apps.dremio.bootstrap import SCRIPT
from tests.fake_http import JsonHandler

pytestmark = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("sh")), reason="needs sh and curl")


class FakeDremio(JsonHandler):
    users: dict[str, str] = {}
    calls: list[tuple[str, str, str]] = []




    def do_GET(self):
        self.calls.append(("GET", self.path, ""))
        self._reply(200, {"status": "OK"}) if self.path == "/apiv2/server_status" else self._reply(404, {})

    def do_POST(self):
        body = self._body()
        self.calls.append(("POST", self.path, self.headers.get("Authorization", "")))
        if self.path == "/apiv2/login":
            ok = self.users.get(body.get("userName")) == body.get("password")
            return self._reply(200, {"token": "tok123"}) if ok else self._reply(401, {"errorMessage": "Login failed"})
        if self.path == "/api/v3/user":
            if self.headers.get("Authorization") != "_dremiotok123":
                return self._reply(401, {})
            if body["name"] in self.users:
                return self._reply(409, {"errorMessage": "already exists"})
            self.users[body["name"]] = body["password"]
            return self._reply(200, {"id": "u"})
        self._reply(404, {})

    def do_PUT(self):
        body = self._body()
        self.calls.append(("PUT", self.path, self.headers.get("Authorization", "")))
        if self.path == "/apiv2/bootstrap/firstuser" and not self.users:
            self.users[body["userName"]] = body["password"]
            return self._reply(200, {"userName": body["userName"]})
        self._reply(400, {"errorMessage": "First user can only be created when no user is already registered"})


@pytest.fixture()
def dremio():
    FakeDremio.users, FakeDremio.calls = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDremio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def run_script(port: int, tmp_path) -> subprocess.CompletedProcess:
    script = SCRIPT.replace(":9047", f":{port}").replace("/tmp/", f"{tmp_path}/")
    env = {**os.environ, "DREMIO_HOST": "127.0.0.1", "ADMIN_USER": "dpadmin", "ADMIN_PASSWORD": "Adm1nPassw0rd",
           "ADMIN_EMAIL": "admin@example.com", "DBT_USER": "dbt", "DBT_PASSWORD": "Dbt1Passw0rd", "DBT_EMAIL": "dbt@example.com",
           "SUPERSET_USER": "superset", "SUPERSET_PASSWORD": "Sup3rPassw0rd", "SUPERSET_EMAIL": "superset@example.com"}
    return subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, timeout=60)


def test_bootstraps_admin_then_dbt_user_and_is_idempotent(dremio, tmp_path):
    port = dremio.server_address[1]
    first = run_script(port, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert FakeDremio.users == {"dpadmin": "Adm1nPassw0rd", "dbt": "Dbt1Passw0rd", "superset": "Sup3rPassw0rd"}
    assert ("PUT", "/apiv2/bootstrap/firstuser", "_dremionull") in FakeDremio.calls
    second = run_script(port, tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "already exists" in second.stdout
    assert [c for c in FakeDremio.calls if c[0] == "PUT"] == [("PUT", "/apiv2/bootstrap/firstuser", "_dremionull")]
    # No password is ever printed.
    assert "Passw0rd" not in first.stdout + first.stderr + second.stdout + second.stderr


def test_fails_when_the_admin_password_is_wrong(dremio, tmp_path):
    FakeDremio.users = {"dpadmin": "someone-else-set-this"}
    result = run_script(dremio.server_address[1], tmp_path)
    assert result.returncode != 0
