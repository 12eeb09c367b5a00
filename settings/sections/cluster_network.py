"""Settings section `data-platform:clusterNetwork`: the cluster's own address ranges.

Airbyte's connector pods may reach any external address on any port (sources live anywhere),
but on most CNIs an `ipBlock` of 0.0.0.0/0 also matches pod and Service IPs, i.e. Prometheus,
Grafana, the operators and kube-system. These ranges are cut out of that rule (`except`).
An empty list: the cloud's defaults for it (Foundation.pod_cidrs / service_cidrs).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..checks import Invalid
from ..schema import Section, setting


def _internal_cidrs(value: Any) -> tuple[str, ...]:
    cidrs = checks.cidr_list(value)
    for c in cidrs:
        if ipaddress.IPv4Network(c).prefixlen < 8:
            raise Invalid(f"cluster ranges of /8 or narrower ({c} would cut most of the internet out of the connectors' egress)")
    return cidrs


@dataclass(frozen=True)
class ClusterNetworkSettings(Section):
    KEY = "clusterNetwork"
    POSITION = 12
    DOC = "the cluster's pod and Service address ranges, excluded from the connectors' internet egress"

    pod_cidrs: tuple = setting(_internal_cidrs, "Pod CIDRs of the cluster. Empty: the cloud's defaults (local: 10.244.0.0/16 kind/minikube/kubeadm, 10.42.0.0/16 k3s/k3d, 10.1.0.0/16 Docker Desktop; AWS: the VPC CIDR, since the VPC CNI gives pods VPC addresses).", default=())
    service_cidrs: tuple = setting(_internal_cidrs, "Service CIDRs of the cluster. Empty: the cloud's defaults (local: 10.96.0.0/12 kubeadm/kind/minikube, 10.43.0.0/16 k3s/k3d; AWS: the two ranges EKS picks from, 10.100.0.0/16 and 172.20.0.0/16).", default=())
