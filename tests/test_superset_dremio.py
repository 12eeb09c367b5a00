"""Superset ships the Dremio driver and its init registers Dremio as a database, with the
credentials of Superset's Dremio user from a Secret; NetworkPolicies let it reach Flight."""

from __future__ import annotations

import os
import stat
import subprocess
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.apps.superset import config as cfg
from components.apps.superset import workloads as w
from components.network_policies import Endpoint, permits, policy_from_manifest
from tests.app_harness import plan

JOB, DEP, SVC, NP = "kubernetes:batch/v1:Job", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Service", "kubernetes:networking.k8s.io/v1:NetworkPolicy"


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    cache = {}

    def get(config):
        key = repr(sorted(config.items()))
        if key not in cache:
            cache[key] = plan(config, tmp_path_factory.mktemp("superset-dremio"))
        return cache[key]
    return get


def _pod(p, type_, name):
    return p.one(type_, name).inputs["spec"]["template"]["spec"]


def test_init_job_gets_dremio_from_the_superset_users_secret(plans):
    p = plans({"environment": "dev"})
    env = {e["name"]: e for e in _pod(p, JOB, "superset-init")["containers"][0]["env"]}
    assert env["DREMIO_USER"]["valueFrom"]["secretKeyRef"] == {"name": "dremio-superset", "key": "username"}
    assert env["DREMIO_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "dremio-superset", "key": "password"}
    assert "value" not in env["DREMIO_PASSWORD"]
    # The host and port are the Dremio client Service's Arrow Flight port.
    svc = p.one(SVC, "dremio-coordinator").inputs
    flight = next(pt for pt in svc["spec"]["ports"] if pt["name"] == "flight")
    assert env["DREMIO_FLIGHT_PORT"]["value"] == str(flight["port"]) == "32010"
    assert env["DREMIO_HOST"]["value"] == f"{svc['metadata']['name']}.data-platform.svc.cluster.local"
    assert 'superset set-database-uri -d "$DREMIO_DATABASE"' in _pod(p, JOB, "superset-init")["containers"][0]["command"][-1]


def test_every_superset_pod_installs_the_pinned_driver_without_its_dependencies(plans):
    p = plans({"environment": "dev"})
    for type_, name in ((DEP, "superset-web"), (DEP, "superset-worker"), (DEP, "superset-beat"), (JOB, "superset-init")):
        spec = _pod(p, type_, name)
        pip = next(c for c in spec["initContainers"] if c["name"] == "pip-install")
        env = {e["name"]: e.get("value") for e in pip["env"]}
        assert env["NO_DEPS_PACKAGES"] == cfg.DREMIO_DRIVER == "sqlalchemy-dremio==3.0.3", name
        main = {e["name"]: e.get("value") for e in spec["containers"][0]["env"]}
        assert main["PYTHONPATH"].startswith(w.EXTRA_DIR), name
    off = plans({"environment": "dev", "superset": {"installDremioDriver": False}})
    assert "initContainers" not in _pod(off, DEP, "superset-web")


def _stub(bin_dir, name, body):
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@settings(max_examples=15, deadline=None)
@given(password=st.text(st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters="'"), min_size=1, max_size=24))
def test_init_script_registers_the_uri_built_from_the_secret(tmp_path_factory, password):
    """The real init script with a `superset` stub: the URI it passes parses back to the Secret's
    credentials and the Flight endpoint, whatever the password holds."""
    tmp = tmp_path_factory.mktemp("init")
    _stub(tmp, "superset", f'printf "%s\\n" "$*" >> {tmp}/calls\n')
    env = {**os.environ, "PATH": f"{tmp}:{os.environ['PATH']}", "ADMIN_USERNAME": "admin", "ADMIN_EMAIL": "a@b.c", "ADMIN_PASSWORD": "x",
           "DREMIO_DATABASE": cfg.DREMIO_DATABASE, "DREMIO_HOST": "dremio-coordinator.data-platform.svc.cluster.local",
           "DREMIO_FLIGHT_PORT": "32010", "DREMIO_USER": "superset", "DREMIO_PASSWORD": password}
    out = subprocess.run(["/bin/sh", "-c", w.INIT_SCRIPT], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    calls = (tmp / "calls").read_text().splitlines()
    assert calls[:3] == ["db upgrade", calls[1], "init"] and calls[1].startswith("fab create-admin")
    verb, _, name, _, uri = calls[3].split(" ", 4)
    assert (verb, name) == ("set-database-uri", "Dremio")
    parts = urlsplit(uri)
    assert parts.scheme == "dremio+flight" and parts.hostname == env["DREMIO_HOST"] and parts.port == 32010
    assert (unquote(parts.username), unquote(parts.password)) == ("superset", password)
    assert parts.path == "/dremio" and parts.query == "UseEncryption=false"


def _permits(p, src: str, dst: Endpoint, port: int) -> bool:
    pols = [policy_from_manifest(r.inputs["metadata"]["name"], r.inputs["metadata"]["namespace"], r.inputs["spec"]) for r in p.by_type(NP)]
    labels = p.one(DEP if src != "superset-init" else JOB, src).inputs["spec"]["template"]["metadata"]["labels"]
    return permits(pols, Endpoint("data-platform", labels), dst, port)


def test_network_policies_let_superset_reach_dremio_flight_and_pypi_only_when_it_installs(plans):
    p = plans({"environment": "dev"})
    dremio = Endpoint("data-platform", p.one("kubernetes:apps/v1:StatefulSet", "dremio-master").inputs["spec"]["template"]["metadata"]["labels"])
    internet = Endpoint(None, ip="203.0.113.10")
    for src in ("superset-web", "superset-worker"):
        assert _permits(p, src, dremio, 32010), src
        assert _permits(p, src, internet, 443), src
    assert not _permits(p, "superset-web", internet, 80)
    off = plans({"environment": "dev", "superset": {"installDremioDriver": False}})
    assert not _permits(off, "superset-web", internet, 443)
    assert _permits(off, "superset-web", dremio, 32010)
