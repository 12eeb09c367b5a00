"""DataServices: PostgreSQL, the object store and Elasticsearch for the applications, as one
typed `DataServicesResult`.

Which implementation runs follows config and the Foundation:
- PostgreSQL: CloudNativePG when `database: in-cluster` or the Foundation has no managed
  database; otherwise the managed server with a bootstrap Job and PgBouncer in front.
- Object store: MinIO when `objectStore: minio` or the Foundation has no buckets; otherwise the
  cloud's buckets (nothing deployed).
- Elasticsearch: always ECK.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi

from foundation import Foundation
from settings import Settings

from ..namespaces import STORAGE
from .databases import DATABASES
from .elasticsearch import Elasticsearch, ElasticsearchArgs
from .managed_postgres import ManagedPostgres, ManagedPostgresArgs
from .minio import BACKUPS, Minio, MinioArgs
from .object_store import consumer_key_secrets, native_backup_store, native_result
from .postgres import BackupStore, CloudNativePg, CloudNativePgArgs
from .result import DataServicesResult
from .storage import StorageRoles


@dataclass(frozen=True)
class DataServicesArgs:
    foundation: Foundation
    settings: Settings
    depends_on: Sequence[pulumi.Resource] = ()
    """What must exist first (the namespaces)."""


def uses_minio(f: Foundation, s: Settings) -> bool:
    return s.object_store == "minio" or f.object_store is None


def uses_cloudnative_pg(f: Foundation, s: Settings) -> bool:
    return s.database == "in-cluster" or f.database is None


class DataServices(pulumi.ComponentResource):
    result: DataServicesResult
    outputs: dict[str, pulumi.Input]
    """Stack outputs (no secrets): endpoints, buckets, database names."""

    def __init__(self, name: str, args: DataServicesArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:data:DataServices", name, None, opts)
        f, s = args.foundation, args.settings
        p, deps = f.provider, list(args.depends_on)
        storage = StorageRoles.from_foundation(f.storage_classes)
        child = pulumi.ResourceOptions(parent=self)

        backup: Optional[BackupStore]
        self.minio: Optional[Minio] = None
        if uses_minio(f, s):
            self.minio = Minio("minio", MinioArgs(provider=p, settings=s.minio, storage=storage, protect=s.protect, depends_on=deps), child)
            object_store = self.minio.result
            backup = BackupStore(
                destination_path=f"s3://{BACKUPS}/postgres",
                endpoint_url=pulumi.Output.from_input(object_store.endpoint),
                credentials_secret=self.minio.backup_credentials,
                ready=self.minio.ready,
            )
        else:
            keys = consumer_key_secrets(f.object_store, parent=self, provider=p, depends_on=tuple(deps))
            object_store = native_result(f.object_store, keys)
            backup = native_backup_store(f)
            if backup is None:
                pulumi.log.warn("PostgreSQL backups: no supported archive target on this object store; WAL archiving is off", self)

        if uses_cloudnative_pg(f, s):
            self.postgres = CloudNativePg("postgres", CloudNativePgArgs(
                provider=p, settings=s.postgres, storage=storage, environment=s.environment, backup=backup,
                protect=s.protect, depends_on=deps), child)
        else:
            self.postgres = ManagedPostgres("postgres", ManagedPostgresArgs(provider=p, settings=s.postgres, database=f.database, depends_on=deps), child)

        self.elasticsearch = Elasticsearch("elasticsearch", ElasticsearchArgs(
            provider=p, settings=s.elasticsearch, storage=storage, environment=s.environment, protect=s.protect, depends_on=deps), child)

        self.result = DataServicesResult(postgres=self.postgres.result, object_store=object_store, elasticsearch=self.elasticsearch.result)
        self.outputs = {
            "postgresHost": self.result.postgres.host,
            "postgresDatabases": sorted({d.database for d in DATABASES}),
            "objectStore": {"kind": object_store.kind, "endpoint": object_store.endpoint, "buckets": dict(object_store.buckets)},
            "elasticsearchUrl": self.result.elasticsearch.url,
            "dataNamespace": STORAGE,
        }
        self.register_outputs(self.outputs)

    def install_backups(self, cert_manager: Sequence[pulumi.Resource]) -> None:
        """PostgreSQL's backup plugin needs cert-manager, which the edge installs after the data
        services: the platform calls this once it exists."""
        if isinstance(self.postgres, CloudNativePg):
            self.postgres.install_backups(cert_manager)
