"""`data-platform:gcp` settings: the seed's numbers per environment, and the GCP rules that make
an API call fail late (overlapping ranges, per-zone node counts, maintenance windows GKE refuses,
Cloud SQL tiers the edition refuses) fail at load time with a one-line error."""

from __future__ import annotations

import ipaddress
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clouds.gcp.settings import cloud_sql_tier_problem, maintenance_hours_per_32_days, per_zone, range_overlaps
from program import load_settings
from settings.errors import SettingsError


def load(env: str, gcp: dict | None = None):
    raw = {"data-platform:environment": env, "data-platform:acmeEmail": "ops@example.com"}
    if gcp is not None:
        raw["data-platform:gcp"] = gcp
    return load_settings(raw, "test")


def error(gcp: dict, env: str = "prod") -> str:
    with pytest.raises(SettingsError) as e:
        load(env, gcp)
    msg = str(e.value)
    assert "\n" not in msg and "Pulumi.test.yaml" in msg
    return msg


def test_prod_defaults_are_the_seeds_numbers():
    g = load("prod").gcp
    assert g.node_machine_type == "n2-standard-8"  # 8 vCPU / 32 GiB
    assert (g.node_min_total, g.node_max_total, g.node_initial_total) == (3, 10, 5)
    assert g.node_initial_per_zone == 2  # GKE counts per zone: 2 x 3 zones = 6, never fewer than 5
    assert (g.db_edition, g.db_tier, g.db_availability) == ("ENTERPRISE", "db-custom-6-32768", "REGIONAL")
    assert (g.db_disk_size_gb, g.db_disk_autoresize_limit_gb, g.db_retained_backups) == (100, 1000, 30)
    assert g.db_point_in_time_recovery and g.db_backup_start == "03:00"
    assert (g.db_maintenance_day, g.db_maintenance_hour) == ("SU", 4)
    assert (g.db_shared_buffers, g.db_effective_cache_size, g.db_work_mem, g.db_maintenance_work_mem, g.db_max_connections) == ("4Gi", "12Gi", "64Mi", "1Gi", 200)
    assert (g.bronze_cold_days, g.maintenance_days, g.maintenance_start) == (90, ("SU",), "04:00")
    assert g.control_plane_access == "dns" and g.master_authorized_networks == ()


def test_staging_is_smaller_and_zonal():
    g = load("staging").gcp
    assert (g.node_min_total, g.node_max_total, g.node_initial_total) == (2, 5, 3)
    assert g.node_initial_per_zone == 1 and g.db_availability == "ZONAL"
    assert cloud_sql_tier_problem(g.db_edition, g.db_tier) is None


@pytest.mark.parametrize("gcp, key", [
    ({"masterAuthorizedNetworks": ["0.0.0.0/0"], "controlPlaneAccess": "private-ip"}, "gcp.masterAuthorizedNetworks"),
    ({"masterAuthorizedNetworks": ["10.8.0.0/24"]}, "gcp.masterAuthorizedNetworks"),  # ignored by the DNS endpoint: refused
    ({"controlPlaneAccess": "private-ip"}, "gcp.masterAuthorizedNetworks"),
    ({"maintenanceHours": 4}, "gcp.maintenanceHours"),
    ({"nodeInitialTotal": 11}, "gcp.nodeInitialTotal"),
    ({"nodeInitialTotal": 10}, "gcp.nodeInitialTotal"),  # 4 per zone = 12 > 10
    ({"dbTier": "db-custom-4-32768"}, "gcp.dbTier"),  # 8 GiB per vCPU: over ENTERPRISE's 6.5
    ({"dbEdition": "ENTERPRISE_PLUS"}, "gcp.dbTier"),  # db-custom tiers fail on Enterprise Plus
    ({"dbDiskAutoresizeLimitGb": 50}, "gcp.dbDiskAutoresizeLimitGb"),
    ({"dbTransactionLogRetentionDays": 14}, "gcp.dbTransactionLogRetentionDays"),
    ({"subnetCidr": "10.0.0.1/22"}, "gcp.subnetCidr"),
    ({"nodeLocations": ["europe-west1"]}, "gcp.nodeLocations"),
    ({"loadBalancer": "gateway"}, "gcp.loadBalancer"),
])
def test_bad_values_fail_with_one_line_naming_the_key(gcp, key):
    assert f"data-platform:{key}" in error(gcp)


@pytest.mark.parametrize("gcp, pair", [
    ({"podsCidr": "10.0.0.0/16"}, ("podsCidr", "servicesCidr")),
    ({"servicesCidr": "10.0.64.0/20"}, ("podsCidr", "servicesCidr")),
    ({"subnetCidr": "10.0.32.0/22"}, ("servicesCidr", "subnetCidr")),
])
def test_overlapping_ranges_are_refused_naming_both(gcp, pair):
    msg = error(gcp)
    assert all(k in msg for k in pair) and "does not overlap" in msg


def test_private_ip_control_plane_with_vpn_networks_is_accepted():
    g = load("prod", {"controlPlaneAccess": "private-ip", "masterAuthorizedNetworks": ["10.8.0.0/24"]}).gcp
    assert g.master_authorized_networks == ("10.8.0.0/24",)


