"""Settings section `data-platform:superset`: Superset web, Celery worker/beat and Redis.

Web replicas follow the seed (`superset-web` Deployment: 2+ in prod; `kubectl scale ...
--replicas=4` is `webReplicas: 4`). The version is the seed's 3.0.0 by default; the image is
`<imageRepository>:<version>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import checks
from ..schema import Section, per_env, setting

_PIP_REQ = checks.text(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!-]+", "a pinned pip requirement such as psycopg2-binary==2.9.10")


@dataclass(frozen=True)
class SupersetSettings(Section):
    KEY = "superset"
    POSITION = 5
    DOC = "Superset web, Celery worker/beat and Redis"

    enabled: bool = setting(checks.boolean, "Deploy Superset.", default=True)
    version: str = setting(checks.version, "Superset version: the image tag (seed: 3.0.0).", default="3.0.0")
    image_repository: str = setting(checks.text(r"[a-z0-9]+([._/-][a-z0-9]+)*(:\d+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*", "an image repository such as apache/superset"), "Image repository; the image is <imageRepository>:<version>. Point it at your own build to bake drivers in.", default="apache/superset")
    pip_packages: tuple = setting(checks.string_list(_PIP_REQ), "Extra pinned pip packages installed by an init container into a writable directory on PYTHONPATH (e.g. warehouse drivers). psycopg2-binary is added automatically for versions >= 4.1, whose images ship no PostgreSQL driver. Needs egress to PyPI; prefer a custom image in production.", default=())
    install_dremio_driver: bool = setting(checks.boolean, "Install the pinned Dremio driver (sqlalchemy-dremio, Arrow Flight) with the init container, so Superset's init can register Dremio as a database. Needs egress to PyPI from the Superset pods; false when your image (imageRepository) has the driver baked in.", default=True)
    web_replicas: int = setting(checks.integer(1, 20), "gunicorn web replicas (seed: 2+ in prod, 4 when scaled).", default=per_env(dev=1, staging=2, prod=2))
    gunicorn_workers: int = setting(checks.integer(1, 32), "gunicorn worker processes per web pod (gthread, 4 threads each).", default=per_env(dev=2, staging=4, prod=4))
    web_cpu_request: str = setting(checks.cpu, "Web pod CPU request.", default=per_env(dev="100m", staging="500m", prod="1"))
    web_memory_request: str = setting(checks.memory, "Web pod memory request.", default=per_env(dev="512Mi", staging="1Gi", prod="2Gi"))
    web_cpu_limit: str = setting(checks.cpu, "Web pod CPU limit.", default=per_env(dev="1", staging="2", prod="2"))
    web_memory_limit: str = setting(checks.memory, "Web pod memory limit.", default=per_env(dev="2Gi", staging="2Gi", prod="4Gi"))
    worker_replicas: int = setting(checks.integer(1, 20), "Celery worker replicas (alerts, reports, async SQL Lab).", default=per_env(dev=1, staging=1, prod=2))
    worker_concurrency: int = setting(checks.integer(1, 64), "Celery worker processes per pod.", default=per_env(dev=2, staging=4, prod=4))
    worker_cpu_request: str = setting(checks.cpu, "Celery worker CPU request.", default=per_env(dev="100m", staging="500m", prod="1"))
    worker_memory_request: str = setting(checks.memory, "Celery worker memory request.", default=per_env(dev="512Mi", staging="1Gi", prod="2Gi"))
    worker_cpu_limit: str = setting(checks.cpu, "Celery worker CPU limit.", default=per_env(dev="1", staging="2", prod="2"))
    worker_memory_limit: str = setting(checks.memory, "Celery worker memory limit.", default=per_env(dev="2Gi", staging="2Gi", prod="4Gi"))
    admin_username: str = setting(checks.text(r"[A-Za-z0-9_.@-]{1,64}", "a user name (letters, digits, _ . @ -)"), "Initial admin user; its password is generated into the Secret `superset-secrets` (key `admin-password`).", default="admin")
    admin_email: str = setting(checks.optional(checks.text(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address")), "Initial admin e-mail. Empty: admin@<domain>.", default=None)
    redis_image: str = setting(checks.image, "Redis-compatible cache/broker image (Valkey, BSD-licensed Redis fork).", default="valkey/valkey:8.0.2")
    redis_persistent: bool = setting(checks.boolean, "Keep Redis data (Celery queue, results) on a PersistentVolumeClaim; otherwise an emptyDir.", default=per_env(dev=False, staging=False, prod=True))
    redis_storage: str = setting(checks.memory, "Redis volume size when persistent.", default=per_env(dev="1Gi", staging="2Gi", prod="8Gi"))

    @property
    def image(self) -> str:
        return f"{self.image_repository}:{self.version}"
