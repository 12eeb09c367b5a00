"""Every Kubernetes Secret the platform fills with generated values goes through `platform_secret`.

- On a cloud with a secret store (`Foundation.secret_store`, e.g. AWS Secrets Manager; it
  reaches each component as `PlatformContext.secret_store`): the
  values are written to the cloud's secret manager under `<key_prefix><namespace>/<name>`
  (through the cloud's `write`; components never import a cloud SDK) and an External Secrets
  `ExternalSecret` of the same name makes the operator create and own the Secret. The
  Kubernetes API, the manifests and the plan only ever see the remote key.
- Without one (local clusters): a plain Secret, as before.

Either way consumers see the same Secret name, type, labels and keys (CloudNativePG managed
roles, `secretKeyRef`s, Helm values), so nothing downstream knows which path was taken.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Optional, Union

import pulumi
import pulumi_kubernetes as k8s

import kube
from foundation import SECRET_NAMESPACES

if TYPE_CHECKING:
    from .context import PlatformContext
from kube import external_secrets
from kube.external_secrets import SECRET_KEYS_ANNOTATION

REFRESH_INTERVAL = "1h"


PlatformSecret = Union[k8s.core.v1.Secret, k8s.apiextensions.CustomResource]
"""A plain Secret, or the ExternalSecret that makes it; both expose `metadata["name"]`."""


def remote_key(namespace: str, name: str) -> str:
    """The key under the store's prefix: one remote secret per Kubernetes Secret."""
    return f"{namespace}/{name}"


def platform_secret(
    name: str,
    namespace: str,
    data: Mapping[str, pulumi.Input[str]],
    ctx: PlatformContext,
    *,
    parent: pulumi.Resource,
    labels: Mapping[str, str],
    type_: str = "Opaque",
    depends_on: Sequence[pulumi.Resource] = (),
    resource_name: Optional[str] = None,
) -> PlatformSecret:
    """The Secret `namespace/name` holding `data` (string values), on `ctx`'s cluster and from its
    secret store when the Foundation has one."""
    store, provider = ctx.secret_store, ctx.provider
    if namespace not in SECRET_NAMESPACES:
        raise ValueError(f"Secret {namespace}/{name}: add {namespace!r} to foundation.SECRET_NAMESPACES so cloud secret stores serve it")
    rname = resource_name or f"{namespace}-{name}"
    if store is None:
        return k8s.core.v1.Secret(
            rname,
            metadata={"name": name, "namespace": namespace, "labels": dict(labels)},
            type=type_,
            string_data=dict(data),
            opts=kube.child(parent, provider, depends_on=list(depends_on)),
        )

    key = remote_key(namespace, name)
    # The cloud-side secret waits only for what its values come from (their Outputs carry those
    # dependencies): `depends_on` is Kubernetes-side ordering (namespaces, operators, databases)
    # that writing to the cloud's secret manager does not need, so only the ExternalSecret gets it.
    written = store.write(key, {k: pulumi.Output.secret(v) for k, v in data.items()}, pulumi.ResourceOptions(parent=parent))
    return k8s.apiextensions.CustomResource(
        rname,
        api_version=external_secrets.API_VERSION,
        kind="ExternalSecret",
        metadata={"name": name, "namespace": namespace, "labels": dict(labels),
                  "annotations": {SECRET_KEYS_ANNOTATION: ",".join(sorted(data))}},
        spec={
            "refreshInterval": REFRESH_INTERVAL,
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": store.name},
            "target": {
                "name": name,
                "creationPolicy": "Owner",
                "deletionPolicy": "Retain",
                # No template data: the Secret's keys are the JSON object's keys, as written.
                "template": {"type": type_, "metadata": {"labels": dict(labels)}},
            },
            "dataFrom": [{"extract": {"key": store.remote_name(store.key_prefix + key)}}],
        },
        opts=kube.child(parent, provider, depends_on=[*depends_on, written, *store.ready]),
    )
