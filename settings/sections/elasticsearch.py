"""Settings section `data-platform:elasticsearch`: Elasticsearch (ECK) for logs and search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import checks
from ..environments import by_env
from ..schema import Section, setting


@dataclass(frozen=True)
class ElasticsearchSettings(Section):
    KEY = "elasticsearch"
    DOC = "Elasticsearch (ECK) for logs and search"

    replicas: int = setting(checks.integer(1, 20), "Number of replicas (placeholder; the component's issue defines the real fields).")

    @classmethod
    def defaults(cls, env: str) -> dict[str, Any]:
        return {"replicas": by_env(env, dev=1, staging=2, prod=3)}
