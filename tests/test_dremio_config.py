"""Pure Dremio configuration: memory split, role flags, dremio.conf, core-site.xml, ZooKeeper."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.apps.dremio import config, s3_identity
from components.apps.dremio.zookeeper import member_hosts, zoo_servers
from program import load_settings as load
from settings import SettingsError
from settings.sections.dremio import MIN_DIRECT_MB, S3_EC2_METADATA_PROVIDER, S3_PROFILE_PROVIDER, memory_plan, reserve_mb


@given(container=st.integers(1024, 512 * 1024), heap=st.integers(256, 256 * 1024))
def test_memory_plan_never_exceeds_the_container(container, heap):
    try:
        plan = memory_plan(container, heap)
    except ValueError as e:
        assert heap < 1024 or container - reserve_mb(container) - heap < MIN_DIRECT_MB, str(e)
        return
    assert plan.heap_mb + plan.direct_mb + plan.reserve_mb == container
    assert plan.direct_mb >= MIN_DIRECT_MB and plan.reserve_mb >= 512
    assert plan.initial_heap_mb <= plan.heap_mb


def test_seed_heap_figures_in_prod():
    s = load({"data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com"}, "prod")
    coord, ex = s.dremio.coordinator_memory(), s.dremio.executor_memory()
    # The seed: coordinator 16384 MB heap with -Xms8g -Xmx16g; executor 32768 MB = its 32Gi container.
    assert (coord.heap_mb, coord.initial_heap_mb) == (16384, 8192)
    assert ex.container_mb == 32768
    assert ex.heap_mb + ex.direct_mb + ex.reserve_mb == 32768


def test_a_heap_that_does_not_fit_is_a_config_error():
    with pytest.raises(SettingsError) as e:
        load({"data-platform:dremio": {"coordinatorHeapMb": 8192}}, "dev")  # dev limit 6Gi
    assert "data-platform:dremio.coordinatorHeapMb" in str(e.value)


def test_requests_above_limits_are_rejected():
    with pytest.raises(SettingsError) as e:
        load({"data-platform:dremio": {"executorCpuRequest": "8", "executorCpuLimit": "4"}}, "dev")
    assert "executorCpuRequest" in str(e.value)


def test_a_credentials_provider_dremio_refuses_is_a_config_error():
    """The old default, WebIdentityTokenCredentialsProvider, is not in Dremio 25.2.0's list: one line naming key and choices."""
    with pytest.raises(SettingsError) as e:
        load({"data-platform:dremio": {"s3CredentialsProvider": "com.amazonaws.auth.WebIdentityTokenCredentialsProvider"}}, "prod")
    msg = str(e.value)
    assert "data-platform:dremio.s3CredentialsProvider" in msg and S3_PROFILE_PROVIDER in msg and "\n" not in msg.strip()


@pytest.mark.parametrize("n", [2, 4])
def test_zookeeper_needs_an_odd_quorum(n):
    with pytest.raises(SettingsError):
        load({"data-platform:dremio": {"zookeeperReplicas": n}}, "dev")


def _flags(flags):
    return dict(f[2:].split("=", 1) for f in flags if f.startswith("-D"))


@given(role=st.sampled_from(["master", "executor"]), embedded=st.booleans(),
       hosts=st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{1,5}){0,3}", fullmatch=True), min_size=1, max_size=5))
def test_role_flags(role, embedded, hosts):
    zk = config.zookeeper_connect(hosts)
    f = _flags(config.role_flags(role, zk, embedded, memory_plan(8192, 2048)))
    master = role == "master"
    assert f["zookeeper"] == zk and zk.count(":2181") == len(hosts)
    assert f["services.coordinator.enabled"] == str(master).lower()
    assert f["services.coordinator.master.enabled"] == str(master).lower()
    assert f["services.executor.enabled"] == str(not master).lower()
    # Only a master may embed ZooKeeper; an executor never does.
    assert f["services.coordinator.master.embedded-zookeeper.enabled"] == str(master and embedded).lower()


def test_role_flags_reject_unknown_roles():
    with pytest.raises(ValueError):
        config.role_flags("coordinator", "zk:2181", False, memory_plan(8192, 2048))  # type: ignore[arg-type]


