"""dbt: a `profiles.yml` Secret pointing at Dremio, and an optional CronJob.

The seed runs dbt as a CLI; in the cluster it needs a profile. The Secret holds a dbt-dremio
"Dremio Software" profile (REST API on the coordinator Service, port 9047) for the dbt service
user the Dremio bootstrap Job creates. The CronJob exists only when `dbt.image` is set: an image
with dbt-dremio and your project (the platform does not guess one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
import yaml

import kube
from components.context import PlatformContext
from components.secrets import platform_secret
from kube.namespaces import APPS
from settings.sections.dbt import DbtSettings

APP = "dbt"
PROFILES_DIR = "/etc/dbt"
WORK_DIR = "/tmp/dbt"


def render_profiles(s: DbtSettings, host: str, port: int, user: str, password: str) -> str:
    """profiles.yml for the dbt-dremio adapter (Dremio Software, user/password)."""
    doc = {
        s.profile: {
            "target": s.target,
            "outputs": {
                s.target: {
                    "type": "dremio",
                    "software_host": host,
                    "port": port,
                    "use_ssl": False,
                    "user": user,
                    "password": password,
                    "object_storage_source": s.object_storage_source,
                    "object_storage_path": s.object_storage_path,
                    "dremio_space": s.dremio_space,
                    "dremio_space_folder": s.dremio_space_folder,
                    "threads": s.threads,
                }
            },
        }
    }
    return yaml.safe_dump(doc, sort_keys=False)


@dataclass(frozen=True)
class DbtArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    namespace: k8s.core.v1.Namespace
    settings: DbtSettings
    dremio_host: str
    dremio_port: int
    username: str
    password: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = ()


class Dbt(pulumi.ComponentResource):
    cron_job: Optional[k8s.batch.v1.CronJob]
    selector: dict[str, str]

    def __init__(self, name: str, args: DbtArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:apps:Dbt", name, None, opts)
        s = args.settings
        ns = args.namespace.metadata["name"]
        self.selector = kube.selector(APP, "run")
        profiles = pulumi.Output.secret(args.password).apply(
            lambda pw: render_profiles(s, args.dremio_host, args.dremio_port, args.username, pw))
        self.secret = platform_secret(
            "dbt-profiles", APPS, {"profiles.yml": profiles}, args.ctx,
            parent=self, labels=kube.labels(APP, "profiles"),
            depends_on=[args.namespace, *args.depends_on], resource_name="dbt-profiles",
        )
        self.cron_job = None
        if s.image:
            self.cron_job = k8s.batch.v1.CronJob(
                "dbt",
                metadata={"name": "dbt", "namespace": ns, "labels": kube.labels(APP, "run")},
                spec=cron_spec(s, self.secret.metadata["name"]),
                opts=kube.child(self, args.ctx.provider, depends_on=[*args.depends_on, self.secret]),
            )
        self.register_outputs({
            "profilesSecret": self.secret.metadata["name"],
            "cronJob": self.cron_job.metadata["name"] if self.cron_job else None,
        })


def cron_spec(s: DbtSettings, profiles_secret: pulumi.Input[str]) -> dict[str, Any]:
    labels = kube.labels(APP, "run")
    spec: dict[str, Any] = {
        "schedule": s.schedule,
        "concurrency_policy": "Forbid",  # never two dbt runs on the same models
        "starting_deadline_seconds": 3600,
        "successful_jobs_history_limit": 3,
        "failed_jobs_history_limit": 5,
        "job_template": {
            "metadata": {"labels": labels},
            "spec": {
                "backoff_limit": 1,
                "active_deadline_seconds": s.active_deadline_seconds,
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "restart_policy": "Never",
                        "automount_service_account_token": False,
                        "enable_service_links": False,
                        "security_context": kube.pod_security(run_as_user=s.run_as_user, run_as_group=s.run_as_user, fs_group=s.run_as_user),
                        "containers": [{
                            "name": "dbt",
                            "image": s.image,
                            "image_pull_policy": "IfNotPresent",
                            "command": list(s.command),
                            "working_dir": s.project_dir,
                            "env": [
                                {"name": "DBT_PROFILES_DIR", "value": PROFILES_DIR},
                                {"name": "DBT_PROJECT_DIR", "value": s.project_dir},
                                {"name": "DBT_TARGET_PATH", "value": f"{WORK_DIR}/target"},
                                {"name": "DBT_LOG_PATH", "value": f"{WORK_DIR}/logs"},
                                {"name": "DBT_SEND_ANONYMOUS_USAGE_STATS", "value": "false"},
                                {"name": "HOME", "value": WORK_DIR},
                            ],
                            "resources": kube.resources(s.cpu_request, s.memory_request, s.cpu_limit, s.memory_limit),
                            "security_context": kube.container_security(read_only_root=True),
                            "volume_mounts": [
                                {"name": "profiles", "mount_path": PROFILES_DIR, "read_only": True},
                                {"name": "work", "mount_path": WORK_DIR},
                            ],
                        }],
                        "volumes": [
                            {"name": "profiles", "secret": {"secret_name": profiles_secret, "default_mode": 0o440}},
                            {"name": "work", "empty_dir": {"size_limit": "2Gi"}},
                        ],
                    },
                },
            },
        },
    }
    if s.time_zone:
        spec["time_zone"] = s.time_zone
    return spec
