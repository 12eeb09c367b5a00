"""GKE Standard (regional): the control plane, the node pool on its own least-privilege service
account, the seed's StorageClasses and the Kubernetes provider every workload uses.

Standard, not Autopilot: node-exporter (hostNetwork/hostPID/hostPath) and the log DaemonSet need
host access Autopilot refuses. The control plane is never open to the internet: by default it is
reached through the DNS-based endpoint only (IAM-authorized, so CI reaches it without a VPN; IP
endpoints off), or with `controlPlaneAccess: private-ip` through the private endpoint from the
authorized networks. Nodes are private (Cloud NAT for egress). Dataplane V2 enforces
NetworkPolicies; Workload Identity (`<project>.svc.id.goog`) with the GKE metadata server on the
nodes gives pods their own Google identity and hides the node's. The kubeconfig authenticates with
`gke-gcloud-auth-plugin` (nothing secret in it or in the state).

The pool's autoscaling uses `total_min/max_node_count` (all zones together: the seed's 3..10);
`initial_node_count` is per zone in a regional pool, so the seed's 5 becomes 2 per zone = 6
(settings.py `per_zone`) and is ignored after creation.
With `gcp.spotPool`, a second pool of Spot VMs from 0, tainted `data-platform/interruptible`
(Foundation.interruptible), for Airbyte connector jobs and optionally Dremio executors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_gcp.container as container
import pulumi_gcp.projects as projects
import pulumi_gcp.serviceaccount as serviceaccount
import pulumi_kubernetes as k8s

from foundation import InterruptiblePool, VolumeSnapshots
from kube import owned_labels

from .common import Context, gsa_account_id, labels

COMPONENT = "gke"
_GKE_EFFECT = {"NoSchedule": "NO_SCHEDULE", "PreferNoSchedule": "PREFER_NO_SCHEDULE", "NoExecute": "NO_EXECUTE"}
FAST_SSD = "fast-ssd"
STANDARD = "standard"
PD_CSI = "pd.csi.storage.gke.io"
SNAPSHOTS = VolumeSnapshots(PD_CSI)
"""Persistent Disk snapshots through CSI: GKE serves the snapshot.storage.k8s.io/v1 API and runs the
snapshot controller with the Compute Engine PD CSI driver (GKE docs, backup-pd-volume-snapshots:
no install step); the driver takes them with GKE's service agent, not a workload's identity."""
NODE_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
)
"""The node service account's project roles (terraform-google-modules safer-cluster `sa.tf`);
image pulls are granted on the Artifact Registry repository itself (registry.py)."""
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
_REFERENCE_SUNDAY = "2025-01-05"
"""A Sunday: the recurring window's first occurrence (GKE takes times of day and the RRULE from it)."""


def maintenance_window(days: tuple[str, ...], start: str, hours: int) -> dict:
    """A weekly recurring window on `days`, from `start` (UTC) for `hours` hours."""
    h, m = map(int, start.split(":"))
    end_h = h + hours
    end_day = 5 + end_h // 24
    return {
        "start_time": f"{_REFERENCE_SUNDAY}T{h:02d}:{m:02d}:00Z",
        "end_time": f"2025-01-{end_day:02d}T{end_h % 24:02d}:{m:02d}:00Z",
        "recurrence": "FREQ=WEEKLY;BYDAY=" + ",".join(days),  # the settings use RFC 5545 day codes
    }


def kubeconfig(name: str, server: str, ca: str | None) -> str:
    """A kubeconfig that authenticates with `gke-gcloud-auth-plugin` (no credential inside).
    The DNS endpoint serves a publicly trusted certificate, so it needs no CA."""
    cluster: dict = {"server": server}
    if ca:
        cluster["certificate-authority-data"] = ca
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": cluster}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [{"name": name, "user": {"exec": {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "command": "gke-gcloud-auth-plugin",
                "installHint": "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                "provideClusterInfo": True,
                "interactiveMode": "Never",
            }}}],
        },
        indent=2,
    )


