"""PostgreSQL backups through the Barman Cloud plugin, and the restore path in config."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.data_services import postgres
from components.observability import alerts
from offline_plan import crd_schemas
from program import load_settings as load
from settings import SettingsError

CNPG = "kubernetes:postgresql.cnpg.io/v1:"
OBJECT_STORE = "kubernetes:barmancloud.cnpg.io/v1:ObjectStore"
RELEASE = "kubernetes:helm.sh/v3:Release"
RESTORE = {"postgres": {"restoreFrom": "postgres", "serverName": "postgres-2", "restoreTargetTime": "2026-12-01T10:14:00Z"}}


@pytest.fixture(scope="module")
def dev(plan_stack):
    return plan_stack("dev")


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("prod-local")


def release(plan, name):
    (r,) = [r for r in plan.by_type(RELEASE) if r.inputs["name"] == name]
    return r


def test_the_plugin_is_a_pinned_chart_in_the_operators_namespace_after_cert_manager(dev):
    plugin = release(dev, "barman-cloud")
    assert (plugin.inputs["chart"], plugin.inputs["version"], plugin.inputs["namespace"]) == ("plugin-barman-cloud", "0.7.0", "cnpg-system")
    assert plugin.inputs["values"]["image"]["tag"] == plugin.inputs["values"]["sidecarImage"]["tag"] == "v0.13.0"
    assert release(dev, "cert-manager").urn in plugin.dependencies and release(dev, "cnpg").urn in plugin.dependencies
    assert plugin.inputs["values"]["containerSecurityContext"]["readOnlyRootFilesystem"] is True
    assert plugin.inputs["values"]["resources"]["limits"]["memory"]


@pytest.mark.parametrize("stack, retention", [("dev", "7d"), ("prod-local", "30d")])
def test_object_store_holds_the_archive_target_and_the_retention(plan_stack, stack, retention):
    plan = plan_stack(stack)
    (store,) = plan.by_type(OBJECT_STORE)
    spec = store.inputs["spec"]
    assert spec["retentionPolicy"] == retention
    assert spec["configuration"]["destinationPath"] == "s3://backups/postgres"
    assert spec["configuration"]["s3Credentials"]["accessKeyId"]["name"] == "minio-postgres-backup"
    assert spec["instanceSidecarConfiguration"]["resources"]["limits"]["cpu"]
    assert release(plan, "barman-cloud").urn in store.dependencies
    assert crd_schemas.validate(store.inputs) == []


def test_cluster_archives_through_the_plugin_not_in_tree(prod):
    (cluster,) = prod.by_type(CNPG + "Cluster")
    spec = cluster.inputs["spec"]
    assert "backup" not in spec
    assert spec["plugins"] == [{"name": "barman-cloud.cloudnative-pg.io", "isWALArchiver": True,
                                "parameters": {"barmanObjectName": "postgres-backups", "serverName": "postgres"}}]
    assert "-standard-" in spec["imageName"] or "-minimal-" in spec["imageName"]
    assert "initdb" in spec["bootstrap"] and "externalClusters" not in spec


def test_scheduled_backup_uses_the_plugin(prod):
    (sb,) = prod.by_type(CNPG + "ScheduledBackup")
    assert sb.inputs["spec"]["method"] == "plugin" and sb.inputs["spec"]["pluginConfiguration"] == {"name": postgres.PLUGIN}
    (store,) = prod.by_type(OBJECT_STORE)
    assert store.urn in sb.dependencies


def test_backup_alerts_read_the_plugins_metrics():
    groups = alerts.platform_alerts(platform_namespaces=["a"], storage_namespace="s", postgres_cluster="postgres", minio_servers=0,
                                    airbyte_namespace=None, logs=False)
    exprs = {a.name: a.expr for a in groups["postgresql"]}
    assert "barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp" in exprs["PostgresBackupFailing"]
    assert "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp" in exprs["PostgresBackupTooOld"]
    assert not any("cnpg_collector_last" in e for e in exprs.values())


# --- restore ------------------------------------------------------------------------------------

def test_restore_bootstraps_from_the_plugin_to_the_point_in_time(plan_config):
    plan = plan_config(RESTORE)
    (cluster,) = plan.by_type(CNPG + "Cluster")
    spec = cluster.inputs["spec"]
    assert spec["bootstrap"] == {"recovery": {
        "source": "origin", "database": "airbyte", "owner": "airbyte", "secret": {"name": "postgres-airbyte"},
        "recoveryTarget": {"targetTime": "2026-12-01 10:14:00+00"}}}
    assert spec["externalClusters"] == [{"name": "origin", "plugin": {
        "name": postgres.PLUGIN, "parameters": {"barmanObjectName": "postgres-backups", "serverName": "postgres"}}}]
    assert spec["plugins"][0]["parameters"]["serverName"] == "postgres-2"
    assert cluster.delete_before_replace is True


def test_restore_without_a_target_replays_the_whole_archive():
    s = load({"data-platform:postgres": {"restoreFrom": "postgres", "serverName": "postgres-2"}}, "dev").postgres
    assert postgres.bootstrap(s)["recovery"].get("recoveryTarget") is None


@pytest.mark.parametrize("pg, key", [
    ({"restoreFrom": "postgres"}, "postgres.serverName"),
    ({"restoreTargetTime": "2026-12-01T10:14:00Z"}, "postgres.restoreTargetTime"),
    ({"restoreFrom": "postgres", "serverName": "p2", "restoreTargetTime": "2026-02-30T10:00:00Z"}, "postgres.restoreTargetTime"),
    ({"restoreFrom": "postgres", "serverName": "p2", "restoreTargetTime": "2026-12-01 10:00"}, "postgres.restoreTargetTime"),
])
def test_bad_restore_configs_are_refused(pg, key):
    with pytest.raises(SettingsError) as e:
        load({"data-platform:postgres": pg}, "dev")
    assert f"data-platform:{key} = " in str(e.value) and "\n" not in str(e.value)


@given(st.datetimes(min_value=__import__("datetime").datetime(2000, 1, 1), max_value=__import__("datetime").datetime(2099, 12, 31)))
def test_any_real_utc_time_is_a_postgres_recovery_target(t):
    stamp = t.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    s = load({"data-platform:postgres": {"restoreFrom": "postgres", "serverName": "p2", "restoreTargetTime": stamp}}, "dev").postgres
    assert postgres.bootstrap(s)["recovery"]["recoveryTarget"]["targetTime"] == t.strftime("%Y-%m-%d %H:%M:%S") + "+00"


# --- the ObjectStore schema check -----------------------------------------------------------

def test_object_store_schema_rejects_unknown_fields_and_bad_retention(prod):
    (store,) = prod.by_type(OBJECT_STORE)
    bad = copy.deepcopy(store.inputs)
    bad["spec"]["configuration"]["destinationPth"] = "s3://x"
    bad["spec"]["retentionPolicy"] = "30 days"
    errors = crd_schemas.validate(bad)
    assert any("destinationPth" in e for e in errors) and any(e.startswith("spec/retentionPolicy") for e in errors)
    assert crd_schemas.validate({"apiVersion": "example.com/v1", "kind": "Nothing"}) is None
