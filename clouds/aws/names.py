"""S3 bucket names of the lake, pure (no SDK): the settings check stack names against them.

Every bucket is `<project>-<stack>-<role>-<account>` and its DR replica `<that>-replica`; S3
allows 63 characters, so the stack name's limit follows from the longest role."""

from __future__ import annotations

PROJECT = "data-platform"
ACCOUNT_ID_LENGTH = 12
S3_NAME_MAX = 63
REPLICA_SUFFIX = "-replica"

DATA_ROLES = ("bronze", "silver", "gold", "backups", "airbyte", "dremio", "velero", "es-backups")
"""The seed's medallion buckets, then one bucket per consumer so no identity may delete another's
objects: `backups` (PostgreSQL base backups and WAL only), `airbyte` (Airbyte's logs, state and
workload output), `dremio` (Dremio's distributed storage), `velero` (Velero's configuration
backups) and `es-backups` (Elasticsearch's snapshots)."""
LOGS_ROLE = "access-logs"
PRIMARY_LAKE_ROLES = ("bronze", "silver", "gold")
"""What a dr stack reads from its primary's replicas (`aws.primaryStack`): the lake itself. Every
consumer's own bucket (backups, airbyte, dremio, velero, es-backups) stays the dr stack's: it is
the state of the site that runs, and prod's copies of them are restored from, not written to."""


def _room(roles: tuple[str, ...], suffix: str = "") -> int:
    longest = max(len(r) for r in roles)
    return S3_NAME_MAX - len(f"{PROJECT}--") - longest - 1 - ACCOUNT_ID_LENGTH - len(suffix)


STACK_NAME_MAX = _room((*DATA_ROLES, LOGS_ROLE))
"""The longest stack name whose every bucket name fits in 63 characters."""
REPLICATED_STACK_NAME_MAX = _room(DATA_ROLES, REPLICA_SUFFIX)
"""The same with `aws.drRegion`: each data bucket also has a `-replica` bucket."""


def _fits(name: str) -> str:
    if len(name) > S3_NAME_MAX:
        raise ValueError(f"S3 bucket name {name!r} is longer than 63 characters; use a shorter stack name")
    return name


def bucket_name(project: str, stack: str, role: str, account_id: str) -> str:
    """Globally unique, DNS-safe: `<project>-<stack>-<role>-<account>` (at most 63 characters)."""
    return _fits(f"{project}-{stack}-{role}-{account_id}".lower())


def replica_bucket_name(source: str) -> str:
    return _fits(f"{source}{REPLICA_SUFFIX}")


def replica_key_alias(stack: str) -> str:
    """The alias of the KMS key a stack's replicas are encrypted with in its DR region (keys.kms_key)."""
    return f"alias/{stack}-s3-replica"
