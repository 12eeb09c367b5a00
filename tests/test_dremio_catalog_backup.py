"""Dremio's catalog backup (the seed's 02:00 metadata backup): a CronJob that logs in as the admin
and calls `POST /apiv2/backup` on the master, writing next to the distributed store. The real
script runs against a fake Dremio API (sh and curl)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from http.server import ThreadingHTTPServer

import pytest

from components.apps.dremio.catalog_backup import SCRIPT, backup_dir
from tests.fake_http import JsonHandler

CRON = "kubernetes:batch/v1:CronJob"
needs_shell = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("sh")), reason="needs sh and curl")


class FakeDremio(JsonHandler):
    backups: list[dict] = []
    fail_backup = False

    def do_GET(self):
        self._reply(200, {"status": "OK"}) if self.path == "/apiv2/server_status" else self._reply(404, {})

    def do_POST(self):
        body = self._body()
        if self.path == "/apiv2/login":
            ok = (body.get("userName"), body.get("password")) == ("dpadmin", "Adm1nPassw0rd")
            return self._reply(200, {"token": "tok123"}) if ok else self._reply(401, {"errorMessage": "Login failed"})
        if self.path == "/apiv2/backup":
            if self.headers.get("Authorization") != "_dremiotok123":
                return self._reply(401, {})
            if self.fail_backup:
                return self._reply(500, {"errorMessage": "backups are created only on master node."})
            self.backups.append(body)
            return self._reply(200, {"backupPath": body["backupDir"] + "/dremio_backup_2026-12-01_02.00", "tables": 40, "files": 1})
        self._reply(404, {})


@pytest.fixture()
def dremio():
    FakeDremio.backups, FakeDremio.fail_backup = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDremio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def run_script(port: int, tmp_path, password: str = "Adm1nPassw0rd") -> subprocess.CompletedProcess:
    script = SCRIPT.replace(":9047", f":{port}").replace("/tmp/", f"{tmp_path}/")
    env = {**os.environ, "DREMIO_HOST": "127.0.0.1", "ADMIN_USER": "dpadmin", "ADMIN_PASSWORD": password,
           "BACKUP_DIR": "dremioS3:///dremio/dremio/backups"}
    return subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, timeout=60)


@needs_shell
def test_backs_up_the_catalog_as_admin_into_the_dist_store(dremio, tmp_path):
    result = run_script(dremio.server_address[1], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert FakeDremio.backups == [{"backupDir": "dremioS3:///dremio/dremio/backups", "binary": True, "includeProfiles": False}]
    assert "Passw0rd" not in result.stdout + result.stderr


@needs_shell
@pytest.mark.parametrize("wrong_password, fail_backup", [(True, False), (False, True)])
def test_a_failed_login_or_backup_fails_the_job(dremio, tmp_path, wrong_password, fail_backup):
    FakeDremio.fail_backup = fail_backup
    result = run_script(dremio.server_address[1], tmp_path, "wrong" if wrong_password else "Adm1nPassw0rd")
    assert result.returncode != 0 and not FakeDremio.backups


def test_the_cronjob_runs_at_the_metadata_schedule_on_the_master(plan_stack):
    (cron,) = [r for r in plan_stack("dev").by_type(CRON) if r.name == "dremio-catalog-backup"]
    spec = cron.inputs["spec"]
    assert (spec["schedule"], spec["timeZone"], spec["concurrencyPolicy"]) == ("0 2 * * *", "Etc/UTC", "Forbid")
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in pod["containers"][0]["env"]}
    assert env["DREMIO_HOST"].startswith("dremio-master-0.")
    assert env["BACKUP_DIR"] == backup_dir("dremioS3:///dremio/dremio") == "dremioS3:///dremio/dremio/backups"
    assert env["ADMIN_PASSWORD"]["secretKeyRef"] == {"name": "dremio-admin", "key": "password"}
    assert pod["automountServiceAccountToken"] is False and pod["securityContext"]["runAsNonRoot"]
    assert set(pod["containers"][0]["resources"]) == {"requests", "limits"}


def test_the_cronjob_may_reach_dremio(plan_stack):
    policies = {r.name: r.inputs["spec"] for r in plan_stack("dev").by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")}
    backup = {"app.kubernetes.io/name": "dremio-catalog-backup", "app.kubernetes.io/instance": "dremio-catalog-backup"}
    client = [p for p in policies.values() if p["podSelector"].get("matchLabels") == backup]
    assert client and [p["port"] for r in client[0]["egress"] for p in r["ports"]] == [9047]
    assert any(peer.get("podSelector", {}).get("matchLabels") == backup
               for rule in policies["data-platform-dremio"]["ingress"] for peer in rule["from"])


def test_failing_or_stale_backups_alert(plan_stack):
    (rule,) = plan_stack("dev").by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    alerts = {r["alert"]: r for g in rule.inputs["spec"]["groups"] for r in g["rules"]}
    assert 'job_name=~"dremio-catalog-backup-.*"' in alerts["DremioCatalogBackupFailed"]["expr"]
    assert alerts["DremioCatalogBackupTooOld"]["expr"].endswith(f"> {24 * 3600 + 3600}")
    assert alerts["DremioCatalogBackupFailed"]["annotations"]["runbook_url"].endswith("backups.md#dremiocatalogbackupfailed")


def test_follows_the_schedule_and_needs_the_bootstrapped_admin(plan_config):
    (cron,) = [r for r in plan_config({"backups": {"configSchedule": "15 3 * * *"}}).by_type(CRON) if r.name == "dremio-catalog-backup"]
    assert cron.inputs["spec"]["schedule"] == "15 3 * * *"
    assert not [r for r in plan_config({"dremio": {"bootstrapAdmin": False}}).by_type(CRON) if r.name == "dremio-catalog-backup"]
