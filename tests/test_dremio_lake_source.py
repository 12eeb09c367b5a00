"""The lake as a Dremio source: the S3 source body (field names of Dremio's S3 plugin), and the
bootstrap step's real script against a fake Dremio API (create, then update in place)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.apps.dremio import lake_source as ls
from settings.sections.dremio import S3_EC2_METADATA_PROVIDER, S3_PROFILE_PROVIDER
from tests.app_harness import plan
from tests.fake_http import JsonHandler

JOB = "kubernetes:batch/v1:Job"


def test_minio_source_uses_the_endpoint_path_style_and_compatibility_mode():
    c = ls.source_config(endpoint="http://minio.data-storage.svc.cluster.local:9000", path_style=True, region="us-east-1",
                         buckets=["bronze", "silver", "gold"])
    assert c["credentialType"] == "ACCESS_KEY" and c["secure"] is False and c["compatibilityMode"] is True
    props = {p["name"]: p["value"] for p in c["propertyList"]}
    assert props["fs.s3a.endpoint"] == "minio.data-storage.svc.cluster.local:9000"
    assert props["fs.s3a.path.style.access"] == "true"
    assert c["whitelistedBuckets"] == ["bronze", "silver", "gold"] and c["rootPath"] == "/"
    assert "accessKey" not in c and "accessSecret" not in c


def test_aws_source_has_no_endpoint_override_and_keeps_the_sts_check():
    c = ls.source_config(endpoint=None, path_style=False, region="eu-west-1", buckets=["p-bronze"])
    assert c["secure"] is True and c["compatibilityMode"] is False
    assert {p["name"] for p in c["propertyList"]} == {"fs.s3a.endpoint.region"}


@pytest.mark.parametrize(("provider", "expected"), [(S3_PROFILE_PROVIDER, {"credentialType": "AWS_PROFILE", "awsProfile": "dremio"}),
                                                    (S3_EC2_METADATA_PROVIDER, {"credentialType": "EC2_METADATA"})])
def test_a_keyless_source_uses_the_credential_type_of_the_dist_store_provider(provider, expected):
    """S3PluginConfig.credentialType (dremio-oss 25.2.0) selects the same provider class as core-site.xml."""
    c = ls.source_config(endpoint=None, path_style=False, region="eu-west-1", buckets=["p-bronze"], keyless_provider=provider)
    assert {k: c[k] for k in ("credentialType", "awsProfile") if k in c} == expected


@given(host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z][a-z0-9-]{0,10}){0,3}", fullmatch=True),
       port=st.integers(1, 65535), tls=st.booleans())
def test_endpoint_property_is_host_and_port_and_tls_follows_the_scheme(host, port, tls):
    c = ls.source_config(endpoint=f"{'https' if tls else 'http'}://{host}:{port}", path_style=False, region=None, buckets=["b"])
    assert c["propertyList"] == [{"name": "fs.s3a.endpoint", "value": f"{host}:{port}"}]
    assert c["secure"] is tls


def test_dev_bootstrap_job_registers_the_lake_with_the_lake_credentials(tmp_path):
    p = plan({"environment": "dev"}, tmp_path)
    spec = p.one(JOB, "dremio-bootstrap").inputs["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["initContainers"]] == ["users"]
    (main,) = spec["containers"]
    assert main["command"][:2] == ["python", "-c"]
    env = {e["name"]: e for e in main["env"]}
    body = json.loads(env["LAKE_SOURCE"]["value"])
    assert body["entityType"] == "source" and body["type"] == "S3" and body["name"] == "lake"
    assert body["config"]["whitelistedBuckets"] == ["bronze", "silver", "gold"]
    for var, key in (("LAKE_ACCESS_KEY", "accessKeyId"), ("LAKE_SECRET_KEY", "secretAccessKey")):
        assert env[var]["valueFrom"]["secretKeyRef"] == {"name": "object-store-credentials", "key": key}
    assert "accessKey" not in env["LAKE_SOURCE"]["value"]


class FakeDremio(JsonHandler):
    sources: dict[str, dict] = {}
    calls: list[tuple[str, str]] = []




    def _authorized(self):
        return self.headers.get("Authorization") == "_dremiotok"

    def do_GET(self):
        self.calls.append(("GET", self.path))
        if self.path == "/apiv2/server_status":
            return self._reply(200, {"status": "OK"})
        name = self.path.rsplit("/", 1)[-1]
        if self.path.startswith("/api/v3/catalog/by-path/") and self._authorized():
            return self._reply(200, self.sources[name]) if name in self.sources else self._reply(404, {"errorMessage": "not found"})
        self._reply(401, {})

    def do_POST(self):
        body = self._body()
        self.calls.append(("POST", self.path))
        if self.path == "/apiv2/login":
            return self._reply(200, {"token": "tok"}) if body == {"userName": "dpadmin", "password": "pw"} else self._reply(401, {})
        if self.path == "/api/v3/catalog" and self._authorized():
            self.sources[body["name"]] = {**body, "id": "src-1", "tag": "t1", "children": [{"id": "child", "tag": "x"}]}
            return self._reply(200, self.sources[body["name"]])
        self._reply(400, {})

    def do_PUT(self):
        body = self._body()
        self.calls.append(("PUT", self.path))
        current = self.sources.get(body.get("name"))
        if self._authorized() and current and self.path == f"/api/v3/catalog/{current['id']}" and body.get("tag") == current["tag"]:
            self.sources[body["name"]] = {**body, "tag": "t2"}
            return self._reply(200, self.sources[body["name"]])
        self._reply(409, {"errorMessage": "tag mismatch"})


@pytest.fixture()
def dremio():
    FakeDremio.sources, FakeDremio.calls = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDremio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def run(port: int, body: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, "DREMIO_HOST": "127.0.0.1", "DREMIO_PORT": str(port), "ADMIN_USER": "dpadmin", "ADMIN_PASSWORD": "pw",
           "LAKE_SOURCE": json.dumps(body), "LAKE_ACCESS_KEY": "AKIDLAKE", "LAKE_SECRET_KEY": "s3cr3tLakeKey"}
    return subprocess.run([sys.executable, "-c", ls.REGISTER_SCRIPT], env=env, capture_output=True, text=True, timeout=60)


def test_registers_the_source_then_updates_it_in_place(dremio):
    port = dremio.server_address[1]
    config = ls.source_config(endpoint="http://minio:9000", path_style=True, region=None, buckets=["bronze", "silver", "gold"])
    first = run(port, ls.source_body(config))
    assert first.returncode == 0, first.stdout + first.stderr
    src = FakeDremio.sources["lake"]
    assert (src["config"]["accessKey"], src["config"]["accessSecret"]) == ("AKIDLAKE", "s3cr3tLakeKey")
    assert "created" in first.stdout
    changed = ls.source_config(endpoint="http://minio:9000", path_style=True, region=None, buckets=["bronze", "gold"])
    second = run(port, ls.source_body(changed))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "updated" in second.stdout
    assert FakeDremio.sources["lake"]["config"]["whitelistedBuckets"] == ["bronze", "gold"]
    assert ("PUT", "/api/v3/catalog/src-1") in FakeDremio.calls
    assert [c for c in FakeDremio.calls if c[0] == "POST" and c[1] == "/api/v3/catalog"] == [("POST", "/api/v3/catalog")]
    logs = first.stdout + first.stderr + second.stdout + second.stderr
    assert "s3cr3tLakeKey" not in logs and "AKIDLAKE" not in logs


def test_registers_a_keyless_source_without_reading_any_key(dremio):
    """Workload identity (AWS stacks): the source names the pods' AWS profile; the Job has no key to add."""
    config = ls.source_config(endpoint=None, path_style=False, region="eu-west-1", buckets=["p-bronze"],
                              keyless_provider=S3_PROFILE_PROVIDER)
    env = {**os.environ, "DREMIO_HOST": "127.0.0.1", "DREMIO_PORT": str(dremio.server_address[1]), "ADMIN_USER": "dpadmin",
           "ADMIN_PASSWORD": "pw", "LAKE_SOURCE": json.dumps(ls.source_body(config))}
    env.pop("LAKE_ACCESS_KEY", None), env.pop("LAKE_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-c", ls.REGISTER_SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    src = FakeDremio.sources["lake"]["config"]
    assert (src["credentialType"], src["awsProfile"]) == ("AWS_PROFILE", "dremio")
    assert "accessKey" not in src and "accessSecret" not in src and "AWS_PROFILE" in result.stdout


def test_fails_loudly_when_the_admin_cannot_log_in(dremio):
    env_body = ls.source_body(ls.source_config(endpoint=None, path_style=False, region=None, buckets=["b"]))
    FakeDremio.sources = {}
    result = subprocess.run([sys.executable, "-c", ls.REGISTER_SCRIPT], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DREMIO_HOST": "127.0.0.1", "DREMIO_PORT": str(dremio.server_address[1]),
                                 "ADMIN_USER": "dpadmin", "ADMIN_PASSWORD": "wrong", "LAKE_SOURCE": json.dumps(env_body),
                                 "LAKE_ACCESS_KEY": "a", "LAKE_SECRET_KEY": "b"})
    assert result.returncode != 0 and "HTTP 401" in result.stderr


def test_dbt_materialises_into_the_source_the_bootstrap_registers(tmp_path):
    """The dbt profile's default object_storage_source is the lake source (its silver bucket),
    and that source allows CTAS, so `dbt build` writes silver tables without extra setup."""
    import yaml

    from components.apps.dbt import render_profiles
    from settings.schema import read_section
    from settings.sections.dbt import DbtSettings

    s = read_section(DbtSettings, {}, "Pulumi.t.yaml", "dev")
    out = yaml.safe_load(render_profiles(s, "h", 9047, "dbt", "pw"))[s.profile]["outputs"][s.target]
    config = ls.source_config(endpoint="http://minio:9000", path_style=True, region=None, buckets=list(ls.LAKE_BUCKETS))
    assert out["object_storage_source"] == ls.SOURCE_NAME
    assert out["object_storage_path"] in config["whitelistedBuckets"]
    assert config["allowCreateDrop"] is True
