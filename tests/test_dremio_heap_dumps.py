"""Dremio heap dumps survive the OOM (issue 12 item 5).

The image's bin/dremio starts the JVM with `-XX:+HeapDumpOnOutOfMemoryError
-XX:HeapDumpPath=${DREMIO_LOG_DIR}` and then appends DREMIO_JAVA_SERVER_EXTRA_OPTS; the JVM keeps
the last occurrence of a flag. The log dir is a 2Gi emptyDir here: a heap-sized dump there gets
the pod evicted and is lost with it. The effective path must be a persistent volume."""

from __future__ import annotations

import pytest

from offline_plan.runner import PlanError

STS = "kubernetes:apps/v1:StatefulSet"
IMAGE_FLAGS = ["-XX:+HeapDumpOnOutOfMemoryError", "-XX:HeapDumpPath=/var/log/dremio"]
"""What bin/dremio puts before the extra options (DREMIO_LOG_DIR is /var/log/dremio in the image)."""


def _effective(flags: list[str], name: str) -> str | None:
    """The JVM's value of an -XX option: the last occurrence wins."""
    value = None
    for f in flags:
        if f.startswith(f"-XX:{name}="):
            value = f.split("=", 1)[1]
        elif f in (f"-XX:+{name}", f"-XX:-{name}"):
            value = f[4]
    return value


def _jvm_flags(container: dict) -> list[str]:
    env = {e["name"]: e.get("value") for e in container["env"]}
    return IMAGE_FLAGS + env["DREMIO_JAVA_SERVER_EXTRA_OPTS"].split()


@pytest.mark.parametrize("name", ["dremio-master", "dremio-executor"])
def test_heap_dumps_go_to_the_pods_persistent_volume(plan_stack, name):
    sts = plan_stack("dev").one(STS, name).inputs["spec"]
    (c,) = sts["template"]["spec"]["containers"]
    flags = _jvm_flags(c)
    assert _effective(flags, "HeapDumpOnOutOfMemoryError") == "+"
    path = _effective(flags, "HeapDumpPath")
    (mount,) = [m for m in c["volumeMounts"] if path == m["mountPath"] or path.startswith(m["mountPath"] + "/")]
    assert mount["name"] in {t["metadata"]["name"] for t in sts["volumeClaimTemplates"]}  # a PVC, not an emptyDir
    assert mount["name"] not in {v["name"] for v in sts["template"]["spec"]["volumes"]}


def test_heap_dumps_can_be_turned_off(plan_config):
    plan = plan_config({"dremio": {"heapDumps": False}})
    for name in ("dremio-master", "dremio-executor"):
        (c,) = plan.one(STS, name).inputs["spec"]["template"]["spec"]["containers"]
        assert _effective(_jvm_flags(c), "HeapDumpOnOutOfMemoryError") == "-"


def test_a_volume_without_room_for_a_dump_is_rejected(plan_config):
    with pytest.raises(PlanError) as err:
        plan_config({"dremio": {"coordinatorVolumeSize": "6Gi", "coordinatorHeapMb": 4096, "coordinatorMemoryLimit": "6Gi"}})
    assert "data-platform:dremio.coordinatorVolumeSize" in str(err.value) and "heapDumps" in str(err.value)
    plan_config({"dremio": {"coordinatorVolumeSize": "6Gi", "coordinatorHeapMb": 4096, "coordinatorMemoryLimit": "6Gi", "heapDumps": False}})
