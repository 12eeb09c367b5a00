"""Elasticsearch's HTTP certificate (cert-manager) and its CA published where log shippers run.

ECK's default HTTP certificate is signed by a CA it generates per cluster, rotates yearly and
publishes only in the cluster's own namespace; a pod in another namespace cannot mount it.
Instead:

1. In `data-storage`, a namespaced cert-manager chain: a self-signed `Issuer` signs a 10-year CA
   `Certificate` (`elasticsearch-ca`), a CA `Issuer` signs the HTTP certificate ECK serves
   (`spec.http.tls.certificate.secretName`; 90 days, renewed by cert-manager, reloaded by ECK).
   Namespaced issuers only: nothing outside data-storage can obtain a certificate from this CA.
2. The CA's *public* certificate is published into each client namespace (`logging`) by a small
   Job, `elasticsearch-ca-publisher` (data-storage), with the pinned Elasticsearch image (curl):
   it reads `ca.crt` from ECK's `elasticsearch-es-http-certs-public` (public material only) and
   patches it into the Secret `elasticsearch-ca` that Pulumi pre-creates in the client namespace.
   Its RBAC is exactly: `get` that one Secret in data-storage, `get`/`patch` that one Secret in
   each client namespace (no `create`, no `list`). The CA lives 10 years (rotationPolicy Never),
   so one publication holds; after a CA change, re-run it (`pulumi up --replace` on the Job).

Fluent Bit then verifies the server (`tls.verify On`) against that CA and the Service name.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

import kube

from ..data_services.elasticsearch import HTTP_CERT_SECRET, HTTP_SERVICE, NAME

SELFSIGNED = "elasticsearch-selfsigned"
CA = "elasticsearch-ca"
CA_BUNDLE_SECRET = "elasticsearch-ca"
"""Secret in client namespaces; Fluent Bit reads its `ca.crt`."""
PUBLIC_SECRET = f"{NAME}-es-http-certs-public"
"""ECK's Secret with the HTTP layer's public certificate and `ca.crt` (data-storage)."""
PUBLISHER = "elasticsearch-ca-publisher"
PUBLISHER_SELECTOR = kube.selector(PUBLISHER)
UID = 1000


def http_dns_names(namespace: str) -> list[str]:
    return [HTTP_SERVICE, f"{HTTP_SERVICE}.{namespace}", f"{HTTP_SERVICE}.{namespace}.svc", f"{HTTP_SERVICE}.{namespace}.svc.cluster.local"]


def publish_script(source_namespace: str, targets: Sequence[str]) -> str:
    """POSIX sh + curl: copy `ca.crt` (base64, as stored) from ECK's public Secret to each target."""
    api = "https://kubernetes.default.svc"
    auth = '-H "Authorization: Bearer $(cat /var/run/secrets/kubernetes.io/serviceaccount/token)"'
    curl = f"curl -sSf --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt {auth}"
    lines = [
        "set -eu",
        "for i in $(seq 1 120); do",
        f'  crt=$({curl} {api}/api/v1/namespaces/{source_namespace}/secrets/{PUBLIC_SECRET} | tr -d "\\n " | sed -n \'s/.*"ca\\.crt":"\\([^"]*\\)".*/\\1/p\') || true',
        '  [ -n "${crt:-}" ] && break',
        "  echo 'waiting for ECK to publish the HTTP CA'; sleep 10",
        "done",
        '[ -n "${crt:-}" ] || { echo "no ca.crt in ' + PUBLIC_SECRET + '"; exit 1; }',
    ]
    for ns in targets:
        lines.append(f'{curl} -X PATCH -H "Content-Type: application/merge-patch+json" '
                     f'-d "{{\\"data\\":{{\\"ca.crt\\":\\"$crt\\"}}}}" {api}/api/v1/namespaces/{ns}/secrets/{CA_BUNDLE_SECRET} > /dev/null')
        lines.append(f"echo 'published the Elasticsearch CA into {ns}'")
    return "\n".join(lines)


