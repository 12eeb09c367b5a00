"""Pod templates for Superset's web (gunicorn), Celery worker, Celery beat and init Job.

All run the same image with the same environment and `superset_config.py`; the root
filesystem is read-only, with emptyDirs for /tmp and SUPERSET_HOME (and /opt/superset-extra
when extra pip packages are installed by the init container).
"""

from __future__ import annotations

from typing import Any, Optional

from components.data_services.managed_postgres import PSQL_IMAGE
from kube import container_security, pod_security, resources

from .config import CA_DIR, CONFIG_DIR, DREMIO_URI_PY

PORT = 8088
UID = 1000  # the `superset` user of apache/superset images
CELERY_APP = "superset.tasks.celery_app:app"
EXTRA_DIR = "/opt/superset-extra"


def web_command(workers: int) -> list[str]:
    """gunicorn, as the image's own run-server.sh does (never the dev `superset run`)."""
    return [
        "gunicorn",
        "--bind", f"0.0.0.0:{PORT}",
        "--workers", str(workers),
        "--worker-class", "gthread",
        "--threads", "4",
        "--timeout", "120",
        "--keep-alive", "5",
        "--worker-tmp-dir", "/tmp",
        "--limit-request-line", "0",
        "--limit-request-field_size", "0",
        "--access-logfile", "-",
        "superset.app:create_app()",
    ]


def worker_command(concurrency: int) -> list[str]:
    return ["celery", f"--app={CELERY_APP}", "worker", "--pool=prefork", "-O", "fair", f"--concurrency={concurrency}"]


BEAT_COMMAND = ["celery", f"--app={CELERY_APP}", "beat", "--pidfile", "/tmp/celerybeat.pid", "--schedule", "/tmp/celerybeat-schedule"]

INIT_SCRIPT = (
    "set -e\n"
    "superset db upgrade\n"
    'superset fab create-admin --username "$ADMIN_USERNAME" --firstname Superset --lastname Admin '
    '--email "$ADMIN_EMAIL" --password "$ADMIN_PASSWORD"\n'
    "superset init\n"
    # Dremio as a database: the URI is built in the pod from the Secret-backed environment
    # (config.dremio_uri); Superset stores the password in its encrypted column.
    'if [ -n "${DREMIO_HOST:-}" ]; then\n'
    "  DREMIO_URI=$(python -c '" + DREMIO_URI_PY + "')\n"
    '  superset set-database-uri -d "$DREMIO_DATABASE" -u "$DREMIO_URI"\n'
    '  echo "database $DREMIO_DATABASE registered"\n'
    "fi\n"
)
"""`fab create-admin` leaves an existing user alone (exit 0) and `set-database-uri` creates or
updates the database, so the Job is safe to re-run."""

INIT_COMMAND = ["/bin/sh", "-c", INIT_SCRIPT]

PIP_SCRIPT = (
    "set -e\n"
    # 3.x/4.0 images have pip in the interpreter; 4.1+ images are uv-built venvs (uv on PATH).
    f'install() {{ if python -m pip --version >/dev/null 2>&1; then python -m pip install --no-cache-dir --target {EXTRA_DIR} "$@"; '
    f'else uv pip install --no-cache --target {EXTRA_DIR} "$@"; fi; }}\n'
    '[ "$#" -eq 0 ] || install "$@"\n'
    # Drivers whose dependencies the image already has (config.no_deps_packages).
    '[ -z "${NO_DEPS_PACKAGES:-}" ] || install --no-deps $NO_DEPS_PACKAGES\n'
)


DB_WAIT_SCRIPT = (
    # Logs in as the application's own role to its own database: on CloudNativePG the role and
    # the database are custom resources Pulumi does not await, so "server up" is not enough.
    'until out=$(psql -X -At -c "select 1" 2>&1); do echo "waiting for database $PGDATABASE on $PGHOST:$PGPORT as $PGUSER: $out"; sleep 5; done\n'
    'echo "database $PGDATABASE on $PGHOST is ready"\n'
)


def database_wait_container(
    *, host: Any, port: int, database: str, login_secret: str, sslmode: str, ca_secret: Optional[str],
) -> dict[str, Any]:
    """An init container that holds the pod until `database` accepts its owner's login."""
    env: list[dict[str, Any]] = [
        {"name": "PGHOST", "value": host},
        {"name": "PGPORT", "value": str(port)},
        {"name": "PGDATABASE", "value": database},
        {"name": "PGSSLMODE", "value": sslmode},
        {"name": "PGCONNECT_TIMEOUT", "value": "5"},
        {"name": "PGUSER", "value_from": {"secret_key_ref": {"name": login_secret, "key": "username"}}},
        {"name": "PGPASSWORD", "value_from": {"secret_key_ref": {"name": login_secret, "key": "password"}}},
    ]
    mounts = []
    if ca_secret:
        env.append({"name": "PGSSLROOTCERT", "value": f"{CA_DIR}/ca.crt"})
        mounts.append({"name": "pg-ca", "mount_path": CA_DIR, "read_only": True})
    return {
        "name": "wait-for-database",
        "image": PSQL_IMAGE,
        "command": ["/bin/sh", "-c", DB_WAIT_SCRIPT],
        "env": env,
        "resources": resources("10m", "16Mi", "200m", "64Mi"),
        "security_context": container_security(read_only_root=True),
        **({"volume_mounts": mounts} if mounts else {}),
    }


