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


def test_the_replica_has_its_own_security_group_in_the_replica_subnets_vpc(prod):
    """Never the DR VPC's default group: its own, in the VPC the subnets belong to (looked up),
    PostgreSQL in from that VPC's CIDR only, and no egress rule at all."""
    from offline_plan.mocks import VPC_CIDRS, _vpc_id

    (replica,) = [i for i in prod.by_type(INSTANCE) if i.name == "prod-postgres-replica"]
    (sg,) = [g for g in prod.by_type("aws:ec2/securityGroup:SecurityGroup") if g.name == "prod-postgres-replica"]
    (dr,) = [p for p in prod.by_type("pulumi:providers:aws") if p.name == "prod-aws-dr"]
    assert sg.provider.startswith(dr.urn + "::") and sg.inputs["vpcId"] == _vpc_id("eu-central-1")
    assert "egress" not in sg.inputs and "ingress" not in sg.inputs
    assert replica.inputs["vpcSecurityGroupIds"] == [f"sg-{_hex('prod-postgres-replica')}"]
    rules = [r.inputs for r in prod.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if r.name.startswith("prod-postgres-replica-")]
    assert rules == [{"securityGroupId": replica.inputs["vpcSecurityGroupIds"][0], "cidrIpv4": VPC_CIDRS["eu-central-1"], "ipProtocol": "tcp",
                      "fromPort": 5432, "toPort": 5432, "description": "PostgreSQL from 10.1.0.0/16"}]
    assert not [r for r in prod.by_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule") if "replica" in r.name]


def _hex(name: str) -> str:
    from offline_plan.mocks import _hex as h

    return h(name)


def test_configured_cidrs_replace_the_vpc_cidr(plan_config):
    plan = plan_config({**PROD, "aws": {"drRegion": "eu-central-1", "dbCrossRegionReplica": True, "dbReplicaSubnetIds": SUBNETS,
                                         "dbReplicaAllowedCidrs": ["10.1.20.0/24", "10.8.0.0/16"]}}, stack="prod")
    rules = [r.inputs for r in plan.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if r.name.startswith("prod-postgres-replica-")]
    assert [r["cidrIpv4"] for r in rules] == ["10.1.20.0/24", "10.8.0.0/16"] and {r["fromPort"] for r in rules} == {5432}


@pytest.mark.parametrize("section, value", [
    ({"dbReplicaAllowedCidrs": ["10.1.0.0/16"]}, "['10.1.0.0/16']"),
    ({"dbCrossRegionReplica": True, "drRegion": "eu-central-1", "dbReplicaSubnetIds": SUBNETS, "dbReplicaAllowedCidrs": ["0.0.0.0/0"]}, "['0.0.0.0/0']"),
])
def test_replica_cidrs_are_refused_without_a_replica_or_open_to_the_world(section, value):
    with pytest.raises(SettingsError) as e:
        load(raw({"drRegion": "eu-central-1", **section}), "prod")
    assert f"data-platform:aws.dbReplicaAllowedCidrs = {value} is not valid" in str(e.value) and "\n" not in str(e.value)


def test_subnets_of_two_vpcs_are_refused_in_one_line(tmp_path, monkeypatch):
    import offline_plan.mocks as mocks
    from conftest import run_config
    from offline_plan.runner import PlanError

    real = mocks.call

    def two_vpcs(token, args):
        out = real(token, args)
        return {**out, "vpcId": "vpc-" + args["id"][-8:]} if token == "aws:ec2/getSubnet:getSubnet" else out

    monkeypatch.setattr(mocks, "call", two_vpcs)
    config = {f"data-platform:{k}" if ":" not in k else k: v for k, v in PROD.items()}
    config["data-platform:aws"] = {"drRegion": "eu-central-1", "dbCrossRegionReplica": True, "dbReplicaSubnetIds": SUBNETS}
    with pytest.raises(PlanError) as e:
        run_config(config, tmp_path, stack="prod")
    vpcs = ", ".join(sorted("vpc-" + s[-8:] for s in SUBNETS))
    assert str(e.value) == f"Pulumi.prod.yaml: data-platform:aws.dbReplicaSubnetIds = {SUBNETS!r} is not valid: subnets of one VPC (they are in {vpcs})"


def test_the_cost_estimate_counts_the_replica_at_its_regions_prices(prod):
    from offline_plan import cost, plan_json

    table = cost.price_table("aws", "eu-central-1")
    est = cost.estimate(plan_json.document(prod))
    lines = {ln.item: ln for ln in est.lines if "read replica" in ln.item}
    hourly = table["prices"]["rds.postgres.instance.hour"]["db.r6g.xlarge"]["usd"]
    gb = table["prices"]["rds.gp3.gbMonth"]["usd"]
    assert lines["RDS read replica db.r6g.xlarge in eu-central-1"].monthly == round(hourly * table["hoursPerMonth"], 2)
    # Single-AZ, and as much storage as its source (100 GB in prod).
    storage = lines["RDS read replica storage gp3 in eu-central-1"]
    assert storage.quantity == "100 GB (its source's)" and storage.monthly == round(100 * gb, 2)
    assert not [n for n in est.not_estimated if "replica" in n]
