"""The data lake when the cloud provides it (Foundation.object_store): the result points at the
native buckets and applications authenticate with workload identity (no keys).

Not every protocol is read by every consumer yet: Dremio and Airbyte speak S3 (and what other
branches add), not ADLS. On such a store the platform keeps the lake they query and write in the
in-cluster MinIO (`apps_stay_on_minio`), while the backups (CloudNativePG's archive, Velero) still
leave the cluster for the cloud store (`native_backup_store`, components/platform.py).
"""

from __future__ import annotations

from typing import Optional

import pulumi

from foundation import Foundation, ObjectStore

from .postgres import BackupStore
from .result import ObjectStoreResult

BACKUP_PREFIX = "postgres"

APPS_ON_MINIO = frozenset({"adls"})
"""Object-store protocols Dremio (lake source, distributed store) and Airbyte (logs, state) do
not read yet (docs/azure.md: Dremio's Azure Storage plugin takes only a shared key or an Entra
application secret; Airbyte's chart only a connection string, i.e. an account key)."""


def apps_stay_on_minio(store: Optional[ObjectStore]) -> bool:
    return store is None or store.kind in APPS_ON_MINIO


def native_result(store: ObjectStore) -> ObjectStoreResult:
    return ObjectStoreResult(
        kind=store.kind,
        endpoint=store.endpoint,
        region=store.region or "",
        path_style=False,
        buckets=dict(store.buckets),
        credentials_secret=None,
    )


def _adls_destination(store: ObjectStore) -> pulumi.Output[str]:
    """`https://<account>.blob.core.windows.net/<container>/postgres`: barman-cloud's Azure form."""
    assert store.adls is not None, "an adls object store names its account"
    return pulumi.Output.all(store.adls.blob_endpoint, store.buckets["backups"]).apply(
        lambda a: f"{a[0].rstrip('/')}/{a[1]}/{BACKUP_PREFIX}")


def native_backup_store(foundation: Foundation) -> Optional[BackupStore]:
    """Where an in-cluster PostgreSQL archives on a cloud bucket (None: the store has no
    `backups` bucket)."""
    store = foundation.object_store
    if store is None or "backups" not in store.buckets:
        return None
    if store.kind == "adls":
        return BackupStore(destination_path=_adls_destination(store), provider="azure", identity=foundation.identity("postgres"))
    scheme = {"s3": "s3", "gcs": "gs"}[store.kind]
    return BackupStore(
        destination_path=pulumi.Output.from_input(store.buckets["backups"]).apply(lambda b: f"{scheme}://{b}/{BACKUP_PREFIX}"),
        endpoint_url=store.endpoint,
        provider="gcs" if store.kind == "gcs" else "s3",
        identity=foundation.identity("postgres"),
    )
