"""S3 cross-region replication of the lake to `aws.drRegion`: every data bucket copied, delete
markers and SSE-KMS objects included, into hardened replicas of the DR region, by a role allowed
only that."""

from __future__ import annotations

import json

import pytest

from clouds.aws.datalake import DATA_ROLES

REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
BUCKET = "aws:s3/bucket:Bucket"


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("prod")


def replicas(plan):
    return {b.inputs["bucket"]: b for b in plan.by_type(BUCKET) if b.inputs["bucket"].endswith("-replica")}


def dr_key_arn(plan):
    (key,) = [k for k in plan.by_type("aws:kms/key:Key") if k.name == f"{plan.stack}-s3-replica"]
    alias = plan.one("aws:kms/alias:Alias", f"{plan.stack}-s3-replica").inputs
    return key, f"arn:aws:kms:eu-central-1:123456789012:key/{alias['targetKeyId']}"


def dr_provider_urn(plan):
    (p,) = [p for p in plan.by_type("pulumi:providers:aws") if p.name == f"{plan.stack}-aws-dr"]
    assert p.inputs["region"] == "eu-central-1"
    return p.urn


def test_every_data_bucket_replicates_everything_to_its_replica_under_the_dr_key(prod):
    sources = {b.inputs["bucket"]: b for b in prod.by_type(BUCKET) if not b.inputs["bucket"].endswith("-replica")}
    data = {n for n in sources if "-access-logs-" not in n}
    assert len(data) == len(DATA_ROLES)
    _, key_arn = dr_key_arn(prod)
    versioning = {v.inputs["bucket"]: v.urn for v in prod.by_type("aws:s3/bucketVersioning:BucketVersioning")}
    configs = {c.inputs["bucket"]: c for c in prod.by_type(REPLICATION)}
    assert set(configs) == data
    for name, c in configs.items():
        (rule,) = c.inputs["rules"]
        assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}  # every object (S3 API: an empty Prefix)
        assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
        assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
        assert rule["destination"] == {"bucket": f"arn:aws:s3:::{name}-replica", "storageClass": "STANDARD",
                                       "encryptionConfiguration": {"replicaKmsKeyId": key_arn}}
        assert c.inputs["role"] == "arn:aws:iam::123456789012:role/prod-s3-replication"
        # S3 refuses a replication configuration on a bucket whose versioning is not yet enabled.
        assert versioning[name] in c.dependencies


def test_replicas_are_in_the_dr_region_hardened_and_protected(prod):
    dr = dr_provider_urn(prod)
    key, key_arn = dr_key_arn(prod)
    assert key.provider.startswith(dr) and key.protect and key.inputs["enableKeyRotation"]
    reps = replicas(prod)
    assert len(reps) == len(DATA_ROLES)

    def settings(type_):
        return {r.inputs["bucket"]: r for r in prod.by_type(f"aws:s3/{type_}") if r.inputs["bucket"] in reps}

    versioning, sse, pab = (settings("bucketVersioning:BucketVersioning"),
                            settings("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
                            settings("bucketPublicAccessBlock:BucketPublicAccessBlock"))
    owner, pol = settings("bucketOwnershipControls:BucketOwnershipControls"), settings("bucketPolicy:BucketPolicy")
    for name, b in reps.items():
        assert b.provider.startswith(dr) and b.protect and not b.inputs["forceDestroy"]
        assert b.inputs["tags"]["data-lake-role"] in DATA_ROLES
        for r in (versioning[name], sse[name], pab[name], owner[name], pol[name]):
            assert r.provider.startswith(dr)
        assert versioning[name].inputs["versioningConfiguration"] == {"status": "Enabled"}
        (enc,) = sse[name].inputs["rules"]
        assert enc["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": key_arn}
        assert all(pab[name].inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
        assert owner[name].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
        (deny,) = json.loads(pol[name].inputs["policy"])["Statement"]
        assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_replication_role_is_least_privilege(prod):
    role = prod.one("aws:iam/role:Role", "prod-s3-replication").inputs
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    (pol,) = [p for p in prod.by_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == "prod-s3-replication"]
    sources = sorted(f"arn:aws:s3:::{c.inputs['bucket']}" for c in prod.by_type(REPLICATION))
    _, dr_key = dr_key_arn(prod)
    lake_alias = prod.one("aws:kms/alias:Alias", "prod-s3").inputs
    lake_key = f"arn:aws:kms:eu-west-1:123456789012:key/{lake_alias['targetKeyId']}"
    granted = {}
    for st in json.loads(pol.inputs["policy"])["Statement"]:
        assert st["Effect"] == "Allow"
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        assert not any("*" in a for a in actions)
        for a in actions:
            granted[a] = (sorted(resources), st.get("Condition"))
    objects = sorted(f"{s}/*" for s in sources)
    replica_objects = sorted(f"{s}-replica/*" for s in sources)
    assert granted == {
        "s3:GetReplicationConfiguration": (sources, None),
        "s3:ListBucket": (sources, None),
        "s3:GetObjectVersionForReplication": (objects, None),
        "s3:GetObjectVersionAcl": (objects, None),
        "s3:GetObjectVersionTagging": (objects, None),
        "s3:ReplicateObject": (replica_objects, None),
        "s3:ReplicateDelete": (replica_objects, None),
        "s3:ReplicateTags": (replica_objects, None),
        "kms:Decrypt": ([lake_key], {"StringLike": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}),
        "kms:Encrypt": ([dr_key], {"StringLike": {"kms:ViaService": "s3.eu-central-1.amazonaws.com"}}),
    }


def test_recovery_point_says_replication_is_asynchronous_without_an_sla(prod):
    site_loss = prod.outputs["recoveryPoints"]["objectStore"]["siteLoss"]
    assert "replicated continuously to eu-central-1" in site_loss and "no SLA" in site_loss


def test_no_replication_without_a_dr_region(plan_stack):
    staging = plan_stack("staging")
    assert not staging.by_type(REPLICATION) and not replicas(staging)
    assert not [r for r in staging.by_type("aws:iam/role:Role") if r.name.endswith("s3-replication")]
