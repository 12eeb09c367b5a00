"""The offline plan's manifest validation catches what the API server would refuse or drop."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from offline_plan.validate import validate

ROOT = Path(__file__).resolve().parent.parent

ISSUER = {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}
MONITOR = {
    "apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor", "metadata": {"name": "pg", "namespace": "monitoring"},
    "spec": {"selector": {"matchLabels": {"cnpg.io/cluster": "postgres"}}, "podMetricsEndpoints": [{"port": "metrics"}]},
}
CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}, "data": {"a": "b"}}


def test_valid_objects_pass():
    report = validate([ISSUER, MONITOR, CONFIGMAP], "1.34")
    assert (report.validated, report.errors) == (3, [])


def test_unknown_field_in_a_built_in_kind_is_an_error():
    bad = {**CONFIGMAP, "date": {"a": "b"}}
    assert len(validate([bad], "1.34").errors) == 1


def test_unknown_or_mistyped_fields_in_custom_resources_are_errors():
    typo = copy.deepcopy(ISSUER)
    typo["spec"]["selfSinged"] = {}
    wrong_type = copy.deepcopy(MONITOR)
    wrong_type["spec"]["podMetricsEndpoints"] = "metrics"
    report = validate([typo, wrong_type], "1.34")
    assert len(report.errors) == 2 and report.validated == 0


def test_custom_resources_without_an_offline_schema_are_reported_not_passed():
    cnpg = {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "pg", "namespace": "x"}, "spec": {"instances": 1}}
    report = validate([cnpg], "1.34")
    assert report.validated == 0 and report.skipped == ["postgresql.cnpg.io/v1/Cluster x/pg"]


def test_unknown_top_level_and_metadata_fields_in_custom_resources_are_errors():
    """Resource and ObjectMeta are strict too, not only the spec models."""
    top = {**ISSUER, "spek": {}}
    meta = copy.deepcopy(MONITOR)
    meta["metadata"]["lables"] = {"a": "b"}
    report = validate([top, meta], "1.34")
    assert len(report.errors) == 2 and report.validated == 0


def test_a_kind_or_version_the_group_does_not_have_is_an_error_not_a_skip():
    typo = {**ISSUER, "kind": "ClusterIsuer"}
    old = {**ISSUER, "apiVersion": "cert-manager.io/v1alpha2"}
    report = validate([typo, old], "1.34")
    assert report.validated == 0 and report.skipped == [] and len(report.errors) == 2


def test_validation_loads_only_the_model_modules_of_the_objects_kinds():
    """A model package's __init__ imports every version of every API it has (seconds each):
    a plan with cert-manager objects loads cert-manager's v1 models and nothing else."""
    code = (
        "import sys, json; from offline_plan.validate import validate; "
        f"r = validate([{CONFIGMAP!r}], '1.34'); before = [m for m in sys.modules if 'cloudcoil.models' in m]; "
        f"r2 = validate([{ISSUER!r}], '1.34'); after = [m for m in sys.modules if 'cloudcoil.models' in m]; "
        "print(json.dumps([r.validated + r2.validated, before, after]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    validated, before, after = json.loads(out)
    assert validated == 2 and before == []
    assert after == ["offline_plan._crd.cloudcoil.models.cert_manager.v1"]