@given(bucket=st.from_regex(r"[a-z0-9][a-z0-9.-]{2,40}", fullmatch=True), path=st.from_regex(r"[a-z0-9][a-z0-9/_-]{0,20}", fullmatch=True))
def test_dist_uri_and_dremio_conf(bucket, path):
    uri = config.dist_uri(bucket, path)
    assert uri.startswith(f"dremioS3:///{bucket}")
    conf = config.render_dremio_conf(uri)
    assert f'dist: "{uri}"' in conf
    # Only real Dremio keys: the seed's made-up ones would stop Dremio from starting.
    for bogus in ("heap_memory_mb", "reflection.refresh.threads", "coordinator.enabled: true"):
        assert bogus not in conf


def _props(xml: str) -> dict[str, str]:
    root = ET.fromstring(xml)
    return {p.findtext("name"): p.findtext("value") for p in root.findall("property")}


@given(host=st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z0-9-]{1,10}){0,4}", fullmatch=True),
       port=st.integers(1, 65535), scheme=st.sampled_from(["http", "https"]), path_style=st.booleans())
def test_core_site_for_an_s3_compatible_store(host, port, scheme, path_style):
    props = _props(config.render_core_site(config.S3Access(endpoint=f"{scheme}://{host}:{port}", path_style=path_style,
                                                           region="us-east-1", static_keys=True)))
    assert props["fs.dremioS3.impl"] == "com.dremio.plugins.s3.store.S3FileSystem"
    assert props["fs.s3a.endpoint"] == f"{host}:{port}"
    assert props["fs.s3a.connection.ssl.enabled"] == ("true" if scheme == "https" else "false")
    assert props["dremio.s3.compat"] == "true"
    assert ("fs.s3a.path.style.access" in props) == path_style
    assert props["fs.s3a.aws.credentials.provider"] == config.S3A_SIMPLE
    # Keys are references to the pod environment, never values.
    assert props["fs.s3a.access.key"] == "${env.AWS_ACCESS_KEY_ID}"
    assert props["fs.s3a.secret.key"] == "${env.AWS_SECRET_ACCESS_KEY}"


def test_core_site_with_workload_identity_uses_the_web_identity_profile_and_has_no_keys():
    props = _props(config.render_core_site(config.S3Access(endpoint=None, path_style=False, region="eu-west-1", static_keys=False)))
    # Not WebIdentityTokenCredentialsProvider: S3FileSystem's SDK v2 clients refuse it (the dist store would not start).
    assert props["fs.s3a.aws.credentials.provider"] == "com.dremio.plugins.s3.store.AWSProfileCredentialsProviderV1"
    assert props["com.dremio.awsProfile"] == s3_identity.PROFILE
    assert not {"fs.s3a.access.key", "fs.s3a.secret.key", "fs.s3a.endpoint", "dremio.s3.compat"} & set(props)


@given(static_keys=st.booleans(), provider=st.sampled_from([S3_PROFILE_PROVIDER, S3_EC2_METADATA_PROVIDER]),
       endpoint=st.sampled_from([None, "http://minio:9000"]))
def test_every_core_site_names_a_provider_dremio_2520_accepts(static_keys, provider, endpoint):
    """AwsCredentialProviderUtils.getCredentialsProvider (dremio-oss 25.2.0) throws on any other class."""
    props = _props(config.render_core_site(config.S3Access(endpoint=endpoint, path_style=False, region=None,
                                                           static_keys=static_keys, credentials_provider=provider)))
    assert props["fs.s3a.aws.credentials.provider"] in s3_identity.DREMIO_ACCEPTED_PROVIDERS
    assert ("com.dremio.awsProfile" in props) == (not static_keys and provider == S3_PROFILE_PROVIDER)


def test_a_provider_dremio_refuses_is_not_rendered():
    with pytest.raises(ValueError, match="no keyless provider"):
        config.render_core_site(config.S3Access(endpoint=None, path_style=False, region=None, static_keys=False,
                                                credentials_provider="com.amazonaws.auth.WebIdentityTokenCredentialsProvider"))


@given(n=st.integers(1, 9))
def test_zoo_servers_lists_every_member_with_ids_from_one(n):
    hosts = member_hosts("dremio-zk", "dremio-zk-hs", "data-platform", n)
    servers = zoo_servers(hosts).split()
    assert len(servers) == n
    for i, entry in enumerate(servers):
        assert entry == f"server.{i + 1}={hosts[i]}:2888:3888;2181"
