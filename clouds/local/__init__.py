"""The local cloud: any Kubernetes cluster reachable through a kubeconfig context.

kind, k3d, minikube, Docker Desktop or an existing cluster. Nothing is created outside the
cluster: the database is CloudNativePG and the data lake MinIO, both in-cluster, and both
storage roles map to the cluster's default StorageClass unless configured.
"""

from __future__ import annotations

import pulumi_kubernetes as k8s

from foundation import EdgeFrontend, Foundation, StorageClasses
from settings import Settings

LOCAL_POD_CIDRS = ("10.244.0.0/16", "10.42.0.0/16", "10.1.0.0/16")
"""Default pod ranges: kind/minikube/kubeadm (flannel's), k3s/k3d, Docker Desktop."""
LOCAL_SERVICE_CIDRS = ("10.96.0.0/12", "10.43.0.0/16")
"""Default Service ranges: kubeadm/kind/minikube/Docker Desktop, k3s/k3d. A cluster built with
other ranges sets `clusterNetwork.podCidrs`/`serviceCidrs`."""


def build(settings: Settings) -> Foundation:
    provider = k8s.Provider(
        f"{settings.prefix}-k8s",
        context=settings.kube_context,  # None: the kubeconfig's current context
        enable_server_side_apply=True,
    )
    return Foundation(
        cloud="local",
        provider=provider,
        kubelet_certificates_verifiable=False,  # kind's kubelets serve self-signed certificates
        storage_classes=StorageClasses(
            fast_ssd=settings.fast_ssd_storage_class,
            standard=settings.standard_storage_class,
        ),
        # Docker Desktop and k3d hand out LoadBalancer IPs; kind needs cloud-provider-kind and
        # minikube `minikube tunnel`. Without one, `ingressServiceType: NodePort`.
        edge=EdgeFrontend(service_type=settings.ingress_service_type),
        pod_cidrs=LOCAL_POD_CIDRS,
        service_cidrs=LOCAL_SERVICE_CIDRS,
        outputs={"kubeContext": settings.kube_context or "(current context)"},
    )

