"""`gcp.loadBalancer: alb`: the seed's global external Application Load Balancer in front of the
edge, made by GKE's Ingress controller from what the cloud builds through `L7Frontend`."""

from __future__ import annotations

import json

import pytest

from clouds.gcp.stack import EDGE_HTTPS_PORT_NAME
from components.edge import BACKEND, EDGE_NS
from foundation import L7_INGRESS_NAME
from offline_plan import cost, plan_json
from policy.rules import BY_NAME
from policy.rules.model import Context, Resource

STAGING = {"cloud": "gcp", "environment": "staging", "gcp:project": "data-platform-staging", "gcp:region": "europe-west1",
           "acmeEmail": "ops@example.com", "domain": "staging.example.com", "gcp": {"loadBalancer": "alb"}}
HOSTS = ["airbyte.staging.example.com", "dremio.staging.example.com", "superset.staging.example.com"]


@pytest.fixture(scope="module")
def alb(plan_config):
    return plan_config(STAGING, stack="gcp-alb")


def custom(plan, kind: str) -> dict:
    (r,) = [r for r in plan.registrations if r.type.startswith("kubernetes:") and r.inputs.get("kind") == kind]
    return r.inputs


def only(plan, type_: str):
    (r,) = plan.by_type(type_)
    return r


def edge_service(plan) -> dict:
    (r,) = [r for r in plan.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "traefik"]
    return r.inputs["values"]["service"]


def test_the_ingress_is_gkes_external_alb_on_the_static_global_ip_with_a_managed_certificate(alb):
    ing = only(alb, "kubernetes:networking.k8s.io/v1:Ingress").inputs
    assert (ing["metadata"]["namespace"], ing["metadata"]["name"]) == (EDGE_NS, L7_INGRESS_NAME)
    ann = ing["metadata"]["annotations"]
    assert ann["kubernetes.io/ingress.class"] == "gce" and "ingressClassName" not in ing["spec"]  # GKE reads the annotation only
    (address,) = [r for r in alb.by_type("gcp:compute/globalAddress:GlobalAddress") if r.inputs.get("addressType") == "EXTERNAL"]
    assert ann["kubernetes.io/ingress.global-static-ip-name"] == address.inputs["name"] and address.inputs["ipVersion"] == "IPV4"
    assert alb.outputs["edgeGlobalIp"] == address.state["address"]
    cert = custom(alb, "ManagedCertificate")
    assert cert["apiVersion"] == "networking.gke.io/v1" and ann["networking.gke.io/managed-certificates"] == cert["metadata"]["name"]
    assert cert["spec"]["domains"] == HOSTS
    (rule,) = ing["spec"]["rules"]
    assert "host" not in rule and rule["http"]["paths"] == [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "traefik", "port": {"number": 443}}}}]


def test_http_redirects_to_https_under_a_tls_1_2_ssl_policy(alb):
    ing = only(alb, "kubernetes:networking.k8s.io/v1:Ingress").inputs
    fc = custom(alb, "FrontendConfig")
    assert ing["metadata"]["annotations"]["networking.gke.io/v1beta1.FrontendConfig"] == fc["metadata"]["name"]
    assert fc["spec"]["redirectToHttps"] == {"enabled": True, "responseCodeName": "MOVED_PERMANENTLY_DEFAULT"}
    policy = only(alb, "gcp:compute/sSLPolicy:SSLPolicy").inputs
    assert fc["spec"]["sslPolicy"] == policy["name"] and (policy["profile"], policy["minTlsVersion"]) == ("MODERN", "TLS_1_2")


def test_backends_are_the_controller_pods_over_https_with_300_s_and_the_proxys_own_health_check(alb):
    svc = edge_service(alb)
    assert svc["spec"] == {"type": "ClusterIP"}
    ann = svc["annotations"]
    assert json.loads(ann["cloud.google.com/neg"]) == {"ingress": True}
    assert json.loads(ann["cloud.google.com/app-protocols"]) == {BACKEND.https_port_name: "HTTPS"}
    bc = custom(alb, "BackendConfig")
    assert json.loads(ann["cloud.google.com/backend-config"]) == {"default": bc["metadata"]["name"]}
    assert bc["spec"]["timeoutSec"] == 300
    hc = bc["spec"]["healthCheck"]
    assert (hc["type"], hc["port"], hc["requestPath"]) == ("HTTP", BACKEND.health_port, BACKEND.health_path) == ("HTTP", 8080, "/ping")


