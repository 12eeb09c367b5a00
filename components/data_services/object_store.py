"""The data lake when the cloud provides it (Foundation.object_store): the result points at the
native buckets and applications authenticate with workload identity (no keys).

Dremio reads S3 and Cloud Storage with workload identity, and ADLS only as an OAuth client
(its Azure Storage plugin takes an Entra application's secret, no workload identity): on such
a protocol the cloud hands it one (`ObjectStore.oauth_clients`), whose secret goes through the
Foundation's secret store (`oauth_logins`); without one the platform keeps the lake in the
in-cluster MinIO (`apps_stay_on_minio`), while the backups (CloudNativePG's archive, Velero)
still leave the cluster for the cloud store (`native_backup_store`, components/platform.py).
A consumer with a key-based container of its own (Airbyte on Azure, and on GCP, whose storage
client reads only a service-account key file) uses that (`keyed_stores`); so does Elasticsearch
for its snapshots on Azure (`keyed_snapshot_store`: repository-azure at 8.15 takes an account
name and key only).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

import pulumi

import kube
from foundation import Foundation, ObjectStore
from kube.namespaces import APPS, STORAGE

from ..context import PlatformContext
from ..secrets import platform_secret
from .es_snapshot_store import AZURE_ACCOUNT_KEY, AZURE_CREDENTIALS_SECRET, AZURE_KEY_KEY, SnapshotStore
from .es_snapshot_store import BUCKET_ROLE as ES_BUCKET
from .postgres import BackupStore

if TYPE_CHECKING:
    from .minio import Minio
from .result import CLIENT_SECRET_KEY, OAuthLogin, ObjectStoreResult

BACKUP_PREFIX = "postgres"

DREMIO_OAUTH_ONLY = frozenset({"adls"})
"""Object-store protocols Dremio (lake source, distributed store) reads only as an OAuth client
(Azure Storage: `AZURE_ACTIVE_DIRECTORY` with an Entra application's secret, or an account key,
which the lake refuses): Dremio needs `ObjectStore.oauth_clients["dremio"]` there."""


def apps_stay_on_minio(store: Optional[ObjectStore]) -> bool:
    """The lake stays on MinIO: no cloud store, or one Dremio cannot read without the OAuth
    client the cloud did not give."""
    return store is None or (store.kind in DREMIO_OAUTH_ONLY and "dremio" not in store.oauth_clients)


def native_result(store: ObjectStore) -> ObjectStoreResult:
    return ObjectStoreResult(
        kind=store.kind,
        endpoint=store.endpoint,
        region=store.region or "",
        path_style=False,
        buckets=dict(store.buckets),
        credentials_secret=None,
        project=store.project,
        account=store.adls.name if store.adls is not None else None,
    )


def oauth_logins(store: ObjectStore, *, parent: pulumi.Resource, ctx: PlatformContext,
                 depends_on: Sequence[pulumi.Resource]) -> dict[str, OAuthLogin]:
    """App -> its OAuth client (foundation.OAuthClient): the client secret goes into the Secret
    `data-platform/<app>-oauth` (key `clientSecret`) through the Foundation's secret store (Key
    Vault, then External Secrets); the client id and token endpoint are not secret."""
    out: dict[str, OAuthLogin] = {}
    for app, client in sorted(store.oauth_clients.items()):
        name = f"{app}-oauth"
        platform_secret(name, APPS, {CLIENT_SECRET_KEY: client.client_secret}, ctx, parent=parent,
                        labels=kube.labels(app, "credentials"), depends_on=depends_on, resource_name=name)
        out[app] = OAuthLogin(client_id=client.client_id, token_endpoint=client.token_endpoint, secret=name,
                              secret_version=client.secret_version)
    return out


SNAPSHOT_CONSUMER = "elasticsearch"
"""The `ObjectStore.keyed` entry of Elasticsearch's snapshots: its nodes' keystore, in data-storage
(`keyed_snapshot_store`), not an application Secret of `keyed_stores`."""

CONNECTION_STRING_KEY = "connectionString"
KEY_FILE = "gcp.json"
"""The key of a GCS consumer's Secret holding its service-account key file. Airbyte's launcher
mounts the whole Secret into job pods at /secrets/gcp-creds and points
GOOGLE_APPLICATION_CREDENTIALS at /secrets/gcp-creds/gcp.json (VolumeFactory.secret()), so the
key is named like the file."""


def keyed_stores(store: ObjectStore, *, parent: pulumi.Resource, ctx: PlatformContext,
                 depends_on: Sequence[pulumi.Resource]) -> dict[str, ObjectStoreResult]:
    """App -> its key-based store (foundation.KeyedContainer): the connection string (key
    `connectionString`) or the key file (key `KEY_FILE`) goes into the Secret
    `data-platform/<app>-storage` through the Foundation's secret store (Key Vault or Secret
    Manager, then External Secrets), and the app's result points at it."""
    out: dict[str, ObjectStoreResult] = {}
    for app, keyed in sorted(store.keyed.items()):
        if app == SNAPSHOT_CONSUMER:
            continue
        name = f"{app}-storage"
        if keyed.connection_string is not None:
            data = {CONNECTION_STRING_KEY: keyed.connection_string}
        elif keyed.key_file is not None:
            data = {KEY_FILE: keyed.key_file}
        else:
            raise ValueError(f"the keyed container of {app} has neither a connection string nor a key file")
        platform_secret(name, APPS, data, ctx, parent=parent,
                        labels=kube.labels(app, "credentials"), depends_on=depends_on, resource_name=name)
        out[app] = ObjectStoreResult(kind=store.kind, endpoint=None, region=store.region or "", path_style=False,
                                     buckets={app: keyed.container}, credentials_secret=name, project=store.project)
    return out


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


