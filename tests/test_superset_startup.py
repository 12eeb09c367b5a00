"""Superset's first start: the init Job waits for its database; Valkey caps its memory without
ever evicting the Celery broker's queues."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.apps.superset import redis as valkey
from components.apps.superset import workloads as w
from settings.checks import memory_bytes
from tests.app_harness import plan

JOB = "kubernetes:batch/v1:Job"
STS = "kubernetes:apps/v1:StatefulSet"


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    return plan({"environment": "dev"}, tmp_path_factory.mktemp("superset-startup"))


def test_init_job_waits_for_a_login_to_its_own_database_before_migrating(dev):
    job = dev.one(JOB, "superset-init").inputs
    spec = job["spec"]["template"]["spec"]
    first = spec["initContainers"][0]
    assert first["name"] == "wait-for-database"
    env = {e["name"]: e for e in first["env"]}
    main = {e["name"]: e for e in spec["containers"][0]["env"]}
    # The same host, database and credentials the migrations use.
    for wait_key, app_key in (("PGHOST", "DATABASE_HOST"), ("PGPORT", "DATABASE_PORT"), ("PGDATABASE", "DATABASE_DB"),
                              ("PGSSLMODE", "DATABASE_SSLMODE"), ("PGUSER", "DATABASE_USER"), ("PGPASSWORD", "DATABASE_PASSWORD")):
        assert env[wait_key].get("value", env[wait_key].get("valueFrom")) == main[app_key].get("value", main[app_key].get("valueFrom")), wait_key
    assert "value" not in env["PGPASSWORD"]
    assert "psql" in first["command"][-1] and "until" in first["command"][-1]


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_wait_script_retries_until_the_login_succeeds_then_exits_zero(tmp_path):
    """Run the real script with a `psql` that fails twice (database missing), then succeeds."""
    _stub(tmp_path, "psql", f'n=$(cat {tmp_path}/n 2>/dev/null || echo 0); echo $((n+1)) > {tmp_path}/n\n'
                            '[ "$n" -ge 2 ] || { echo \'FATAL:  database "superset" does not exist\' >&2; exit 2; }\necho 1\n')
    _stub(tmp_path, "sleep", "exit 0\n")
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "PGDATABASE": "superset", "PGHOST": "pg", "PGPORT": "5432", "PGUSER": "superset"}
    out = subprocess.run(["/bin/sh", "-c", w.DB_WAIT_SCRIPT], env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.count('database "superset" does not exist') == 2
    assert (tmp_path / "n").read_text().strip() == "3"


def _valkey_command(p) -> tuple[str, str]:
    c = p.one(STS, "superset-redis-sts").inputs["spec"]["template"]["spec"]["containers"][0]
    return c["command"][-1], c["resources"]["limits"]["memory"]


def test_valkey_maxmemory_is_below_its_container_limit_with_a_ttl_only_eviction_policy(dev):
    command, limit = _valkey_command(dev)
    words = command.split()
    maxmemory = int(words[words.index("--maxmemory") + 1])
    assert memory_bytes(limit) * 0.5 <= maxmemory < memory_bytes(limit)
    # volatile-*: only keys with a TTL (caches, results) may go; the broker's queues have none.
    assert words[words.index("--maxmemory-policy") + 1] == valkey.EVICTION_POLICY
    assert valkey.EVICTION_POLICY.startswith("volatile-")


@given(mib=st.integers(64, 64 * 1024))
def test_maxmemory_leaves_headroom_under_any_limit(mib):
    limit = memory_bytes(f"{mib}Mi")
    assert limit * 0.5 <= valkey.maxmemory_bytes(f"{mib}Mi") < limit


SERVER = shutil.which("valkey-server") or shutil.which("redis-server")
CLI = shutil.which("valkey-cli") or shutil.which("redis-cli")


@pytest.mark.skipif(not (SERVER and CLI), reason="needs valkey-server/redis-server and its CLI on PATH (apt-get install redis-server)")
def test_a_real_server_evicts_cache_keys_and_never_broker_queues(tmp_path):
    """The policy the component sets, on a real server with a small maxmemory: 20 MB of cache
    writes (TTL) into 4 MB evict caches and keep all 1000 queued tasks (no TTL); once only
    queues are left, a write fails with OOM instead of dropping a task."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([SERVER, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path),
                               "--maxmemory", str(4 * 2**20), "--maxmemory-policy", valkey.EVICTION_POLICY],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def cli(*args: str, stdin: str | None = None) -> str:
        return subprocess.run([CLI, "-p", str(port), *args], input=stdin, capture_output=True, text=True, timeout=120).stdout

    try:
        for _ in range(50):
            if cli("PING").strip() == "PONG":
                break
            time.sleep(0.1)
        task = "t" * 1000
        cli(stdin="".join(f"RPUSH celery {task}\n" for _ in range(1000)))
        cli(stdin="".join(f"SET superset_data_{i} {'x' * 1000} EX 86400\n" for i in range(20000)))
        assert cli("LLEN", "celery").strip() == "1000"
        info = cli("INFO", "stats")
        evicted = int(next(line.split(":")[1] for line in info.splitlines() if line.startswith("evicted_keys:")))
        assert evicted > 10000
        out = cli(stdin="".join(f"RPUSH celery {task}\n" for _ in range(10000)))
        assert "OOM" in out
        assert int(cli("LLEN", "celery").strip()) >= 1000
    finally:
        server.terminate()
        server.wait(timeout=10)
