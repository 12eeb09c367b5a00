"""Dremio as planned: roles, ZooKeeper per environment, sizing, storage, security, Services."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from offline_plan.mocks import FAKE_SECRET_PREFIX

STS = "kubernetes:apps/v1:StatefulSet"
PROD = {"environment": "prod", "acmeEmail": "ops@example.com", "fastSsdStorageClass": "fast-ssd"}


def sts(plan, name):
    return plan.one(STS, name).inputs


def pod(plan, name):
    return sts(plan, name)["spec"]["template"]["spec"]


def env_of(container):
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def flags(container):
    opts = env_of(container)["DREMIO_JAVA_SERVER_EXTRA_OPTS"].split()
    return dict(o[2:].split("=", 1) for o in opts if o.startswith("-D"))


def config_files(plan):
    return plan.one("kubernetes:core/v1:ConfigMap", "dremio-config").inputs["data"]


def test_dev_embeds_zookeeper_in_the_master(plan_stack):
    plan = plan_stack("dev")
    assert not [r for r in plan.by_type(STS) if r.name == "dremio-zk"]
    master, executor = pod(plan, "dremio-master")["containers"][0], pod(plan, "dremio-executor")["containers"][0]
    m, e = flags(master), flags(executor)
    assert m["services.coordinator.master.embedded-zookeeper.enabled"] == "true"
    assert m["zookeeper"] == e["zookeeper"] == "dremio-master-0.dremio-cluster.data-platform.svc.cluster.local:2181"
    assert (m["services.coordinator.enabled"], m["services.executor.enabled"]) == ("true", "false")
    assert (e["services.coordinator.enabled"], e["services.executor.enabled"]) == ("false", "true")
    assert {p["name"] for p in master["ports"]} >= {"web", "client", "flight", "fabric", "zookeeper"}
    assert sts(plan, "dremio-executor")["spec"]["replicas"] == 1


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_staging_and_prod_run_a_three_node_zookeeper(plan_config, env):
    plan = plan_config({**PROD, "environment": env})
    zk = sts(plan, "dremio-zk")
    assert zk["spec"]["replicas"] == 3
    image = zk["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith("zookeeper:") and image.split(":")[1][0].isdigit()
    servers = env_of(zk["spec"]["template"]["spec"]["containers"][0])["ZOO_SERVERS"].split()
    assert [s.split("=")[0] for s in servers] == ["server.1", "server.2", "server.3"]
    for name in ("dremio-master", "dremio-executor"):
        f = flags(pod(plan, name)["containers"][0])
        assert f["services.coordinator.master.embedded-zookeeper.enabled"] == "false"
        assert f["zookeeper"].split(",") == [f"dremio-zk-{i}.dremio-zk-hs.data-platform.svc.cluster.local:2181" for i in range(3)]
    pdb = plan.one("kubernetes:policy/v1:PodDisruptionBudget", "dremio-zk").inputs["spec"]
    assert pdb["maxUnavailable"] == 1
    # One member per node when highly available.
    assert "requiredDuringSchedulingIgnoredDuringExecution" in zk["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]


def test_prod_sizing_follows_the_seed(plan_config):
    plan = plan_config(PROD)
    ex = sts(plan, "dremio-executor")
    assert ex["spec"]["replicas"] == 3
    c = ex["spec"]["template"]["spec"]["containers"][0]
    assert c["resources"] == {"requests": {"cpu": "4", "memory": "16Gi"}, "limits": {"cpu": "8", "memory": "32Gi"}}
    e = env_of(c)
    assert int(e["DREMIO_MAX_HEAP_MEMORY_SIZE_MB"]) + int(e["DREMIO_MAX_DIRECT_MEMORY_SIZE_MB"]) < 32768
    claim = ex["spec"]["volumeClaimTemplates"][0]["spec"]
    assert claim["storageClassName"] == "fast-ssd" and claim["resources"]["requests"]["storage"] == "100Gi"
    master = pod(plan, "dremio-master")["containers"][0]
    m = env_of(master)
    assert m["DREMIO_MAX_HEAP_MEMORY_SIZE_MB"] == "16384" and "-Xms8192m" in m["DREMIO_JAVA_SERVER_EXTRA_OPTS"]
    assert plan.one("kubernetes:policy/v1:PodDisruptionBudget", "dremio-executor").inputs["spec"]["maxUnavailable"] == 1


def test_horizontal_and_vertical_scaling_from_config_alone(plan_config):
    plan = plan_config({**PROD, "dremio": {"executors": 6, "executorCpuLimit": "16", "executorMemoryLimit": "32Gi"}})
    ex = sts(plan, "dremio-executor")
    assert ex["spec"]["replicas"] == 6
    assert ex["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "16", "memory": "32Gi"}


def test_distributed_storage_on_the_object_store(plan_stack):
    plan = plan_stack("dev")
    files = config_files(plan)
    assert 'dist: "dremioS3:///' in files["dremio.conf"] and '/dremio"' in files["dremio.conf"]
    props = {p.findtext("name"): p.findtext("value") for p in ET.fromstring(files["core-site.xml"]).findall("property")}
    assert props["fs.s3a.path.style.access"] == "true"
    assert props["fs.s3a.endpoint"].endswith(":9000")
    assert props["fs.s3a.access.key"].startswith("${env.")
    # The keys come from the object-store credentials Secret, by reference.
    for name in ("dremio-master", "dremio-executor"):
        e = env_of(pod(plan, name)["containers"][0])
        assert "secretKeyRef" in e["AWS_ACCESS_KEY_ID"] and "secretKeyRef" in e["AWS_SECRET_ACCESS_KEY"]


def test_configuration_is_mounted_and_rolls_the_pods(plan_stack):
    plan = plan_stack("dev")
    for name in ("dremio-master", "dremio-executor"):
        spec = pod(plan, name)
        mounts = {m["mountPath"]: m for m in spec["containers"][0]["volumeMounts"]}
        assert mounts["/opt/dremio/conf/dremio.conf"]["subPath"] == "dremio.conf"
        assert mounts["/opt/dremio/conf/core-site.xml"]["subPath"] == "core-site.xml"
        ann = sts(plan, name)["spec"]["template"]["metadata"]["annotations"]
        assert len(ann["data-platform.io/config-checksum"]) == 64


def dremio_workloads(plan):
    for r in plan.registrations:
        if r.type in (STS, "kubernetes:batch/v1:Job") and r.name.startswith("dremio"):
            yield r


def test_every_dremio_container_is_hardened_and_sized(plan_config):
    plan = plan_config(PROD)
    seen = 0
    for r in dremio_workloads(plan):
        spec = r.inputs["spec"]["template"]["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert spec["automountServiceAccountToken"] is False
        for c in spec.get("initContainers", []) + spec["containers"]:
            seen += 1
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"]["drop"] == ["ALL"]
            assert sc["readOnlyRootFilesystem"] is True and sc["runAsNonRoot"] is True
            assert set(c["resources"]) == {"requests", "limits"}
            if r.type == STS and c in spec["containers"]:
                assert {"startupProbe", "readinessProbe", "livenessProbe"} <= set(c), (r.name, c["name"])
        if r.type == "kubernetes:batch/v1:Job":
            assert r.inputs["spec"]["activeDeadlineSeconds"] > 0
    assert seen >= 5  # master + upgrade init, executor, zookeeper, bootstrap


def test_services_and_ports(plan_stack):
    plan = plan_stack("dev")
    client = plan.one("kubernetes:core/v1:Service", "dremio-coordinator").inputs["spec"]
    assert {p["port"] for p in client["ports"]} == {9047, 31010, 32010}
    assert client["selector"]["app.kubernetes.io/component"] == "coordinator"
    cluster = plan.one("kubernetes:core/v1:Service", "dremio-cluster").inputs["spec"]
    assert cluster["clusterIP"] == "None" and {45678, 45679} <= {p["port"] for p in cluster["ports"]}
    for name in ("dremio-master", "dremio-executor"):
        assert sts(plan, name)["spec"]["serviceName"] == "dremio-cluster"


def test_the_gateway_routes_dremio_to_the_coordinator_ui(plan_stack):
    plan = plan_stack("dev")
    (route,) = [r.inputs for r in plan.by_type("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute") if r.inputs["metadata"]["name"] == "dremio"]
    assert route["spec"]["hostnames"] == ["dremio.data-platform.localhost"]
    assert [b for rule in route["spec"]["rules"] for b in rule["backendRefs"]] == [{"group": "", "kind": "Service", "name": "dremio-coordinator", "port": 9047}]


def test_image_is_configurable_and_pinned(plan_config):
    plan = plan_config({"dremio": {"image": "registry.example.com/dremio/dremio-oss:26.0.5"}})
    assert pod(plan, "dremio-master")["containers"][0]["image"] == "registry.example.com/dremio/dremio-oss:26.0.5"
    # 26.0 stays the default: Dremio's KV store upgrades one way (docs/dremio.md).
    assert pod(plan_config({}), "dremio-executor")["containers"][0]["image"] == "dremio/dremio-oss:26.0"


def test_generated_credentials_never_appear_in_plaintext(plan_config):
    plan = plan_config(PROD)
    for name in ("dremio-admin", "dremio-dbt"):
        data = plan.one("kubernetes:core/v1:Secret", name).inputs["stringData"]
        assert data == "[secret]" or data["password"] == "[secret]"
    text = json.dumps([r.inputs for r in plan.registrations if "dremio" in r.name or r.name.startswith("dbt")])
    assert FAKE_SECRET_PREFIX not in text


def test_dremio_catalog_is_protected_where_the_stack_protects_state(plan_config, plan_stack):
    prod = plan_config(PROD)
    assert prod.one(STS, "dremio-master").protect and prod.one(STS, "dremio-zk").protect
    assert not prod.one(STS, "dremio-executor").protect  # executor volumes are spill/cache
    assert not plan_stack("dev").one(STS, "dremio-master").protect
    for name in ("dremio-master", "dremio-executor", "dremio-zk"):
        assert sts(prod, name)["spec"]["persistentVolumeClaimRetentionPolicy"]["whenDeleted"] == "Retain"