def native_snapshot_store(foundation: Foundation) -> Optional[SnapshotStore]:
    """Elasticsearch's snapshot bucket on the cloud's store, reached with the `elasticsearch`
    workload identity: S3 (regional endpoint: repository-s3 signs for the endpoint's region) or
    Cloud Storage (repository-gcs, Application Default Credentials from the GKE metadata server);
    None where the cloud has no such bucket or identity (Azure: a keyed container instead,
    `keyed_snapshot_store`)."""
    store = foundation.object_store
    if store is None or store.kind not in ("s3", "gcs") or ES_BUCKET not in store.buckets or "elasticsearch" not in foundation.workload_identity:
        return None
    if store.kind == "gcs":
        return SnapshotStore(bucket=store.buckets[ES_BUCKET], kind="gcs", identity=foundation.identity("elasticsearch"))
    endpoint = store.endpoint.split("://", 1)[-1].rstrip("/") if store.endpoint else f"s3.{store.region}.amazonaws.com"
    return SnapshotStore(bucket=store.buckets[ES_BUCKET], endpoint=endpoint, identity=foundation.identity("elasticsearch"))


def keyed_snapshot_store(store: ObjectStore, *, parent: pulumi.Resource, ctx: PlatformContext,
                         depends_on: Sequence[pulumi.Resource]) -> Optional[SnapshotStore]:
    """Elasticsearch's snapshots in the keyed container the cloud gave it (`ObjectStore.keyed`,
    Azure: an account of its own): the account name and key go into the Secret
    `data-storage/elasticsearch-azure-client` (keys `azure.client.default.account`/`.key`, what
    ECK adds to the keystore) through the Foundation's secret store; None without such a container."""
    keyed = store.keyed.get(SNAPSHOT_CONSUMER)
    if store.kind != "adls" or keyed is None:
        return None
    if keyed.account is None or keyed.account_key is None:
        raise ValueError(f"the keyed container of {SNAPSHOT_CONSUMER} has no account name and key (repository-azure takes nothing else)")
    secret = platform_secret(AZURE_CREDENTIALS_SECRET, STORAGE, {AZURE_ACCOUNT_KEY: keyed.account, AZURE_KEY_KEY: keyed.account_key},
                             ctx, parent=parent, labels=kube.labels("elasticsearch", "credentials"),
                             depends_on=depends_on, resource_name=AZURE_CREDENTIALS_SECRET)
    return SnapshotStore(bucket=keyed.container, kind="azure", credentials_secret=AZURE_CREDENTIALS_SECRET, ready=(secret,))


def minio_snapshot_store(minio: Minio) -> SnapshotStore:
    """Elasticsearch's bucket on the in-cluster MinIO: its own user, keys through ECK's secure settings."""
    from kube.namespaces import STORAGE

    from .minio import API_PORT, ELASTICSEARCH_BUCKET, SERVICE, USERS

    return SnapshotStore(bucket=ELASTICSEARCH_BUCKET, endpoint=f"{SERVICE}.{STORAGE}.svc.cluster.local:{API_PORT}", protocol="http",
                         path_style=True, credentials_secret=USERS["elasticsearch"].secret, ready=tuple(minio.ready))
