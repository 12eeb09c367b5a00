"""The contract between a cloud (clouds/<name>/) and the platform (components/).

A cloud builds the network, the cluster and the managed services it has, and describes them
here; the platform lays every workload on top without knowing which cloud it is on.
components/ never imports a cloud SDK; clouds/ never builds application workloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class ServiceAccountRef:
    namespace: str
    name: str


WORKLOAD_SERVICE_ACCOUNTS: Mapping[str, ServiceAccountRef] = {
    "dremio": ServiceAccountRef("data-platform", "dremio"),
    "airbyte": ServiceAccountRef("data-platform", "airbyte-admin"),
    # CloudNativePG names the instances' ServiceAccount after the Cluster.
    "postgres": ServiceAccountRef("data-storage", "postgres"),
    # The log shipper, when the cloud has a log sink (Foundation.log_sink); the Fluent Bit
    # chart is given this name explicitly (components/observability/logs.py).
    "fluent-bit": ServiceAccountRef("logging", "fluent-bit"),
    # Velero's server (components/backups/velero.py gives the chart this name).
    "velero": ServiceAccountRef("velero", "velero"),
    # Elasticsearch's nodes (their snapshot repository; components/data_services/es_snapshot_store.py).
    "elasticsearch": ServiceAccountRef("data-storage", "elasticsearch"),
}
"""The ServiceAccounts that get cloud access (`Foundation.workload_identity` is keyed the same
way). Both sides read this table: a cloud trusts exactly these, the platform creates exactly
these, so a rename on one side cannot silently break workload identity on the other."""


SECRET_NAMESPACES: tuple[str, ...] = ("data-platform", "data-storage", "monitoring", "logging", "velero")
"""The namespaces that hold the platform's generated Secrets. A cloud's secret store serves
exactly these (AWS: the ClusterSecretStore's namespace condition); components/secrets.py
refuses any other, so a new namespace cannot silently fail to sync on a cloud."""


@dataclass(frozen=True)
class WorkloadIdentity:
    """How the pods of one ServiceAccount get its cloud identity, in Kubernetes terms only.

    AWS (IRSA) and GCP need an annotation on the ServiceAccount; Azure needs one too (the
    managed identity's client id) and a label on every *pod* that runs as it, because its
    webhook injects the federated token only into labelled pods. So each consumer puts
    `service_account_annotations` on the ServiceAccount and `pod_labels` on every pod template
    (StatefulSets, Jobs, CronJobs, chart pods) that runs as it."""

    service_account_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    pod_labels: Mapping[str, str] = field(default_factory=dict)


NO_IDENTITY = WorkloadIdentity()
"""What an app without cloud access gets: nothing to add."""


@dataclass(frozen=True)
class StorageClasses:
    """Which StorageClass backs each of the seed's roles. None: the cluster's default class
    (the manifest then leaves `storageClassName` unset)."""

    fast_ssd: Optional[str]
    standard: Optional[str]


@dataclass(frozen=True)
class ManagedDatabase:
    """A cloud-managed PostgreSQL the platform uses instead of CloudNativePG."""

    host: pulumi.Output[str]
    port: int
    engine_version: str
    admin_secret: str
    """Kubernetes Secret (namespace `data-storage`, keys `username`/`password`) holding the
    master credentials, synced from the cloud's secret manager — never from a stack file."""
    sslmode: str = "require"
    ready: Sequence[pulumi.Resource] = ()
    """Resources that must exist before anything connects (e.g. the ExternalSecret)."""


@dataclass(frozen=True)
class AdlsAccount:
    """The storage account behind an `adls` object store (Azure Data Lake Storage Gen2 / Blob):
    clients address a container as `<blob_endpoint><container>/...` (Blob API: barman-cloud,
    Velero) or `abfss://<container>@<account>.dfs...` (the DFS API of hadoop-azure)."""

    name: pulumi.Input[str]
    blob_endpoint: pulumi.Input[str]
    """`https://<account>.blob.core.windows.net/` (with the trailing slash, as Azure reports it)."""
    dfs_endpoint: pulumi.Input[str]
    """`https://<account>.dfs.core.windows.net/`."""


@dataclass(frozen=True)
class KeyedContainer:
    """A container for one consumer that takes nothing but a key (Airbyte's chart: an Azure
    connection string, or a Google service-account key file; Elasticsearch 8.15's repository-azure:
    an account name and key). The cloud keeps it in an account of its own, so the key opens that
    container only; the platform stores the key through `Foundation.secret_store` and hands the
    consumer the synced Secret, never a plaintext value. A cloud may give several forms of the
    same key; each consumer reads the one it takes."""

    container: pulumi.Input[str]
    connection_string: Optional[pulumi.Output[str]] = None
    """ADLS, a Pulumi secret: `DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;...`."""
    account: Optional[pulumi.Input[str]] = None
    """ADLS: the storage account's name (not secret), with `account_key`."""
    account_key: Optional[pulumi.Output[str]] = None
    """ADLS, a Pulumi secret: the account's shared key (for a consumer that takes name and key apart)."""
    key_file: Optional[pulumi.Output[str]] = None
    """GCS, a Pulumi secret: a service-account key file (JSON) whose account may use `container` only."""


@dataclass(frozen=True)
class OAuthClient:
    """An OAuth 2.0 client-credentials identity for one consumer that authenticates with a client
    id and secret and takes no workload identity (Dremio's Azure Storage plugin: an Entra
    application). The cloud creates the client, grants it exactly the containers it needs and
    hands the secret over as a Pulumi secret; the platform stores it through
    `Foundation.secret_store` and gives the consumer the synced Secret, never a plaintext value."""

    client_id: pulumi.Input[str]
    token_endpoint: pulumi.Input[str]
    """The token URL the consumer posts its credentials to (Entra ID's v1 endpoint:
    `https://login.microsoftonline.com/<tenant>/oauth2/token`)."""
    client_secret: pulumi.Output[str]
    """A Pulumi secret. The consumer reaches `token_endpoint` and the store over HTTPS (443), which
    its NetworkPolicy already allows towards a cloud store (network_policies/plan.py)."""
    secret_version: pulumi.Input[str] = ""
    """Not secret: an id that changes when the secret is rotated (Entra: the password's key id), so
    the consumer's pods restart and re-read it."""


@dataclass(frozen=True)
class ObjectStore:
    """A cloud object store for the data lake (None in the Foundation: in-cluster MinIO)."""

    kind: str
    """The protocol clients speak: "s3" | "gcs" | "adls" (with `adls` set)."""
    buckets: Mapping[str, pulumi.Output[str]]
    """Role -> bucket (ADLS: container) name: bronze, silver, gold, and one per consumer:
    `backups` (database/WAL archives only), `airbyte`, `dremio` (distributed storage), `velero`."""
    region: Optional[str] = None
    endpoint: Optional[str] = None
    """None: the SDK default endpoint for the region."""
    project: Optional[str] = None
    """GCS: the project the buckets live in (Dremio's GCS plugin needs it)."""
    velero_account: Optional[pulumi.Input[str]] = None
    """kind "gcs": Velero's Google service account, which its plugin signs download URLs as (the
    BackupStorageLocation's `serviceAccount`)."""
    adls: Optional[AdlsAccount] = None
    """kind "adls": the account the containers are in, and its endpoints."""
    keyed: Mapping[str, KeyedContainer] = field(default_factory=dict)
    """App -> its own key-based container, for a consumer without workload identity support
    (Airbyte: on "adls" a connection string, on "gcs" a service-account key file; `elasticsearch`
    on "adls": its snapshots, an account name and key); such an app uses it instead of `buckets`."""
    oauth_clients: Mapping[str, OAuthClient] = field(default_factory=dict)
    """App -> the OAuth client it reads `buckets` with, for a consumer that speaks this store's
    protocol with a client secret only (Dremio on "adls"); the other consumers use
    `Foundation.workload_identity`."""


SecretWriter = Callable[[str, Mapping[str, pulumi.Input[str]], pulumi.ResourceOptions], pulumi.Resource]
"""`write(key, values, opts)`: store `values` as one JSON object under `key_prefix + key` in the
cloud's secret manager (the values stay secret in Pulumi's state) and return the resource that
holds the current value, i.e. what an ExternalSecret must wait for. `opts` carries the caller's
parent and dependencies; the cloud adds its own provider."""


def verbatim(remote_key: str) -> str:
    """Secret managers whose names may contain `/` (AWS Secrets Manager) keep the key as is."""
    return remote_key


@dataclass(frozen=True)
class SecretStore:
    """An External Secrets `ClusterSecretStore` backed by the cloud's secret manager.

    With a secret store in the Foundation, the platform's generated credentials go to the cloud
    (`write`) and reach Kubernetes only through ExternalSecrets (components/secrets.py)."""

    name: str
    key_prefix: str
    """Remote keys the platform writes/reads live under this prefix (e.g. `prod/data-platform/`)."""
    write: SecretWriter
    ready: Sequence[pulumi.Resource] = ()
    """What an ExternalSecret must wait for: the operator's release (its CRDs) and the store."""
    remote_name: Callable[[str], str] = verbatim
    """How `key_prefix + key` is spelled in the secret manager (Key Vault and GCP Secret Manager: no `/`), the name
    `write` stores under and an ExternalSecret reads."""


FLUENT_BIT_TAG = "kube.*"
"""The Fluent Bit tag of every container record the platform's shipper reads (`kube.<log file
path>`): a `LogSink.fluent_bit_output` matches it (`Match kube.*`)."""


@dataclass(frozen=True)
class LogSink:
    """A cloud log service that receives every container's log, next to Elasticsearch.

    The cloud renders the Fluent Bit output that writes there; the platform's shipper appends it
    to its own configuration and runs with the identity `Foundation.workload_identity["fluent-bit"]`.
    The cloud creates the destination (with its retention) and grants that identity nothing but
    writing to it."""

    name: str
    """The service, for people and tests (e.g. `cloudwatch`); the platform never branches on it."""
    fluent_bit_output: pulumi.Input[str]
    """The `[OUTPUT]` section(s), ending with a newline: `Match` FLUENT_BIT_TAG, a bounded retry
    buffer of its own (`storage.total_limit_size`), and nothing created at run time (the
    destination exists before the shipper starts)."""
    destination: pulumi.Input[str]
    """Where the records land, as the stack output `logs.cloudLogGroup` shows it (CloudWatch: the
    log group's name)."""


@dataclass(frozen=True)
class EdgeBackend:
    """What a cloud's L7 load balancer forwards to: the edge controller's Service, its TLS port
    (traffic is re-encrypted, so cert-manager's certificates still end at the Gateway), the
    health endpoint every controller pod serves, and, per Edge, the hosts its Gateway serves
    and the labels the platform puts on its objects."""

    service: str
    https_port: int
    health_port: int
    health_path: str
    namespace: str = "edge"
    https_port_name: str = "websecure"
    """The name of `https_port` on the Service (what per-port Service annotations key on)."""
    hosts: tuple[str, ...] = ()
    """The Gateway's HTTPS host names (`<prefix>.<domain>`), in route order."""
    labels: Mapping[str, str] = field(default_factory=dict)


L7Builder = Callable[[str, EdgeBackend, pulumi.ResourceOptions], Mapping[str, pulumi.Resource]]
"""`build(name, backend, opts)`: make the L7 load balancer in front of `backend` and return what
it made by role. `name` prefixes the resource names; `opts` carry the Edge as parent, the
cluster's Kubernetes provider and a dependency on the controller's release, so Kubernetes
objects use them as they are and cloud resources merge in the cloud's own provider."""


@dataclass(frozen=True)
class L7Frontend:
    """A cloud HTTP(S) load balancer in front of the edge controller, built by the cloud for the
    platform's `EdgeBackend` once the controller's release exists: Kubernetes objects that the
    cloud's controller turns into a load balancer (AWS: the ALB Ingress; GCP: a GKE Ingress with
    its ManagedCertificate, FrontendConfig and BackendConfig) and/or cloud resources that point
    at the controller's Service (Azure: the Application Gateway in front of its internal load
    balancer). components/ calls `build` and never knows which it is."""

    build: L7Builder


L7_INGRESS_NAME = "edge-l7"


def catch_all_ingress(name: str, backend: EdgeBackend, opts: pulumi.ResourceOptions, *, annotations: Mapping[str, str],
                      class_name: Optional[str]) -> k8s.networking.v1.Ingress:
    """The Ingress an L7 front made by an Ingress controller builds: `<namespace>/edge-l7`, every
    host and path to the controller's HTTPS port (the Gateway's listeners route by Host behind
    it). `class_name` None: the cloud names its class by annotation (GKE reads
    `kubernetes.io/ingress.class` only)."""
    target = {"service": {"name": backend.service, "port": {"number": backend.https_port}}}
    return k8s.networking.v1.Ingress(
        f"{name}-l7",
        metadata={"name": L7_INGRESS_NAME, "namespace": backend.namespace, "labels": dict(backend.labels), "annotations": dict(annotations)},
        spec={**({"ingressClassName": class_name} if class_name else {}),
              "rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": target}]}}]},
        opts=opts,
    )


