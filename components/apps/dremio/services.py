"""Dremio's Services: the client Service (UI/REST, ODBC/JDBC, Arrow Flight) and the headless
cluster Service the StatefulSets use for stable pod DNS names (fabric/conduit traffic)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import CLIENT_PORT, CONDUIT_PORT, FABRIC_PORT, FLIGHT_PORT, WEB_PORT, ZK_CLIENT_PORT

CLIENT_SERVICE = "dremio-coordinator"
"""The name the seed's Ingress points at."""
CLUSTER_SERVICE = "dremio-cluster"


def client_spec(selector: Mapping[str, str]) -> dict[str, Any]:
    return {
        "type": "ClusterIP",
        "selector": dict(selector),
        "ports": [
            {"name": "web", "port": WEB_PORT, "target_port": "web", "protocol": "TCP"},
            {"name": "client", "port": CLIENT_PORT, "target_port": "client", "protocol": "TCP"},
            {"name": "flight", "port": FLIGHT_PORT, "target_port": "flight", "protocol": "TCP"},
        ],
    }


def cluster_spec(selector: Mapping[str, str], embedded_zookeeper: bool) -> dict[str, Any]:
    ports = [
        {"name": "fabric", "port": FABRIC_PORT, "target_port": FABRIC_PORT, "protocol": "TCP"},
        {"name": "conduit", "port": CONDUIT_PORT, "target_port": CONDUIT_PORT, "protocol": "TCP"},
    ]
    if embedded_zookeeper:
        ports.append({"name": "zookeeper", "port": ZK_CLIENT_PORT, "target_port": ZK_CLIENT_PORT, "protocol": "TCP"})
    return {
        "cluster_ip": "None",
        "publish_not_ready_addresses": True,
        "selector": dict(selector),
        "ports": ports,
    }
