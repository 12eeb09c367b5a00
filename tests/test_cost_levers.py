"""The seed's cost levers as config: a Spot node group for interruptible work, and the off-hours
scale-down. Both on in staging, off in prod."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml

from components import off_hours
from offline_plan import manifests
from program import load_settings as load
from settings import SettingsError

TAINT = {"key": "data-platform/interruptible", "value": "true", "effect": "NO_SCHEDULE"}


def _node_groups(result):
    return {r.name: r.inputs for r in result.by_type("aws:eks/nodeGroup:NodeGroup")}


def _airbyte_job_kube(result):
    release = result.one("kubernetes:helm.sh/v3:Release", "airbyte-release")
    return release.inputs["values"]["global"]["jobs"]["kube"]


def _objects(result, kind):
    return [o for o in manifests.objects(result) if o["kind"] == kind]


def test_staging_has_a_tainted_spot_group_and_connector_jobs_tolerate_and_select_it(plan_stack):
    staging = plan_stack("staging")
    spot = _node_groups(staging)["staging-eks-interruptible"]
    assert spot["capacityType"] == "SPOT"
    assert len(set(spot["instanceTypes"])) >= 2
    assert spot["taints"] == [TAINT]
    kube = _airbyte_job_kube(staging)
    assert kube["tolerations"] == [{"key": TAINT["key"], "operator": "Equal", "value": "true", "effect": "NoSchedule"}]
    assert kube["nodeSelector"].items() <= spot["labels"].items()
    # The general group stays On-Demand and untainted: everything else runs there.
    general = _node_groups(staging)["staging-eks-general"]
    assert general["capacityType"] == "ON_DEMAND" and not general.get("taints")


def test_prod_has_no_spot_group_and_no_job_tolerations(plan_stack):
    prod = plan_stack("prod")
    assert [g["capacityType"] for g in _node_groups(prod).values()] == ["ON_DEMAND"]
    assert "tolerations" not in _airbyte_job_kube(prod) and "nodeSelector" not in _airbyte_job_kube(prod)


def test_dremio_executors_can_opt_in_to_the_spot_nodes(plan_config):
    result = plan_config({"cloud": "aws", "aws:region": "eu-west-1", "environment": "staging", "domain": "s.example.com",
                          "acmeEmail": "ops@example.com", "dremio": {"executorsInterruptible": True}}, stack="staging")
    sts = {o["metadata"]["name"]: o for o in _objects(result, "StatefulSet")}
    executor, master = sts["dremio-executor"]["spec"]["template"]["spec"], sts["dremio-master"]["spec"]["template"]["spec"]
    assert executor["tolerations"] == [{"key": TAINT["key"], "operator": "Equal", "value": "true", "effect": "NoSchedule"}]
    preferred = executor["affinity"]["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred[0]["preference"]["matchExpressions"] == [{"key": "data-platform/node-pool", "operator": "In", "values": ["interruptible"]}]
    assert "podAntiAffinity" in executor["affinity"]  # still spread over nodes
    assert "tolerations" not in master  # the coordinator holds the catalog: never on Spot


def test_staging_scales_down_off_hours_with_least_privilege(plan_stack):
    staging = plan_stack("staging")
    crons = {o["metadata"]["name"]: o for o in _objects(staging, "CronJob")}
    assert {"off-hours-down", "off-hours-up"} <= set(crons)
    for name in ("off-hours-down", "off-hours-up"):
        spec = crons[name]["spec"]
        assert spec["timeZone"] == "Europe/Paris" and spec["concurrencyPolicy"] == "Forbid"
        pod = spec["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == off_hours.APP
        c = pod["containers"][0]
        assert ":" in c["image"] and not c["image"].endswith(":latest")
        assert c["securityContext"]["capabilities"]["drop"] == ["ALL"] and pod["securityContext"]["runAsNonRoot"]
    assert crons["off-hours-down"]["spec"]["schedule"] == "0 20 * * 1-5" and crons["off-hours-up"]["spec"]["schedule"] == "0 7 * * 1-5"
    roles = [o for o in _objects(staging, "Role") if o["metadata"]["name"] == off_hours.APP]
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["data-platform", "data-storage"]
    for role in roles:
        granted = {(res, verb) for rule in role["rules"] for res in rule["resources"] for verb in rule["verbs"]}
        assert rule_groups(role) == {"apps"}
        assert granted == {(r, v) for r in ("deployments", "statefulsets") for v in ("get", "list", "patch")} | {
            (r, v) for r in ("deployments/scale", "statefulsets/scale") for v in ("get", "patch")}
    bindings = [o for o in _objects(staging, "RoleBinding") if o["metadata"]["name"] == off_hours.APP]
    assert len(bindings) == 2 and all(b["subjects"] == [{"kind": "ServiceAccount", "name": off_hours.APP, "namespace": "data-platform"}] for b in bindings)
    assert not [o for o in _objects(staging, "ClusterRoleBinding") if off_hours.APP in o["metadata"]["name"]]
    # Its only egress is the API server.
    policy = next(o for o in _objects(staging, "NetworkPolicy") if o["metadata"]["name"] == "off-hours-scaler")
    assert {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]} == {443, 6443}


def rule_groups(role):
    return {g for rule in role["rules"] for g in rule["apiGroups"]}


def test_prod_has_no_off_hours_scale_down(plan_stack):
    prod = plan_stack("prod")
    assert not [o for o in manifests.objects(prod) if off_hours.APP in str(o["metadata"].get("labels", {}).get("app", ""))]


FAKE_KUBECTL = """#!/bin/sh
# `get` prints the objects of $ns as the go-template would; every other call is logged.
if [ "$1" = "get" ]; then cat "$FAKE_DIR/objects-$4"; else echo "$*" >> "$FAKE_DIR/calls"; fi
"""


def _run(script: str, tmp_path: Path, objects: dict[str, str]) -> list[str]:
    (tmp_path / "kubectl").write_text(FAKE_KUBECTL)
    (tmp_path / "kubectl").chmod(0o755)
    for ns, text in objects.items():
        (tmp_path / f"objects-{ns}").write_text(text)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "FAKE_DIR": str(tmp_path)}
    subprocess.run(["/bin/sh", "-c", script], check=True, env=env)
    calls = tmp_path / "calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_down_records_and_scales_to_zero_except_skipped_and_idle(tmp_path):
    calls = _run(off_hours.down_script(["data-platform", "data-storage"]), tmp_path, {
        "data-platform": "Deployment superset-web 2 <no value>\nStatefulSet dremio-executor 3 skip\nDeployment idle 0 <no value>\n",
        "data-storage": "Deployment pgbouncer 2 \n",
    })
    assert calls == [
        f"-n data-platform annotate --overwrite Deployment/superset-web {off_hours.REPLICAS_ANNOTATION}=2",
        "-n data-platform scale Deployment/superset-web --replicas=0",
        f"-n data-storage annotate --overwrite Deployment/pgbouncer {off_hours.REPLICAS_ANNOTATION}=2",
        "-n data-storage scale Deployment/pgbouncer --replicas=0",
    ]


def test_up_restores_the_recorded_replicas_of_objects_still_at_zero(tmp_path):
    calls = _run(off_hours.up_script(["data-platform"]), tmp_path, {
        "data-platform": "Deployment superset-web 0 2\nDeployment manual 4 1\nStatefulSet never-scaled 1 <no value>\n",
    })
    assert calls == [
        "-n data-platform scale Deployment/superset-web --replicas=2",
        f"-n data-platform annotate Deployment/superset-web {off_hours.REPLICAS_ANNOTATION}-",
        f"-n data-platform annotate Deployment/manual {off_hours.REPLICAS_ANNOTATION}-",
    ]


def _cfg(**aws):
    return {"data-platform:cloud": "aws", "data-platform:environment": "staging", "data-platform:domain": "x.example.com",
            "data-platform:acmeEmail": "ops@example.com", "data-platform:aws": aws}


def test_a_spot_group_needs_several_instance_types():
    with pytest.raises(SettingsError) as e:
        load(_cfg(spotNodes=True, spotInstanceTypes=["m5.xlarge"]), "staging")
    assert "spotInstanceTypes" in str(e.value) and "Pulumi.staging.yaml" in str(e.value)


def test_off_hours_schedules_must_differ():
    cfg = {**_cfg(), "data-platform:offhours": {"downSchedule": "0 7 * * *", "upSchedule": "0 7 * * *"}}
    with pytest.raises(SettingsError) as e:
        load(cfg, "staging")
    assert "upSchedule" in str(e.value)


def test_defaults_follow_the_environment():
    assert load(_cfg(), "staging").aws.spot_nodes and load(_cfg(), "staging").offhours.enabled
    prod = {**_cfg(drRegion="eu-central-1"), "data-platform:environment": "prod"}
    assert not load(prod, "prod").aws.spot_nodes and not load(prod, "prod").offhours.enabled


def test_the_manifest_scripts_are_the_tested_scripts(plan_stack):
    crons = {o["metadata"]["name"]: o for o in _objects(plan_stack("staging"), "CronJob")}
    script = lambda n: crons[n]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"][-1]  # noqa: E731
    assert script("off-hours-down") == off_hours.down_script(["data-platform", "data-storage"])
    assert script("off-hours-up") == off_hours.up_script(["data-platform", "data-storage"])
    assert yaml.safe_dump(crons["off-hours-up"])  # serialisable as the manifest
