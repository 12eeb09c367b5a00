"""Object-store least privilege (issue 12 item 6): every consumer has its own bucket, and no
identity may delete objects outside the lake and its own bucket. The lake credentials Dremio and
Airbyte (and so every connector pod) hold used to reach PostgreSQL's base backups and WAL, and
the backup credentials Dremio's distributed store, because both lived in `backups`.

Checked on MinIO (the policies the bootstrap Job loads, and which Secret each workload gets) and
on AWS (the IRSA role policies) and on GCP (the Google service accounts' bucket grants)."""

from __future__ import annotations

import json

import pytest

CM = "kubernetes:core/v1:ConfigMap"
STS = "kubernetes:apps/v1:StatefulSet"
RELEASE = "kubernetes:helm.sh/v3:Release"
LAKE = {"bronze", "silver", "gold"}
OWN = {"dremio": "dremio", "airbyte": "airbyte", "postgres-backup": "backups", "velero": "velero", "elasticsearch-snapshots": "es-backups"}
"""MinIO policy -> the consumer bucket it alone may write and delete in."""


def _deletable(statements: list[dict], bucket_of) -> set[str]:
    """Buckets in which these Allow statements permit s3:DeleteObject."""
    out = set()
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        if s["Effect"] == "Allow" and any(a in ("s3:DeleteObject", "s3:*") for a in actions):
            resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
            out |= {bucket_of(r) for r in resources}
    return out


def _minio_bucket(arn: str) -> str:
    return arn.removeprefix("arn:aws:s3:::").split("/", 1)[0]


@pytest.mark.parametrize("stack", ["dev", "prod-local"])
def test_minio_users_may_delete_only_in_the_lake_and_their_own_bucket(plan_stack, stack):
    plan = plan_stack(stack)
    (cm,) = [r for r in plan.by_type(CM) if r.inputs["metadata"]["name"] == "minio-policies"]
    policies = {k.removesuffix(".json"): json.loads(v)["Statement"] for k, v in cm.inputs["data"].items()}
    read_only = {"lake-mirror"} if stack == "prod-local" else set()  # the mirror's source (backups.mirrorEndpoint)
    assert set(policies) == set(OWN) | read_only
    deletable = {name: _deletable(st, _minio_bucket) for name, st in policies.items() if name not in read_only}
    assert all(_deletable(policies[n], _minio_bucket) == set() for n in read_only)
    assert deletable["postgres-backup"] == {"backups"}
    assert deletable["velero"] == {"velero"}
    assert deletable["elasticsearch-snapshots"] == {"es-backups"}
    assert deletable["dremio"] == LAKE | {"dremio"}
    assert deletable["airbyte"] == {"bronze", "airbyte"}
    for name, buckets in deletable.items():  # nobody else's consumer bucket
        assert not (buckets & (set(OWN.values()) - {OWN[name]})), name


def test_dremio_and_airbyte_hold_different_minio_users(plan_stack):
    plan = plan_stack("dev")
    (c,) = plan.one(STS, "dremio-master").inputs["spec"]["template"]["spec"]["containers"]
    dremio = {e["valueFrom"]["secretKeyRef"]["name"] for e in c["env"] if "valueFrom" in e and "secretKeyRef" in e["valueFrom"]}
    airbyte = plan.one(RELEASE, "airbyte-release").inputs["values"]["global"]["storage"]["secretName"]
    assert dremio == {"object-store-credentials"} and airbyte == "airbyte-object-store-credentials"
    (job,) = [r for r in plan.by_type("kubernetes:batch/v1:Job") if r.inputs["metadata"].get("labels", {}).get("app.kubernetes.io/component") == "bootstrap"
              and r.inputs["metadata"]["labels"]["app"] == "minio"]
    script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    for user, policy in (("DREMIO", "dremio"), ("AIRBYTE", "airbyte"), ("POSTGRES", "postgres-backup"), ("VELERO", "velero"),
                         ("ELASTICSEARCH", "elasticsearch-snapshots")):
        assert f'mc admin policy attach dp {policy} --user "${user}_ACCESS_KEY"' in script


def _aws_policies(plan) -> dict[str, list[dict]]:
    return {r.name: json.loads(r.inputs["policy"])["Statement"] for r in plan.by_type("aws:iam/rolePolicy:RolePolicy")}


def _aws_buckets(plan) -> dict[str, str]:
    """Bucket name -> role (bronze, ..., backups)."""
    return {r.inputs["bucket"]: r.name.split("-", 1)[1] for r in plan.by_type("aws:s3/bucket:Bucket")}


@pytest.mark.parametrize("config, stack", [
    ({}, "prod"),
    ({"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "database": "in-cluster"}, "cnpg"),
])
def test_aws_roles_may_delete_only_in_the_lake_and_their_own_bucket(plan_stack, plan_config, config, stack):
    plan = plan_config(config, stack=stack) if config else plan_stack(stack)
    roles = _aws_buckets(plan)
    own = {f"{stack}-dremio": "dremio", f"{stack}-airbyte": "airbyte", f"{stack}-postgres": "backups", f"{stack}-velero": "velero",
           f"{stack}-elasticsearch": "es-backups"}
    policies = _aws_policies(plan)
    checked = 0
    for name, statements in policies.items():
        deletable = _deletable(statements, lambda arn: roles.get(_minio_bucket(arn), arn))
        if not deletable:
            continue
        checked += 1
        assert name in own, (name, deletable)
        assert deletable <= LAKE | {own[name]}, (name, deletable)
        assert own[name] in deletable
    assert checked == (5 if config else 4)  # dremio, airbyte, velero, elasticsearch (and the in-cluster PostgreSQL's backup role)


GCS_DELETERS = {"roles/storage.objectUser", "roles/storage.objectAdmin", "roles/storage.admin", "roles/storage.legacyBucketOwner", "roles/storage.legacyBucketWriter"}
"""Predefined Cloud Storage roles that include storage.objects.delete."""


@pytest.mark.parametrize("config, stack", [
    ({}, "gcp-prod"),
    ({"cloud": "gcp", "environment": "staging", "acmeEmail": "ops@example.com", "database": "in-cluster",
      "gcp:project": "data-platform-staging", "gcp:region": "europe-west1"}, "gcp-lake"),
])
def test_gcp_accounts_may_delete_only_in_the_lake_and_their_own_bucket(plan_stack, plan_config, config, stack):
    plan = plan_config(config, stack=stack) if config else plan_stack(stack)
    role_of = {r.inputs["name"]: r.inputs["labels"]["data-lake-role"] for r in plan.by_type("gcp:storage/bucket:Bucket")}
    deletable: dict[str, set[str]] = {}
    for r in plan.by_type("gcp:storage/bucketIAMMember:BucketIAMMember"):
        if r.inputs["role"] in GCS_DELETERS:
            app = r.inputs["member"].split("@")[0].removeprefix(f"serviceAccount:{stack}-")
            deletable.setdefault(app, set()).add(role_of[r.inputs["bucket"]])
    assert ("postgres" in deletable) == bool(config)  # CloudNativePG's archive: in-cluster PostgreSQL only
    assert deletable.pop("postgres", {"backups"}) == {"backups"}
    assert deletable == {"dremio": LAKE | {"dremio"}, "airbyte": {"airbyte"}, "velero": {"velero"}, "elasticsearch": {"es-backups"}}
    # Nobody holds a storage role on the project (it would reach every bucket).
    assert not [r for r in plan.by_type("gcp:projects/iAMMember:IAMMember") if "storage" in r.inputs["role"]]
