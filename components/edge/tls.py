"""cert-manager and the ClusterIssuers that sign the Gateway's certificates.

- cert-manager is a pinned Helm Release in `cert-manager`; its CRDs come with its chart
  (`crds.enabled`). Gateway API support is on (`ControllerConfiguration.enableGatewayAPI`,
  read from the chart's `config` value; the `ExperimentalGatewayAPISupport` gate is beta and on
  by default in v1.16): the ACME HTTP-01 solver then answers challenges with an HTTPRoute on
  the platform Gateway's HTTP listener (`gatewayHTTPRoute.parentRefs`).
- Issuers (`settings.tls_issuer`):
  * `letsencrypt-prod` / `letsencrypt-staging`: ACME ClusterIssuer, account e-mail
    `settings.acme_email`;
  * `selfsigned`: a self-signed ClusterIssuer signs a CA Certificate, and a CA ClusterIssuer
    (`data-platform-ca`) signs the listeners' certificates — one CA to trust, not one per host.
"""

from __future__ import annotations

from typing import Any, Optional

CERT_MANAGER_NS = "cert-manager"

ACME_SERVERS = {
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
}
SELFSIGNED_BOOTSTRAP = "selfsigned-bootstrap"
LOCAL_CA = "data-platform-ca"


def issuer_name(tls_issuer: str) -> str:
    """The ClusterIssuer the listeners' Certificates ask for."""
    return LOCAL_CA if tls_issuer == "selfsigned" else tls_issuer


def cluster_issuer_specs(tls_issuer: str, acme_email: Optional[str], solver_parent: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, spec) of every ClusterIssuer for this issuer choice, in creation order.
    `solver_parent`: the Gateway listener (a Gateway API ParentReference) ACME challenges go through."""
    if tls_issuer == "selfsigned":
        return [(SELFSIGNED_BOOTSTRAP, {"selfSigned": {}}), (LOCAL_CA, {"ca": {"secretName": LOCAL_CA}})]
    if tls_issuer not in ACME_SERVERS:
        raise ValueError(f"unknown tlsIssuer {tls_issuer!r}")
    if not acme_email:
        raise ValueError(f"tlsIssuer {tls_issuer} needs acmeEmail")
    return [(tls_issuer, {"acme": {
        "server": ACME_SERVERS[tls_issuer],
        "email": acme_email,
        "privateKeySecretRef": {"name": f"{tls_issuer}-account-key"},
        "solvers": [{"http01": {"gatewayHTTPRoute": {"parentRefs": [dict(solver_parent)]}}}],
    }})]


def cert_manager_values(environment: str) -> dict[str, Any]:
    del environment  # same footprint everywhere (one controller; leader election keeps it safe)
    small = {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}
    return {
        "crds": {"enabled": True, "keep": True},
        "replicaCount": 1,
        "resources": small,
        "webhook": {"resources": small},
        "cainjector": {"resources": small},
        "startupapicheck": {"resources": small},
        "prometheus": {"enabled": True},
        "config": {"apiVersion": "controller.config.cert-manager.io/v1alpha1", "kind": "ControllerConfiguration",
                   "enableGatewayAPI": True},
    }