@dataclass(frozen=True)
class GkeArgs:
    ctx: Context
    name: str
    network: pulumi.Input[str]
    subnet: pulumi.Input[str]
    pods_range: str
    services_range: str
    release_channel: str
    control_plane_access: str
    """dns | private-ip"""
    master_authorized_networks: tuple[str, ...]
    maintenance: dict
    machine_type: str
    node_locations: tuple[str, ...]
    min_total: int
    max_total: int
    initial_per_zone: int
    disk_size_gb: int
    spot: bool
    spot_pool_max_total: Optional[int]
    """A second, autoscaled 0..N pool of Spot VMs for interruptible work (None: none)."""


class GkeCluster(pulumi.ComponentResource):
    cluster: container.Cluster
    provider: k8s.Provider
    node_service_account: serviceaccount.Account
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: GkeArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:GkeCluster", name, None, opts)
        ctx, n = args.ctx, args.name
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731
        dns = args.control_plane_access == "dns"

        # A dedicated node identity: never the Compute Engine default SA (Editor on the project).
        self.node_service_account = serviceaccount.Account(
            f"{n}-nodes", account_id=gsa_account_id(ctx.prefix, "gke-nodes"), display_name=f"{n}: GKE nodes (logs, metrics, image pulls)", opts=o())
        grants = [
            projects.IAMMember(f"{n}-nodes-{role.split('/')[1]}", project=ctx.project, role=role,
                               member=self.node_service_account.email.apply(lambda e: f"serviceAccount:{e}"), opts=o())
            for role in NODE_ROLES
        ]
        node_common = {
            "service_account": self.node_service_account.email,
            "oauth_scopes": [CLOUD_PLATFORM],  # access is what IAM grants the SA, not scopes
            "workload_metadata_config": {"mode": "GKE_METADATA"},
            "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
            "metadata": {"disable-legacy-endpoints": "true"},
        }

        self.cluster = container.Cluster(
            n,
            name=n,
            location=ctx.region,
            network=args.network,
            subnetwork=args.subnet,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy={"cluster_secondary_range_name": args.pods_range, "services_secondary_range_name": args.services_range},
            # The default pool only bootstraps the cluster; the managed pool below replaces it.
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=node_common,
            release_channel={"channel": args.release_channel},
            datapath_provider="ADVANCED_DATAPATH",
            workload_identity_config={"workload_pool": ctx.workload_pool},
            enable_shielded_nodes=True,
            enable_legacy_abac=False,
            master_auth={"client_certificate_config": {"issue_client_certificate": False}},
            private_cluster_config={"enable_private_nodes": True, "enable_private_endpoint": not dns},
            control_plane_endpoints_config={
                "dns_endpoint_config": {"allow_external_traffic": dns},
                "ip_endpoints_config": {"enabled": not dns},
            },
            master_authorized_networks_config=None if dns else {
                "cidr_blocks": [{"cidr_block": c, "display_name": f"authorized-{i}"} for i, c in enumerate(args.master_authorized_networks)],
                "gcp_public_cidrs_access_enabled": False,
            },
            maintenance_policy={"recurring_window": args.maintenance},
            logging_config={"enable_components": ["SYSTEM_COMPONENTS", "WORKLOADS"]},
            monitoring_config={"enable_components": ["SYSTEM_COMPONENTS"], "managed_prometheus": {"enabled": True}},
            addons_config={"http_load_balancing": {"disabled": False}, "gce_persistent_disk_csi_driver_config": {"enabled": True}},
            resource_labels=labels(COMPONENT),
            deletion_protection=ctx.protect,
            # node_config describes only the bootstrap pool GKE deletes at once.
            opts=o(stateful=True, depends_on=grants, ignore_changes=["nodeConfig", "initialNodeCount"]),
        )

        self.node_pool = container.NodePool(
            f"{n}-general",
            name="general",
            cluster=self.cluster.id,
            location=ctx.region,
            node_locations=list(args.node_locations) or None,
            initial_node_count=args.initial_per_zone,
            autoscaling={"total_min_node_count": args.min_total, "total_max_node_count": args.max_total, "location_policy": "BALANCED"},
            management={"auto_repair": True, "auto_upgrade": True},
            upgrade_settings={"strategy": "SURGE", "max_surge": 1, "max_unavailable": 0},
            node_config={
                **node_common,
                "machine_type": args.machine_type,
                "image_type": "COS_CONTAINERD",
                "disk_type": "pd-balanced",
                "disk_size_gb": args.disk_size_gb,
                "spot": args.spot,
                "labels": {"data-platform/node-pool": "general"},
                "resource_labels": labels(COMPONENT),
            },
            # The cluster autoscaler owns the node count after creation.
            opts=o(ignore_changes=["initialNodeCount"]),
        )

        # The interruptible pool: Spot VMs from 0, tainted and labelled as Foundation.interruptible
        # describes (GKE adds its own `cloud.google.com/gke-spot=true` label too); the cluster
        # autoscaler adds nodes only when a pod that tolerates the taint waits.
        self.interruptible: Optional[InterruptiblePool] = None
        pools = [self.node_pool]
        if args.spot_pool_max_total:
            pool = self.interruptible = InterruptiblePool()
            pools.append(container.NodePool(
                f"{n}-interruptible",
                name="interruptible",
                cluster=self.cluster.id,
                location=ctx.region,
                node_locations=list(args.node_locations) or None,
                initial_node_count=0,
                autoscaling={"total_min_node_count": 0, "total_max_node_count": args.spot_pool_max_total, "location_policy": "ANY"},
                management={"auto_repair": True, "auto_upgrade": True},
                upgrade_settings={"strategy": "SURGE", "max_surge": 1, "max_unavailable": 0},
                node_config={
                    **node_common,
                    "machine_type": args.machine_type,
                    "image_type": "COS_CONTAINERD",
                    "disk_type": "pd-balanced",
                    "disk_size_gb": args.disk_size_gb,
                    "spot": True,
                    "labels": dict(pool.node_labels),
                    "taints": [{"key": pool.taint_key, "value": pool.taint_value, "effect": _GKE_EFFECT[pool.taint_effect]}],
                    "resource_labels": labels(COMPONENT),
                },
                opts=o(ignore_changes=["initialNodeCount"]),
            ))

        endpoints = self.cluster.control_plane_endpoints_config
        if dns:
            server = endpoints.apply(lambda e: "https://" + e.dns_endpoint_config.endpoint)
            ca = pulumi.Output.from_input(None)
        else:
            server = self.cluster.private_cluster_config.apply(lambda c: "https://" + c.private_endpoint)
            ca = self.cluster.master_auth.apply(lambda a: a.cluster_ca_certificate)
        self.endpoint = server
        self.kubeconfig = pulumi.Output.all(self.cluster.name, server, ca).apply(lambda a: kubeconfig(a[0], a[1], a[2]))
        self.provider = k8s.Provider(f"{n}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True, opts=pulumi.ResourceOptions(parent=self))

        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=pools)
        sc_common = {"provisioner": PD_CSI, "volume_binding_mode": "WaitForFirstConsumer", "allow_volume_expansion": True, "reclaim_policy": "Delete"}
        # Not marked default: GKE's addon manager keeps its own `standard-rwo` default, and the
        # platform names these classes explicitly (Foundation.storage_classes).
        self.fast_ssd = k8s.storage.v1.StorageClass(
            FAST_SSD, metadata={"name": FAST_SSD, "labels": owned_labels()},
            parameters={"type": "pd-ssd", "csi.storage.k8s.io/fstype": "ext4"}, **sc_common, opts=k8s_opts)
        self.standard = k8s.storage.v1.StorageClass(
            STANDARD, metadata={"name": STANDARD, "labels": owned_labels()},
            parameters={"type": "pd-balanced", "csi.storage.k8s.io/fstype": "ext4"}, **sc_common, opts=k8s_opts)
        self.ready = [self.node_pool, self.fast_ssd, self.standard]
        self.register_outputs({"clusterName": self.cluster.name, "endpoint": self.endpoint, "kubeconfig": self.kubeconfig, "nodePool": self.node_pool.name})
