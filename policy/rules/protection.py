"""Stateful resources are `protect`ed and deletion-protected in the environments that hold real data.

The environment is read, in order, from the policy's `environment` config property, the stack
tag `environment` (`pulumi stack tag set environment prod`), the AWS provider's default tag
`environment` (the GCP provider's default label), or the `data-platform/environment` label of the stack's Namespaces. A stack whose
environment can't be told is not checked (and the violation list says so on stacks with state).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .model import MANDATORY, UNKNOWN, Context, Resource, Violation, as_json, by_type, is_true, stack_rule, token

ENV_LABEL = "data-platform/environment"
# Type -> (input, value it must have for deletion protection), or None when `protect` is all there is.
STATEFUL: dict[str, tuple[str, bool] | None] = {
    "aws:rds/instance:Instance": ("deletionProtection", True),
    "aws:rds/cluster:Cluster": ("deletionProtection", True),
    "aws:eks/cluster:Cluster": ("deletionProtection", True),
    "aws:dynamodb/table:Table": ("deletionProtectionEnabled", True),
    "aws:s3/bucket:Bucket": ("forceDestroy", False),
    "aws:s3/bucketV2:BucketV2": ("forceDestroy", False),
    "aws:kms/key:Key": None,
    "gcp:container/cluster:Cluster": ("deletionProtection", True),
    "gcp:sql/databaseInstance:DatabaseInstance": ("deletionProtection", True),
    "gcp:storage/bucket:Bucket": ("forceDestroy", False),
    "gcp:artifactregistry/repository:Repository": None,
    "aws:efs/fileSystem:FileSystem": None,
    "aws:ebs/volume:Volume": None,
    "kubernetes:core/v1:PersistentVolumeClaim": None,
    "kubernetes:core/v1:PersistentVolume": None,
    "kubernetes:postgresql.cnpg.io/v1:Cluster": None,
    "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch": None,
}


def environment_of(resources: Sequence[Resource], ctx: Context) -> str | None:
    if ctx.config.get("environment"):
        return str(ctx.config["environment"])
    if ctx.stack_tags.get("environment"):
        return ctx.stack_tags["environment"]
    for p in by_type(resources, "pulumi:providers:aws"):
        tags = (as_json(p.props.get("defaultTags")) or {}).get("tags") or {}
        if tags.get("environment"):
            return str(tags["environment"])
    for p in by_type(resources, "pulumi:providers:gcp"):
        labels = as_json(p.props.get("defaultLabels")) or {}
        if labels.get("environment"):
            return str(labels["environment"])
    for ns in by_type(resources, "kubernetes:core/v1:Namespace"):
        env = ((ns.props.get("metadata") or {}).get("labels") or {}).get(ENV_LABEL)
        if env and env != UNKNOWN:
            return str(env)
    return None


@stack_rule(
    "stateful-resources-protected",
    "In prod and dr, databases, buckets, clusters, keys and volumes are `protect`ed and have deletion protection.", MANDATORY,
    "A `pulumi destroy`, a replace or a rename must not be able to delete production data; `protect` stops Pulumi, "
    "deletion protection stops everything else (console, CLI, another tool).",
    properties={
        "environments": {"type": "array", "items": {"type": "string"}, "default": ["prod", "dr"],
                         "description": "Environments whose stateful resources must be protected."},
        "environment": {"type": "string", "description": "This stack's environment, when the stack doesn't say (see docs/policies.md)."},
    },
)
def stateful_resources_protected(resources: Sequence[Resource], ctx: Context) -> Iterator[Violation]:
    stateful = [r for r in resources if r.type in STATEFUL]
    if not stateful:
        return
    env = environment_of(resources, ctx)
    if env is None:
        yield Violation("the stack's environment is unknown: set the `environment` property of this policy or the stack tag `environment`")
        return
    if env not in ctx.config.get("environments", ["prod", "dr"]):
        return
    for r in stateful:
        if not r.protect:
            yield Violation(f"{token(r.type)} {r.name}: not protect=True in {env}", r.urn)
        guard = STATEFUL[r.type]
        if guard:
            prop, wanted = guard
            value = r.props.get(prop)
            if value != UNKNOWN and is_true(value) != wanted:
                yield Violation(f"{token(r.type)} {r.name}: {prop} must be {str(wanted).lower()} in {env}", r.urn)
