"""The optional promotable cross-region read replica of RDS (aws.dbCrossRegionReplica): in the DR
region, from the source's ARN, under the DR region's key, in subnets of a DR VPC, protected in prod;
refused without what it needs; off by default."""

from __future__ import annotations

import pytest

from offline_plan.mocks import ACCOUNT
from program import load_settings as load
from settings import SettingsError

INSTANCE = "aws:rds/instance:Instance"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
PROD = {"cloud": "aws", "environment": "prod", "acmeEmail": "ops@example.com", "aws:region": "eu-west-1"}


@pytest.fixture(scope="module")
def prod(plan_config):
    return plan_config({**PROD, "aws": {"drRegion": "eu-central-1", "dbCrossRegionReplica": True, "dbReplicaSubnetIds": SUBNETS}}, stack="prod")


def test_the_replica_follows_the_source_from_the_dr_region_under_the_dr_key(prod):
    (dr,) = [p for p in prod.by_type("pulumi:providers:aws") if p.name == "prod-aws-dr"]
    assert dr.inputs["region"] == "eu-central-1"
    instances = {i.name: i for i in prod.by_type(INSTANCE)}
    source, replica = instances["prod-postgres"], instances["prod-postgres-replica"]
    assert replica.provider.startswith(dr.urn + "::") and not source.provider.startswith(dr.urn + "::")
    r = replica.inputs
    assert r["replicateSourceDb"] == f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:prod-postgres"  # cross-region needs the ARN
    assert r["instanceClass"] == source.inputs["instanceClass"] and r["storageType"] == source.inputs["storageType"] == "gp3"
    # The replicated backups' key of the DR region, not the source's (a KMS key cannot leave its region).
    (key,) = [k for k in prod.by_type("aws:kms/key:Key") if k.name == "prod-rds-dr"]
    assert key.provider.startswith(dr.urn + "::")
    (backups,) = prod.by_type("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")
    assert r["kmsKeyId"] == backups.inputs["kmsKeyId"] != source.inputs["kmsKeyId"]
    assert r["kmsKeyId"].startswith(f"arn:aws:kms:eu-central-1:{ACCOUNT}:key/")
    assert replica.protect and r["deletionProtection"] is True
    # RDS refuses to delete a replica with a final snapshot identifier: none, unlike its source.
    assert r["skipFinalSnapshot"] is True and "finalSnapshotIdentifier" not in r and source.inputs["skipFinalSnapshot"] is False
    assert r["multiAz"] is False and r["publiclyAccessible"] is False
    assert "username" not in r and "dbName" not in r  # a replica inherits them
    # Its own subnet group in the DR region, from the configured subnets (never the default VPC's).
    (group,) = [g for g in prod.by_type("aws:rds/subnetGroup:SubnetGroup") if g.name == "prod-postgres-replica"]
    assert group.provider.startswith(dr.urn + "::") and group.inputs["subnetIds"] == SUBNETS
    assert r["dbSubnetGroupName"] == group.inputs["name"]
    out = prod.outputs["rdsReplica"]
    assert out["region"] == "eu-central-1" and out["arn"] == f"arn:aws:rds:eu-central-1:{ACCOUNT}:db:prod-postgres-replica"
    assert out["address"].startswith("prod-postgres-replica.") and out["address"].endswith(".eu-central-1.rds.amazonaws.com")


def test_the_rpo_output_names_the_replica_and_its_lag(prod, plan_stack):
    assert "promotable read replica in eu-central-1" in prod.outputs["recoveryPoints"]["postgres"]["siteLoss"]
    assert "read replica" not in plan_stack("prod").outputs["recoveryPoints"]["postgres"]["siteLoss"]


def test_off_by_default_on_every_aws_stack(plan_stack):
    for stack in ("prod", "staging", "dr"):
        plan = plan_stack(stack)
        assert [i.name for i in plan.by_type(INSTANCE) if "replica" in i.name] == [] and "rdsReplica" not in plan.outputs


def raw(section: dict, **top) -> dict:
    return {"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
            **{f"data-platform:{k}": v for k, v in top.items()}, "data-platform:aws": section}


@pytest.mark.parametrize("config, key", [
    (raw({"dbCrossRegionReplica": True, "dbReplicaSubnetIds": SUBNETS}), "aws.drRegion"),
    (raw({"dbCrossRegionReplica": True, "drRegion": "eu-central-1"}), "aws.dbReplicaSubnetIds"),
    (raw({"dbCrossRegionReplica": True, "drRegion": "eu-central-1", "dbReplicaSubnetIds": SUBNETS[:1]}), "aws.dbReplicaSubnetIds"),
    (raw({"dbCrossRegionReplica": True, "drRegion": "eu-central-1", "dbReplicaSubnetIds": SUBNETS}, database="in-cluster"), "aws.dbCrossRegionReplica"),
])
def test_a_replica_without_what_it_needs_is_refused_naming_the_key(config, key):
    with pytest.raises(SettingsError) as e:
        load(config, "prod")
    assert f"data-platform:{key} = " in str(e.value) and "\n" not in str(e.value)


def test_the_policy_pack_finds_nothing_on_the_replica(prod):
    from policy import offline

    findings = offline.evaluate(offline.from_registrations(prod.registrations)).findings
    assert [(f.policy, f.message) for f in findings if "replica" in f.urn and "postgres" in f.urn] == []
