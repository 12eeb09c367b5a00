"""Settings validation: each rule, good and bad, with the one-line error users see."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from program import load_settings as load
from settings import SettingsError, checks
from settings.checks import Invalid

BASE = {"data-platform:cloud": "local", "data-platform:environment": "dev"}


def cfg(**kw):
    return {**BASE, **{f"data-platform:{k}": v for k, v in kw.items()}}


def error(raw, stack="dev") -> str:
    with pytest.raises(SettingsError) as e:
        load(raw, stack)
    return str(e.value)


def test_defaults_give_a_dev_platform_on_local():
    s = load({}, "dev")
    assert (s.cloud, s.environment, s.object_store, s.database, s.tls_issuer) == ("local", "dev", "minio", "in-cluster", "selfsigned")
    assert s.protect is False and s.network_policies is True
    assert s.stack_file == "Pulumi.dev.yaml"


@pytest.mark.parametrize("env,protect,rto,rpo", [("dev", False, "24h", "24h"), ("staging", False, "4h", "4h"), ("prod", True, "1h", "15m"), ("dr", True, "1h", "15m")])
def test_environment_profiles_follow_the_seed(env, protect, rto, rpo):
    s = load(cfg(environment=env), "x")
    assert (s.protect, s.profile.rto, s.profile.rpo) == (protect, rto, rpo)


def test_local_prod_is_prod_sized_and_protected():
    s = load(cfg(environment="prod"), "prod-local")
    assert s.protect and s.highly_available and s.cloud == "local"


def test_protect_can_be_overridden_by_config():
    assert load(cfg(environment="prod", protect="false"), "p").protect is False


def test_wrong_cloud_names_key_file_value_and_allowed():
    msg = error(cfg(cloud="openstack"), "dev")
    assert msg.startswith("Pulumi.dev.yaml: data-platform:cloud = 'openstack' is not valid: one of ")
    assert "local" in msg and "\n" not in msg


def test_a_cloud_that_is_not_built_is_refused_and_the_built_ones_are_offered():
    msg = error(cfg(cloud="openstack"))
    offered = msg.split("one of", 1)[1]
    assert all(c in offered for c in ("local", "aws", "azure", "gcp")) and "openstack" not in offered


def test_wrong_environment():
    assert "one of dev, staging, prod, dr" in error(cfg(environment="production"))


def test_unknown_key_in_project_namespace():
    msg = error({**BASE, "data-platform:replicas": 3})
    assert "data-platform:replicas = 3" in msg and "a known setting:" in msg


def test_unknown_key_inside_a_section():
    msg = error(cfg(dremio={"executorz": 3}))
    assert "data-platform:dremio.executorz" in msg and "a known key" in msg


def test_keys_of_other_namespaces_are_not_ours_to_reject():
    load({**BASE, "aws:region": "eu-west-1", "kubernetes:context": "kind"}, "dev")


def test_section_must_be_an_object():
    assert "an object of settings" in error(cfg(postgres=[1, 2]))


def test_section_from_engine_json_text():
    # The engine passes structured config as JSON text; the loader must accept it.
    s = load(cfg(dremio="{}"), "dev")
    assert s.dremio is not None


def test_bad_dns_name():
    assert "DNS name" in error(cfg(domain="Data_Platform"))


def test_letsencrypt_needs_an_acme_email():
    msg = error(cfg(environment="staging", tlsIssuer="letsencrypt-staging"))
    assert "data-platform:acmeEmail" in msg
    load(cfg(environment="staging", tlsIssuer="letsencrypt-staging", acmeEmail="ops@example.com"), "s")


def test_local_cloud_has_no_managed_services():
    assert "in-cluster on the local cloud" in error(cfg(database="managed"))
    assert "minio on the local cloud" in error(cfg(objectStore="native"))


def test_kubernetes_version_rule():
    assert load(cfg(kubernetesVersion="1.33"), "d").kubernetes_version == "1.33"
    assert "Kubernetes minor version" in error(cfg(kubernetesVersion="1.27.3"))


def test_booleans_from_engine_strings():
    assert load(cfg(networkPolicies="false"), "d").network_policies is False
    assert "true or false" in error(cfg(networkPolicies="yes"))


# --- pure checks -------------------------------------------------------------------------


@given(st.ip_addresses(v=4), st.integers(0, 32))
def test_cidr_accepts_exactly_the_valid_networks(addr, prefix):
    text = f"{addr}/{prefix}"
    try:
        expected = str(ipaddress.IPv4Network(text, strict=True))
    except ValueError:
        with pytest.raises(Invalid):
            checks.cidr(text)
    else:
        assert checks.cidr(text) == expected


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "10.0.0.1/16", "10.0.0.0", "300.0.0.0/8", "", 10])
def test_cidr_rejects(bad):
    with pytest.raises(Invalid):
        checks.cidr(bad)


@given(st.integers(1, 64_000))
def test_cpu_millis_round_trip(m):
    assert checks.cpu_millis(checks.cpu(f"{m}m")) == m


@pytest.mark.parametrize("good,millis", [("2", 2000), ("0.5", 500), ("500m", 500), (4, 4000)])
def test_cpu_quantities(good, millis):
    assert checks.cpu_millis(checks.cpu(good)) == millis


@pytest.mark.parametrize("bad", ["0", "-1", "2 cores", "1.5Gi", "", None, True])
def test_cpu_rejects(bad):
    with pytest.raises(Invalid):
        checks.cpu(bad)


@given(st.integers(1, 10_000), st.sampled_from(["Mi", "Gi", "Ti"]))
def test_memory_bytes_scale_with_unit(n, unit):
    factor = {"Mi": 2**20, "Gi": 2**30, "Ti": 2**40}[unit]
    assert checks.memory_bytes(checks.memory(f"{n}{unit}")) == n * factor


@pytest.mark.parametrize("bad", ["4GB", "0Gi", "-1Gi", "four", 4, ""])
def test_memory_rejects(bad):
    with pytest.raises(Invalid):
        checks.memory(bad)


@pytest.mark.parametrize("bad", [-1, 0, 21, "3.5", True, None])
def test_integer_range_rejects(bad):
    with pytest.raises(Invalid):
        checks.integer(1, 20)(bad)


def test_integer_from_engine_string():
    assert checks.integer(1, 20)("3") == 3


@pytest.mark.parametrize("good", ["dremio/dremio-oss:26.0", "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", "ghcr.io/org/dbt@sha256:" + "a" * 64, "localhost:5000/x:1"])
def test_image_accepts_pinned(good):
    assert checks.image(good) == good


@pytest.mark.parametrize("bad", ["dremio/dremio-oss", "dremio/dremio-oss:latest", "UPPER/case:1", ""])
def test_image_rejects_unpinned(bad):
    with pytest.raises(Invalid):
        checks.image(bad)


@pytest.mark.parametrize("good", ["0 2 * * *", "*/15 * * * 1-5", "0 0 1,15 * *", "59 23 31 12 6", "0 0 * * MON-FRI", "30 4 ? jan,jul sun", "5/20 1-23/2 * * *"])
def test_cron(good):
    assert checks.cron(good) == good


@pytest.mark.parametrize("bad,field", [
    ("0 2 * *", None), ("every day", None), ("0 0 0 * * *", None),
    ("61 2 * * *", "minute"), ("0 24 * * *", "hour"), ("0 0 0 * *", "day of month"), ("0 0 32 * *", "day of month"),
    ("0 0 * 13 *", "month"), ("0 0 * * 7", "day of week"), ("0 0 * * 5-1", "day of week"), ("*/0 * * * *", "minute"),
    ("? * * * *", "minute"), ("0 0 * foo *", "month"), ("0 0 * * 1-", "day of week"), ("0,,5 * * * *", "minute"),
])
def test_cron_rejects(bad, field):
    with pytest.raises(Invalid) as e:
        checks.cron(bad)
    assert field is None or str(e.value).startswith(f"its {field} ")


def test_out_of_range_cron_names_the_key_and_the_field():
    msg = error(cfg(postgres={"backupSchedule": "0 24 * * *"}))
    assert msg.startswith("Pulumi.dev.yaml: data-platform:postgres.backupSchedule = '0 24 * * *' is not valid: its hour '24' is not from 0 to 23")
    assert "\n" not in msg


FIELDS = st.sampled_from(checks.CRON_FIELDS)


@given(FIELDS, st.integers(-5, 70))
def test_cron_field_single_values(field, n):
    _, lo, hi, names, mark = field
    if lo <= n <= hi:
        assert checks.cron_field(str(n), lo, hi, names, mark) == {n}
    else:
        with pytest.raises(Invalid):
            checks.cron_field(str(n), lo, hi, names, mark)


@given(FIELDS.flatmap(lambda f: st.tuples(st.just(f), st.integers(f[1], f[2]), st.integers(f[1], f[2]), st.integers(0, 70))))
def test_cron_field_ranges_and_steps(args):
    (_, lo, hi, names, mark), a, b, step = args
    text = f"{a}-{b}/{step}"
    if a > b or step == 0:
        with pytest.raises(Invalid):
            checks.cron_field(text, lo, hi, names, mark)
    else:
        assert checks.cron_field(text, lo, hi, names, mark) == set(range(a, b + 1, step))
        assert checks.cron_field(f"{a}/{step}", lo, hi, names, mark) == set(range(a, hi + 1, step))
        assert checks.cron_field(f"*/{step}", lo, hi, names, mark) == set(range(lo, hi + 1, step))


@given(FIELDS.flatmap(lambda f: st.tuples(st.just(f), st.lists(st.integers(f[1], f[2]), min_size=1, max_size=5))))
def test_cron_field_lists_are_unions_and_names_are_their_numbers(args):
    (_, lo, hi, names, mark), values = args
    assert checks.cron_field(",".join(map(str, values)), lo, hi, names, mark) == set(values)
    if names:
        assert checks.cron_field(",".join(names[v - lo].upper() for v in values), lo, hi, names, mark) == set(values)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"])
def test_dbt_time_zone_accepts_iana_names(zone):
    assert load(cfg(dbt={"timeZone": zone}), "dev").dbt.time_zone == zone


@pytest.mark.parametrize("zone", ["Europe/Pariss", "europe/paris", "Local", "CEST", "Mars/Olympus_Mons"])
def test_dbt_time_zone_rejects_what_the_api_server_would(zone):
    assert error(cfg(dbt={"timeZone": zone})).startswith(f"Pulumi.dev.yaml: data-platform:dbt.timeZone = {zone!r} is not valid: an IANA time zone")


@pytest.mark.parametrize("section,request_key,limit_key", [
    ("superset", "webCpuRequest", "webCpuLimit"),
    ("airbyte", "workerMemoryRequest", "workerMemoryLimit"),
    ("minio", "cpuRequest", "cpuLimit"),
    ("dremio", "executorCpuRequest", "executorCpuLimit"),
])
def test_a_request_above_its_limit_is_rejected_in_every_section(section, request_key, limit_key):
    big = "64" if "cpu" in request_key.lower() else "512Gi"
    msg = error(cfg(**{section: {request_key: big}}))
    assert f"data-platform:{section}.{request_key} = '{big}'" in msg and f"at most {limit_key}" in msg


def test_every_sections_requests_fit_their_limits_in_every_environment():
    from settings.environments import ENVIRONMENTS
    from settings.sections import SECTIONS

    for env in ENVIRONMENTS:
        s = load(cfg(environment=env, acmeEmail="ops@example.com"), "x")
        for sec in SECTIONS:
            assert getattr(s, sec.field_name()) is not None


def test_local_ingress_can_be_a_node_port(plan_config):
    result = plan_config({"ingressServiceType": "NodePort"})
    values = result.one("kubernetes:helm.sh/v3:Release", "edge-traefik").inputs["values"]
    assert values["service"]["spec"]["type"] == "NodePort" and "externalTrafficPolicy" not in values["service"]["spec"]
    assert "one of LoadBalancer, NodePort" in error(cfg(ingressServiceType="ExternalName"))