@dataclass(frozen=True)
class EdgeFrontend:
    """How the platform's edge (the Gateway's controller) is exposed on this cloud."""

    service_type: str = "LoadBalancer"
    service_annotations: Mapping[str, str] = field(default_factory=dict)
    """Annotations of the controller's Service (e.g. a cloud's L4 load balancer options)."""
    l7: Optional[L7Frontend] = None
    """An L7 load balancer in front of the controller (its Service is then `ClusterIP`, or an
    internal load balancer where the L7 one cannot reach pods directly)."""


@dataclass(frozen=True)
class VolumeSnapshots:
    """The cluster's CSI volume snapshots (the snapshot.storage.k8s.io/v1 CRDs and the snapshot
    controller, installed and run by the managed cluster) for the disks of `driver`: what Velero
    snapshots persistent volumes through where no Velero plugin snapshots them natively.
    `parameters` go to the VolumeSnapshotClass (driver-specific, e.g. incremental snapshots)."""

    driver: str
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InterruptiblePool:
    """Nodes the cloud may reclaim at short notice (AWS Spot), for work that is retried anyway.

    The nodes carry the taint `taint_key=taint_value:taint_effect`, so only pods that tolerate it
    land there, and `node_labels`, which those pods select (Airbyte connector jobs) or prefer
    (Dremio executors). components/ reads only this description, never the cloud's name."""

    node_labels: Mapping[str, str] = field(default_factory=lambda: {"data-platform/node-pool": "interruptible"})
    taint_key: str = "data-platform/interruptible"
    taint_value: str = "true"
    taint_effect: str = "NoSchedule"


