"""Top-level (scalar) project settings: the ones declared in Pulumi.yaml's `config:` block.

Structured, per-component settings are sections (settings/sections/); they stay undeclared in
Pulumi.yaml because the engine has no object type. `tests/test_pulumi_yaml.py` keeps
Pulumi.yaml and this table in step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from . import checks
from .environments import ENVIRONMENTS


@dataclass(frozen=True)
class Scalar:
    key: str
    type: str  # string | integer | boolean (the engine's declared types)
    default: Any  # None: no project default (it depends on the environment or the cloud)
    doc: str
    check: Optional[Callable[[Any], Any]]
    """None for `cloud` only: one of the built clouds, which `load` receives from the composition root."""


SCALARS: tuple[Scalar, ...] = (
    Scalar("cloud", "string", "local", "Where the platform runs: one of the clouds under clouds/ (local, aws, azure, gcp).", None),
    Scalar("environment", "string", "dev", "dev, staging, prod or dr: picks the seed's sizing, availability and protection defaults.", checks.one_of(*ENVIRONMENTS)),
    Scalar("domain", "string", "data-platform.localhost", "DNS zone for the UIs: airbyte.<domain>, dremio.<domain>, superset.<domain>.", checks.dns_name),
    Scalar("kubernetesVersion", "string", "1.34", "Kubernetes minor version: the EKS control plane and the schema manifests are validated against.", checks.text(r"1\.(2[89]|3\d)", "a Kubernetes minor version from 1.28 to 1.39 such as 1.34")),
    Scalar("protect", "boolean", None, "Protect stateful resources (databases, buckets, volumes, clusters, keys) from deletion. Default: true in prod and dr.", checks.boolean),
    Scalar("objectStore", "string", None, "The data lake: 'minio' (in-cluster, distributed) or 'native' (the cloud's buckets). Default: native on aws, azure and gcp (on Azure the ADLS Gen2 lake serves Dremio, as an Entra application, and the backups, and Airbyte has its own account; on GCP Dremio, Airbyte, Velero and CloudNativePG use the Cloud Storage buckets); minio on local.", checks.one_of("minio", "native")),
    Scalar("database", "string", None, "Metadata PostgreSQL: 'in-cluster' (CloudNativePG) or 'managed' (RDS, Flexible Server, Cloud SQL). Default: in-cluster on local, managed on clouds.", checks.one_of("in-cluster", "managed")),
    Scalar("tlsIssuer", "string", None, "cert-manager issuer for the Gateway's certificates: selfsigned, letsencrypt-staging or letsencrypt-prod. Default: selfsigned on local, in dev and behind AWS's ALB or GCP's Application Load Balancer (required there), letsencrypt-prod behind Azure's Application Gateway (required there: it verifies the Gateway's certificates), letsencrypt-staging in staging, letsencrypt-prod in prod/dr.", checks.one_of("selfsigned", "letsencrypt-staging", "letsencrypt-prod")),
    Scalar("acmeEmail", "string", "", "Contact e-mail for Let's Encrypt (required with a letsencrypt issuer).", checks.optional(checks.text(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address"))),
    Scalar("gatewayClass", "string", "data-platform", "Name of the GatewayClass the platform's Traefik serves and its Gateway uses (another Gateway API implementation can run next to it under another class).", checks.k8s_name),
    Scalar("networkPolicies", "boolean", True, "Default-deny NetworkPolicies in both namespaces plus least-privilege allows. Opt out only on a CNI without NetworkPolicy support.", checks.boolean),
    Scalar("kubeContext", "string", "", "local cloud: kubeconfig context to deploy to. Empty: the current context.", checks.optional(checks.text(r"\S+", "a kubeconfig context name"))),
    Scalar("ingressServiceType", "string", "LoadBalancer", "local cloud: how the edge controller (Traefik, serving the Gateway) is exposed. LoadBalancer needs a provider of external IPs (Docker Desktop, k3d, cloud-provider-kind, `minikube tunnel`); NodePort works everywhere.", checks.one_of("LoadBalancer", "NodePort")),
    Scalar("fastSsdStorageClass", "string", "", "local cloud: StorageClass for the 'fast-ssd' role. Empty: the cluster's default class.", checks.optional(checks.k8s_name)),
    Scalar("standardStorageClass", "string", "", "local cloud: StorageClass for the 'standard' role. Empty: the cluster's default class.", checks.optional(checks.k8s_name)),
)
