"""DataServices: PostgreSQL, the object store and Elasticsearch for the applications, as one
typed `DataServicesResult`.

Which implementation runs follows config and the Foundation:
- PostgreSQL: CloudNativePG when `database: in-cluster` or the Foundation has no managed
  database; otherwise the managed server with a bootstrap Job and PgBouncer in front.
- Object store: MinIO when `objectStore: minio`, when the Foundation has no buckets, or when
  Dremio cannot read its protocol (ADLS without the Entra application the cloud hands it:
  object_store.DREMIO_OAUTH_ONLY); otherwise the cloud's buckets (nothing deployed). PostgreSQL archives to the cloud's `backups` bucket
  whenever `objectStore: native` gives one, even when the applications stay on MinIO.
- Elasticsearch: always ECK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Optional

import pulumi

from foundation import Foundation
from kube.namespaces import STORAGE
from settings import Settings
from settings.catalog_backups import catalog_backup_expiries

from ..context import PlatformContext
from .databases import DATABASES
from .elasticsearch import Elasticsearch, ElasticsearchArgs
from .es_snapshot_store import SnapshotStore
from .managed_postgres import ManagedPostgres, ManagedPostgresArgs
from .minio import BACKUPS, Minio, MinioArgs
from .object_store import (
    apps_stay_on_minio,
    keyed_snapshot_store,
    keyed_stores,
    minio_snapshot_store,
    native_backup_store,
    native_result,
    native_snapshot_store,
    oauth_logins,
)
from .postgres import BackupStore, CloudNativePg, CloudNativePgArgs
from .result import DataServicesResult


@dataclass(frozen=True)
class DataServicesArgs:
    ctx: PlatformContext
    foundation: Foundation
    """Which services the cloud manages (object store, database) and what they offer."""
    settings: Settings
    depends_on: Sequence[pulumi.Resource] = ()
    """What must exist first (the namespaces)."""


def uses_minio(f: Foundation, s: Settings) -> bool:
    return s.object_store == "minio" or apps_stay_on_minio(f.object_store)


def cloud_backups(f: Foundation, s: Settings) -> bool:
    """The backups (PostgreSQL's archive, Velero) go to the cloud's object store."""
    return s.object_store == "native" and f.object_store is not None


def uses_cloudnative_pg(f: Foundation, s: Settings) -> bool:
    return s.database == "in-cluster" or f.database is None


class DataServices(pulumi.ComponentResource):
    result: DataServicesResult
    outputs: dict[str, pulumi.Input]
    """Stack outputs (no secrets): endpoints, buckets, database names."""

    def __init__(self, name: str, args: DataServicesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:data:DataServices", name, None, opts)
        ctx, f, s = args.ctx, args.foundation, args.settings
        deps = list(args.depends_on)
        child = pulumi.ResourceOptions(parent=self)

        backup: Optional[BackupStore]
        self.minio: Optional[Minio] = None
        native = None if uses_minio(f, s) else f.object_store  # uses_minio: always without a cloud store
        if native is None:
            self.minio = Minio("minio", MinioArgs(ctx=ctx, settings=s.minio,
                                                  mirror=bool(s.backups.mirror_endpoint),
                                                  # Dremio's store is this MinIO whenever it runs (its catalog backups expire here).
                                                  expiries=catalog_backup_expiries(s),
                                                  depends_on=deps), child)
            object_store = self.minio.result
            endpoint = object_store.endpoint
            assert endpoint is not None  # MinIO's API Service
            backup = (native_backup_store(f) if cloud_backups(f, s) else None) or BackupStore(
                destination_path=f"s3://{BACKUPS}/postgres",
                endpoint_url=pulumi.Output.from_input(endpoint),
                credentials_secret=self.minio.backup_credentials,
                ready=self.minio.ready,
            )
        else:
            object_store = native_result(native)
            if native.oauth_clients:
                object_store = replace(object_store, consumer_oauth=oauth_logins(native, parent=self, ctx=ctx, depends_on=deps))
            backup = native_backup_store(f)
            if backup is None:
                pulumi.log.warn("PostgreSQL backups: no supported archive target on this object store; WAL archiving is off", self)

        if cloud_backups(f, s) and f.object_store is not None and f.object_store.keyed:
            object_store = replace(object_store, consumer_stores=keyed_stores(f.object_store, parent=self, ctx=ctx, depends_on=deps))
        self.archive_in_cloud = backup is not None and backup.credentials_secret is None
        """PostgreSQL archives to the cloud's store (workload identity), not to MinIO."""

        managed = None if uses_cloudnative_pg(f, s) else f.database  # uses_cloudnative_pg: always without a managed database
        self.postgres: CloudNativePg | ManagedPostgres
        if managed is None:
            self.postgres = CloudNativePg("postgres", CloudNativePgArgs(
                ctx=ctx, settings=s.postgres, backup=backup,
                backup_time_zone=s.backups.time_zone, depends_on=deps), child)
        else:
            self.postgres = ManagedPostgres("postgres", ManagedPostgresArgs(ctx=ctx, settings=s.postgres, database=managed, depends_on=deps), child)

        snapshots: Optional[SnapshotStore] = None
        if s.backups.elasticsearch_snapshots:
            # Like the other backups: the cloud's store when it has a snapshot bucket (S3, GCS) or a
            # keyed container for it (Azure), else MinIO.
            snapshots = (self._cloud_snapshot_store(f, ctx, deps) if cloud_backups(f, s) else None) or (
                minio_snapshot_store(self.minio) if self.minio is not None else None)
            if snapshots is None:
                pulumi.log.warn("Elasticsearch snapshots: this cloud's object store has no es-backups bucket and elasticsearch identity; snapshots are off", self)
        self.elasticsearch = Elasticsearch("elasticsearch", ElasticsearchArgs(
            ctx=ctx, settings=s.elasticsearch, snapshots=snapshots, depends_on=deps), child)

        self.result = DataServicesResult(postgres=self.postgres.result, object_store=object_store, elasticsearch=self.elasticsearch.result)
        self.outputs = {
            "postgresHost": self.result.postgres.host,
            "postgresDatabases": sorted({d.database for d in DATABASES}),
            "objectStore": {"kind": object_store.kind, "endpoint": object_store.endpoint, "buckets": dict(object_store.buckets)},
            "elasticsearchUrl": self.result.elasticsearch.url,
            "dataNamespace": STORAGE,
        }
        self.register_outputs(self.outputs)

    def _cloud_snapshot_store(self, f: Foundation, ctx: PlatformContext, deps: Sequence[pulumi.Resource]) -> Optional[SnapshotStore]:
        native = native_snapshot_store(f)
        if native is not None or f.object_store is None:
            return native
        return keyed_snapshot_store(f.object_store, parent=self, ctx=ctx, depends_on=deps)

    def install_backups(self, cert_manager: Sequence[pulumi.Resource]) -> None:
        """PostgreSQL's backup plugin needs cert-manager, which the edge installs after the data
        services: the platform calls this once it exists."""
        if isinstance(self.postgres, CloudNativePg):
            self.postgres.install_backups(cert_manager)
