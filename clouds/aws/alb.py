"""The seed's ALB in front of the platform's edge (`data-platform:aws.loadBalancer: alb`).

An `L7Frontend` for the Foundation: it builds one Ingress of class `alb` whose only backend is
the edge controller's HTTPS Service port; the AWS Load Balancer Controller makes it an ALB with
listeners 80 (redirect to 443) and 443 (the ACM certificate), IP targets = the controller pods,
backend protocol HTTPS so traffic is re-encrypted and cert-manager's TLS still ends at the
Gateway (plain HTTP to the controller would only meet its redirect to HTTPS).
Health check: the controller's own health endpoint and port (the kubelet's probe), so a pod
whose proxy is unhealthy leaves the target group.
"""

from __future__ import annotations

import json

import pulumi

from foundation import EdgeBackend, L7Frontend, catch_all_ingress

CLASS = "alb"
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
IDLE_TIMEOUT_SECONDS = 300
"""ALB idle timeout (its default 60 s cuts long Dremio/Superset requests and large uploads)."""


def alb_annotations(backend: EdgeBackend, *, scheme: str, certificate_arn: str) -> dict[str, str]:
    """AWS Load Balancer Controller annotations of the ALB Ingress in front of the edge."""
    a = "alb.ingress.kubernetes.io/"
    return {
        a + "scheme": scheme,
        a + "target-type": "ip",  # the controller pods themselves (no NodePort hop)
        a + "listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}]),
        a + "ssl-redirect": "443",
        a + "certificate-arn": certificate_arn,
        a + "ssl-policy": SSL_POLICY,
        a + "backend-protocol": "HTTPS",
        a + "healthcheck-protocol": "HTTP",
        a + "healthcheck-port": str(backend.health_port),
        a + "healthcheck-path": backend.health_path,
        a + "success-codes": "200",
        a + "load-balancer-attributes": f"idle_timeout.timeout_seconds={IDLE_TIMEOUT_SECONDS}",
    }


def alb_frontend(scheme: str, certificate_arn: str) -> L7Frontend:
    def build(name: str, backend: EdgeBackend, opts: pulumi.ResourceOptions) -> dict[str, pulumi.Resource]:
        ann = alb_annotations(backend, scheme=scheme, certificate_arn=certificate_arn)
        return {"ingress": catch_all_ingress(name, backend, opts, annotations=ann, class_name=CLASS)}

    return L7Frontend(build=build)