def test_sunday_window_of_12_hours_is_accepted_and_two_days_need_6():
    assert load("prod", {"maintenanceHours": 12}).gcp.maintenance_hours == 12
    assert load("prod", {"maintenanceDays": ["SA", "SU"], "maintenanceHours": 6}).gcp.maintenance_hours == 6
    assert "at least 6" in error({"maintenanceDays": ["SA", "SU"], "maintenanceHours": 5})


_net = st.builds(lambda a, p: ipaddress.IPv4Network((a, p), strict=False), st.integers(0, 2**32 - 1), st.integers(8, 28))


@given(st.lists(_net, min_size=2, max_size=4))
def test_range_overlaps_agrees_with_address_sets(nets):
    named = {f"r{i}": str(n) for i, n in enumerate(nets)}
    found = range_overlaps(named)
    any_overlap = any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])
    assert (found is not None) == any_overlap
    if found:
        assert ipaddress.IPv4Network(named[found[0]]).overlaps(ipaddress.IPv4Network(named[found[1]]))


@given(st.integers(1, 500), st.integers(1, 6))
def test_per_zone_never_starts_below_the_requested_total_and_overshoots_less_than_a_zone_row(total, zones):
    n = per_zone(total, zones)
    assert total <= n * zones < total + zones or (n == 1 and total < zones)


@given(st.integers(1, 7), st.integers(4, 24))
def test_maintenance_hours_count_the_fewest_weekdays_a_32_day_period_holds(days, hours):
    assert maintenance_hours_per_32_days(days, hours) == (32 // 7) * days * hours


@given(st.integers(1, 96), st.integers(1, 700))
def test_enterprise_custom_tiers_follow_cloud_sqls_shape_rules(cpu, quarter_gib):
    mib = quarter_gib * 256
    ok = (cpu == 1 or cpu % 2 == 0) and mib >= 3840 and 0.9 * 1024 * cpu <= mib <= 6.5 * 1024 * cpu
    assert (cloud_sql_tier_problem("ENTERPRISE", f"db-custom-{cpu}-{mib}") is None) == ok
    assert cloud_sql_tier_problem("ENTERPRISE_PLUS", f"db-custom-{cpu}-{mib}") is not None


def test_enterprise_plus_takes_perf_optimized_tiers_only():
    assert cloud_sql_tier_problem("ENTERPRISE_PLUS", "db-perf-optimized-N-4") is None
    assert cloud_sql_tier_problem("ENTERPRISE_PLUS", "db-perf-optimized-N-6") is not None
    assert cloud_sql_tier_problem("ENTERPRISE", "db-perf-optimized-N-4") is not None
    assert math.isclose(32768 / 6 / 1024, 5.33, abs_tol=0.01)


def test_native_object_store_is_refused_on_gcp_until_its_consumers_read_gcs():
    raw = {"data-platform:cloud": "gcp", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com"}
    assert load_settings(raw, "test").object_store == "minio"
    with pytest.raises(SettingsError, match=r"data-platform:objectStore = 'native' is not valid: minio on the gcp cloud"):
        load_settings({**raw, "data-platform:objectStore": "native"}, "test")


@pytest.mark.parametrize("missing", ["gcp:project", "gcp:region"])
def test_missing_project_or_region_fails_with_the_command_to_run(tmp_path, missing):
    from pathlib import Path

    import yaml

    from offline_plan.runner import run

    root = Path(__file__).resolve().parent.parent
    (tmp_path / "Pulumi.yaml").write_text((root / "Pulumi.yaml").read_text())
    config = {"gcp:project": "p-123456", "gcp:region": "europe-west1", "data-platform:cloud": "gcp",
              "data-platform:environment": "staging", "data-platform:acmeEmail": "ops@example.com"}
    config.pop(missing)
    (tmp_path / "Pulumi.nogcp.yaml").write_text(yaml.safe_dump({"config": config}))
    with pytest.raises(Exception, match=rf"{missing} is missing.*pulumi config set {missing}"):
        run("nogcp", root=tmp_path)


@given(st.integers(0, 23), st.integers(0, 59), st.integers(4, 24), st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1, max_size=7, unique=True))
def test_gke_maintenance_window_lasts_the_configured_hours_from_the_start_time(h, m, hours, days):
    from datetime import datetime, timedelta

    from clouds.gcp.gke import maintenance_window

    w = maintenance_window(tuple(days), f"{h:02d}:{m:02d}", hours)
    start, end = (datetime.fromisoformat(w[k].replace("Z", "+00:00")) for k in ("start_time", "end_time"))
    assert end - start == timedelta(hours=hours) and (start.hour, start.minute) == (h, m)
    assert w["recurrence"] == "FREQ=WEEKLY;BYDAY=" + ",".join(days)


def test_behind_the_application_load_balancer_the_gateway_certificates_come_from_the_local_ca():
    """Google's front ends do not verify the backend's certificate, and HTTP-01 could not pass the redirect."""
    raw = {"data-platform:cloud": "gcp", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
           "data-platform:gcp": {"loadBalancer": "alb"}}
    assert load_settings(raw, "test").tls_issuer == "selfsigned"
    assert load_settings({**raw, "data-platform:gcp": {}}, "test").tls_issuer == "letsencrypt-prod"
    with pytest.raises(SettingsError) as e:
        load_settings({**raw, "data-platform:tlsIssuer": "letsencrypt-prod"}, "test")
    assert "\n" not in str(e.value) and "data-platform:tlsIssuer" in str(e.value) and "selfsigned when gcp.loadBalancer is alb" in str(e.value)
