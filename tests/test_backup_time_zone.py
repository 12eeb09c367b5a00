"""`backups.timeZone` (issue 9 item 1): every backup schedule runs in UTC by default and a zone
moves them all: CronJobs get `spec.timeZone`, Velero a `CRON_TZ=` prefix, AWS Backup its
ScheduleExpressionTimezone; CloudNativePG's ScheduledBackup and Elasticsearch's SLM (UTC only)
get the daily schedule moved to UTC at the zone's standard time, and what cannot be moved is
refused naming the key."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from program import load_settings as load
from settings import SettingsError
from settings.cron import CronError, dst_minutes, parse, utc_schedule

PARIS = {"backups": {"timeZone": "Europe/Paris"}}
CRON = "kubernetes:batch/v1:CronJob"


def _runs_utc(schedule: str) -> set[int]:
    minutes, hours, *_ = parse(schedule)
    return {h * 60 + m for h in hours for m in minutes}


ZONES = st.sampled_from(["Europe/Paris", "America/New_York", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney", "America/St_Johns", "Etc/UTC"])


@given(st.integers(0, 23), st.sets(st.sampled_from([0, 15, 30, 45]), min_size=1), ZONES)
def test_moved_schedule_runs_at_the_same_instants_in_standard_time(hour, minutes, zone):
    local = f"{','.join(map(str, sorted(minutes)))} {hour} * * *"
    try:
        moved = utc_schedule(local, zone)
    except CronError:
        return  # a half-hour zone splitting the minutes over two hours: refused, not approximated
    january = dt.datetime(2026, 1, 15, tzinfo=ZoneInfo(zone))
    offset = min(int(january.utcoffset().total_seconds() // 60), int(january.replace(month=7).utcoffset().total_seconds() // 60))
    assert _runs_utc(moved) == {(hour * 60 + m - offset) % 1440 for m in minutes}


@pytest.mark.parametrize("cron, zone, utc", [("0 0 * * *", "Europe/Paris", "0 23 * * *"), ("0 2 * * *", "America/New_York", "0 7 * * *"),
                                             ("0 2 * * *", "Etc/UTC", "0 2 * * *"), ("*/15 * * * *", "Asia/Kolkata", "0,15,30,45 * * * *")])
def test_utc_schedule_examples(cron, zone, utc):
    assert utc_schedule(cron, zone) == utc


def test_only_daily_schedules_move_and_dst_zones_give_slack():
    with pytest.raises(CronError, match="daily schedule"):
        utc_schedule("0 0 * * 1", "Europe/Paris")
    assert (dst_minutes("Europe/Paris"), dst_minutes("Asia/Tokyo"), dst_minutes("Etc/UTC")) == (60, 0, 0)


def test_default_is_utc_everywhere(plan_stack):
    plan = plan_stack("dev")
    assert {r.inputs["spec"]["timeZone"] for r in plan.by_type(CRON) if r.name in ("dremio-catalog-backup", "elasticsearch-snapshot-check")} == {"Etc/UTC"}
    (velero,) = [r for r in plan.by_type("kubernetes:helm.sh/v3:Release") if r.name == "velero"]
    assert velero.inputs["values"]["schedules"]["platform"]["schedule"] == "0 2 * * *"
    (sb,) = [r for r in plan.by_type("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup")]
    assert sb.inputs["spec"]["schedule"] == "0 0 0 * * *"


def test_a_zone_moves_every_schedule(plan_config):
    plan = plan_config(PARIS)
    assert plan.one(CRON, "dremio-catalog-backup").inputs["spec"]["timeZone"] == "Europe/Paris"
    (velero,) = [r for r in plan.by_type("kubernetes:helm.sh/v3:Release") if r.name == "velero"]
    assert velero.inputs["values"]["schedules"]["platform"]["schedule"] == "CRON_TZ=Europe/Paris 0 2 * * *"
    (sb,) = plan.by_type("kubernetes:postgresql.cnpg.io/v1:ScheduledBackup")
    assert sb.inputs["spec"]["schedule"] == "0 0 23 * * *"  # 00:00 Paris standard time
    script = plan.one("kubernetes:batch/v1:Job", "elasticsearch-snapshots").inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert '"schedule": "0 0 1 * * ?"' in script  # 02:00 Paris standard time
    (rule,) = plan.by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    alerts = {r["alert"]: r["expr"] for g in rule.inputs["spec"]["groups"] for r in g["rules"]}
    assert alerts["VeleroBackupTooOld"].endswith(f"> {(24 * 60 + 60) * 60 + 3600}")  # DST: a day may last 25 hours
    how = plan.outputs["recoveryPoints"]["postgres"]["how"]
    assert "Europe/Paris (run at '0 23 * * *' UTC, an hour later on the wall clock under daylight saving time)" in how


def test_aws_backup_plan_reads_the_cron_in_the_zone(plan_config):
    plan = plan_config({"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "backups": {"timeZone": "Europe/Paris"}}, stack="tz")
    (bp,) = plan.by_type("aws:backup/plan:Plan")
    (rule,) = bp.inputs["rules"]
    assert (rule["scheduleExpressionTimezone"], rule["schedule"]) == ("Europe/Paris", "cron(0 1 * * ? *)")


@pytest.mark.parametrize("config, key", [
    ({"backups": {"timeZone": "Paris"}}, "backups.timeZone"),
    ({"backups": {"timeZone": "Europe/Paris"}, "postgres": {"backupSchedule": "0 0 * * 0"}}, "postgres.backupSchedule"),
    ({"backups": {"timeZone": "Europe/Paris", "configSchedule": "0 2 * * 1-5"}}, "backups.configSchedule"),
])
def test_what_a_utc_only_scheduler_cannot_take_is_refused_naming_the_key(config, key):
    raw = {"data-platform:cloud": "local", **{f"data-platform:{k}": v for k, v in config.items()}}
    with pytest.raises(SettingsError, match=rf"data-platform:{key} "):
        load(raw, "x")


def test_a_weekly_postgres_schedule_is_fine_in_utc():
    load({"data-platform:cloud": "local", "data-platform:postgres": {"backupSchedule": "0 0 * * 0"}}, "x")
