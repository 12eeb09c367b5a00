"""`superset_config.py` (from a ConfigMap) and the environment every Superset container gets.

The config file holds no secret: it reads everything from environment variables at runtime,
and the variables that carry credentials come from Secrets (`secretKeyRef`), so neither the
ConfigMap nor the Pod spec contains a password. `SQLALCHEMY_DATABASE_URI` is assembled in the
process from DATABASE_* variables, with the user and password URL-quoted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi

CONFIG_DIR = "/etc/superset"
CONFIG_FILE = "superset_config.py"
CA_DIR = "/etc/superset/pg-ca"
SECRET_NAME = "superset-secrets"
"""Secret holding the generated SECRET_KEY, admin password and Redis password."""
SECRET_KEYS = ("secret-key", "admin-password", "redis-password")

SUPERSET_CONFIG = '''\
# Managed by the data-platform Pulumi program. Reads every value from the environment; the
# credentials come from Kubernetes Secrets, never from this file.
import os
from urllib.parse import quote

from cachelib.redis import RedisCache
from celery.schedules import crontab


def _env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"superset_config: environment variable {name} is not set")
    return value


SECRET_KEY = _env("SUPERSET_SECRET_KEY")

_db_query = {"sslmode": _env("DATABASE_SSLMODE", "prefer")}
if os.environ.get("DATABASE_SSLROOTCERT"):
    _db_query["sslrootcert"] = os.environ["DATABASE_SSLROOTCERT"]
SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://{user}:{password}@{host}:{port}/{db}?{query}".format(
    user=quote(_env("DATABASE_USER"), safe=""),
    password=quote(_env("DATABASE_PASSWORD"), safe=""),
    host=_env("DATABASE_HOST"),
    port=_env("DATABASE_PORT", "5432"),
    db=_env("DATABASE_DB"),
    query="&".join(k + "=" + quote(v, safe="") for k, v in _db_query.items()),
)
# The pooler (PgBouncer, transaction mode) multiplexes connections: keep Superset's own pool small.
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 10, "pool_recycle": 1800}

REDIS_HOST = _env("REDIS_HOST")
REDIS_PORT = int(_env("REDIS_PORT", "6379"))
REDIS_PASSWORD = _env("REDIS_PASSWORD")
# quote(), not quote_plus(): SQLAlchemy and redis-py unquote userinfo without turning '+' into ' '.
_REDIS = "redis://:" + quote(REDIS_PASSWORD, safe="") + f"@{REDIS_HOST}:{REDIS_PORT}"


class CeleryConfig:
    broker_url = f"{_REDIS}/0"
    result_backend = f"{_REDIS}/1"
    imports = ("superset.sql_lab", "superset.tasks.scheduler")
    worker_prefetch_multiplier = 1
    task_acks_late = False
    beat_schedule = {
        "reports.scheduler": {"task": "reports.scheduler", "schedule": crontab(minute="*", hour="*")},
        "reports.prune_log": {"task": "reports.prune_log", "schedule": crontab(minute=10, hour=0)},
    }


CELERY_CONFIG = CeleryConfig

CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_DEFAULT_TIMEOUT": 300, "CACHE_KEY_PREFIX": "superset_", "CACHE_REDIS_URL": f"{_REDIS}/2"}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_DEFAULT_TIMEOUT": 86400, "CACHE_KEY_PREFIX": "superset_data_", "CACHE_REDIS_URL": f"{_REDIS}/3"}
RESULTS_BACKEND = RedisCache(host=REDIS_HOST, port=REDIS_PORT, password=REDIS_PASSWORD, db=4, key_prefix="superset_results")

# Behind the Gateway (Traefik) with TLS: trust X-Forwarded-* from the proxy, secure cookies.
ENABLE_PROXY_FIX = True
PREFERRED_URL_SCHEME = "https"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
WTF_CSRF_ENABLED = True
TALISMAN_ENABLED = os.environ.get("SUPERSET_TALISMAN_ENABLED", "true").lower() == "true"
SQLLAB_CTAS_NO_LIMIT = True
'''


def version_tuple(version: str) -> tuple[int, ...]:
    """`4.1.0` -> (4, 1, 0); `v3.0` -> (3, 0). Non-numeric suffixes are ignored."""
    parts = []
    for p in version.lstrip("v").split("-")[0].split("+")[0].split("."):
        digits = "".join(ch for ch in p if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


PSYCOPG2 = "psycopg2-binary==2.9.10"
DREMIO_DRIVER = "sqlalchemy-dremio==3.0.3"
"""Dremio's SQLAlchemy dialect over Arrow Flight (`dremio+flight://`); 3.0.3 is the newest release
published as a (pure-Python) wheel, so nothing is built in the pod (3.0.4 is an sdist with the
same code but a `driver` attribute). Installed with `--no-deps`:
it requires only `sqlalchemy>=1.3.24` and `pyarrow>=5.0.0`, which every Superset image ships,
and letting pip resolve them would put SQLAlchemy 2 ahead of Superset's 1.4 on PYTHONPATH
(3.0.5 and later pin SQLAlchemy~=2.0.41 and pyarrow~=20.0, which Superset 3/4 cannot load)."""
DREMIO_DATABASE = "Dremio"
"""The database name Superset's init registers (`superset set-database-uri -d Dremio`)."""


