"""Every AWS resource carries the required tags (its own or the provider's default tags) and every
Kubernetes object the required labels: cost reports, ownership and clean-up depend on them."""

from __future__ import annotations

from collections.abc import Iterator

from .model import ADVISORY, MANDATORY, UNKNOWN, Context, Resource, as_json, resource_rule, token

# AWS types that take `tags`, for the ones registered without any (a resource with a `tags`
# input is checked whatever its type).
TAGGABLE = {
    "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/eip:Eip",
    "aws:ec2/natGateway:NatGateway", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/routeTable:RouteTable",
    "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/flowLog:FlowLog",
    "aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:eks/addon:Addon", "aws:iam/role:Role",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:kms/key:Key", "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster", "aws:rds/parameterGroup:ParameterGroup", "aws:rds/subnetGroup:SubnetGroup",
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:secretsmanager/secret:Secret",
    "aws:cloudwatch/logGroup:LogGroup", "aws:ecr/repository:Repository", "aws:ebs/volume:Volume",
    "aws:efs/fileSystem:FileSystem", "aws:lb/loadBalancer:LoadBalancer", "aws:backup/vault:Vault",
}
DEFAULT_TAGS = ["project", "stack", "environment", "component", "managed-by"]
DEFAULT_LABELS = ["app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"]
NOT_OBJECTS = ("kubernetes:helm.sh/", "kubernetes:yaml/", "kubernetes:kustomize/")


def effective_tags(r: Resource) -> dict | None:
    """The provider's default tags overlaid by the resource's own; None while unknown."""
    own = r.props.get("tags")
    if own == UNKNOWN:
        return None
    defaults = (as_json(r.provider_props.get("defaultTags")) or {}).get("tags") or {}
    return {**defaults, **(own or {})}


@resource_rule(
    "aws-required-tags", "AWS resources carry the required tags (own tags or the provider's defaultTags).", MANDATORY,
    "Cost allocation, ownership and orphan clean-up all key on tags; the provider's defaultTags make this free.",
    properties={"tags": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_TAGS, "description": "Tag keys every AWS resource needs."}},
)
def aws_required_tags(r: Resource, ctx: Context) -> Iterator[str]:
    if not r.type.startswith("aws:") or (r.type not in TAGGABLE and "tags" not in r.props):
        return
    tags = effective_tags(r)
    if tags is None:
        return
    missing = [t for t in ctx.config.get("tags", DEFAULT_TAGS) if t not in tags]
    if missing:
        yield f"{token(r.type)} {r.name}: missing tags {', '.join(missing)}"


@resource_rule(
    "kubernetes-labels", "Kubernetes objects carry the required labels.", ADVISORY,
    "Labels say which stack owns an object (`kubectl get -l`), and the NetworkPolicies and dashboards select on them. "
    "Advisory: a few cluster-scoped objects (ClusterIssuers, StorageClasses) don't carry part-of yet.",
    properties={"labels": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_LABELS, "description": "Label keys every object needs."}},
)
def kubernetes_labels(r: Resource, ctx: Context) -> Iterator[str]:
    if not r.type.startswith("kubernetes:") or r.type.startswith(NOT_OBJECTS) or "metadata" not in r.props:
        return
    labels = (r.props.get("metadata") or {}).get("labels")
    if labels == UNKNOWN:
        return
    missing = [k for k in ctx.config.get("labels", DEFAULT_LABELS) if k not in (labels or {})]
    if missing:
        yield f"{token(r.type)} {r.name}: missing labels {', '.join(missing)}"
