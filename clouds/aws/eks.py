"""EKS: the control plane, the managed node group, IRSA, the core add-ons, the seed's StorageClasses
and the Kubernetes provider every workload uses.

- `aws.eks.Cluster` (not the pulumi-eks component): API endpoint private, public only when
  configured and then limited to CIDRs; secrets envelope-encrypted with a customer KMS key;
  control-plane logs to a log group created first with a retention; access entries
  (`authenticationMode: API`), the identity running Pulumi is cluster admin.
- Managed node group (the seed's m5.2xlarge 3/10/5 in prod) from a launch template that
  requires IMDSv2 (hop limit 2 so pods using the node role still work through the VPC CNI, as
  the EKS AMIs default) and encrypts the gp3 root volume. `desiredSize` is ignored after
  creation: the cluster-autoscaler owns it.
- Optional Spot node group (`aws.spotNodes`, on in staging): several instance types, tainted
  `data-platform/interruptible=true:NoSchedule` and labelled `data-platform/node-pool:
  interruptible` (Foundation.interruptible), for Airbyte connector jobs and optionally Dremio
  executors; off by default in prod.
- IRSA: the cluster's OIDC issuer as an IAM OIDC provider.
- Add-ons pinned per Kubernetes minor (versions.py): vpc-cni (with its network policy agent on,
  so the platform's NetworkPolicies are enforced) and kube-proxy before the nodes, coredns and
  aws-ebs-csi-driver (with its IRSA role) after.
- StorageClasses `fast-ssd` (gp3, 3000 IOPS, 125 MiB/s) and `standard` (gp3 baseline, the
  default class): EBS CSI, encrypted with the EBS KMS key, WaitForFirstConsumer, expandable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws.ec2 as ec2
import pulumi_aws.eks as eks
import pulumi_aws.iam as iam
import pulumi_kubernetes as k8s

from foundation import InterruptiblePool
from kube import owned_labels

from .common import IRSA_ANNOTATION, Context, irsa_trust, policy, service_trust, tags
from .keys import kms_key
from .log_groups import log_group

COMPONENT = "eks"
# Kubernetes taint effect -> the EKS API's spelling.
_EKS_TAINT_EFFECT = {"NoSchedule": "NO_SCHEDULE", "NoExecute": "NO_EXECUTE", "PreferNoSchedule": "PREFER_NO_SCHEDULE"}
EBS_CSI_SA = ("kube-system", "ebs-csi-controller-sa")
CNI_SA = ("kube-system", "aws-node")
FAST_SSD = "fast-ssd"
STANDARD = "standard"


@dataclass(frozen=True)
class SpotNodes:
    """The interruptible node group: Spot capacity over several instance types, tainted and
    labelled as `pool` describes so only pods that tolerate it run there."""

    instance_types: tuple[str, ...]
    min_size: int
    max_size: int
    desired_size: int
    pool: InterruptiblePool = field(default_factory=InterruptiblePool)


@dataclass(frozen=True)
class EksArgs:
    ctx: Context
    name: str
    version: str
    node_subnet_ids: list
    addon_versions: dict
    endpoint_public_access: bool
    public_access_cidrs: tuple[str, ...]
    admin_principal_arns: tuple[str, ...]
    log_types: tuple[str, ...]
    log_retention_days: int
    instance_types: tuple[str, ...]
    capacity_type: str
    min_size: int
    max_size: int
    desired_size: int
    disk_size_gb: int
    network_policies: bool
    """Turn on the VPC CNI's network policy agent: without it EKS ignores NetworkPolicies."""
    node_labels: dict = field(default_factory=dict)
    spot: Optional[SpotNodes] = None
    """A second managed node group of Spot instances for interruptible work (None: none)."""


