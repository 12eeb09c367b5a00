"""`data-platform:aws.loadBalancer`: NLB (default, unchanged) or the seed's ALB in front of ingress-nginx."""

from __future__ import annotations

import json

import pytest

import settings as settings_mod
from components.ingress import CONTROLLER_HEALTH_PORT, CONTROLLER_SELECTOR, CONTROLLER_SERVICE, INGRESS_NS
from offline_plan.runner import PlanError

CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
AWS_BASE = {"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "aws:region": "eu-west-1"}
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
A = "alb.ingress.kubernetes.io/"


def controller_service(plan) -> dict:
    (values,) = [r.inputs["values"] for r in plan.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "ingress-nginx"]
    return values["controller"]["service"]


def ingresses(plan, namespace: str) -> list[dict]:
    return [r.inputs for r in plan.by_type(INGRESS) if r.inputs["metadata"]["namespace"] == namespace]


@pytest.fixture(scope="module")
def alb(plan_config):
    return plan_config({**AWS_BASE, "aws": {"loadBalancer": "alb", "albCertificateArn": CERT}}, stack="alb")


@pytest.mark.parametrize("stack", ["prod", "staging"])
def test_default_is_the_nlb_unchanged(plan_stack, stack):
    plan = plan_stack(stack)
    svc = controller_service(plan)
    assert svc["type"] == "LoadBalancer" and svc["externalTrafficPolicy"] == "Local"
    assert svc["annotations"]["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
    assert svc["annotations"]["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert ingresses(plan, INGRESS_NS) == []
    assert not [r for r in plan.by_type(INGRESS) if r.inputs["spec"].get("ingressClassName") == "alb"]


def test_alb_mode_makes_the_controller_service_cluster_ip(alb):
    svc = controller_service(alb)
    assert svc == {"type": "ClusterIP", "annotations": {}}  # no NLB annotations, no externalTrafficPolicy


def test_alb_ingress_class_listeners_certificate_and_scheme(alb):
    (ing,) = ingresses(alb, INGRESS_NS)
    ann = ing["metadata"]["annotations"]
    assert ing["spec"]["ingressClassName"] == "alb"
    assert ann[A + "scheme"] == "internet-facing"
    assert ann[A + "target-type"] == "ip"
    assert json.loads(ann[A + "listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert ann[A + "ssl-redirect"] == "443"
    assert ann[A + "certificate-arn"] == CERT
    assert ann[A + "ssl-policy"].startswith("ELBSecurityPolicy-TLS13")


def test_alb_re_encrypts_to_the_controllers_https_port_and_checks_its_health(alb):
    (ing,) = ingresses(alb, INGRESS_NS)
    ann = ing["metadata"]["annotations"]
    (rule,) = ing["spec"]["rules"]
    assert "host" not in rule  # every host: ingress-nginx routes by Host
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"] == {"service": {"name": CONTROLLER_SERVICE, "port": {"number": 443}}}
    assert ann[A + "backend-protocol"] == "HTTPS"
    assert (ann[A + "healthcheck-protocol"], ann[A + "healthcheck-port"], ann[A + "healthcheck-path"]) == ("HTTP", str(CONTROLLER_HEALTH_PORT), "/healthz")


def test_alb_health_port_is_the_one_the_charts_probes_use():
    """ingress-nginx serves /healthz on 10254 (its liveness/readiness probes and metrics port)."""
    from components.observability.monitors import INGRESS_METRICS_PORT

    assert INGRESS_METRICS_PORT[1] == CONTROLLER_HEALTH_PORT == 10254


def test_alb_scheme_follows_the_load_balancer_scheme(plan_config):
    plan = plan_config({**AWS_BASE, "aws": {"loadBalancer": "alb", "albCertificateArn": CERT, "loadBalancerScheme": "internal"}}, stack="albint")
    (ing,) = ingresses(plan, INGRESS_NS)
    assert ing["metadata"]["annotations"][A + "scheme"] == "internal"


def test_platform_ingress_and_tls_stay_on_ingress_nginx(alb, plan_stack):
    """The platform's own Ingress is the same in both modes: class nginx, cert-manager TLS."""
    (platform,) = ingresses(alb, "data-platform")
    (nlb_platform,) = ingresses(plan_stack("staging"), "data-platform")
    assert platform["spec"]["ingressClassName"] == "nginx"
    assert platform["spec"]["tls"] and platform["metadata"]["annotations"] == nlb_platform["metadata"]["annotations"]


def test_nothing_restricts_the_alb_reaching_the_controller_pods(alb):
    """ingress-nginx has no default-deny: no NetworkPolicy selects the controller pods, so the
    ALB's IP targets (443) and health checks (10254) reach them."""
    policies = [r.inputs for r in alb.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")]
    assert policies  # policies are on in this stack...
    assert [p for p in policies if p["metadata"]["namespace"] == INGRESS_NS] == []  # ...but none in ingress-nginx
    assert CONTROLLER_SELECTOR["app.kubernetes.io/component"] == "controller"


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
        settings_mod.load(raw, "test")


def test_certificate_must_be_in_the_stacks_region(plan_config):
    other = CERT.replace("eu-west-1", "us-east-1")
    with pytest.raises(PlanError, match=r"data-platform:aws\.albCertificateArn .*eu-west-1"):
        plan_config({**AWS_BASE, "aws": {"loadBalancer": "alb", "albCertificateArn": other}}, stack="albregion")


def test_unknown_load_balancer_is_refused():
    raw = {"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
           "data-platform:aws": {"loadBalancer": "clb"}}
    with pytest.raises(settings_mod.SettingsError, match=r"data-platform:aws\.loadBalancer = 'clb' .*one of nlb, alb"):
        settings_mod.load(raw, "test")
