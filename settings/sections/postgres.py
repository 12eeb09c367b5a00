"""Settings section `data-platform:postgres`: PostgreSQL (CloudNativePG in-cluster, or the PgBouncer in front of a managed database)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import checks
from ..environments import by_env
from ..schema import Section, setting


@dataclass(frozen=True)
class PostgresSettings(Section):
    KEY = "postgres"
    DOC = "PostgreSQL (CloudNativePG in-cluster, or the PgBouncer in front of a managed database)"

    replicas: int = setting(checks.integer(1, 20), "Number of replicas (placeholder; the component's issue defines the real fields).")

    @classmethod
    def defaults(cls, env: str) -> dict[str, Any]:
        return {"replicas": by_env(env, dev=1, staging=2, prod=3)}
