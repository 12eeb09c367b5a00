"""Pinned versions: EKS add-ons and the cluster-autoscaler image per Kubernetes minor (the Helm
charts the foundation installs are pinned with every other chart, in kube/charts.py).

Add-on versions come from `aws eks describe-addon-versions --kubernetes-version <v>
--addon-name <name>` (the default version for that Kubernetes minor at the time of writing);
bump them deliberately, one minor at a time for vpc-cni. A Kubernetes version missing here
fails with a message naming this file, never with an unpinned add-on.
"""

from __future__ import annotations

ADDONS: dict[str, dict[str, str]] = {
    "1.32": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.32.6-eksbuild.12",
        "coredns": "v1.11.4-eksbuild.2",
        "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
    },
    "1.33": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.33.3-eksbuild.10",
        "coredns": "v1.12.1-eksbuild.2",
        "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
    },
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.34.0-eksbuild.2",
        "coredns": "v1.12.3-eksbuild.1",
        "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
    },
}

# cluster-autoscaler must match the Kubernetes minor (its image tag is set explicitly).
CLUSTER_AUTOSCALER_IMAGE = {"1.32": "v1.32.7", "1.33": "v1.33.5", "1.34": "v1.34.3"}

class UnpinnedVersion(ValueError):
    pass


def addon_versions(kubernetes_version: str) -> dict[str, str]:
    try:
        return ADDONS[kubernetes_version]
    except KeyError:
        raise UnpinnedVersion(
            f"no EKS add-on versions pinned for Kubernetes {kubernetes_version} in clouds/aws/versions.py "
            f"(pinned: {', '.join(sorted(ADDONS))}); add them from `aws eks describe-addon-versions`"
        ) from None


def autoscaler_image(kubernetes_version: str) -> str:
    try:
        return CLUSTER_AUTOSCALER_IMAGE[kubernetes_version]
    except KeyError:
        raise UnpinnedVersion(f"no cluster-autoscaler image pinned for Kubernetes {kubernetes_version} in clouds/aws/versions.py") from None
