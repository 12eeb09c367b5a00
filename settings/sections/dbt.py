"""Settings section `data-platform:dbt`: dbt profiles Secret and optional CronJob.

The seed runs dbt as a CLI. The platform always writes a `profiles.yml` Secret pointing at
Dremio (dbt-dremio adapter, Dremio Software profile) for anyone running dbt in the cluster, and
schedules a CronJob only when an image holding the dbt project is configured.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .. import checks
from ..schema import Section, from_env, setting


@dataclass(frozen=True)
class DbtSettings(Section):
    KEY = "dbt"
    POSITION = 6
    DOC = "dbt profiles Secret and optional CronJob"

    image: Optional[str] = setting(checks.optional(checks.image),
                                   "Image with dbt-dremio and your dbt project. Empty: no CronJob (the profiles Secret is still written).", default=None)
    schedule: str = setting(checks.cron, "CronJob schedule (five-field cron, cluster time zone unless timeZone is set).", default="0 2 * * *")
    time_zone: Optional[str] = setting(checks.optional(checks.time_zone),
                                       "CronJob time zone (IANA name). Empty: the controller's time zone.", default=None)
    command: tuple = setting(checks.string_list(), "Container command, e.g. [dbt, build]; DBT_PROFILES_DIR points at the mounted profiles.", default=("dbt", "build"))
    project_dir: str = setting(checks.text(r"/\S*", "an absolute path"), "Working directory of the dbt project inside the image (DBT_PROJECT_DIR).", default="/usr/app")
    profile: str = setting(checks.text(r"[a-z_][a-z0-9_]*", "a dbt profile name (snake_case)"), "Profile name in profiles.yml (your dbt_project.yml's `profile:`).", default="data_platform")
    target: str = setting(checks.text(r"[a-z_][a-z0-9_-]*", "a dbt target name"), "Target name in profiles.yml. Empty default: the stack's environment.", default=from_env(lambda env: env))
    threads: int = setting(checks.integer(1, 64), "dbt threads (concurrent models).", default=4)
    object_storage_source: str = setting(checks.text(r"\S+", "a Dremio source name"),
                                         "dbt-dremio object_storage_source: where tables are materialised. Default `lake`, the source Dremio's bootstrap registers over the lake buckets (dremio/lake_source.py); `$scratch` where none is registered.", default="lake")
    object_storage_path: str = setting(checks.text(r"\S+", "a path"), "dbt-dremio object_storage_path inside that source (default: the silver bucket of the lake source).", default="silver")
    dremio_space: str = setting(checks.text(r"\S+", "a Dremio space"), "dbt-dremio dremio_space for views (@<user> is the user's home space).", default="@dbt")
    dremio_space_folder: str = setting(checks.text(r"\S+", "a folder"), "dbt-dremio dremio_space_folder for views.", default="no_schema")
    run_as_user: int = setting(checks.integer(1, 2**31 - 1), "UID the dbt container runs as (non-root).", default=1000)
    cpu_request: str = setting(checks.cpu, "dbt container CPU request.", default="250m")
    cpu_limit: str = setting(checks.cpu, "dbt container CPU limit.", default="1")
    memory_request: str = setting(checks.memory, "dbt container memory request.", default="512Mi")
    memory_limit: str = setting(checks.memory, "dbt container memory limit.", default="2Gi")
    active_deadline_seconds: int = setting(checks.integer(60, 7 * 24 * 3600), "A run longer than this is killed (the Job's activeDeadlineSeconds).", default=4 * 3600)
