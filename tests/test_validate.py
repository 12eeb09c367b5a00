"""The offline plan's manifest validation catches what the API server would refuse or drop."""

from __future__ import annotations

import copy

from offline_plan.validate import validate

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
