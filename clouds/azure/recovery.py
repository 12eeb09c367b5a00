"""What Azure's managed services can lose and what survives the region, for settings/recovery.py
(through the hooks of AzureSettings): Flexible Server's backups, the ADLS lake (the whole lake:
Dremio's data and distributed store, the backups container), Elasticsearch's snapshot account
(replicated like the lake: the same `lakeReplication`), and the rule that refuses a prod
database without geo-redundant backups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from settings.errors import PROJECT
from settings.recovery import NativeCopy, RecoveryPoint
from settings.schema import CrossFieldInvalid

if TYPE_CHECKING:
    from settings import Settings

    from .settings import AzureSettings

LOG_BACKUP_SECONDS = 300
"""Flexible Server and Cloud SQL back up WAL continuously to the service's storage; 5 minutes is
the figure assumed for their point-in-time restore (as RDS's), not verified here against Azure's
or Google's documentation. Azure documents geo-restore from geo-redundant backups with an RPO
under one hour."""


def database(z: AzureSettings) -> RecoveryPoint:
    return RecoveryPoint(
        "postgres", LOG_BACKUP_SECONDS,
        f"Flexible Server point-in-time restore from its continuous backups, {z.db_backup_retention_days} day(s) kept"
        + ("; the zone-redundant standby loses nothing on a zone failure" if z.db_high_availability == "ZoneRedundant" else ""),
        "geo-redundant backups in the paired region: geo-restore (Azure documents an RPO under 1 hour)" if z.db_geo_redundant_backup
        else "nothing: backups stay in the stack's region",
    )


def _geo(z: AzureSettings) -> bool:
    return "GRS" in z.lake_replication or "GZRS" in z.lake_replication


def lake(z: AzureSettings) -> RecoveryPoint:
    zones = "across availability zones" if "ZRS" in z.lake_replication else "three times in one datacenter"
    return RecoveryPoint(
        "objectStore", 0,
        f"the ADLS Gen2 lake ({z.lake_replication}) stores every blob {zones}; "
        + (f"blob and container soft delete keep deleted data {z.soft_delete_days} day(s)" if z.soft_delete_days else "soft delete is off: deleted blobs are not recoverable")
        + "; overwritten blobs are not recoverable (no versioning on a hierarchical-namespace account) and there is no snapshot",
        "the lake account's asynchronous geo-replica in the paired region (deletes replicate too)" if _geo(z)
        else "nothing: the lake account's copies are in the stack's region",
    )


def archive(z: AzureSettings) -> NativeCopy:
    return NativeCopy("the ADLS lake's backups container (workload identity)",
                      "the lake account's asynchronous geo-replica in the paired region" if _geo(z)
                      else "nothing: the lake account's copies are in the stack's region")


def snapshots(z: AzureSettings) -> NativeCopy:
    """Elasticsearch's snapshots: the es-backups container of their own keyed account
    (snapshot_storage.py), whose redundancy is the lake's (`lakeReplication`)."""
    return NativeCopy(f"the es-backups container of Elasticsearch's own storage account ({z.lake_replication}, account key)",
                      "the snapshot account's asynchronous geo-replica in the paired region" if _geo(z)
                      else "nothing: the snapshot account's copies are in the stack's region")


def check(z: AzureSettings, s: Settings) -> None:
    if s.database == "managed" and s.environment == "prod" and not z.db_geo_redundant_backup:
        raise CrossFieldInvalid(f"{PROJECT}:azure.dbGeoRedundantBackup", False,
                                "true: prod's RPO must survive the loss of its region, so its database backups are geo-redundant")
