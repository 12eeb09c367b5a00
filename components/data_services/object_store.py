"""The data lake when the cloud provides it (Foundation.object_store): no MinIO, the result points
at the native buckets and applications authenticate with workload identity, or, for a consumer
that cannot (GCS: Airbyte), with the key file the cloud made, kept in the cloud's secret store."""

from __future__ import annotations

from typing import Optional

import pulumi

from foundation import Foundation, ObjectStore

from .. import kube
from ..namespaces import APPS
from .postgres import BackupStore
from .result import KEY_FILE, ObjectStoreResult
from .secrets import secret

BACKUP_PREFIX = "postgres"


def consumer_secret_name(app: str) -> str:
    """`<app>-object-store-credentials` in `data-platform`, as MinIO names Airbyte's user's."""
    return f"{app}-object-store-credentials"


def native_result(store: ObjectStore, consumer_credentials: Optional[dict[str, str]] = None) -> ObjectStoreResult:
    return ObjectStoreResult(
        kind=store.kind,
        endpoint=store.endpoint,
        region=store.region or "",
        path_style=False,
        buckets=dict(store.buckets),
        credentials_secret=None,
        consumer_credentials=dict(consumer_credentials or {}),
        project=store.project,
    )


def consumer_key_secrets(store: ObjectStore, *, parent: pulumi.Resource, provider: pulumi.ProviderResource,
                         depends_on: tuple[pulumi.Resource, ...] = ()) -> dict[str, str]:
    """One credentials Secret (key `KEY_FILE`) per consumer the cloud gave a key file, written
    through the secret store like every generated credential. App -> Secret name."""
    out = {}
    for app, key_file in sorted(store.consumer_keys.items()):
        name = consumer_secret_name(app)
        secret(name, APPS, {KEY_FILE: key_file}, parent=parent, provider=provider,
               labels=kube.labels(app, "object-store-credentials"), depends_on=depends_on)
        out[app] = name
    return out


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