def test_the_port_name_gke_keys_on_is_the_edges_https_port():
    assert EDGE_HTTPS_PORT_NAME == BACKEND.https_port_name == "websecure"


def test_the_gateway_and_its_tls_are_the_same_as_behind_the_nlb(alb, plan_config):
    nlb = plan_config({k: v for k, v in STAGING.items() if k != "gcp"}, stack="gcp-staging")  # test_gcp_plan's staging
    with_alb, with_nlb = ([r.inputs["spec"] for r in p.registrations if r.inputs.get("kind") == "Gateway"] for p in (alb, nlb))
    assert with_alb == with_nlb and len(with_alb) == 1
    assert alb.outputs["tlsIssuer"] == "selfsigned"  # Google's front ends do not verify the Gateway's certificate
    assert nlb.by_type("kubernetes:networking.k8s.io/v1:Ingress") == [] and nlb.by_type("gcp:compute/sSLPolicy:SSLPolicy") == []


def test_gkes_gateway_controller_stays_off_so_the_program_owns_the_gateway_api_crds(alb):
    cluster = only(alb, "gcp:container/cluster:Cluster").inputs
    assert cluster.get("gatewayApiConfig", {}).get("channel", "CHANNEL_DISABLED") == "CHANNEL_DISABLED"
    assert cluster["addonsConfig"]["httpLoadBalancing"] == {"disabled": False}  # ingress-gce
    assert alb.policies is not None and alb.policies.mandatory == []


def test_the_policy_refuses_a_gcp_ssl_policy_below_tls_1_2():
    rule = BY_NAME["l7-tls-and-waf"]
    ok = Resource("gcp:compute/sSLPolicy:SSLPolicy", "p", "urn:p", {"minTlsVersion": "TLS_1_2", "profile": "MODERN"})
    old = Resource("gcp:compute/sSLPolicy:SSLPolicy", "p", "urn:p", {"minTlsVersion": "TLS_1_0"})
    assert list(rule.check(ok, Context())) == [] and len(list(rule.check(old, Context()))) == 1


def test_the_load_balancer_is_priced_two_forwarding_rules_and_its_data(alb):
    table = json.loads((cost.TABLES / "prices-gcp-europe-west1.json").read_text())
    p, h = table["prices"], table["hoursPerMonth"]
    lines = cost.estimate(plan_json.document(alb)).lines
    (line,) = [ln for ln in lines if ln.item.startswith("global Application Load Balancer")]
    gb = table["assumptions"]["albGbPerMonth"]["value"]
    assert line.monthly == pytest.approx(2 * h * p["forwardingRule.hour"]["usd"] + gb * p["alb.gb"]["usd"])
    assert not [ln for ln in lines if ln.item.startswith("forwarding rules (LoadBalancer Services)")]  # the controller is ClusterIP


def test_gkes_objects_are_valid_against_their_schemas_and_typos_are_caught(alb):
    from offline_plan.validate import validate

    objs = [custom(alb, k) for k in ("ManagedCertificate", "FrontendConfig", "BackendConfig")]
    report = validate(objs, "1.34")
    assert (report.validated, report.errors, report.skipped) == (3, [], [])
    bad = {**objs[2], "spec": {**objs[2]["spec"], "healthCheck": {**objs[2]["spec"]["healthCheck"], "path": "/ping"}}}  # it is requestPath
    assert len(validate([bad], "1.34").errors) == 1
    wildcard = {**objs[0], "spec": {"domains": ["*.staging.example.com"]}}  # Google-managed certificates take no wildcards
    assert len(validate([wildcard], "1.34").errors) == 1
