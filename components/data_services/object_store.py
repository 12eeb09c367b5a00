"""The data lake when the cloud provides it (Foundation.object_store): no MinIO, the result points
at the native buckets and applications authenticate with workload identity (no keys)."""

from __future__ import annotations

from typing import Optional

import pulumi

from foundation import Foundation, ObjectStore

from .postgres import BackupStore
from .result import ObjectStoreResult

BACKUP_PREFIX = "postgres"


def native_result(store: ObjectStore) -> ObjectStoreResult:
    return ObjectStoreResult(
        kind=store.kind,
        endpoint=store.endpoint,
        region=store.region or "",
        path_style=False,
        buckets=dict(store.buckets),
        credentials_secret=None,
    )


def native_backup_store(foundation: Foundation) -> Optional[BackupStore]:
    """Where an in-cluster PostgreSQL archives on a cloud bucket; None where barman-cloud would
    need keys we do not have (Azure needs the storage account name in the path)."""
    store = foundation.object_store
    if store is None or "backups" not in store.buckets or store.kind == "azure":
        return None
    scheme = {"s3": "s3", "gcs": "gs"}[store.kind]
    return BackupStore(
        destination_path=pulumi.Output.from_input(store.buckets["backups"]).apply(lambda b: f"{scheme}://{b}/{BACKUP_PREFIX}"),
        endpoint_url=store.endpoint,
        provider="gcs" if store.kind == "gcs" else "s3",
        identity=foundation.identity("postgres"),
    )
