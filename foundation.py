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
}
"""The ServiceAccounts that get cloud access (`Foundation.workload_identity` is keyed the same
way). Both sides read this table: a cloud trusts exactly these, the platform creates exactly
these, so a rename on one side cannot silently break workload identity on the other."""


SECRET_NAMESPACES: tuple[str, ...] = ("data-platform", "data-storage", "monitoring", "logging")
"""The namespaces that hold the platform's generated Secrets. A cloud's secret store serves
exactly these (AWS: the ClusterSecretStore's namespace condition); components/secrets.py
refuses any other, so a new namespace cannot silently fail to sync on a cloud."""


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
class ObjectStore:
    """A cloud object store for the data lake (None in the Foundation: in-cluster MinIO)."""

    kind: str  # "s3" | "gcs" | "azure"
    buckets: Mapping[str, pulumi.Output[str]]
    """Role -> bucket name: bronze, silver, gold, and one bucket per consumer: `backups`
    (database/WAL archives only), `airbyte`, `dremio` (distributed storage)."""
    region: Optional[str] = None
    endpoint: Optional[str] = None
    """None: the SDK default endpoint for the region."""


SecretWriter = Callable[[str, Mapping[str, pulumi.Input[str]], pulumi.ResourceOptions], pulumi.Resource]
"""`write(key, values, opts)`: store `values` as one JSON object under `key_prefix + key` in the
cloud's secret manager (the values stay secret in Pulumi's state) and return the resource that
holds the current value, i.e. what an ExternalSecret must wait for. `opts` carries the caller's
parent and dependencies; the cloud adds its own provider."""


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
    remote_name: Callable[[str], str] = str
    """`key_prefix + key` -> the name in the cloud's secret manager, for clouds whose names
    cannot hold `/` (GCP Secret Manager ids: `[A-Za-z0-9_-]{1,255}`). Default: unchanged."""


@dataclass(frozen=True)
class LogSink:
    """A cloud log service that receives every container's log, next to Elasticsearch.

    The platform's log shipper (Fluent Bit) writes to it with the identity
    `Foundation.workload_identity["fluent-bit"]`; the cloud creates the destination (with its
    retention) and grants that identity nothing but writing to it."""

    kind: str  # "cloudwatch"
    group: pulumi.Output[str]
    """CloudWatch: the log group name (it exists before the shipper starts)."""
    region: str
    stream_prefix: str = "from-fluent-bit-"
    """Log streams are `<prefix><tag>`: one stream per container log file
    (`from-fluent-bit-kube.var.log.containers.<pod>_<namespace>_<container>-<id>.log`)."""


@dataclass(frozen=True)
class AlbFrontend:
    """An AWS Application Load Balancer in front of the ingress controller.

    The platform creates an Ingress of class `class_name` in the controller's namespace whose
    only backend is the controller's HTTPS Service port; the AWS Load Balancer Controller turns
    it into an ALB that terminates TLS with `certificate_arn` (listeners 80 -> redirect, 443)
    and re-encrypts to the controller, so cert-manager's TLS still ends at ingress-nginx."""

    scheme: str
    """internet-facing | internal."""
    certificate_arn: str
    """ACM certificate for the platform's hosts (same region as the ALB)."""
    class_name: str = "alb"
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    idle_timeout_seconds: int = 300
    """ALB idle timeout (its default 60 s cuts long Dremio/Superset requests and large uploads)."""


@dataclass(frozen=True)
class IngressFrontend:
    """How the ingress controller is exposed on this cloud."""

    class_name: str = "nginx"
    service_type: str = "LoadBalancer"
    service_annotations: Mapping[str, str] = field(default_factory=dict)
    alb: Optional[AlbFrontend] = None
    """An ALB in front of the controller (its Service is then `ClusterIP`)."""


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
    ingress: IngressFrontend
    object_store: Optional[ObjectStore] = None
    database: Optional[ManagedDatabase] = None
    secret_store: Optional[SecretStore] = None
    log_sink: Optional[LogSink] = None
    """Where container logs also go on this cloud (None: Elasticsearch only)."""
    registry: Optional[pulumi.Output[str]] = None
    workload_identity: Mapping[str, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)
    """App name (dremio, airbyte, ...) -> ServiceAccount annotations that grant it cloud access
    (e.g. `eks.amazonaws.com/role-arn`)."""
    pod_cidrs: Sequence[str] = ()
    service_cidrs: Sequence[str] = ()
    """The cluster's pod and Service ranges (plain CIDRs), cut out of the connectors' egress to
    any address; `clusterNetwork.podCidrs`/`serviceCidrs` override them."""
    interruptible: Optional[InterruptiblePool] = None
    """A pool of interruptible nodes (None: every node is on-demand, e.g. local clusters)."""
    cluster_ready: Sequence[pulumi.Resource] = ()
    """What Kubernetes workloads must wait for (node groups, CNI/CSI add-ons)."""
    outputs: Mapping[str, pulumi.Input] = field(default_factory=dict)
    """Cloud-specific stack outputs (VPC id, cluster name, kubeconfig, ...)."""
