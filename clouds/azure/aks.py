"""AKS: the control plane, the system and user node pools, Azure Monitor, the maintenance
windows, the seed's StorageClasses and the Kubernetes provider every workload uses.

- Private cluster with API server VNet integration (the `apiserver` subnet) by default; a
  public API server only with authorized IP ranges (settings refuse 0.0.0.0/0).
- Entra ID with Azure RBAC, local accounts disabled: there is no static credential. The
  kubeconfig is the user kubeconfig (`format=exec`) rewritten to `kubelogin get-token --login
  azurecli`, so Pulumi authenticates as whoever ran `az login` (or `azure/login` in CI).
- OIDC issuer + workload identity (identities.py federates ServiceAccounts to managed identities).
- Azure CNI overlay with the Cilium dataplane, which enforces NetworkPolicies (the platform's
  default-deny); egress through the VNet's NAT gateway (`userAssignedNATGateway`).
- System pool (CriticalAddonsOnly, ephemeral OS disks) and the user pool the platform runs on
  (the seed's 8 vCPU/32 GiB 3/10/5 in prod), both across zones and autoscaled; the pools'
  node counts are left to the cluster autoscaler (drift ignored). With `azure.spotNodes`, a Spot
  user pool from 0 (Foundation.interruptible, with the taint and label AKS puts on Spot nodes).
- Auto-upgrade channel + node OS channel, each with a weekly window (the seed: Sunday 04:00 UTC).
- Container Insights to a Log Analytics workspace (managed identity auth, with its data
  collection rule: container logs v2, Kubernetes events, pod inventory) and the control
  plane's audit/controller/autoscaler logs as diagnostic settings.
- StorageClasses on the Azure Disk CSI driver: `fast-ssd` (Premium SSD v2, the gp3 baseline of
  3000 IOPS / 125 MB/s) and `standard` (Premium SSD, the default class): WaitForFirstConsumer,
  expandable.
- CSI volume snapshots (SNAPSHOTS, Foundation.volume_snapshots): AKS's managed snapshot controller
  (`storageProfile.snapshotController`) and the Azure Disk driver's incremental snapshots, which
  the driver takes with the cluster's control-plane identity in the node resource group (AKS's
  own grant): Velero snapshots the volumes through them, no Azure right for Velero's identity.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_azure_native.containerservice as containerservice
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.operationalinsights as operationalinsights
import pulumi_kubernetes as k8s
import yaml

from foundation import InterruptiblePool, VolumeSnapshots
from kube import owned_labels

from .common import AKS_RBAC_CLUSTER_ADMIN, NETWORK_CONTRIBUTOR, Context, role_assignment
from .subnets import DNS_SERVICE_IP, POD_CIDR, SERVICE_CIDR

COMPONENT = "aks"
FAST_SSD = "fast-ssd"
STANDARD = "standard"
DISK_CSI = "disk.csi.azure.com"
SNAPSHOTS = VolumeSnapshots(DISK_CSI, {"incremental": "true"})
"""Incremental snapshots (the only kind of a Premium SSD v2 disk, fast-ssd; billed for the changed
blocks): the azuredisk-csi-driver's VolumeSnapshotClass parameter `incremental` (docs/driver-parameters.md)."""
SPOT_LABEL = "kubernetes.azure.com/scalesetpriority"
SPOT_POOL = InterruptiblePool(node_labels={SPOT_LABEL: "spot"}, taint_key=SPOT_LABEL, taint_value="spot", taint_effect="NoSchedule")
"""What AKS itself puts on every Spot node (label and taint): the interruptible pool as the platform sees it."""
AKS_AAD_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630"
"""The Entra ID application every AKS cluster's API server accepts tokens for (kubelogin --server-id)."""
CONTAINER_INSIGHTS_STREAMS = ("Microsoft-ContainerLogV2", "Microsoft-KubeEvents", "Microsoft-KubePodInventory")
CONTROL_PLANE_LOGS = ("kube-audit-admin", "kube-controller-manager", "cluster-autoscaler", "guard")


