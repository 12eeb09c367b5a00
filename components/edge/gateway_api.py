"""The Gateway API CRDs, standard channel, pinned: installed by the program before any route.

`crds/gateway-api-v1.5.1-standard.yaml` is upstream's standard channel at tag v1.5.1
(`config/crd/standard/*`, in the order of `config/crd/kustomization.yaml`: the CRDs and the
`safe-upgrades` ValidatingAdmissionPolicy that refuses experimental or pre-v1.5 CRDs over them),
i.e. the `standard-install.yaml` of that release. v1.5.1 is what Traefik v3.7 is built against
(`sigs.k8s.io/gateway-api v1.5.1` in its go.mod) and what chart 41.x's README asks for.

They are plain Kubernetes objects in the plan (the CustomResourceDefinitions are validated like
every built-in kind, and their `openAPIV3Schema` is what the offline plan validates Gateways and
HTTPRoutes against), applied server-side (the HTTPRoute CRD is larger than the 256 KiB
client-side `last-applied` annotation allows). To move to a newer bundle: replace the file with
the new release's standard files and bump `VERSION`; the safe-upgrades policy blocks downgrades.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from kube import owned_labels

VERSION = "v1.5.1"
BUNDLE = Path(__file__).with_name("crds") / f"gateway-api-{VERSION}-standard.yaml"
GROUP = "gateway.networking.k8s.io"


@functools.cache
def bundle() -> tuple[dict[str, Any], ...]:
    """Every object of the vendored bundle, in install order."""
    return tuple(d for d in yaml.safe_load_all(BUNDLE.read_text()) if d)


def crds() -> dict[str, dict[str, Any]]:
    """Kind -> its CustomResourceDefinition."""
    return {d["spec"]["names"]["kind"]: d for d in bundle() if d["kind"] == "CustomResourceDefinition"}


def install(name: str, *, provider: pulumi.ProviderResource, parent: pulumi.Resource, depends_on: list) -> dict[str, pulumi.Resource]:
    """Create the bundle's objects; returns kind -> the resource that makes it exist."""
    made: dict[str, pulumi.Resource] = {}
    crd_resources: list[pulumi.Resource] = []
    opts = pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on)
    for d in bundle():
        kind = d["kind"]
        # Upstream's metadata (names, bundle-version annotations) plus the platform's labels.
        meta = {**d["metadata"], "labels": {**d["metadata"].get("labels", {}), **owned_labels()}}
        if kind == "CustomResourceDefinition":
            r = k8s.apiextensions.v1.CustomResourceDefinition(f"{name}-{meta['name']}", metadata=meta, spec=d["spec"], opts=opts)
            crd_resources.append(r)
            made[d["spec"]["names"]["kind"]] = r
        elif kind == "ValidatingAdmissionPolicy":
            made[kind] = k8s.admissionregistration.v1.ValidatingAdmissionPolicy(f"{name}-{meta['name']}", metadata=meta, spec=d["spec"], opts=opts)
        elif kind == "ValidatingAdmissionPolicyBinding":
            made[kind] = k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                f"{name}-{meta['name']}-binding", metadata=meta, spec=d["spec"],
                opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[made["ValidatingAdmissionPolicy"]])))
        else:  # a new object type in a future bundle must be handled here, not dropped
            raise ValueError(f"{BUNDLE.name}: unexpected {kind} {meta.get('name')}")
    return made
