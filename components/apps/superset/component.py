"""The Superset component: Secret, ConfigMap, Redis, init Job, web/worker/beat Deployments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.context import PlatformContext
from components.data_services.result import PostgresResult
from kube import child, labels, resources, selector
from kube.namespaces import APPS
from settings.sections.superset import SupersetSettings

from ...secrets import platform_secret
from ..result import SupersetResult
from ..ui import UiBackend
from . import workloads as w
from .config import CONFIG_FILE, SECRET_NAME, SUPERSET_CONFIG, DremioConnection, effective_pip_packages, no_deps_packages, superset_env
from .redis import RedisArgs, SupersetRedis

APP = "superset"
WEB_SERVICE = "superset"


def init_job_name(version: str) -> str:
    """One Job per Superset version: an upgrade runs the migrations again."""
    return "superset-init-" + re.sub(r"[^a-z0-9]+", "-", version.lower()).strip("-")


@dataclass(frozen=True)
class SupersetArgs:
    ctx: PlatformContext
    """The stack's shared values (Redis' volume takes the `standard` storage role)."""
    settings: SupersetSettings
    postgres: PostgresResult
    dremio: Optional[DremioConnection] = None
    """Dremio to register as a database (the driver is then installed in every pod)."""
    depends_on: Sequence[pulumi.Resource] = ()
    namespace_ready: tuple = ()
    """What Superset's Secret and Redis wait for (the namespace): neither uses PostgreSQL, so they do
    not wait for the data services in `depends_on` (only the init Job and the pods that connect do)."""


class Superset(pulumi.ComponentResource):
    result: SupersetResult

    def __init__(self, name: str, args: SupersetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:apps:Superset", name, None, opts)
        s, pg = args.settings, args.postgres
        if "superset" not in pg.logins:
            raise ValueError("the data services provide no `superset` database login")
        login = pg.logins["superset"]
        deps = tuple(args.depends_on)
        opts_ = lambda *more, **kw: child(self, args.ctx.provider, depends_on=[*deps, *more], **kw)  # noqa: E731

        # --- generated credentials (never in plaintext outside the Secret) ---
        secret_key = random.RandomPassword(f"{name}-secret-key", length=64, special=False, opts=pulumi.ResourceOptions(parent=self))
        admin_password = random.RandomPassword(f"{name}-admin-password", length=24, special=False, opts=pulumi.ResourceOptions(parent=self))
        redis_password = random.RandomPassword(f"{name}-redis-password", length=32, special=False, opts=pulumi.ResourceOptions(parent=self))
        self.secret = platform_secret(
            SECRET_NAME, APPS,
            {
                "secret-key": secret_key.result,
                "admin-password": admin_password.result,
                "redis-password": redis_password.result,
            },
            args.ctx, parent=self, labels=labels(APP), depends_on=args.namespace_ready,
            resource_name=f"{name}-secrets",
        )
        self.config = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata={"name": "superset-config", "namespace": APPS, "labels": labels(APP)},
            data={CONFIG_FILE: SUPERSET_CONFIG},
            opts=opts_(),
        )
        self.redis = SupersetRedis(
            f"{name}-redis",
            RedisArgs(ctx=args.ctx, image=s.redis_image, persistent=s.redis_persistent, volume_size=s.redis_storage,
                      depends_on=(*args.namespace_ready, self.secret)),
            pulumi.ResourceOptions(parent=self),
        )

        packages = effective_pip_packages(s.version, tuple(s.pip_packages))
        no_deps = no_deps_packages(tuple(s.pip_packages), args.dremio is not None and s.install_dremio_driver)
        self.pip_packages = packages + no_deps
        image = s.image
        def env_for(db_host: pulumi.Input[str], db_port: int, dremio: Optional[DremioConnection] = None) -> list[dict[str, Any]]:
            return superset_env(db_host=db_host, db_port=db_port, dremio=dremio, login_secret=login.secret_name, database=login.database,
                                sslmode=pg.sslmode, ca_secret=pg.ca_secret, redis_host=self.redis.host, extra_pythonpath=bool(self.pip_packages))

        # Applications go through the pooler; migrations use the primary directly.
        env = env_for(pg.host, pg.port)
        init_env = env_for(pg.direct_host, pg.direct_port, args.dremio) + [
            {"name": "ADMIN_USERNAME", "value": s.admin_username},
            {"name": "ADMIN_EMAIL", "value": s.admin_email or f"admin@{args.ctx.domain}"},
            {"name": "ADMIN_PASSWORD", "value_from": {"secret_key_ref": {"name": SECRET_NAME, "key": "admin-password"}}},
        ]
        pod = dict(config_map=self.config.metadata["name"], ca_secret=pg.ca_secret, image=image, packages=packages, no_deps=no_deps)

        # --- init Job: db upgrade, admin user, roles/permissions ---
        job_name = init_job_name(s.version)
        job_lbl = labels(APP, "init")
        self.init_job = k8s.batch.v1.Job(
            f"{name}-init",
            metadata={"name": job_name, "namespace": APPS, "labels": job_lbl},
            spec={
                "backoff_limit": 6,
                "active_deadline_seconds": 1800,
                "template": {
                    "metadata": {"labels": job_lbl},
                    "spec": w.pod_spec(
                        container={"name": "init", "command": w.INIT_COMMAND,
                                   "resources": resources("250m", "512Mi", "1", "2Gi")},
                        env=init_env, restart_policy="OnFailure", **pod,
                        # The database and its owner are custom resources on CloudNativePG (not
                        # awaited): wait for a login instead of burning the Job's retries.
                        wait_for=(w.database_wait_container(
                            host=pg.direct_host, port=pg.direct_port, database=login.database,
                            login_secret=login.secret_name, sslmode=pg.sslmode, ca_secret=pg.ca_secret,
                        ),),
                    ),
                },
            },
            opts=opts_(self.secret, self.config, delete_before_replace=True),
        )

        # --- web (gunicorn) ---
        web_sel = selector(APP, "web")
        web_lbl = labels(APP, "web")
        self.web = k8s.apps.v1.Deployment(
            f"{name}-web",
            metadata={"name": "superset-web", "namespace": APPS, "labels": web_lbl},
            spec={
                "replicas": s.web_replicas,
                "selector": {"match_labels": web_sel},
                "strategy": {"type": "RollingUpdate", "rolling_update": {"max_unavailable": 0, "max_surge": 1}},
                "template": {
                    "metadata": {"labels": web_lbl},
                    "spec": w.pod_spec(
                        container={
                            "name": "web",
                            "command": w.web_command(s.gunicorn_workers),
                            "ports": [{"name": "http", "container_port": w.PORT}],
                            "resources": resources(s.web_cpu_request, s.web_memory_request, s.web_cpu_limit, s.web_memory_limit),
                            **w.http_probes(),
                        },
                        env=env, affinity=w.spread(web_sel), **pod,
                    ),
                },
            },
            opts=opts_(self.init_job, self.redis),
        )
        self.service = k8s.core.v1.Service(
            f"{name}-web-svc",
            metadata={"name": WEB_SERVICE, "namespace": APPS, "labels": web_lbl},
            spec={"selector": web_sel, "ports": [{"name": "http", "port": w.PORT, "target_port": "http"}]},
            opts=opts_(),
        )
        self.pdb = None
        if s.web_replicas > 1:
            self.pdb = k8s.policy.v1.PodDisruptionBudget(
                f"{name}-web-pdb",
                metadata={"name": "superset-web", "namespace": APPS, "labels": web_lbl},
                spec={"min_available": 1, "selector": {"match_labels": web_sel}},
                opts=opts_(),
            )

        # --- Celery worker and beat ---
        worker_sel = selector(APP, "worker")
        worker_lbl = labels(APP, "worker")
        self.worker = k8s.apps.v1.Deployment(
            f"{name}-worker",
            metadata={"name": "superset-worker", "namespace": APPS, "labels": worker_lbl},
            spec={
                "replicas": s.worker_replicas,
                "selector": {"match_labels": worker_sel},
                "template": {
                    "metadata": {"labels": worker_lbl},
                    "spec": w.pod_spec(
                        container={
                            "name": "worker",
                            "command": w.worker_command(s.worker_concurrency),
                            "resources": resources(s.worker_cpu_request, s.worker_memory_request, s.worker_cpu_limit, s.worker_memory_limit),
                            **w.celery_worker_probes(),
                        },
                        env=env, affinity=w.spread(worker_sel), **pod,
                    ),
                },
            },
            opts=opts_(self.init_job, self.redis),
        )
        beat_sel = selector(APP, "beat")
        beat_lbl = labels(APP, "beat")
        self.beat = k8s.apps.v1.Deployment(
            f"{name}-beat",
            metadata={"name": "superset-beat", "namespace": APPS, "labels": beat_lbl},
            spec={
                # A scheduler must never run twice (duplicate reports): one replica, Recreate.
                "replicas": 1,
                "strategy": {"type": "Recreate"},
                "selector": {"match_labels": beat_sel},
                "template": {
                    "metadata": {"labels": beat_lbl},
                    "spec": w.pod_spec(
                        container={
                            "name": "beat",
                            "command": w.BEAT_COMMAND,
                            "resources": resources("50m", "256Mi", "500m", "512Mi"),
                            **w.beat_probes(),
                        },
                        env=env, **pod,
                    ),
                },
            },
            opts=opts_(self.init_job, self.redis),
        )

        self.result = SupersetResult(
            web=web_sel, worker=worker_sel, beat=beat_sel, init=selector(APP, "init"), redis=self.redis.selector,
            ui=UiBackend(service=WEB_SERVICE, port=w.PORT, selector=web_sel, target_port=w.PORT),
            url=f"https://superset.{args.ctx.domain}", needs_pypi_egress=bool(self.pip_packages),
        )
        self.url = self.result.url
        self.register_outputs({"url": self.url, "service": self.service.metadata["name"], "init_job": job_name})
