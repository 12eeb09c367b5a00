"""What the edge hands to the observability layer and the network policies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class EdgeResult:
    controller_namespace: str
    controller_selector: Mapping[str, str]
    """Pod labels of the Gateway's controller (Traefik) in `controller_namespace`."""
    traffic_ports: tuple[int, ...]
    """HTTP, HTTPS and the health endpoint, reached by clients and load balancers."""
    metrics_port: int
    backends: tuple[tuple[Mapping[str, str], int], ...]
    """(pod selector, container port) in the apps namespace of everything the Gateway routes to."""
    cert_manager: pulumi.Resource
    """The cert-manager release: its CRDs, and the issuer of the platform's other certificates."""
    cert_manager_namespace: str
    hosts: tuple[str, ...]
    urls: Mapping[str, str]
    """UI prefix -> https URL."""
