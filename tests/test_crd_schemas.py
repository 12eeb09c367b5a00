"""Gateway API and Traefik resources are validated against their CRDs' schemas at the pinned
versions, unknown fields rejected (offline_plan/crd_schemas.py), and the plan's own pass."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.apps.ui import UiBackend
from components.edge import routes
from components.edge.routes import Route
from offline_plan import crd_schemas, manifests
from offline_plan.validate import validate

R = Route("airbyte", UiBackend(service="svc", port=8001, selector={"app": "a"}), (("/api/", UiBackend(service="api", port=80, selector={"app": "b"})),))
HTTPROUTE = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "a", "namespace": "data-platform"},
             "spec": routes.http_route_spec(R, "example.org", "edge")}
GATEWAY = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "g", "namespace": "edge"},
           "spec": routes.gateway_spec([R], "example.org", gateway_class="c", http_port=8000, https_port=8443, routes_namespace="data-platform")}
MIDDLEWARE = {"apiVersion": "traefik.io/v1alpha1", "kind": "Middleware", "metadata": {"name": "m", "namespace": "data-platform"},
              "spec": routes.body_limit_spec()}


def test_the_platforms_gateway_objects_are_valid():
    report = validate([HTTPROUTE, GATEWAY, MIDDLEWARE, {**HTTPROUTE, "spec": routes.redirect_route_spec("edge")}], "1.34")
    assert (report.validated, report.errors, report.skipped) == (4, [], [])


@pytest.mark.parametrize("obj,path", [
    (HTTPROUTE, ("spec", "rules", 0, "timeout")),                # HTTPRoute's field is `timeouts`
    (HTTPROUTE, ("spec", "rules", 0, "filters", 0, "extensionRef", "namespace")),  # LocalObjectReference
    (GATEWAY, ("spec", "listeners", 1, "tls", "certificateRef")),
    (MIDDLEWARE, ("spec", "buffering", "maxRequestBodySize")),   # Traefik's field is maxRequestBodyBytes
    (GATEWAY, ("spec", "addresses_")),
])
def test_unknown_fields_are_errors(obj, path):
    bad = copy.deepcopy(obj)
    d = bad
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = "x"
    report = validate([bad], "1.34")
    assert report.validated == 0 and len(report.errors) == 1 and "Additional properties" in report.errors[0]


def test_wrong_types_and_enums_are_errors():
    bad = copy.deepcopy(HTTPROUTE)
    bad["spec"]["rules"][0]["matches"][0]["path"]["type"] = "Prefix"  # Ingress' word, not Gateway API's
    worse = copy.deepcopy(GATEWAY)
    worse["spec"]["listeners"][0]["port"] = "8000"
    report = validate([bad, worse], "1.34")
    assert report.validated == 0 and len(report.errors) == 2


def test_preserve_unknown_fields_is_respected():
    schema = {"type": "object", "properties": {"a": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"b": {}}}}}
    s = crd_schemas.strict(schema)
    assert s["additionalProperties"] is False and "additionalProperties" not in s["properties"]["a"]


@given(st.dictionaries(st.sampled_from(["type", "properties", "items", "additionalProperties", "x-kubernetes-preserve-unknown-fields"]),
                       st.just({}) | st.booleans(), max_size=4))
def test_strict_never_loosens_a_schema(schema):
    s = crd_schemas.strict(schema)
    assert {k: v for k, v in s.items() if k != "additionalProperties"} == {k: crd_schemas.strict(v) for k, v in schema.items() if k != "additionalProperties"}
    if "additionalProperties" in schema:
        assert s["additionalProperties"] == crd_schemas.strict(schema["additionalProperties"])


def test_unknown_kinds_are_not_claimed():
    assert crd_schemas.validate({"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster"}) is None


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_gateway_api_and_traefik_object_of_the_plan_is_validated(plan_stack, stack):
    objs = [o for o in manifests.objects(plan_stack(stack)) if o["apiVersion"].startswith(("gateway.networking.k8s.io/", "traefik.io/"))]
    assert {o["kind"] for o in objs} == {"Gateway", "HTTPRoute", "Middleware"}
    report = validate(objs, "1.34")
    assert (report.validated, report.errors, report.skipped) == (len(objs), [], [])
