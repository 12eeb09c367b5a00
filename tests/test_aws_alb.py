"""`data-platform:aws.loadBalancer`: NLB (default) or the seed's ALB in front of the edge (Traefik, the Gateway)."""

from __future__ import annotations

import json

import pytest

import settings as settings_mod
from components.edge import BACKEND, EDGE_NS
from components.edge.traefik import PING_PATH, PING_PORT, SELECTOR, WEBSECURE_PORT
from foundation import L7_INGRESS_NAME
from offline_plan.runner import PlanError
from program import load_settings

CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
AWS_BASE = {"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "aws:region": "eu-west-1"}
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
A = "alb.ingress.kubernetes.io/"


def edge_service(plan) -> dict:
    (values,) = [r.inputs["values"] for r in plan.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "traefik"]
    return values["service"]


def ingresses(plan) -> list[dict]:
    return [r.inputs for r in plan.by_type(INGRESS)]


@pytest.fixture(scope="module")
def alb(plan_config):
    return plan_config({**AWS_BASE, "aws": {"loadBalancer": "alb", "albCertificateArn": CERT}}, stack="alb")


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_default_is_the_nlb(plan_stack, stack):
    plan = plan_stack(stack)
    svc = edge_service(plan)
    assert svc["spec"] == {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}
    assert svc["annotations"]["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
    assert svc["annotations"]["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert ingresses(plan) == []  # no Ingress at all: the platform routes with Gateway API


def test_alb_mode_makes_the_controller_service_cluster_ip(alb):
    assert edge_service(alb) == {"spec": {"type": "ClusterIP"}, "annotations": {}}  # no NLB annotations, no externalTrafficPolicy


def test_alb_ingress_class_listeners_certificate_and_scheme(alb):
    (ing,) = ingresses(alb)
    assert (ing["metadata"]["namespace"], ing["metadata"]["name"]) == (EDGE_NS, L7_INGRESS_NAME)
    ann = ing["metadata"]["annotations"]
    assert ing["spec"]["ingressClassName"] == "alb"
    assert ann[A + "scheme"] == "internet-facing"
    assert ann[A + "target-type"] == "ip"
    assert json.loads(ann[A + "listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert ann[A + "ssl-redirect"] == "443"
    assert ann[A + "certificate-arn"] == CERT
    assert ann[A + "ssl-policy"].startswith("ELBSecurityPolicy-TLS13")
    assert ann[A + "load-balancer-attributes"] == "idle_timeout.timeout_seconds=300"


def test_alb_re_encrypts_to_traefiks_https_port_and_checks_its_health(alb):
    (ing,) = ingresses(alb)
    ann = ing["metadata"]["annotations"]
    (rule,) = ing["spec"]["rules"]
    assert "host" not in rule  # every host: the Gateway's listeners route by Host
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"] == {"service": {"name": "traefik", "port": {"number": 443}}}
    assert ann[A + "backend-protocol"] == "HTTPS"
    assert (ann[A + "healthcheck-protocol"], ann[A + "healthcheck-port"], ann[A + "healthcheck-path"]) == ("HTTP", "8080", "/ping")


def test_alb_health_check_is_what_the_charts_probes_use():
    """Traefik's chart probes /ping on the `traefik` entrypoint (8080); the Service's 443 is `websecure`."""
    assert (BACKEND.health_port, BACKEND.health_path) == (PING_PORT, PING_PATH) == (8080, "/ping")
    assert (BACKEND.service, BACKEND.https_port, WEBSECURE_PORT) == ("traefik", 443, 8443)


def test_alb_scheme_follows_the_load_balancer_scheme(plan_config):
    plan = plan_config({**AWS_BASE, "aws": {"loadBalancer": "alb", "albCertificateArn": CERT, "loadBalancerScheme": "internal"}}, stack="albint")
    (ing,) = ingresses(plan)
    assert ing["metadata"]["annotations"][A + "scheme"] == "internal"


def test_gateway_and_tls_are_the_same_in_both_modes(alb, plan_config):
    """The ALB only fronts Traefik: the Gateway, its certificates and routes do not change."""
    def edge(plan):
        kinds = ("Gateway", "HTTPRoute", "Certificate", "Middleware")
        return sorted(json.dumps(r.inputs, sort_keys=True) for r in plan.registrations
                       if r.type.rsplit(":", 1)[-1] in kinds and r.inputs.get("metadata", {}).get("namespace") in (EDGE_NS, "data-platform"))
    nlb = plan_config({**AWS_BASE, "tlsIssuer": "selfsigned", "aws": {"loadBalancer": "nlb"}}, stack="alb")
    assert edge(alb) == edge(nlb) and edge(alb)


def test_the_alb_reaches_the_controller_pods(alb):
    """The ALB's IP targets (8443) and health checks (8080) come from VPC addresses: the controller's
    policy admits any address on its traffic and health ports, and only those."""
    from components.network_policies import Endpoint, permits, policy_from_manifest

    pols = [policy_from_manifest(r.inputs["metadata"]["name"], r.inputs["metadata"]["namespace"], r.inputs["spec"])
            for r in alb.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")]
    pod, lb = Endpoint(EDGE_NS, dict(SELECTOR)), Endpoint(None, ip="10.0.12.34")
    assert permits(pols, lb, pod, 8443) and permits(pols, lb, pod, 8080)
    assert not permits(pols, lb, pod, 9100)


def test_alb_without_a_certificate_is_one_settings_error(plan_config):
    with pytest.raises(PlanError) as e:
        plan_config({**AWS_BASE, "aws": {"loadBalancer": "alb"}}, stack="albnocert")
    msg = str(e.value)
    assert "\n" not in msg.strip()
    assert "data-platform:aws.albCertificateArn" in msg and "required when loadBalancer is alb" in msg


@pytest.mark.parametrize("bad", [
    "arn:aws:iam::123456789012:server-certificate/x",
    "arn:aws:acm:eu-west-1:123456789012:certificate/not-a-uuid",
    "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
])
def test_certificate_arn_must_look_like_an_acm_arn(bad):
    raw = {"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
           "data-platform:aws": {"loadBalancer": "alb", "albCertificateArn": bad}}
    with pytest.raises(settings_mod.SettingsError, match=r"data-platform:aws\.albCertificateArn .*an ACM certificate ARN"):
        load_settings(raw, "test")


def test_certificate_must_be_in_the_stacks_region(plan_config):
    other = CERT.replace("eu-west-1", "us-east-1")
    with pytest.raises(PlanError, match=r"data-platform:aws\.albCertificateArn .*eu-west-1"):
        plan_config({**AWS_BASE, "aws": {"loadBalancer": "alb", "albCertificateArn": other}}, stack="albregion")


def test_unknown_load_balancer_is_refused():
    raw = {"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
           "data-platform:aws": {"loadBalancer": "clb"}}
    with pytest.raises(settings_mod.SettingsError, match=r"data-platform:aws\.loadBalancer = 'clb' .*one of nlb, alb"):
        load_settings(raw, "test")


def test_behind_the_alb_the_gateway_certificates_come_from_the_local_ca(alb):
    """The ALB serves ACM's certificate and does not verify the backend's; HTTP-01 could not pass
    its redirect to a not-yet-served HTTPS listener, so the default issuer is the local CA."""
    issuers = {r.inputs["metadata"]["name"] for r in alb.by_type("kubernetes:cert-manager.io/v1:ClusterIssuer")}
    assert issuers == {"selfsigned-bootstrap", "data-platform-ca"}
    assert alb.outputs["tlsIssuer"] == "selfsigned"


def test_alb_with_lets_encrypt_is_one_settings_error():
    raw = {"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
           "data-platform:tlsIssuer": "letsencrypt-prod", "data-platform:aws": {"loadBalancer": "alb", "albCertificateArn": CERT}}
    with pytest.raises(settings_mod.SettingsError, match=r"data-platform:tlsIssuer = 'letsencrypt-prod' .*selfsigned when aws\.loadBalancer is alb") as e:
        load_settings(raw, "test")
    assert "\n" not in str(e.value)