@dataclass(frozen=True)
class Foundation:
    cloud: str
    provider: k8s.Provider
    """The Kubernetes provider every workload uses."""
    storage_classes: StorageClasses
    edge: EdgeFrontend
    object_store: Optional[ObjectStore] = None
    database: Optional[ManagedDatabase] = None
    secret_store: Optional[SecretStore] = None
    log_sink: Optional[LogSink] = None
    """Where container logs also go on this cloud (None: Elasticsearch only)."""
    registry: Optional[pulumi.Output[str]] = None
    workload_identity: Mapping[str, WorkloadIdentity] = field(default_factory=dict)
    """App name (dremio, airbyte, ...; the keys of WORKLOAD_SERVICE_ACCOUNTS) -> what grants it
    cloud access (e.g. the `eks.amazonaws.com/role-arn` annotation; on Azure the client-id
    annotation and the `azure.workload.identity/use` pod label). Read it with `identity(app)`."""
    pod_cidrs: Sequence[str] = ()
    service_cidrs: Sequence[str] = ()
    """The cluster's pod and Service ranges (plain CIDRs), cut out of the connectors' egress to
    any address; `clusterNetwork.podCidrs`/`serviceCidrs` override them."""
    interruptible: Optional[InterruptiblePool] = None
    """A pool of interruptible nodes (None: every node is on-demand, e.g. local clusters)."""
    volume_snapshots: Optional[VolumeSnapshots] = None
    """CSI volume snapshots of the cluster's disks (None: no snapshot API, as on local clusters, or
    the cloud's Velero plugin snapshots the volumes itself, as on AWS with EBS)."""
    identity_endpoints: Sequence[tuple[str, int]] = ()
    """(CIDR, TCP port) where pods with a workload identity fetch their cloud tokens, when that is
    not a projected file plus HTTPS to the cloud (GKE: the metadata server, which NetworkPolicies
    must let those pods reach). Empty on AWS and Azure (token file, then STS/Entra over 443)."""
    kubelet_certificates_verifiable: bool = True
    """False where kubelets serve self-signed serving certificates (kind): metrics-server then
    skips verifying them (`--kubelet-insecure-tls`); a cloud's kubelets are signed by the cluster CA."""
    cluster_ready: Sequence[pulumi.Resource] = ()
    """What Kubernetes workloads must wait for (node groups, CNI/CSI add-ons)."""
    outputs: Mapping[str, pulumi.Input] = field(default_factory=dict)
    """Cloud-specific stack outputs (VPC id, cluster name, kubeconfig, ...)."""

    def identity(self, app: str) -> WorkloadIdentity:
        """`app`'s workload identity, or NO_IDENTITY where the cloud grants it nothing."""
        return identity_of(self.workload_identity, app)


def identity_of(workload_identity: Mapping[str, WorkloadIdentity], app: str) -> WorkloadIdentity:
    """`app`'s entry of a `Foundation.workload_identity` table, or NO_IDENTITY; an app that is not
    one of WORKLOAD_SERVICE_ACCOUNTS is a programming error (no cloud could trust it)."""
    if app not in WORKLOAD_SERVICE_ACCOUNTS:
        raise KeyError(f"{app!r} is not one of WORKLOAD_SERVICE_ACCOUNTS ({', '.join(WORKLOAD_SERVICE_ACCOUNTS)})")
    return workload_identity.get(app, NO_IDENTITY)
