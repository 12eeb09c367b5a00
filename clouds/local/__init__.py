"""The local cloud: any Kubernetes cluster reachable through a kubeconfig context.

kind, k3d, minikube, Docker Desktop or an existing cluster. Nothing is created outside the
cluster: the database is CloudNativePG and the data lake MinIO, both in-cluster, and both
storage roles map to the cluster's default StorageClass unless configured.
"""

from __future__ import annotations

import pulumi_kubernetes as k8s

from foundation import Foundation, IngressFrontend, StorageClasses
from settings import Settings


def build(settings: Settings) -> Foundation:
    provider = k8s.Provider(
        f"{settings.prefix}-k8s",
        context=settings.kube_context,  # None: the kubeconfig's current context
        enable_server_side_apply=True,
    )
    return Foundation(
        cloud="local",
        provider=provider,
        storage_classes=StorageClasses(
            fast_ssd=settings.fast_ssd_storage_class,
            standard=settings.standard_storage_class,
        ),
        # kind/k3d/minikube expose a LoadBalancer through their own helpers (cloud-provider-kind,
        # klipper-lb, `minikube tunnel`); NodePort would also work but hides the ports.
        ingress=IngressFrontend(class_name=settings.ingress_class, service_type="LoadBalancer"),
        outputs={"kubeContext": settings.kube_context or "(current context)"},
    )

