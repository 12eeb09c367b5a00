"""Where Dremio's catalog backups land and how long they are kept: one rule every store applies.

The backup CronJob (components/apps/dremio/catalog_backup.py) writes `dremio_backup_<timestamp>/`
folders under `<dremio.distPath>/backups/` of the `dremio.distBucket` bucket, on whatever store
holds Dremio's distributed storage (S3, Cloud Storage, the ADLS lake, or the in-cluster MinIO).
Dremio has no API to delete a backup, and the job's image has no object-store client, so the
stores prune them: an expiry of `backups.configRetentionDays` on that prefix (S3 lifecycle, GCS
lifecycle `matchesPrefix`, an ADLS management-policy rule, MinIO ILM), as Velero's and Elasticsearch's backups are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .model import Settings

BACKUP_DIR = "backups"
"""The folder under Dremio's distributed storage path the catalog backups go to."""
RULE_ID = "expire-dremio-catalog-backups"


@dataclass(frozen=True)
class PrefixExpiry:
    rule_id: str
    bucket_role: str
    """The object store's bucket role (dremio, or a lake bucket with dremio.distBucket)."""
    prefix: str
    """Key prefix, ending in `/`, relative to the bucket."""
    days: int


def catalog_backup_prefix(dist_path: str) -> str:
    path = dist_path.strip("/")
    return f"{path}/{BACKUP_DIR}/" if path else f"{BACKUP_DIR}/"


def catalog_backup_expiry(s: Settings) -> Optional[PrefixExpiry]:
    """The expiry of the catalog backups, or None when the platform takes none (no admin to log in with)."""
    if not s.dremio.bootstrap_admin:
        return None
    return PrefixExpiry(RULE_ID, s.dremio.dist_bucket, catalog_backup_prefix(s.dremio.dist_path), s.backups.config_retention_days)


def catalog_backup_expiries(s: Settings) -> tuple[PrefixExpiry, ...]:
    """The expiry rules a store holding Dremio's distributed storage applies (none without backups)."""
    e = catalog_backup_expiry(s)
    return (e,) if e is not None else ()
