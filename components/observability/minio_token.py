"""MinIO metrics with authentication: a metrics-only MinIO user and the bearer token Prometheus sends.

MinIO protects `/minio/v2/metrics/*` with a JWT by default (`MINIO_PROMETHEUS_AUTH_TYPE=jwt`);
making it `public` would let any pod that reaches port 9000 read bucket names, capacity and
request rates. Kept: the token, for a dedicated user whose only permission is `admin:Prometheus`:

- Pulumi generates the user's access/secret key (pulumi_random) into the Secret
  `minio-prometheus` (data-storage);
- the Job `minio-prometheus-user` (data-storage, the pinned `mc` image, MinIO root credentials
  from MinIO's own Secret) creates the `prometheus-metrics` policy and the user, idempotently;
- the token is what `mc admin prometheus generate` produces: an HS512 JWT with `sub` = access key,
  `iss` = "prometheus", signed with the secret key. It is computed here (secret Output, with a
  fixed far-future expiry so it does not change on every run) into the Secret
  `minio-prometheus-token` (monitoring), which the PodMonitor references.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

import kube

from ..context import PlatformContext
from ..data_services.minio import ROOT_SECRET, mc_root_env
from ..secrets import platform_secret
from .namespaces import MONITORING

USER_SECRET = "minio-prometheus"
TOKEN_SECRET = "minio-prometheus-token"
TOKEN_KEY = "token"
POLICY = "prometheus-metrics"
EXPIRES = 4102444800  # 2100-01-01T00:00:00Z, like mc's "100 years"
JOB_SELECTOR = kube.selector("minio-metrics-user", "bootstrap")
UID = 1000

POLICY_JSON = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["admin:Prometheus"]}]})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def metrics_token(access_key: str, secret_key: str, expires: int = EXPIRES) -> str:
    """The JWT `mc admin prometheus generate` would print for this user."""
    header = _b64(json.dumps({"alg": "HS512", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64(json.dumps({"exp": expires, "sub": access_key, "iss": "prometheus"}, separators=(",", ":")).encode())
    signature = hmac.new(secret_key.encode(), f"{header}.{claims}".encode(), hashlib.sha512).digest()
    return f"{header}.{claims}.{_b64(signature)}"


def script(endpoint_host: str) -> str:
    return "\n".join([
        "set -eu",
        'export MC_HOST_dp="http://${ROOT_USER}:${ROOT_PASSWORD}@' + endpoint_host + '"',
        "until mc ready dp; do echo 'waiting for MinIO'; sleep 5; done",
        f"printf '%s' '{POLICY_JSON}' > /tmp/policy.json",
        f"mc admin policy create dp {POLICY} /tmp/policy.json",
        'mc admin user add dp "$PROM_ACCESS_KEY" "$PROM_SECRET_KEY"',
        f'mc admin user info dp "$PROM_ACCESS_KEY" --json | grep -q \'"{POLICY}"\' || mc admin policy attach dp {POLICY} --user "$PROM_ACCESS_KEY"',
        "echo 'prometheus metrics user is in place'",
    ])


class MinioMetricsAccess:
    def __init__(self, parent: pulumi.Resource, ctx: PlatformContext, *, namespace: str, endpoint: pulumi.Input[str], mc_image: str,
                 depends_on: Sequence[pulumi.Resource], monitoring_namespace: pulumi.Resource):
        labels = kube.labels("minio-metrics-user", "bootstrap")
        access_key = random.RandomPassword("minio-prometheus-access-key", length=20, special=False, opts=pulumi.ResourceOptions(parent=parent)).result
        secret_key = random.RandomPassword("minio-prometheus-secret-key", length=40, special=False, opts=pulumi.ResourceOptions(parent=parent)).result
        user = platform_secret(USER_SECRET, namespace, {"accessKey": access_key, "secretKey": secret_key}, ctx,
                               parent=parent, labels=labels, depends_on=depends_on, resource_name="minio-prometheus")
        token: pulumi.Output[str] = pulumi.Output.secret(pulumi.Output.all(access_key, secret_key).apply(lambda ks: metrics_token(*ks)))
        self.token_secret = platform_secret(TOKEN_SECRET, MONITORING, {TOKEN_KEY: token}, ctx, parent=parent,
                                            labels=labels, depends_on=[monitoring_namespace], resource_name="minio-prometheus-token")
        host = pulumi.Output.from_input(endpoint).apply(lambda e: e.split("://", 1)[-1].rstrip("/"))

        self.job = k8s.batch.v1.Job(
            "minio-prometheus-user",
            metadata={"namespace": namespace, "labels": labels},
            spec=kube.script_job_spec(
                labels=labels, container="mc", image=mc_image, script=host.apply(script), uid=UID,
                env=[
                    *mc_root_env(ROOT_SECRET),
                    kube.secret_env("PROM_ACCESS_KEY", USER_SECRET, "accessKey"),
                    kube.secret_env("PROM_SECRET_KEY", USER_SECRET, "secretKey"),
                ],
                resources=kube.resources("50m", "64Mi", "500m", "256Mi"), backoff_limit=10,
            ),
            opts=kube.child(parent, ctx.provider, depends_on=[user, *depends_on]),
        )
        self.selector = dict(JOB_SELECTOR)
