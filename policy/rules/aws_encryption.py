"""Encryption at rest with a customer-managed KMS key wherever AWS offers one, and TLS-only buckets.

"Customer key" means a key ARN/id is given: without one AWS uses its own managed key (aws/rds,
aws/s3, ...), whose policy the platform team cannot restrict or audit per stack.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .aws_exposure import BUCKETS, statements, targets
from .model import ADVISORY, MANDATORY, UNKNOWN, Context, Resource, Violation, by_type, is_false, is_true, known, resource_rule, stack_rule

SSE_CONFIG = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
              "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
BUCKET_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


@resource_rule(
    "rds-encrypted-customer-key", "RDS storage is encrypted with a customer-managed KMS key.", MANDATORY,
    "Unencrypted RDS storage can't be encrypted later without a restore; a customer key keeps snapshot sharing and key access under the stack's control.",
)
def rds_encrypted(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type not in ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster"):
        return
    if r.type == "aws:rds/instance:Instance" and known(r.props.get("replicateSourceDb")):
        return  # a read replica inherits its source's encryption
    if not is_true(r.props.get("storageEncrypted")) and r.props.get("storageEncrypted") != UNKNOWN:
        yield f"{r.name}: storageEncrypted is not true"
    if not r.props.get("kmsKeyId"):
        yield f"{r.name}: no kmsKeyId (AWS would use its managed aws/rds key)"


@resource_rule(
    "eks-secrets-encrypted", "EKS envelope-encrypts Kubernetes Secrets with a customer-managed KMS key.", MANDATORY,
    "Without encryptionConfig, Secrets sit in etcd encrypted only by AWS's disk encryption.",
)
def eks_secrets_encrypted(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type != "aws:eks/cluster:Cluster":
        return
    configs = r.props.get("encryptionConfig") or []
    configs = configs if isinstance(configs, list) else [configs]
    ok = any("secrets" in (c.get("resources") or []) and (c.get("provider") or {}).get("keyArn") for c in configs if isinstance(c, dict))
    if not ok and r.props.get("encryptionConfig") != UNKNOWN:
        yield f"{r.name}: encryptionConfig with resources [secrets] and provider.keyArn is missing"


@stack_rule(
    "s3-encrypted-customer-key", "Buckets use SSE-KMS with a customer-managed key (access-log target buckets: SSE-S3, the only option AWS allows there).", MANDATORY,
    "SSE-KMS with the stack's key makes reading an object need both S3 and KMS permissions; server access logging can only deliver to SSE-S3 buckets, so those are exempt.",
)
def s3_encrypted(resources: Sequence[Resource], ctx: Context) -> Iterator[Violation]:
    buckets = by_type(resources, *BUCKETS)
    log_targets = {t.urn for lg in by_type(resources, *BUCKET_LOGGING) for t in targets(lg, "targetBucket", buckets)}
    configs = by_type(resources, *SSE_CONFIG)
    for bucket in buckets:
        mine = [c for c in configs if targets(c, "bucket", [bucket])]
        inline = bucket.props.get("serverSideEncryptionConfiguration")  # the pre-v7 inline form
        sources = [c.props.get("rules") for c in mine] + ([inline.get("rules")] if isinstance(inline, dict) else [])
        if UNKNOWN in sources:
            continue
        rules = [rule for src in sources for rule in (src or [])]
        defaults = [(rule or {}).get("applyServerSideEncryptionByDefault") or {} for rule in rules]
        if not defaults:
            yield Violation(f"{bucket.name}: no server-side encryption configuration (S3 would use SSE-S3 with its own key)", bucket.urn)
        elif bucket.urn in log_targets:
            continue
        elif not any(str(d.get("sseAlgorithm", "")).startswith("aws:kms") and d.get("kmsMasterKeyId") for d in defaults):
            algos = ", ".join(str(d.get("sseAlgorithm")) for d in defaults)
            yield Violation(f"{bucket.name}: default encryption is {algos}; use aws:kms with kmsMasterKeyId", bucket.urn)


@stack_rule(
    "s3-tls-only", "Every bucket's policy denies requests without TLS (aws:SecureTransport false).", MANDATORY,
    "S3 still accepts plain HTTP; only a Deny on aws:SecureTransport=false refuses it.",
)
def s3_tls_only(resources: Sequence[Resource], ctx: Context) -> Iterator[Violation]:
    buckets = by_type(resources, *BUCKETS)
    protected: set[str] = set()
    for p in by_type(resources, BUCKET_POLICY):
        if p.props.get("policy") == UNKNOWN or any(_denies_plain_http(s) for s in statements(p.props.get("policy"))):
            protected |= {t.urn for t in targets(p, "bucket", buckets)}
    for bucket in buckets:
        if bucket.urn not in protected:
            yield Violation(f"{bucket.name}: no bucket policy denying aws:SecureTransport=false", bucket.urn)


def _denies_plain_http(s: dict) -> bool:
    cond = (s.get("Condition") or {}).get("Bool") or {}
    return s.get("Effect") == "Deny" and is_false(cond.get("aws:SecureTransport"))


def _key_required(r: Resource, type_: str, prop: str, what: str) -> Iterator[str]:
    if r.type == type_ and not r.props.get(prop):
        yield f"{r.name}: no {prop} ({what})"


@resource_rule(
    "cloudwatch-logs-encrypted", "CloudWatch log groups are encrypted with a customer-managed KMS key.", MANDATORY,
    "Logs carry query text, user names and errors; a customer key lets the team restrict and audit who decrypts them. "
    "Every log group of the AWS foundation goes through one helper that sets the logs key (clouds/aws/log_groups.py).",
)
def cloudwatch_logs_encrypted(r: Resource, ctx: Context) -> Iterator[str]:
    yield from _key_required(r, "aws:cloudwatch/logGroup:LogGroup", "kmsKeyId", "CloudWatch would use its service-owned key")


@resource_rule(
    "secrets-manager-customer-key", "Secrets Manager secrets are encrypted with a customer-managed KMS key.", MANDATORY,
    "With the default aws/secretsmanager key any principal with secretsmanager:GetSecretValue can read; a customer key adds a second gate.",
)
def secrets_manager_customer_key(r: Resource, ctx: Context) -> Iterator[str]:
    yield from _key_required(r, "aws:secretsmanager/secret:Secret", "kmsKeyId", "AWS would use aws/secretsmanager")


@resource_rule(
    "ecr-encrypted-customer-key", "ECR repositories are encrypted with a customer-managed KMS key.", ADVISORY,
    "Images can embed configuration and code. Advisory: the program encrypts with KMS but the AWS-managed aws/ecr key; "
    "ECR can't change a repository's encryption after creation, so switching replaces the repository.",
)
def ecr_encrypted(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type != "aws:ecr/repository:Repository":
        return
    configs = r.props.get("encryptionConfigurations") or []
    if configs == UNKNOWN:
        return
    if not any(c.get("encryptionType") == "KMS" and c.get("kmsKey") for c in configs if isinstance(c, dict)):
        yield f"{r.name}: encryptionConfigurations needs encryptionType KMS with kmsKey (now: {configs or 'AES256 default'})"


@resource_rule(
    "ebs-encrypted", "Node root volumes and EBS StorageClasses are encrypted with a customer-managed KMS key.", MANDATORY,
    "Persistent volumes hold the database, MinIO and Elasticsearch data when they run in the cluster.",
)
def ebs_encrypted(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type == "aws:ec2/launchTemplate:LaunchTemplate":
        for m in r.props.get("blockDeviceMappings") or []:
            ebs = (m or {}).get("ebs") or {}
            if ebs and not is_true(ebs.get("encrypted")) and ebs.get("encrypted") != UNKNOWN:
                yield f"{r.name}: block device {m.get('deviceName')} is not encrypted"
    elif r.type == "aws:ebs/volume:Volume":
        if not is_true(r.props.get("encrypted")) or not r.props.get("kmsKeyId"):
            yield f"{r.name}: needs encrypted true and kmsKeyId"
    elif r.type == "kubernetes:storage.k8s.io/v1:StorageClass" and r.props.get("provisioner") == "ebs.csi.aws.com":
        params = r.props.get("parameters") or {}
        if not is_true(params.get("encrypted")) or not params.get("kmsKeyId"):
            yield f"{r.name}: parameters need encrypted \"true\" and kmsKeyId"