class ElasticsearchTls:
    """The namespaced CA chain and the server certificate; `publish(...)` adds the CA to client namespaces."""

    def __init__(self, parent: pulumi.Resource, provider: k8s.Provider, *, cert_manager: pulumi.Resource, es_namespace: str,
                 depends_on: Sequence[pulumi.Resource] = ()):
        self._parent, self._provider, self.namespace = parent, provider, es_namespace
        labels = kube.labels("elasticsearch", "tls")

        def cr(name: str, kind: str, meta_name: str, spec: dict, after: Sequence[pulumi.Resource]) -> k8s.apiextensions.CustomResource:
            return k8s.apiextensions.CustomResource(
                name, api_version="cert-manager.io/v1", kind=kind,
                metadata={"name": meta_name, "namespace": es_namespace, "labels": labels}, spec=spec,
                opts=kube.child(parent, provider, depends_on=[cert_manager, *after]))

        issuer_ref = {"kind": "Issuer", "group": "cert-manager.io"}
        self.selfsigned = cr("elasticsearch-selfsigned-issuer", "Issuer", SELFSIGNED, {"selfSigned": {}}, depends_on)
        self.ca_certificate = cr("elasticsearch-ca-certificate", "Certificate", CA, {
            "isCA": True, "commonName": "data-platform Elasticsearch CA", "secretName": CA, "duration": "87600h",
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Never"},
            "issuerRef": {"name": SELFSIGNED, **issuer_ref},
        }, [self.selfsigned])
        self.issuer = cr("elasticsearch-ca-issuer", "Issuer", CA, {"ca": {"secretName": CA}}, [self.ca_certificate])
        self.http_certificate = cr("elasticsearch-http-certificate", "Certificate", HTTP_CERT_SECRET, {
            "secretName": HTTP_CERT_SECRET,
            "commonName": f"{HTTP_SERVICE}.{es_namespace}.svc",
            "dnsNames": http_dns_names(es_namespace),
            "duration": "2160h", "renewBefore": "720h",
            "privateKey": {"algorithm": "RSA", "size": 2048, "rotationPolicy": "Always"},
            "usages": ["server auth", "digital signature", "key encipherment"],
            "issuerRef": {"name": CA, **issuer_ref},
        }, [self.issuer])

    def publish(self, targets: Sequence[tuple[str, pulumi.Resource]], image: str, after: Sequence[pulumi.Resource] = ()) -> k8s.batch.v1.Job:
        """Pre-create `elasticsearch-ca` in each (namespace, Namespace resource) and run the publisher Job."""
        p, parent, src = self._provider, self._parent, self.namespace
        labels = kube.labels(PUBLISHER, "job")
        sa = k8s.core.v1.ServiceAccount(PUBLISHER, metadata={"name": PUBLISHER, "namespace": src, "labels": labels},
                                        automount_service_account_token=False, opts=kube.child(parent, p, depends_on=after))
        subject = [{"kind": "ServiceAccount", "name": PUBLISHER, "namespace": src}]
        rbac: list[pulumi.Resource] = [sa]

        def role(ns: str, name: str, verbs: list[str], secret: str, deps: Sequence[pulumi.Resource]) -> None:
            r = k8s.rbac.v1.Role(f"{PUBLISHER}-{ns}", metadata={"name": name, "namespace": ns, "labels": labels},
                                 rules=[{"api_groups": [""], "resources": ["secrets"], "resource_names": [secret], "verbs": verbs}],
                                 opts=kube.child(parent, p, depends_on=deps))
            b = k8s.rbac.v1.RoleBinding(f"{PUBLISHER}-{ns}", metadata={"name": name, "namespace": ns, "labels": labels},
                                        role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                                        subjects=subject, opts=kube.child(parent, p, depends_on=[r, sa]))
            rbac.extend([r, b])

        role(src, f"{PUBLISHER}-read", ["get"], PUBLIC_SECRET, after)
        for ns, ns_res in targets:
            bundle = k8s.core.v1.Secret(
                f"elasticsearch-ca-{ns}", metadata={"name": CA_BUNDLE_SECRET, "namespace": ns, "labels": kube.labels("elasticsearch", "ca")},
                string_data={"ca.crt": ""},
                # Filled by the publisher Job; Pulumi must not blank it again on the next update.
                opts=kube.child(parent, p, depends_on=[ns_res], ignore_changes=["stringData", "data"]))
            role(ns, f"{PUBLISHER}-write", ["get", "patch"], CA_BUNDLE_SECRET, [ns_res])
            rbac.append(bundle)
        return k8s.batch.v1.Job(
            PUBLISHER,
            metadata={"namespace": src, "labels": labels},
            spec=kube.script_job_spec(
                labels=labels, container="publish", image=image, script=publish_script(src, [ns for ns, _ in targets]),
                uid=UID, resources=kube.resources("10m", "32Mi", "200m", "128Mi"), tmp=False,
                service_account=PUBLISHER,  # the one pod here that talks to the API server
                deadline_seconds=2400,
            ),
            opts=kube.child(parent, p, depends_on=[*rbac, self.http_certificate, *after]),
        )