@dataclass(frozen=True)
class AksArgs:
    ctx: Context
    name: str
    version: str
    node_subnet_id: pulumi.Input[str]
    apiserver_subnet_id: pulumi.Input[str]
    vnet_id: pulumi.Input[str]
    zones: tuple[str, ...]
    api_server_public: bool
    authorized_ip_ranges: tuple[str, ...]
    admin_group_object_ids: tuple[str, ...]
    sku_tier: str
    upgrade_channel: str
    node_os_upgrade_channel: str
    maintenance_day: str
    maintenance_start_hour: int
    system_node_size: str
    system_node_count: int
    node_size: str
    node_min_count: int
    node_max_count: int
    node_initial_count: int
    node_disk_size_gb: int
    max_pods: int
    log_retention_days: int
    network_policies: bool
    spot_node_size: Optional[str]
    """A Spot user pool of this VM size, autoscaled 0..spot_max_count (None: none)."""
    spot_max_count: int


def exec_kubeconfig(user_kubeconfig_b64: str) -> str:
    """The cluster's user kubeconfig with its exec entry set to kubelogin's non-interactive
    Azure CLI login (AKS's own `format=exec` kubeconfig asks for a device code)."""
    cfg = yaml.safe_load(base64.b64decode(user_kubeconfig_b64))
    for user in cfg.get("users", []):
        user["user"] = {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "kubelogin",
            "args": ["get-token", "--login", "azurecli", "--server-id", AKS_AAD_SERVER_APP],
            "interactiveMode": "Never",
            "provideClusterInfo": False,
        }}
    return yaml.safe_dump(cfg, sort_keys=False)


def _window(day: str, hour: int, duration: int) -> dict:
    return {"schedule": {"weekly": {"day_of_week": day, "interval_weeks": 1}}, "start_time": f"{hour:02d}:00",
            "duration_hours": duration, "utc_offset": "+00:00"}


