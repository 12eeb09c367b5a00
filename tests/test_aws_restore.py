"""RDS point-in-time restore as one config change (aws.dbRestoreSource/dbRestoreTime and a new
aws.dbInstanceIdentifier), from the same region or from backups replicated to this region."""

from __future__ import annotations

import pytest

from clouds.aws.database import restore_to_point_in_time
from program import load_settings as load
from settings import SettingsError

REPLICATED = "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abcdefghijklmnopqrstuvwxyz0123"
BASE = {"data-platform:cloud": "aws", "data-platform:environment": "staging", "data-platform:acmeEmail": "ops@example.com"}


def aws(**section):
    return {**BASE, "data-platform:aws": section}


def test_restore_from_an_instance_to_a_time_or_to_the_latest():
    assert restore_to_point_in_time("prod-postgres", "2026-12-01T10:14:00Z") == {
        "source_db_instance_identifier": "prod-postgres", "restore_time": "2026-12-01T10:14:00Z"}
    assert restore_to_point_in_time(REPLICATED, None) == {
        "source_db_instance_automated_backups_arn": REPLICATED, "use_latest_restorable_time": True}
    assert restore_to_point_in_time(None, None) is None


def test_the_planned_instance_is_restored_from_replicated_backups(plan_config):
    plan = plan_config({**{k.split(":", 1)[1]: v for k, v in BASE.items()},
                        "aws": {"dbRestoreSource": REPLICATED, "dbInstanceIdentifier": "restore-postgres-2"}}, stack="restore")
    (db,) = plan.by_type("aws:rds/instance:Instance")
    assert db.inputs["identifier"] == "restore-postgres-2"
    assert db.inputs["restoreToPointInTime"] == {"sourceDbInstanceAutomatedBackupsArn": REPLICATED, "useLatestRestorableTime": True}
    assert "username" not in db.inputs  # inherited from the source
    groups = {g.inputs["name"] for g in plan.by_type("aws:cloudwatch/logGroup:LogGroup")}
    assert "/aws/rds/instance/restore-postgres-2/postgresql" in groups


@pytest.mark.parametrize("section, key", [
    ({"dbRestoreSource": "prod-postgres"}, "aws.dbInstanceIdentifier"),
    ({"dbRestoreSource": "prod-postgres", "dbInstanceIdentifier": "prod-postgres"}, "aws.dbInstanceIdentifier"),
    ({"dbRestoreTime": "2026-12-01T10:14:00Z"}, "aws.dbRestoreTime"),
    ({"dbRestoreSource": "arn:aws:rds:eu-west-1:123:db:x", "dbInstanceIdentifier": "p2"}, "aws.dbRestoreSource"),
    ({"dbRestoreSource": "prod-postgres", "dbInstanceIdentifier": "p2", "dbRestoreTime": "yesterday"}, "aws.dbRestoreTime"),
])
def test_bad_restore_configs_are_refused(section, key):
    with pytest.raises(SettingsError) as e:
        load(aws(**section), "staging")
    assert f"data-platform:{key} = " in str(e.value) and "\n" not in str(e.value)
