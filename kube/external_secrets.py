"""External Secrets, as every cloud with a secret manager installs it: the API version, the
operator (pinned chart, its own namespace, a `ClusterSecretStore` on the cloud's manager for the
platform's namespaces only) and the `ClusterExternalSecret` of the managed database's admin.

The clouds differ only in how the operator authenticates (its ServiceAccount's annotations, and
on Azure its pods' labels) and in the store's `provider` block; they pass those, this module
writes the rest once. No `auth` block in any store: the controller uses its own workload identity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

from . import helm
from .charts import chart
from .metadata import owned_labels
from .namespaces import STORAGE, namespace

API_VERSION = "external-secrets.io/v1"
NAMESPACE = "external-secrets"
SERVICE_ACCOUNT = "external-secrets"
RELEASE = "external-secrets"
DB_ADMIN_SECRET = "postgres-admin"
"""The Secret (in `data-storage`) holding the managed database's admin: `ManagedDatabase.admin_secret`."""
DB_ADMIN_KEYS = ("username", "password")
SECRET_KEYS_ANNOTATION = "data-platform.io/secret-keys"
"""On an ExternalSecret (or ClusterExternalSecret) that uses `dataFrom`: the comma-separated keys
of the Secret it makes (the keys of the JSON object written to the store). The keys are not
otherwise visible in the manifest; with them a reader, or a test, can check every `secretKeyRef`
against the Secret."""


def install_operator(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    *,
    environment: str,
    store_name: str,
    store_provider: Mapping[str, Any],
    secret_namespaces: Sequence[str],
    sa_annotations: Mapping[str, pulumi.Input[str]],
    pod_labels: Optional[Mapping[str, str]] = None,
    depends_on: Sequence[pulumi.Resource] = (),
    release_depends_on: Sequence[pulumi.Resource] = (),
) -> tuple[k8s.helm.v3.Release, k8s.apiextensions.CustomResource]:
    """The operator's namespace and release, and the `ClusterSecretStore` `store_name` whose
    `spec.provider` is `store_provider`; only `secret_namespaces` may pull through it.
    `release_depends_on`: what the operator needs before it starts (e.g. its vault role)."""
    ns = namespace(NAMESPACE, provider=provider, parent=parent, environment=environment, depends_on=depends_on)
    release = helm.release(
        RELEASE, chart=chart("external-secrets"), namespace=ns.metadata["name"],
        values={
            "installCRDs": True,
            "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT, "annotations": dict(sa_annotations)},
            **({"podLabels": dict(pod_labels)} if pod_labels else {}),
        },
        provider=provider, parent=parent, depends_on=[ns, *release_depends_on],
    )
    store = k8s.apiextensions.CustomResource(
        store_name,
        api_version=API_VERSION,
        kind="ClusterSecretStore",
        metadata={"name": store_name, "labels": owned_labels()},
        spec={"provider": dict(store_provider), "conditions": [{"namespaces": list(secret_namespaces)}]},
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=[release]),
    )
    return release, store


def database_admin_secret(
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource,
    *,
    store_name: str,
    refresh_interval: str,
    source: Mapping[str, Any],
    depends_on: Sequence[pulumi.Resource],
) -> k8s.apiextensions.CustomResource:
    """The `ClusterExternalSecret` that makes `data-storage/postgres-admin` (keys `username`,
    `password`) from the store; `source` is the ExternalSecret's `data` or `dataFrom` block.

    Cluster-scoped, not an ExternalSecret: `data-storage` is the platform's namespace, created
    after the Foundation; ESO writes the ExternalSecret (and so the Secret) into it as soon as it
    exists, so nothing in the Foundation has to wait for, or own, a platform namespace."""
    return k8s.apiextensions.CustomResource(
        DB_ADMIN_SECRET,
        api_version=API_VERSION,
        kind="ClusterExternalSecret",
        metadata={"name": DB_ADMIN_SECRET, "labels": owned_labels(),
                  # `dataFrom` hides the keys: list them (a `data` block names each one).
                  **({"annotations": {SECRET_KEYS_ANNOTATION: ",".join(sorted(DB_ADMIN_KEYS))}} if "dataFrom" in source else {})},
        spec={
            "externalSecretName": DB_ADMIN_SECRET,
            "namespaceSelectors": [{"matchLabels": {"kubernetes.io/metadata.name": STORAGE}}],
            "refreshTime": "1m",
            "externalSecretSpec": {
                "refreshInterval": refresh_interval,
                "secretStoreRef": {"kind": "ClusterSecretStore", "name": store_name},
                "target": {"name": DB_ADMIN_SECRET, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
                **source,
            },
        },
        opts=pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on)),
    )