def volumes(config_map: str, ca_secret: Optional[str], extra: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"name": "config", "config_map": {"name": config_map}},
        {"name": "tmp", "empty_dir": {"size_limit": "1Gi"}},
        {"name": "home", "empty_dir": {"size_limit": "1Gi"}},
    ]
    if ca_secret:
        out.append({"name": "pg-ca", "secret": {"secret_name": ca_secret, "items": [{"key": "ca.crt", "path": "ca.crt"}]}})
    if extra:
        out.append({"name": "extra", "empty_dir": {"size_limit": "2Gi"}})
    return out


def mounts(ca_secret: Optional[str], extra: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"name": "config", "mount_path": CONFIG_DIR, "read_only": True},
        {"name": "tmp", "mount_path": "/tmp"},
        {"name": "home", "mount_path": "/app/superset_home"},
    ]
    if ca_secret:
        out.append({"name": "pg-ca", "mount_path": CA_DIR, "read_only": True})
    if extra:
        out.append({"name": "extra", "mount_path": EXTRA_DIR, "read_only": True})
    return out


def pip_init_container(image: str, packages: tuple[str, ...], env: list[dict[str, Any]], no_deps: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "name": "pip-install",
        "image": image,
        "command": ["/bin/sh", "-c", PIP_SCRIPT, "pip-install", *packages],
        "env": [{"name": "HOME", "value": "/tmp"}, {"name": "PIP_DISABLE_PIP_VERSION_CHECK", "value": "1"},
                *([{"name": "NO_DEPS_PACKAGES", "value": " ".join(no_deps)}] if no_deps else [])],
        "resources": resources("100m", "256Mi", "1", "1Gi"),
        "security_context": container_security(read_only_root=True),
        "volume_mounts": [{"name": "tmp", "mount_path": "/tmp"}, {"name": "extra", "mount_path": EXTRA_DIR}],
    }


def http_probes() -> dict[str, Any]:
    health = {"path": "/health", "port": "http"}
    return {
        # First start runs Flask app creation (several seconds, more on small nodes).
        "startup_probe": {"http_get": health, "period_seconds": 5, "timeout_seconds": 3, "failure_threshold": 60},
        "liveness_probe": {"http_get": health, "period_seconds": 15, "timeout_seconds": 5, "failure_threshold": 3},
        "readiness_probe": {"http_get": health, "period_seconds": 10, "timeout_seconds": 3, "failure_threshold": 3},
    }


def celery_worker_probes() -> dict[str, Any]:
    # The Superset Helm chart's own check: the worker answers a ping on its own node name.
    ping = {"exec": {"command": ["sh", "-c", f"celery -A {CELERY_APP} inspect ping -d celery@$HOSTNAME"]}}
    return {
        "liveness_probe": {**ping, "initial_delay_seconds": 120, "period_seconds": 60, "timeout_seconds": 60, "failure_threshold": 3},
        "readiness_probe": {**ping, "initial_delay_seconds": 30, "period_seconds": 60, "timeout_seconds": 60, "failure_threshold": 3},
    }


def beat_probes() -> dict[str, Any]:
    # Beat has no endpoint: its pidfile names a live process (it is PID 1 in the container).
    alive = {"exec": {"command": ["sh", "-c", "test -s /tmp/celerybeat.pid && kill -0 \"$(cat /tmp/celerybeat.pid)\""]}}
    return {
        "liveness_probe": {**alive, "initial_delay_seconds": 60, "period_seconds": 30, "timeout_seconds": 5, "failure_threshold": 3},
        "readiness_probe": {**alive, "initial_delay_seconds": 20, "period_seconds": 30, "timeout_seconds": 5},
    }


def pod_spec(
    *,
    container: dict[str, Any],
    config_map: str,
    ca_secret: Optional[str],
    image: str,
    packages: tuple[str, ...],
    env: list[dict[str, Any]],
    restart_policy: Optional[str] = None,
    affinity: Optional[dict[str, Any]] = None,
    wait_for: tuple[dict[str, Any], ...] = (),
    no_deps: tuple[str, ...] = (),
) -> dict[str, Any]:
    """`wait_for`: init containers that run first (e.g. `database_wait_container`); `packages`
    and `no_deps` are pip-installed into EXTRA_DIR (on PYTHONPATH) by an init container."""
    extra = bool(packages or no_deps)
    spec: dict[str, Any] = {
        "automount_service_account_token": False,
        "security_context": pod_security(run_as_user=UID, run_as_group=UID, fs_group=UID),
        "containers": [{
            **container,
            "image": image,
            "env": env,
            "security_context": container_security(read_only_root=True),
            "volume_mounts": mounts(ca_secret, extra),
        }],
        "volumes": volumes(config_map, ca_secret, extra),
    }
    inits = [*wait_for, *([pip_init_container(image, packages, env, no_deps)] if extra else [])]
    if inits:
        spec["init_containers"] = inits
    if restart_policy:
        spec["restart_policy"] = restart_policy
    if affinity:
        spec["affinity"] = affinity
    return spec


def spread(sel: dict[str, str]) -> dict[str, Any]:
    """Prefer one pod per node (soft: a small cluster still schedules)."""
    return {"pod_anti_affinity": {"preferred_during_scheduling_ignored_during_execution": [
        {"weight": 100, "pod_affinity_term": {"label_selector": {"match_labels": sel}, "topology_key": "kubernetes.io/hostname"}},
    ]}}