class AksCluster(pulumi.ComponentResource):
    cluster: containerservice.ManagedCluster
    provider: k8s.Provider
    oidc_issuer: pulumi.Output[str]
    kubelet_object_id: pulumi.Output[str]
    workspace: operationalinsights.Workspace
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: AksArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:azure:AksCluster", name, None, opts)
        ctx, rg = args.ctx, args.ctx.resource_group
        tags = ctx.tags(COMPONENT)

        self.workspace = operationalinsights.Workspace(
            f"{args.name}-logs", resource_group_name=rg, workspace_name=f"{args.name}-logs", sku={"name": "PerGB2018"},
            retention_in_days=args.log_retention_days, features={"disable_local_auth": True}, tags=tags, opts=ctx.opts(self),
        )
        # The control plane's own identity, given the network roles before the cluster exists
        # (a system-assigned identity would only exist after the first failed attempt).
        identity = managedidentity.UserAssignedIdentity(f"{args.name}-control-plane", resource_group_name=rg,
                                                        resource_name_=f"{args.name}-control-plane", tags=tags, opts=ctx.opts(self))
        net_role = role_assignment(ctx, self, f"{args.name}-network-contributor", principal_id=identity.principal_id, role=NETWORK_CONTRIBUTOR, scope=args.vnet_id)

        api_access: dict = {"enable_vnet_integration": True, "subnet_id": args.apiserver_subnet_id}
        if args.api_server_public:
            api_access.update(enable_private_cluster=False, authorized_ip_ranges=list(args.authorized_ip_ranges))
        else:
            api_access.update(enable_private_cluster=True, private_dns_zone="system", enable_private_cluster_public_fqdn=False)
        zones = list(args.zones)
        self.cluster = containerservice.ManagedCluster(
            args.name,
            resource_group_name=rg,
            resource_name_=args.name,
            dns_prefix=args.name,
            kubernetes_version=args.version,
            sku={"name": "Base", "tier": args.sku_tier},
            identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
            aad_profile={"managed": True, "enable_azure_rbac": True, "tenant_id": ctx.tenant_id},
            disable_local_accounts=True,
            enable_rbac=True,
            api_server_access_profile=api_access,
            oidc_issuer_profile={"enabled": True},
            security_profile={"workload_identity": {"enabled": True}, "image_cleaner": {"enabled": True, "interval_hours": 168}},
            network_profile={
                "network_plugin": "azure", "network_plugin_mode": "overlay", "network_dataplane": "cilium",
                **({"network_policy": "cilium"} if args.network_policies else {}),
                "pod_cidr": POD_CIDR, "service_cidr": SERVICE_CIDR, "dns_service_ip": DNS_SERVICE_IP,
                "outbound_type": "userAssignedNATGateway", "load_balancer_sku": "standard",
            },
            auto_upgrade_profile={"upgrade_channel": args.upgrade_channel, "node_os_upgrade_channel": args.node_os_upgrade_channel},
            storage_profile={"disk_csi_driver": {"enabled": True}, "file_csi_driver": {"enabled": False}, "snapshot_controller": {"enabled": True}},
            addon_profiles={
                "omsagent": {"enabled": True, "config": {"logAnalyticsWorkspaceResourceID": self.workspace.id, "useAADAuth": "true"}},
                "azurepolicy": {"enabled": True},
            },
            auto_scaler_profile={"balance_similar_node_groups": "true", "expander": "least-waste", "skip_nodes_with_system_pods": "false"},
            agent_pool_profiles=[{
                "name": "system", "mode": "System", "vm_size": args.system_node_size, "count": args.system_node_count,
                "enable_auto_scaling": True, "min_count": args.system_node_count, "max_count": args.system_node_count + 2,
                "availability_zones": zones, "os_type": "Linux", "os_sku": "AzureLinux", "os_disk_type": "Ephemeral",
                "vnet_subnet_id": args.node_subnet_id, "max_pods": args.max_pods, "type": "VirtualMachineScaleSets",
                "node_taints": ["CriticalAddonsOnly=true:NoSchedule"], "upgrade_settings": {"max_surge": "33%"},
            }],
            tags=tags,
            # The autoscaler owns node counts. The version stays the minor given ("1.34"): the patch
            # channel moves only currentKubernetesVersion, so a new kubernetesVersion is a deliberate upgrade.
            opts=ctx.opts(self, stateful=True, depends_on=[net_role], ignore_changes=["agentPoolProfiles[0].count"]),
        )
        ctx.lock(self, args.name, self.cluster.id)
        # What both user pools share: zones, OS, disk, subnet, pod density; the autoscaler owns counts.
        user_pool = dict(
            resource_group_name=rg, resource_name_=self.cluster.name, mode="User", enable_auto_scaling=True,
            availability_zones=zones, os_type="Linux", os_sku="AzureLinux", os_disk_type="Managed",
            os_disk_size_gb=args.node_disk_size_gb, vnet_subnet_id=args.node_subnet_id, max_pods=args.max_pods,
            type="VirtualMachineScaleSets",
        )
        self.pool = containerservice.AgentPool(
            f"{args.name}-general",
            agent_pool_name="general",
            vm_size=args.node_size,
            count=args.node_initial_count,
            min_count=args.node_min_count,
            max_count=args.node_max_count,
            upgrade_settings={"max_surge": "33%"},
            **user_pool,
            opts=ctx.opts(self, ignore_changes=["count", "orchestratorVersion"]),
        )
        # The Spot pool: evicted VMs are deleted (no stopped VMs holding quota), max price -1 (pay up
        # to the pay-as-you-go price, never evicted for price); AKS taints and labels its nodes
        # kubernetes.azure.com/scalesetpriority=spot, which is what Foundation.interruptible says.
        self.interruptible: Optional[InterruptiblePool] = None
        pools = [self.pool]
        if args.spot_node_size:
            self.interruptible = SPOT_POOL
            pools.append(containerservice.AgentPool(
                f"{args.name}-spot",
                agent_pool_name="spot",
                vm_size=args.spot_node_size,
                scale_set_priority="Spot",
                scale_set_eviction_policy="Delete",
                spot_max_price=-1,
                count=0,
                min_count=0,
                max_count=args.spot_max_count,
                **user_pool,
                opts=ctx.opts(self, ignore_changes=["count", "orchestratorVersion"]),
            ))
        for config in ("aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"):
            containerservice.MaintenanceConfiguration(
                f"{args.name}-{config}", resource_group_name=rg, resource_name_=self.cluster.name, config_name=config,
                maintenance_window=_window(args.maintenance_day, args.maintenance_start_hour, 4), opts=ctx.opts(self),
            )
        # With managed identity auth (useAADAuth) the agent collects only what a data collection
        # rule associated with the cluster names (the CLI creates it; ARM deployments must).
        streams = list(CONTAINER_INSIGHTS_STREAMS)
        dcr = monitor.DataCollectionRule(
            f"{args.name}-container-insights", resource_group_name=rg, data_collection_rule_name=f"MSCI-{ctx.location}-{args.name}", kind="Linux",
            data_sources={"extensions": [{"name": "ContainerInsightsExtension", "extension_name": "ContainerInsights", "streams": streams,
                                          "extension_settings": {"dataCollectionSettings": {"interval": "1m", "namespaceFilteringMode": "Off",
                                                                                            "enableContainerLogV2": True}}}]},
            destinations={"log_analytics": [{"name": "workspace", "workspace_resource_id": self.workspace.id}]},
            data_flows=[{"streams": streams, "destinations": ["workspace"]}],
            tags=tags, opts=ctx.opts(self),
        )
        monitor.DataCollectionRuleAssociation(f"{args.name}-container-insights", association_name="ContainerInsightsExtension",
                                              resource_uri=self.cluster.id, data_collection_rule_id=dcr.id, opts=ctx.opts(self))
        monitor.DiagnosticSetting(
            f"{args.name}-diagnostics", name=f"{args.name}-to-logs", resource_uri=self.cluster.id, workspace_id=self.workspace.id,
            log_analytics_destination_type="Dedicated",
            logs=[{"category": c, "enabled": True} for c in CONTROL_PLANE_LOGS], opts=ctx.opts(self),
        )
        # The deployer and the admin groups may administer the cluster (Azure RBAC: there is no other way in).
        admins = [role_assignment(ctx, self, f"{args.name}-admin-deployer", principal_id=ctx.deployer_object_id, role=AKS_RBAC_CLUSTER_ADMIN,
                                  scope=self.cluster.id, principal_type=None)]
        admins += [role_assignment(ctx, self, f"{args.name}-admin-group-{i}", principal_id=group, role=AKS_RBAC_CLUSTER_ADMIN,
                                   scope=self.cluster.id, principal_type="Group") for i, group in enumerate(args.admin_group_object_ids)]

        self.oidc_issuer = self.cluster.oidc_issuer_profile.apply(lambda o: o.issuer_url)
        self.kubelet_object_id = self.cluster.identity_profile.apply(lambda p: p["kubeletidentity"].object_id)
        creds = containerservice.list_managed_cluster_user_credentials_output(resource_group_name=rg, resource_name=self.cluster.name,
                                                                              format="exec", opts=pulumi.InvokeOutputOptions(provider=ctx.provider))
        self.kubeconfig = creds.kubeconfigs.apply(lambda ks: exec_kubeconfig(ks[0].value))
        self.provider = k8s.Provider(f"{args.name}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True,
                                     opts=pulumi.ResourceOptions(parent=self, depends_on=[self.pool, *admins]))
        self.ready = [*pools, *admins, *self._storage_classes()]
        self.register_outputs({"clusterName": self.cluster.name, "oidcIssuer": self.oidc_issuer})

    def _storage_classes(self) -> list[pulumi.Resource]:
        common = {"volume_binding_mode": "WaitForFirstConsumer", "allow_volume_expansion": True, "reclaim_policy": "Delete",
                  "provisioner": DISK_CSI}
        # Not marked default: AKS reconciles its own default class (managed-csi), and the platform
        # names these explicitly (Foundation.storage_classes).
        classes = {
            # Premium SSD v2 supports only cachingMode None; the gp3 baseline the seed's fast-ssd had on AWS.
            FAST_SSD: {"skuName": "PremiumV2_LRS", "cachingMode": "None", "DiskIOPSReadWrite": "3000", "DiskMBpsReadWrite": "125",
                       "fsType": "ext4", "networkAccessPolicy": "DenyAll"},
            STANDARD: {"skuName": "Premium_LRS", "cachingMode": "ReadOnly", "fsType": "ext4", "networkAccessPolicy": "DenyAll"},
        }
        out = []
        for name, params in classes.items():
            out.append(k8s.storage.v1.StorageClass(
                name,
                metadata={"name": name, "labels": owned_labels()},
                parameters=params, **common,
                opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
            ))
        return out

