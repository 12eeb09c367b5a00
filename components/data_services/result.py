"""What the data-services layer hands to the applications: no app hard-codes a service name.

Every Secret named here lives in the *applications* namespace (`data-platform`) so pods can
mount it; the data services keep their own copies in `data-storage`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Optional

import pulumi


@dataclass(frozen=True)
class DatabaseLogin:
    """One application's database and owner."""

    database: str
    username: str
    secret_name: str
    """Secret in `data-platform` with keys `username` and `password`."""


@dataclass(frozen=True)
class PostgresResult:
    host: pulumi.Input[str]
    """What applications connect to: the PgBouncer pooler's Service DNS name."""
    port: int
    direct_host: pulumi.Input[str]
    """The primary, bypassing the pooler (schema migrations that need session features)."""
    direct_port: int
    sslmode: str
    logins: Mapping[str, DatabaseLogin]
    """App key (airbyte, temporal, temporal_visibility, superset, ...) -> login."""
    operator_namespace: Optional[str]
    """The namespace whose operator may reach the servers' and the pooler's status port (None: no
    operator manages them, e.g. PgBouncer in front of a managed database)."""
    ca_secret: Optional[str] = None
    """Secret in `data-platform` with `ca.crt` to verify the server, when TLS is verified."""
    server_selector: Mapping[str, str] = field(default_factory=dict)
    """Pod labels of the PostgreSQL servers (namespace data-storage), for NetworkPolicies."""
    pooler_selector: Mapping[str, str] = field(default_factory=dict)
    """Pod labels of the pooler (namespace data-storage); empty when there is none."""
    cluster_name: Optional[str] = None
    """The CloudNativePG `Cluster` when PostgreSQL runs in the cluster (its metrics' `cluster`
    label); None for a managed server."""


CLIENT_SECRET_KEY = "clientSecret"
"""The key of an OAuth consumer's Secret (`<app>-oauth`) holding its client secret."""


@dataclass(frozen=True)
class OAuthLogin:
    """An OAuth 2.0 client a consumer reads the store with (foundation.OAuthClient), its secret
    synced into the apps namespace."""

    client_id: pulumi.Input[str]
    token_endpoint: pulumi.Input[str]
    secret: str
    """Secret in `data-platform` holding the client secret under `CLIENT_SECRET_KEY`."""
    secret_version: pulumi.Input[str] = ""
    """Changes when the secret is rotated (the consumer's pods roll on it)."""


@dataclass(frozen=True)
class ObjectStoreResult:
    kind: str
    """minio | s3 | gcs | adls"""
    endpoint: Optional[pulumi.Input[str]]
    """http(s) URL for S3-compatible clients; None: the cloud SDK default."""
    region: str
    path_style: bool
    buckets: Mapping[str, pulumi.Input[str]]
    """Role -> bucket name: bronze, silver, gold, and one bucket per consumer: dremio (its
    distributed store), airbyte (logs, state), backups (PostgreSQL base backups and WAL only)."""
    credentials_secret: Optional[str]
    """Secret in `data-platform` with keys `accessKeyId`/`secretAccessKey` (Dremio's, the lake),
    or, on GCS, `object_store.KEY_FILE` (a service-account key file, for a consumer without workload
    identity); None when apps use workload identity (see Foundation.workload_identity)."""
    server_selector: Mapping[str, str] = field(default_factory=dict)
    """Pod labels of MinIO (namespace data-storage); empty for cloud buckets."""
    port: int = 9000
    consumer_credentials: Mapping[str, str] = field(default_factory=dict)
    """App -> its own credentials Secret in `data-platform` when it is not `credentials_secret`
    (MinIO: Airbyte's user may touch bronze and its bucket only)."""
    admin_job_selectors: tuple[Mapping[str, str], ...] = ()
    """Pod labels of the MinIO Jobs (data-storage) that call the API server and MinIO (the
    restart Job of a distributed MinIO)."""
    project: Optional[str] = None
    """GCS: the buckets' project (Dremio's GCS source and distributed store need it)."""

    servers: int = 0
    """How many MinIO servers run (0: cloud buckets, nothing in the cluster to watch)."""
    mc_image: Optional[str] = None
    """MinIO's client image, for Jobs that administer it (None: cloud buckets)."""
    ready: Sequence[pulumi.Resource] = ()
    """What must exist before a client uses the store (MinIO's buckets and users)."""
    consumer_stores: Mapping[str, "ObjectStoreResult"] = field(default_factory=dict)
    """App -> a store of its own that replaces this one for it (Azure: Airbyte's key-based
    account, foundation.KeyedContainer)."""
    account: Optional[pulumi.Input[str]] = None
    """adls: the storage account the containers are in."""
    oauth: Optional[OAuthLogin] = None
    """The OAuth client this consumer reads the store with (set by `for_consumer`)."""
    consumer_oauth: Mapping[str, OAuthLogin] = field(default_factory=dict)
    """App -> its OAuth client on this store (Azure: Dremio's Entra application)."""

    def for_consumer(self, app: str) -> "ObjectStoreResult":
        """This store as `app` sees it: its own store, or with its own credentials Secret."""
        if app in self.consumer_stores:
            return self.consumer_stores[app]
        if app in self.consumer_oauth:
            return replace(self, oauth=self.consumer_oauth[app])
        secret = self.consumer_credentials.get(app)
        return replace(self, credentials_secret=secret) if secret else self


@dataclass(frozen=True)
class Credentials:
    username: str
    password: pulumi.Input[str]


@dataclass(frozen=True)
class ElasticsearchResult:
    url: pulumi.Input[str]
    """https://<name>-es-http.data-storage.svc:9200"""
    user_secret: str
    """Secret in `data-storage` holding the `elastic` user's password (managed by ECK)."""
    ca_secret: str
    """Secret in `data-storage` with the HTTP CA (`ca.crt`) ECK generated."""
    image: str
    """Elasticsearch's image at the cluster's version (it has curl: the Jobs that call the API use it)."""
    log_writer: Credentials
    """The file-realm user the log shippers write as (its role may only create `logs-*` documents)."""
    operator_namespace: str
    ready: Sequence[pulumi.Resource] = ()
    """The Elasticsearch resource (ECK publishes its HTTP CA and Services once it exists)."""
    server_selector: Mapping[str, str] = field(default_factory=dict)
    port: int = 9200


@dataclass(frozen=True)
class DataServicesResult:
    postgres: PostgresResult
    object_store: ObjectStoreResult
    elasticsearch: ElasticsearchResult
