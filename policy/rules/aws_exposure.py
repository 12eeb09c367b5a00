"""Nothing reachable from the internet that holds data or runs the platform: database, cluster API,
buckets, registry, and resource policies that grant `*`; plus the registry's image hygiene."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence

from .model import ADVISORY, MANDATORY, UNKNOWN, Context, Resource, Violation, as_json, by_type, is_true, known, resource_rule, stack_rule

RDS = ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance")
CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
ACCOUNT_PUBLIC_ACCESS_BLOCK = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
BLOCK_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
BUCKET_ACLS = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")
PUBLIC_CANNED_ACLS = {"public-read", "public-read-write", "authenticated-read"}
PUBLIC_GRANTEES = ("http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")
# Inputs holding an IAM resource policy (a JSON document) that could open a resource to anyone.
RESOURCE_POLICIES = {
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
}


@resource_rule(
    "no-public-database", "Managed databases are not publicly accessible.", MANDATORY,
    "A database with a public endpoint is one leaked password away from the internet; the platform reaches it from the VPC only.",
)
def no_public_database(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type in RDS and is_true(r.props.get("publiclyAccessible")):
        yield f"{r.name}: publiclyAccessible is true; set it to false (the platform reaches the database from the VPC)"
    if r.type == CLOUD_SQL:
        ip = ((r.props.get("settings") or {}).get("ipConfiguration") or {})
        if ip.get("ipv4Enabled") is None or is_true(ip.get("ipv4Enabled")):  # Cloud SQL's default is a public IP
            yield f"{r.name}: settings.ipConfiguration.ipv4Enabled is not false; set it to false (private IP only, from the VPC)"


def _open_cidr(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


@resource_rule(
    "eks-private-endpoint", "The EKS API endpoint is private, or public only to listed CIDRs.", MANDATORY,
    "The Kubernetes API is the keys to every workload; AWS opens it to 0.0.0.0/0 by default.",
)
def eks_private_endpoint(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type != "aws:eks/cluster:Cluster":
        return
    vpc = r.props.get("vpcConfig") or {}
    public = vpc.get("endpointPublicAccess")
    if public is None or is_true(public):  # the API's default is public
        cidrs = vpc.get("publicAccessCidrs")
        if not known(cidrs) and cidrs is not None:
            return
        if not cidrs or any(_open_cidr(c) for c in cidrs if isinstance(c, str)):
            yield (f"{r.name}: the public API endpoint is open to the internet (publicAccessCidrs {cidrs or 'unset = 0.0.0.0/0'}); "
                   "set vpcConfig.endpointPublicAccess false, or list the CIDRs allowed")


def targets(r: Resource, prop: str, candidates: Sequence[Resource]) -> list[Resource]:
    """The buckets `r.props[prop]` points at: by recorded property dependency (the input was
    computed from that bucket), else by the bucket's name."""
    urns = set(r.property_dependencies.get(prop) or ())
    value = r.props.get(prop)
    return [c for c in candidates if c.urn in urns or (known(value) and value == c.props.get("bucket"))]


@stack_rule(
    "s3-block-public-access", "Every bucket has a public access block with all four settings true.", MANDATORY,
    "Block Public Access is the one setting that overrides any ACL or bucket policy that would make objects public.",
)
def s3_block_public_access(resources: Sequence[Resource], ctx: Context) -> Iterator[Violation]:
    account = [a for a in by_type(resources, ACCOUNT_PUBLIC_ACCESS_BLOCK) if all(is_true(a.props.get(f)) for f in BLOCK_FLAGS)]
    blocks = by_type(resources, PUBLIC_ACCESS_BLOCK)
    for b in blocks:
        off = [f for f in BLOCK_FLAGS if b.props.get(f) != UNKNOWN and not is_true(b.props.get(f))]  # unset = false
        if off:
            yield Violation(f"{b.name}: {', '.join(off)} must be true", b.urn)
    if account:
        return
    buckets = by_type(resources, *BUCKETS)
    covered = {t.urn for b in blocks for t in targets(b, "bucket", buckets)}
    for bucket in buckets:
        if bucket.urn not in covered:
            yield Violation(f"{bucket.name}: no BucketPublicAccessBlock for this bucket", bucket.urn)


@resource_rule(
    "s3-no-public-acl", "No bucket ACL grants access to everyone or to any AWS account.", MANDATORY,
    "Canned ACLs public-read/public-read-write/authenticated-read and AllUsers grants publish the data lake.",
)
def s3_no_public_acl(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type not in BUCKETS + BUCKET_ACLS:
        return
    if r.props.get("acl") in PUBLIC_CANNED_ACLS:
        yield f"{r.name}: acl {r.props['acl']} is public; use BucketOwnershipControls BucketOwnerEnforced and no ACL"
    policy = r.props.get("accessControlPolicy") or {}
    grants = (policy.get("grants") if isinstance(policy, dict) else None) or r.props.get("grants") or []
    for g in grants if isinstance(grants, list) else []:
        uri = ((g or {}).get("grantee") or {}).get("uri") or (g or {}).get("uri")
        if uri in PUBLIC_GRANTEES:
            yield f"{r.name}: grant to {uri.rsplit('/', 1)[-1]}"


def statements(document: object) -> list[dict]:
    doc = as_json(document)
    if not isinstance(doc, dict):
        return []
    st = doc.get("Statement") or []
    return [s for s in (st if isinstance(st, list) else [st]) if isinstance(s, dict)]


def _anyone(principal: object) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


@resource_rule(
    "no-public-resource-policy", "No resource policy (bucket, registry, secret, key, queue, topic) allows `*` without a condition.", MANDATORY,
    "An Allow to Principal `*` with no Condition makes the bucket, registry, secret or key readable by any AWS account.",
)
def no_public_resource_policy(r: Resource, ctx: Context) -> Iterator[str]:
    prop = RESOURCE_POLICIES.get(r.type)
    if not prop:
        return
    for s in statements(r.props.get(prop)):
        if s.get("Effect") == "Allow" and _anyone(s.get("Principal")) and not s.get("Condition"):
            yield f"{r.name}: statement {s.get('Sid') or '(no Sid)'} allows Principal * with no Condition"


@resource_rule(
    "ecr-not-public", "Container images live in a private registry.", MANDATORY,
    "A public ECR repository publishes the platform's images (and whatever was baked into them) to the world.",
)
def ecr_not_public(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type == "aws:ecrpublic/repository:Repository":
        yield f"{r.name}: ECR Public repository; use a private aws:ecr Repository"


@resource_rule(
    "ecr-scan-and-immutable-tags", "ECR repositories scan images on push and have immutable tags.", ADVISORY,
    "Immutable tags make a pinned tag mean one image forever; scan on push reports known CVEs before the image runs. "
    "Advisory: some teams scan in CI or with Inspector instead.",
)
def ecr_scan_and_immutable_tags(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type != "aws:ecr/repository:Repository":
        return
    scan = (r.props.get("imageScanningConfiguration") or {}).get("scanOnPush")
    if scan != UNKNOWN and not is_true(scan):
        yield f"{r.name}: imageScanningConfiguration.scanOnPush is not true"
    mutability = r.props.get("imageTagMutability")
    if mutability != UNKNOWN and not str(mutability or "MUTABLE").startswith("IMMUTABLE"):
        yield f"{r.name}: imageTagMutability is {mutability or 'MUTABLE (default)'}; use IMMUTABLE"