@dataclass(frozen=True)
class DremioConnection:
    """Where Superset reaches Dremio: the client Service, its Arrow Flight port and the Secret
    (`username`/`password`) of Superset's Dremio service user."""

    host: str
    flight_port: int
    secret: str


DREMIO_URI_PY = (
    "import os; from urllib.parse import quote; e = os.environ; "
    'print("dremio+flight://%s:%s@%s:%s/dremio?UseEncryption=false" % '
    '(quote(e["DREMIO_USER"], safe=""), quote(e["DREMIO_PASSWORD"], safe=""), e["DREMIO_HOST"], e["DREMIO_FLIGHT_PORT"]))'
)
"""Run in the init pod (`python -c`): the SQLAlchemy URI of sqlalchemy-dremio's Flight dialect
from the Secret-backed environment, credentials URL-quoted. Dremio OSS serves Flight without
TLS inside the cluster, hence UseEncryption=false. No single quote: the shell wraps it in them."""


def no_deps_packages(extra: tuple[str, ...], dremio: bool) -> tuple[str, ...]:
    """Packages installed with `--no-deps`: the Dremio driver (unless the user pins one)."""
    if not dremio or any(_name(p) == "sqlalchemy-dremio" for p in extra):
        return ()
    return (DREMIO_DRIVER,)


def _name(requirement: str) -> str:
    return requirement.split("==", 1)[0].strip().lower().replace("_", "-")


def effective_pip_packages(version: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    """Packages the init container installs. From 4.1.0 the official image ships no database
    driver (release notes 4.1: "the release's docker image does not ship with drivers"), so the
    PostgreSQL driver for the metadata database is added unless the user listed one."""
    pkgs = list(extra)
    if version_tuple(version) >= (4, 1) and not any(p.lower().startswith(("psycopg2", "psycopg2-binary")) for p in pkgs):
        pkgs.insert(0, PSYCOPG2)
    return tuple(pkgs)


def _secret_env(name: str, secret: pulumi.Input[str], key: str) -> dict[str, Any]:
    return {"name": name, "value_from": {"secret_key_ref": {"name": secret, "key": key}}}


def superset_env(
    *,
    db_host: pulumi.Input[str],
    db_port: int,
    database: str,
    login_secret: str,
    sslmode: str,
    ca_secret: Optional[str],
    redis_host: str,
    extra_pythonpath: bool,
    dremio: Optional[DremioConnection] = None,
) -> list[dict[str, Any]]:
    """Environment of every Superset container (web, worker, beat, init)."""
    env: list[dict[str, Any]] = [
        {"name": "SUPERSET_CONFIG_PATH", "value": f"{CONFIG_DIR}/{CONFIG_FILE}"},
        {"name": "SUPERSET_HOME", "value": "/app/superset_home"},
        {"name": "HOME", "value": "/tmp"},
        {"name": "DATABASE_HOST", "value": db_host},
        {"name": "DATABASE_PORT", "value": str(db_port)},
        {"name": "DATABASE_DB", "value": database},
        {"name": "DATABASE_SSLMODE", "value": sslmode},
        _secret_env("DATABASE_USER", login_secret, "username"),
        _secret_env("DATABASE_PASSWORD", login_secret, "password"),
        {"name": "REDIS_HOST", "value": redis_host},
        {"name": "REDIS_PORT", "value": "6379"},
        _secret_env("REDIS_PASSWORD", SECRET_NAME, "redis-password"),
        _secret_env("SUPERSET_SECRET_KEY", SECRET_NAME, "secret-key"),
    ]
    if ca_secret:
        env.append({"name": "DATABASE_SSLROOTCERT", "value": f"{CA_DIR}/ca.crt"})
    if dremio is not None:
        env += [
            {"name": "DREMIO_DATABASE", "value": DREMIO_DATABASE},
            {"name": "DREMIO_HOST", "value": dremio.host},
            {"name": "DREMIO_FLIGHT_PORT", "value": str(dremio.flight_port)},
            _secret_env("DREMIO_USER", dremio.secret, "username"),
            _secret_env("DREMIO_PASSWORD", dremio.secret, "password"),
        ]
    if extra_pythonpath:
        # The image's own PYTHONPATH is /app/pythonpath; keep it after the extra packages.
        env.append({"name": "PYTHONPATH", "value": "/opt/superset-extra:/app/pythonpath"})
    return env
