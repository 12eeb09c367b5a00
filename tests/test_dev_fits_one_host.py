"""The dev stack fits the seed's single host (issue 12 item 14: 4-8 cores, 16-32 GB): at most
14 GiB and 4 CPU of requests once every pod is counted the way the scheduler counts it,
operator- and chart-made pods included (offline_plan/resource_budget.py says how, and which chart
values paths it reads), with every component still present and limits above requests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from offline_plan.resource_budget import CHART_PODS, budget, names
from settings.checks import cpu_millis, memory_bytes

ROOT = Path(__file__).resolve().parent.parent
MAX_MEMORY = 14 * 2**30
MAX_CPU_M = 4000


@pytest.fixture(scope="module")
def dev(plan_stack):
    return plan_stack("dev")


def test_dev_requests_fit_14_gib_and_4_cpu(dev):
    b = budget(dev)
    assert b.steady.memory <= MAX_MEMORY and b.steady.cpu_m <= MAX_CPU_M, b.describe()


def test_every_component_is_still_there(dev):
    counted = names(budget(dev).lines)
    for part in ("StatefulSet dremio-master", "StatefulSet dremio-executor", "StatefulSet minio-pool-0", "CNPG Cluster postgres",
                 "CNPG Pooler postgres-pooler-rw", "Elasticsearch elasticsearch/default", "Deployment superset-web",
                 "Deployment superset-worker", "Deployment superset-beat", "airbyte: airbyte-server", "airbyte: airbyte-worker",
                 "airbyte: airbyte-temporal", "kube-prometheus-stack: prometheus", "kube-prometheus-stack: grafana",
                 "fluent-bit: fluent-bit", "cert-manager: cert-manager", "cloudnative-pg: cnpg-operator", "eck-operator: elastic-operator"):
        assert part in counted, part


def test_the_airbyte_worker_hpa_minimum_is_counted(plan_config):
    """An HPA's minReplicas is what runs at rest: raising it must raise the total."""
    base = budget(plan_config({"airbyte": {"hpaMinReplicas": 1}}))
    more = budget(plan_config({"airbyte": {"hpaMinReplicas": 2, "workerReplicas": 1}}))
    assert more.steady.memory - base.steady.memory == memory_bytes("512Mi")


def test_limits_leave_room_to_burst(dev):
    """Requests were lowered, not limits: the big JVMs and the worker can still burst."""
    def container(kind, name):
        (c,) = dev.one(kind, name).inputs["spec"]["template"]["spec"]["containers"]
        return c["resources"]
    for kind, name in (("kubernetes:apps/v1:StatefulSet", "dremio-master"), ("kubernetes:apps/v1:StatefulSet", "dremio-executor"),
                       ("kubernetes:apps/v1:Deployment", "superset-web"), ("kubernetes:apps/v1:Deployment", "superset-worker")):
        r = container(kind, name)
        assert memory_bytes(r["limits"]["memory"]) >= 2 * memory_bytes(r["requests"]["memory"]), name
        assert cpu_millis(r["limits"]["cpu"]) >= 4 * cpu_millis(r["requests"]["cpu"]), name


def test_every_chart_of_the_local_plans_has_a_budget_entry(plan_stack):
    for stack in ("dev", "prod-local"):  # the local stacks; AWS adds its own cluster charts
        for r in plan_stack(stack).by_type("kubernetes:helm.sh/v3:Release"):
            assert r.inputs["chart"] in CHART_PODS, r.inputs["chart"]


def test_the_readme_states_the_total(dev):
    b = budget(dev)
    text = (ROOT / "README.md").read_text()
    m = re.search(r"requests total about \*\*([\d.]+) GiB and ([\d.]+) CPU\*\*", text)
    assert m, "README: the dev stack's total requests"
    assert abs(float(m.group(1)) - b.steady.gib) < 0.3 and abs(float(m.group(2)) - b.steady.cpu_m / 1000) < 0.15, b.describe()
