"""Which application needs which PostgreSQL database and role (one catalogue for CloudNativePG
and for the bootstrap Job in front of a managed database).

Airbyte's chart (V2) would give its Temporal the Airbyte server's credentials; the platform
gives Temporal its own `temporal` role instead (the apps layer overrides `POSTGRES_USER`/`PWD`
and sets `SKIP_DB_CREATE`), owning both Temporal databases: `temporal` and
`temporal_visibility`, which must therefore exist before Airbyte starts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppDatabase:
    key: str
    """Login key in `PostgresResult.logins`."""
    database: str
    owner: str


@dataclass(frozen=True)
class AppRole:
    name: str
    createdb: bool = False


DATABASES: tuple[AppDatabase, ...] = (
    AppDatabase("airbyte", "airbyte", "airbyte"),
    AppDatabase("temporal", "temporal", "temporal"),
    AppDatabase("temporal_visibility", "temporal_visibility", "temporal"),
    AppDatabase("superset", "superset", "superset"),
)
ROLES: tuple[AppRole, ...] = tuple(AppRole(owner) for owner in dict.fromkeys(d.owner for d in DATABASES))


def role_secret_name(role: str) -> str:
    """Secret (same name in data-storage and data-platform) with `username`/`password` of `role`."""
    return f"postgres-{role}"


def k8s_name(identifier: str) -> str:
    """A PostgreSQL identifier as an RFC 1123 name (`temporal_visibility` -> `temporal-visibility`)."""
    return identifier.replace("_", "-")
