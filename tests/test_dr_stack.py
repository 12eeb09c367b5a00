"""The `dr` stack: prod's architecture in another region, standing by; failover is one config change."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT
from program import load_settings as load
from settings import SettingsError

REPLICATED = "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abcdefghijklmnopqrstuvwxyz0123"


@pytest.fixture(scope="module")
def dr(plan_stack):
    return plan_stack("dr")


def provider_region(plan, name):
    (p,) = [p for p in plan.by_type("pulumi:providers:aws") if p.name == name]
    return p.inputs["region"]


def test_dr_is_prod_in_another_region(dr, plan_stack):
    assert dr.outputs["environment"] == "dr" and dr.outputs["standby"] is True
    assert provider_region(dr, "dr-aws") == "eu-central-1" != provider_region(plan_stack("prod"), "prod-aws")
    zones = {s.inputs["availabilityZone"] for s in dr.by_type("aws:ec2/subnet:Subnet")}
    assert zones == {"eu-central-1a", "eu-central-1b", "eu-central-1c"}
    (eks,) = dr.by_type("aws:eks/cluster:Cluster")
    (nodes,) = dr.by_type("aws:eks/nodeGroup:NodeGroup")
    assert nodes.inputs["scalingConfig"]["minSize"] == 3 and nodes.inputs["instanceTypes"] == ["m5.2xlarge"]


def test_standing_by_runs_no_database_and_no_workloads(dr):
    assert not dr.by_type("aws:rds/instance:Instance")
    assert not [r for r in dr.registrations if r.type.startswith("data-platform:platform:")]
    # what stays warm: the cluster, the lake buckets and the backup vaults (copied back to prod's region)
    assert dr.by_type("aws:s3/bucket:Bucket") and {v.name for v in dr.by_type("aws:backup/vault:Vault")} == {"dr-backup", "dr-backup-dr"}
    assert provider_region(dr, "dr-aws-dr") == "eu-west-1"


def test_failover_restores_the_replicated_backups_and_starts_the_platform(plan_config):
    config = yaml.safe_load((ROOT / "Pulumi.dr.yaml").read_text())["config"]
    config["data-platform:backups"] = {"standby": False}
    config["data-platform:aws"] = {**config["data-platform:aws"], "dbRestoreSource": REPLICATED, "dbInstanceIdentifier": "dr-postgres"}
    plan = plan_config(config, stack="dr")
    (db,) = plan.by_type("aws:rds/instance:Instance")
    assert db.inputs["identifier"] == "dr-postgres"
    assert db.inputs["restoreToPointInTime"] == {"sourceDbInstanceAutomatedBackupsArn": REPLICATED, "useLatestRestorableTime": True}
    assert [r for r in plan.registrations if r.type == "data-platform:platform:DataPlatform"]


def test_only_dr_stands_by():
    with pytest.raises(SettingsError) as e:
        load({"data-platform:environment": "prod", "data-platform:backups": {"standby": True}}, "prod-local")
    assert "data-platform:backups.standby = True is not valid: false: only the dr environment stands by (this is prod)" in str(e.value)