def kubeconfig(name: str, endpoint: str, ca: str, region: str) -> str:
    """A kubeconfig that authenticates with `aws eks get-token` (no credential inside)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["eks", "get-token", "--cluster-name", name, "--region", region, "--output", "json"],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        },
        indent=2,
    )


class EksCluster(pulumi.ComponentResource):
    cluster: eks.Cluster
    provider: k8s.Provider
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: EksArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:EksCluster", name, None, opts)
        ctx, n = args.ctx, args.name
        o = lambda **kw: ctx.opts(self, **kw)  # noqa: E731
        part = ctx.partition

        self.secrets_key = kms_key(ctx, self, "eks-secrets", f"{n}: envelope encryption of Kubernetes secrets", COMPONENT)
        self.ebs_key = kms_key(ctx, self, "ebs", f"{n}: EBS volumes of the fast-ssd/standard StorageClasses", COMPONENT)

        # Control plane role + the KMS use EKS needs for secrets encryption.
        role = iam.Role(f"{n}-cluster", assume_role_policy=service_trust("eks.amazonaws.com"), tags=tags(COMPONENT, f"{n}-cluster"), opts=o())
        cluster_policy = iam.RolePolicyAttachment(f"{n}-cluster-policy", role=role.name, policy_arn=f"arn:{part}:iam::aws:policy/AmazonEKSClusterPolicy", opts=o())
        cluster_kms = iam.RolePolicy(
            f"{n}-cluster-kms",
            role=role.id,
            policy=policy([{"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], "Resource": self.secrets_key.arn}]),
            opts=o(),
        )
        # EKS writes control-plane logs to this exact name; created first so it has a retention.
        control_plane_logs = log_group(ctx, self, f"{n}-control-plane", f"/aws/eks/{n}/cluster", args.log_retention_days, COMPONENT)

        self.cluster = eks.Cluster(
            n,
            name=n,
            version=args.version,
            role_arn=role.arn,
            vpc_config={
                "subnet_ids": args.node_subnet_ids,
                "endpoint_private_access": True,
                "endpoint_public_access": args.endpoint_public_access,
                "public_access_cidrs": list(args.public_access_cidrs) if args.endpoint_public_access else None,
            },
            access_config={"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": True},
            encryption_config={"provider": {"key_arn": self.secrets_key.arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(args.log_types),
            deletion_protection=ctx.protect,
            upgrade_policy={"support_type": "STANDARD"},
            tags=tags(COMPONENT, n),
            # The role's permissions exist before the cluster and outlive it (EKS needs them to
            # delete its ENIs); the log group exists first so it keeps its retention.
            opts=o(stateful=True, depends_on=[control_plane_logs, cluster_policy, cluster_kms]),
        )
        self.cluster_security_group_id = self.cluster.vpc_config.cluster_security_group_id

        for i, arn in enumerate(args.admin_principal_arns):
            entry = eks.AccessEntry(f"{n}-admin-{i}", cluster_name=self.cluster.name, principal_arn=arn, type="STANDARD", opts=o())
            eks.AccessPolicyAssociation(
                f"{n}-admin-{i}",
                cluster_name=self.cluster.name,
                principal_arn=arn,
                policy_arn=f"arn:{part}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                access_scope={"type": "cluster"},
                opts=o(depends_on=[entry]),
            )

        # IRSA: the cluster's OIDC issuer as an IAM identity provider.
        self.oidc_issuer = self.cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)
        oidc = iam.OpenIdConnectProvider(f"{n}-oidc", url=self.oidc_issuer, client_id_lists=["sts.amazonaws.com"], tags=tags(COMPONENT, f"{n}-oidc"), opts=o())
        self.oidc_provider_arn = oidc.arn

        # Nodes: role, launch template (IMDSv2, encrypted gp3 root), managed node group.
        node_role = iam.Role(f"{n}-nodes", assume_role_policy=service_trust("ec2.amazonaws.com"), tags=tags(COMPONENT, f"{n}-nodes"), opts=o())
        node_policies = []
        # No AmazonEKS_CNI_Policy here: the VPC CNI gets it through its own IRSA role, so a pod
        # that reaches the node's metadata endpoint cannot rewire the node's network interfaces.
        for short in ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"):
            node_policies.append(iam.RolePolicyAttachment(f"{n}-nodes-{short}", role=node_role.name, policy_arn=f"arn:{part}:iam::aws:policy/{short}", opts=o()))
        node_tags = tags(COMPONENT, f"{n}-node")
        template = ec2.LaunchTemplate(
            f"{n}-nodes",
            name_prefix=f"{n}-nodes-",
            description=f"{n} managed nodes: IMDSv2 required, encrypted gp3 root volume",
            metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 2, "instance_metadata_tags": "disabled"},
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {"volume_size": args.disk_size_gb, "volume_type": "gp3", "encrypted": "true", "delete_on_termination": "true"},
                }
            ],
            monitoring={"enabled": True},
            tag_specifications=[{"resource_type": "instance", "tags": node_tags}, {"resource_type": "volume", "tags": node_tags}],
            update_default_version=True,
            tags=tags(COMPONENT, f"{n}-nodes"),
            opts=o(),
        )

        addon = lambda addon_name, **kw: eks.Addon(  # noqa: E731
            f"{n}-{addon_name}",
            cluster_name=self.cluster.name,
            addon_name=addon_name,
            addon_version=args.addon_versions[addon_name],
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            tags=tags(COMPONENT, f"{n}-{addon_name}"),
            **kw,
        )
        cni_role = iam.Role(
            f"{n}-vpc-cni",
            assume_role_policy=irsa_trust(self.oidc_provider_arn, self.oidc_issuer, CNI_SA[0], [CNI_SA[1]]),
            tags=tags(COMPONENT, f"{n}-vpc-cni"),
            opts=o(),
        )
        cni_attach = iam.RolePolicyAttachment(f"{n}-vpc-cni", role=cni_role.name, policy_arn=f"arn:{part}:iam::aws:policy/AmazonEKS_CNI_Policy", opts=o())
        vpc_cni = addon(
            "vpc-cni",
            service_account_role_arn=cni_role.arn,
            configuration_values=json.dumps({"enableNetworkPolicy": "true" if args.network_policies else "false"}),
            opts=o(depends_on=[cni_attach]),
        )
        kube_proxy = addon("kube-proxy", opts=o())

        def node_group(pool: str, instance_types: Sequence[str], capacity_type: str, min_size: int, max_size: int,
                       desired_size: int, labels: Mapping[str, str], **extra: Any) -> eks.NodeGroup:
            """A managed node group of the cluster: the shared node role, subnets and launch template
            (IMDSv2, encrypted root); the autoscaler owns its size once created."""
            # Managed node groups tag their ASG with these for cluster-autoscaler auto-discovery;
            # written here too so the intent is visible on the node group.
            return eks.NodeGroup(
                f"{n}-{pool}",
                cluster_name=self.cluster.name,
                node_group_name_prefix=f"{n}-{pool}-",
                node_role_arn=node_role.arn,
                subnet_ids=args.node_subnet_ids,
                ami_type="AL2023_x86_64_STANDARD",
                instance_types=list(instance_types),
                capacity_type=capacity_type,
                scaling_config={"min_size": min_size, "max_size": max_size, "desired_size": desired_size},
                update_config={"max_unavailable_percentage": 33},
                launch_template={"id": template.id, "version": template.latest_version.apply(str)},
                labels={"data-platform/node-group": pool, **labels},
                **extra,
                tags=tags(COMPONENT, f"{n}-{pool}", {"k8s.io/cluster-autoscaler/enabled": "true", f"k8s.io/cluster-autoscaler/{n}": "owned"}),
                opts=o(depends_on=[*node_policies, vpc_cni, kube_proxy], ignore_changes=["scalingConfig.desiredSize"]),
            )

        self.node_group = node_group("general", args.instance_types, args.capacity_type, args.min_size, args.max_size,
                                     args.desired_size, args.node_labels)

        self.spot_node_group = None
        self.interruptible: Optional[InterruptiblePool] = args.spot.pool if args.spot else None
        if args.spot is not None:
            sp = args.spot
            # EKS spreads Spot capacity over the instance types (capacity-optimized). The
            # cluster-autoscaler reads the group's labels and taint through eks:DescribeNodegroup,
            # so it can scale it up from 0 for a pending pod that tolerates the taint.
            self.spot_node_group = node_group(
                "interruptible", sp.instance_types, "SPOT", sp.min_size, sp.max_size, sp.desired_size,
                {**sp.pool.node_labels, **args.node_labels},
                taints=[{"key": sp.pool.taint_key, "value": sp.pool.taint_value, "effect": _EKS_TAINT_EFFECT[sp.pool.taint_effect]}],
            )

        coredns = addon("coredns", opts=o(depends_on=[self.node_group]))
        # The EBS CSI controller's IRSA role: AWS's managed policy + the EBS key.
        ebs_role = iam.Role(
            f"{n}-ebs-csi",
            assume_role_policy=irsa_trust(self.oidc_provider_arn, self.oidc_issuer, EBS_CSI_SA[0], [EBS_CSI_SA[1]]),
            tags=tags(COMPONENT, f"{n}-ebs-csi"),
            opts=o(),
        )
        ebs_attach = iam.RolePolicyAttachment(f"{n}-ebs-csi", role=ebs_role.name, policy_arn=f"arn:{part}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy", opts=o())
        ebs_kms = iam.RolePolicy(
            f"{n}-ebs-csi-kms",
            role=ebs_role.id,
            policy=policy(
                [
                    {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": self.ebs_key.arn},
                    {
                        "Effect": "Allow",
                        "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                        "Resource": self.ebs_key.arn,
                        "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                    },
                ]
            ),
            opts=o(),
        )
        ebs_csi = addon("aws-ebs-csi-driver", service_account_role_arn=ebs_role.arn, opts=o(depends_on=[self.node_group, ebs_attach, ebs_kms]))

        self.kubeconfig = pulumi.Output.all(self.cluster.name, self.cluster.endpoint, self.cluster.certificate_authority.data).apply(
            lambda a: kubeconfig(a[0], a[1], a[2], ctx.region)
        )
        self.provider = k8s.Provider(f"{n}-k8s", kubeconfig=self.kubeconfig, enable_server_side_apply=True, opts=pulumi.ResourceOptions(parent=self))

        k8s_opts = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[ebs_csi])
        sc_common = {
            "provisioner": "ebs.csi.aws.com",
            "volume_binding_mode": "WaitForFirstConsumer",
            "allow_volume_expansion": True,
            "reclaim_policy": "Delete",
        }
        key_arn = self.ebs_key.arn
        self.fast_ssd = k8s.storage.v1.StorageClass(
            FAST_SSD,
            metadata={"name": FAST_SSD, "labels": owned_labels()},
            parameters={"type": "gp3", "iops": "3000", "throughput": "125", "fsType": "ext4", "encrypted": "true", "kmsKeyId": key_arn},
            **sc_common,
            opts=k8s_opts,
        )
        # gp3 at its baseline (3000 IOPS, 125 MiB/s) is cheaper than the seed's gp2 and never slower.
        self.standard = k8s.storage.v1.StorageClass(
            STANDARD,
            metadata={
                "name": STANDARD,
                "labels": owned_labels(),
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            parameters={"type": "gp3", "fsType": "ext4", "encrypted": "true", "kmsKeyId": key_arn},
            **sc_common,
            opts=k8s_opts,
        )
        # Not the Spot group: nothing is deployed onto it, and a Spot shortage must not hold the platform up.
        self.ready = [self.node_group, vpc_cni, kube_proxy, coredns, ebs_csi, self.fast_ssd, self.standard]
        self.irsa_annotation = IRSA_ANNOTATION
        self.register_outputs(
            {
                "clusterName": self.cluster.name,
                "endpoint": self.cluster.endpoint,
                "oidcProviderArn": self.oidc_provider_arn,
                "kubeconfig": self.kubeconfig,
                "nodeGroup": self.node_group.node_group_name,
            }
        )
