"""Settings section `data-platform:dbt`: dbt profiles Secret and optional CronJob."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import checks
from ..environments import by_env
from ..schema import Section, setting


@dataclass(frozen=True)
class DbtSettings(Section):
    KEY = "dbt"
    DOC = "dbt profiles Secret and optional CronJob"

    replicas: int = setting(checks.integer(1, 20), "Number of replicas (placeholder; the component's issue defines the real fields).")

    @classmethod
    def defaults(cls, env: str) -> dict[str, Any]:
        return {"replicas": by_env(env, dev=1, staging=2, prod=3)}
