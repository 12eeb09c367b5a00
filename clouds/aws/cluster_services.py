"""In-cluster services the AWS foundation owns, each with its own IRSA role:

- External Secrets Operator (pinned chart) + a `ClusterSecretStore` on Secrets Manager, and the
  `ClusterExternalSecret` that syncs the RDS-managed master secret into
  `data-storage/postgres-admin` (keys `username`/`password`) — the Foundation's
  `ManagedDatabase.admin_secret`.
- The platform's secrets in Secrets Manager (`write_secret`, the Foundation's `SecretStore.write`):
  one secret per Kubernetes Secret under `<stack>/data-platform/`, encrypted with its own KMS key;
  ESO may only read that prefix and decrypt with that key.
- AWS Load Balancer Controller (pinned chart): provisions the NLB in front of the edge (Traefik)
  from the Service annotations in `Foundation.edge` (and ALBs for `alb` Ingresses).
- cluster-autoscaler (pinned chart, image matching the Kubernetes minor): discovers the managed
  node group's ASG by its `k8s.io/cluster-autoscaler/*` tags and scales it between min and max.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pulumi
import pulumi_aws.iam as iam
import pulumi_aws.secretsmanager as secretsmanager
import pulumi_kubernetes as k8s

from foundation import SECRET_NAMESPACES
from kube import external_secrets, helm
from kube.charts import chart
from kube.external_secrets import DB_ADMIN_SECRET

from .common import IRSA_ANNOTATION, Context, irsa_trust, policy, tags
from .keys import kms_key

COMPONENT = "cluster-services"
SECRETS_COMPONENT = "platform-secrets"
LBC_SA = "aws-load-balancer-controller"
CA_SA = "cluster-autoscaler"
SECRET_STORE = "aws-secrets-manager"
LBC_POLICY = json.loads((Path(__file__).parent / "policies" / "aws-load-balancer-controller.json").read_text())


def lbc_policy(partition: str) -> str:
    return json.dumps(LBC_POLICY, sort_keys=True).replace("arn:aws:", f"arn:{partition}:")


def nlb_annotations(scheme: str) -> dict[str, str]:
    """Service annotations that make the AWS Load Balancer Controller front a Service with an NLB."""
    return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
        "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
    }


def release(name: str, namespace: pulumi.Input[str], values: dict, provider: k8s.Provider, parent: pulumi.Resource, depends_on: list) -> k8s.helm.v3.Release:
    return helm.release(name, chart=chart(name), namespace=namespace, values=values,
                        provider=provider, parent=parent, depends_on=depends_on)


@dataclass(frozen=True)
class ClusterServicesArgs:
    ctx: Context
    provider: k8s.Provider
    cluster_name: pulumi.Input[str]
    cluster_name_plain: str
    vpc_id: pulumi.Input[str]
    oidc_provider_arn: pulumi.Input[str]
    oidc_issuer: pulumi.Input[str]
    secret_prefix: str
    """Secrets Manager names the platform may read/write through External Secrets."""
    db_master_secret_arn: Optional[pulumi.Input[str]] = None
    db_key_arn: Optional[pulumi.Input[str]] = None
    autoscaler_image: str = ""
    cluster_autoscaler: bool = True
    secret_namespaces: tuple[str, ...] = SECRET_NAMESPACES
    """Namespaces allowed to use the ClusterSecretStore."""
    depends_on: tuple = ()


class ClusterServices(pulumi.ComponentResource):
    secret_store_name: str
    db_admin_secret: Optional[str]
    ready: list[pulumi.Resource]
    db_ready: list[pulumi.Resource]

    def __init__(self, name: str, args: ClusterServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:ClusterServices", name, None, opts)
        ctx, p = args.ctx, args.ctx.prefix
        deps = list(args.depends_on)

        def irsa_role(app: str, namespace: str, sa: str, statements_or_doc) -> iam.Role:
            rname = f"{p}-{app}"
            role = iam.Role(rname, name=rname, assume_role_policy=irsa_trust(args.oidc_provider_arn, args.oidc_issuer, namespace, [sa]), tags=tags(COMPONENT, rname), opts=ctx.opts(self))
            doc = statements_or_doc if isinstance(statements_or_doc, str) else policy(statements_or_doc)
            iam.RolePolicy(rname, role=role.id, policy=doc, opts=ctx.opts(self))
            return role

        # --- the platform's secrets: Secrets Manager under the prefix, one KMS key ---
        self._ctx, self._prefix = ctx, args.secret_prefix
        self.secrets_key = kms_key(ctx, self, "platform-secrets", f"{p} platform secrets in Secrets Manager", SECRETS_COMPONENT)

        # --- External Secrets Operator ---
        # Read-only: Pulumi writes the platform's secrets, the operator only syncs them.
        prefix_arn = ctx.arn("secretsmanager", f"secret:{args.secret_prefix}*")
        via_secrets_manager = {"StringEquals": {"kms:ViaService": f"secretsmanager.{ctx.region}.amazonaws.com"}}
        eso_statements: list[dict] = [
            {
                "Sid": "ReadPlatformSecrets",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"],
                "Resource": [prefix_arn] + ([args.db_master_secret_arn] if args.db_master_secret_arn is not None else []),
            },
            {"Sid": "DecryptPlatformSecrets", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": self.secrets_key.arn, "Condition": via_secrets_manager},
        ]
        if args.db_key_arn is not None:
            eso_statements.append({"Sid": "DecryptDatabaseSecret", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": args.db_key_arn})
        eso_role = irsa_role("external-secrets", external_secrets.NAMESPACE, external_secrets.SERVICE_ACCOUNT, eso_statements)
        self.secret_store_name = SECRET_STORE
        eso, store = external_secrets.install_operator(
            self, args.provider, environment=ctx.environment, store_name=SECRET_STORE,
            store_provider={"aws": {"service": "SecretsManager", "region": ctx.region}},
            secret_namespaces=args.secret_namespaces, sa_annotations={IRSA_ANNOTATION: eso_role.arn}, depends_on=deps,
        )
        self.db_admin_secret = None
        self.db_ready: list[pulumi.Resource] = []
        if args.db_master_secret_arn is not None:
            self.db_admin_secret = DB_ADMIN_SECRET
            arn = args.db_master_secret_arn
            self.db_ready = [external_secrets.database_admin_secret(
                self, args.provider, store_name=SECRET_STORE,
                refresh_interval="15m",  # RDS rotates the managed master password (every 7 days by default).
                source={"data": [{"secretKey": k, "remoteRef": {"key": arn, "property": k}} for k in ("username", "password")]},
                depends_on=[store],
            )]

        # --- AWS Load Balancer Controller ---
        lbc_role = irsa_role("aws-load-balancer-controller", "kube-system", LBC_SA, lbc_policy(ctx.partition))
        lbc = release(
            "aws-load-balancer-controller",
            "kube-system",
            {
                "clusterName": args.cluster_name,
                "region": ctx.region,
                "vpcId": args.vpc_id,
                "replicaCount": 2,
                "serviceAccount": {"create": True, "name": LBC_SA, "annotations": {IRSA_ANNOTATION: lbc_role.arn}},
                "defaultTags": {"project": "data-platform", "stack": p, "component": "ingress", "managed-by": "pulumi"},
            },
            args.provider,
            self,
            deps,
        )
        self.ready = [eso, store, lbc]
        self.secret_store_ready: list[pulumi.Resource] = [eso, store]

        # --- cluster-autoscaler ---
        if args.cluster_autoscaler:
            owned = f"aws:ResourceTag/k8s.io/cluster-autoscaler/{args.cluster_name_plain}"
            ca_role = irsa_role(
                "cluster-autoscaler",
                "kube-system",
                CA_SA,
                [
                    {
                        "Sid": "Discover",
                        "Effect": "Allow",
                        "Action": [
                            "autoscaling:DescribeAutoScalingGroups",
                            "autoscaling:DescribeAutoScalingInstances",
                            "autoscaling:DescribeLaunchConfigurations",
                            "autoscaling:DescribeScalingActivities",
                            "autoscaling:DescribeTags",
                            "ec2:DescribeImages",
                            "ec2:DescribeInstanceTypes",
                            "ec2:DescribeLaunchTemplateVersions",
                            "ec2:GetInstanceTypesFromInstanceRequirements",
                        ],
                        "Resource": "*",
                    },
                    {"Sid": "DescribeOwnNodegroups", "Effect": "Allow", "Action": ["eks:DescribeNodegroup"], "Resource": ctx.arn("eks", f"nodegroup/{args.cluster_name_plain}/*")},
                    {
                        "Sid": "ScaleOwnGroups",
                        "Effect": "Allow",
                        "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                        "Resource": "*",
                        "Condition": {"StringEquals": {owned: "owned"}},
                    },
                ],
            )
            self.autoscaler = release(
                "cluster-autoscaler",
                "kube-system",
                {
                    "cloudProvider": "aws",
                    "awsRegion": ctx.region,
                    "autoDiscovery": {"clusterName": args.cluster_name},
                    "image": {"tag": args.autoscaler_image},
                    "rbac": {"serviceAccount": {"create": True, "name": CA_SA, "annotations": {IRSA_ANNOTATION: ca_role.arn}}},
                    "extraArgs": {"balance-similar-node-groups": True, "skip-nodes-with-system-pods": False, "expander": "least-waste"},
                    "replicaCount": 1,
                },
                args.provider,
                self,
                deps,
            )
        self.register_outputs({"secretStore": SECRET_STORE, "dbAdminSecret": self.db_admin_secret})

    def write_secret(self, key: str, values: Mapping[str, pulumi.Input[str]], opts: pulumi.ResourceOptions) -> pulumi.Resource:
        """`SecretStore.write`: the JSON object `values` as the Secrets Manager secret
        `<prefix><key>`, KMS-encrypted; returns the version an ExternalSecret must wait for."""
        ctx = self._ctx
        name = self._prefix + key
        rname = f"{ctx.prefix}-secret-" + key.replace("/", "-")
        aws_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=ctx.provider))
        sm = secretsmanager.Secret(
            rname,
            name=name,
            description=f"data-platform: Kubernetes Secret {key} (generated by Pulumi, synced by External Secrets)",
            kms_key_id=self.secrets_key.arn,
            # prod keeps a deleted secret restorable for 30 days; elsewhere a destroy frees the name at once.
            recovery_window_in_days=30 if ctx.environment in ("prod", "dr") else 0,
            tags=tags(SECRETS_COMPONENT, name, {"kubernetes-secret": key}),
            opts=aws_opts,
        )
        document: pulumi.Output[str] = pulumi.Output.secret(pulumi.Output.json_dumps(pulumi.Output.from_input(dict(values)), sort_keys=True))
        version = secretsmanager.SecretVersion(
            rname,
            secret_id=sm.id,
            secret_string=document,
            opts=pulumi.ResourceOptions.merge(aws_opts, pulumi.ResourceOptions(depends_on=[sm])),
        )
        return version
