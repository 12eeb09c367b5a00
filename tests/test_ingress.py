"""Ingress and TLS: pinned controller/cert-manager, issuers per environment, one TLS Ingress."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components import ingress as ing
from components.apps.ui import UiBackend
from tests.app_harness import plan

RELEASE_T = "kubernetes:helm.sh/v3:Release"
ISSUER_T = "kubernetes:cert-manager.io/v1:ClusterIssuer"
CERT_T = "kubernetes:cert-manager.io/v1:Certificate"
INGRESS_T = "kubernetes:networking.k8s.io/v1:Ingress"
SEED_ANNOTATIONS = {"nginx.ingress.kubernetes.io/ssl-redirect": "true", "nginx.ingress.kubernetes.io/proxy-body-size": "500m"}


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    def get(config):
        return plan(config, tmp_path_factory.mktemp("ingress"))
    return get


def the_ingress(p):
    found = [r for r in p.by_type(INGRESS_T) if r.inputs["metadata"].get("name") == ing.INGRESS_NAME]
    assert len(found) == 1
    return found[0].inputs


def test_controller_and_cert_manager_are_pinned_releases_in_their_namespaces(plans):
    p = plans({"environment": "dev"})
    nginx = p.one(RELEASE_T, "ingress-ingress-nginx").inputs
    cm = p.one(RELEASE_T, "ingress-cert-manager").inputs
    assert (nginx["chart"], nginx["version"], nginx["namespace"]) == ("ingress-nginx", "4.12.1", "ingress-nginx")
    assert nginx["repositoryOpts"]["repo"] == "https://kubernetes.github.io/ingress-nginx"
    assert (cm["chart"], cm["version"], cm["namespace"]) == ("cert-manager", "v1.16.2", "cert-manager")
    assert cm["values"]["crds"] == {"enabled": True, "keep": True}
    ns = {r.inputs["metadata"]["name"] for r in p.by_type("kubernetes:core/v1:Namespace")}
    assert {"ingress-nginx", "cert-manager"} <= ns
    ctrl = nginx["values"]["controller"]
    # The Foundation's frontend (local: LoadBalancer, class nginx).
    assert ctrl["service"]["type"] == "LoadBalancer"
    assert ctrl["ingressClassResource"]["name"] == "nginx" and ctrl["allowSnippetAnnotations"] is False
    assert ctrl["resources"]["requests"] and ctrl["resources"]["limits"]


def test_local_dev_uses_a_self_signed_ca_chain(plans):
    p = plans({"environment": "dev"})
    issuers = {r.inputs["metadata"]["name"]: r for r in p.by_type(ISSUER_T)}
    assert set(issuers) == {"selfsigned-bootstrap", "data-platform-ca"}
    assert issuers["selfsigned-bootstrap"].inputs["spec"] == {"selfSigned": {}}
    assert issuers["data-platform-ca"].inputs["spec"] == {"ca": {"secretName": "data-platform-ca"}}
    ca = p.one(CERT_T, "ingress-local-ca")
    assert ca.inputs["metadata"]["namespace"] == "cert-manager"
    assert ca.inputs["spec"]["isCA"] is True and ca.inputs["spec"]["secretName"] == "data-platform-ca"
    assert ca.inputs["spec"]["issuerRef"]["name"] == "selfsigned-bootstrap"
    # bootstrap issuer -> CA certificate -> CA issuer, in that order.
    assert issuers["selfsigned-bootstrap"].urn in ca.dependencies
    assert ca.urn in issuers["data-platform-ca"].dependencies
    assert the_ingress(p)["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "data-platform-ca"


@pytest.mark.parametrize("env,issuer,server", [
    ("staging", "letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"),
    ("prod", "letsencrypt-prod", "https://acme-v02.api.letsencrypt.org/directory"),
])
def test_acme_issuer_per_environment(plans, env, issuer, server):
    # tlsIssuer defaults to selfsigned on the local cloud; a real domain opts in to ACME.
    p = plans({"environment": env, "acmeEmail": "ops@example.com", "tlsIssuer": issuer, "domain": "data.example.com"})
    issuers = {r.inputs["metadata"]["name"]: r.inputs for r in p.by_type(ISSUER_T)}
    assert set(issuers) == {issuer}
    acme = issuers[issuer]["spec"]["acme"]
    assert acme["server"] == server and acme["email"] == "ops@example.com"
    assert acme["solvers"] == [{"http01": {"ingress": {"ingressClassName": "nginx"}}}]
    assert acme["privateKeySecretRef"]["name"] == f"{issuer}-account-key"
    assert the_ingress(p)["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == issuer


def test_one_ingress_with_tls_for_every_ui_and_the_seeds_annotations(plans):
    p = plans({"environment": "dev", "domain": "data.example.com"})
    ingress = the_ingress(p)
    assert ingress["metadata"]["namespace"] == "data-platform"
    ann = ingress["metadata"]["annotations"]
    assert SEED_ANNOTATIONS.items() <= ann.items()
    assert "kubernetes.io/ingress.class" not in ann
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    hosts = [r["host"] for r in spec["rules"]]
    assert spec["tls"] == [{"hosts": hosts, "secretName": "data-platform-tls"}]
    expected = {"airbyte.data.example.com", "superset.data.example.com"}
    if any(r.type == "data-platform:apps:Dremio" for r in p.registrations):
        expected.add("dremio.data.example.com")
    assert set(hosts) == expected
    rules = {r["host"]: r["http"]["paths"] for r in spec["rules"]}
    airbyte = {x["path"]: x["backend"]["service"] for x in rules["airbyte.data.example.com"]}
    assert airbyte["/"] == {"name": "airbyte-airbyte-server-svc", "port": {"number": 8001}}
    # Chart V2 serves UI and APIs (Connector Builder's included) from the server only.
    assert list(airbyte) == ["/"]
    superset = rules["superset.data.example.com"]
    assert superset == [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "superset", "port": {"number": 8088}}}}]
    assert p.outputs["airbyteUrl"] == "https://airbyte.data.example.com"
    assert p.outputs["supersetUrl"] == "https://superset.data.example.com"
    assert p.outputs["uiUrls"] == {h.split(".", 1)[0]: f"https://{h}" for h in hosts}


def test_ingress_class_comes_from_config(plans):
    p = plans({"environment": "dev", "ingressClass": "edge"})
    assert the_ingress(p)["spec"]["ingressClassName"] == "edge"
    ctrl = p.one(RELEASE_T, "ingress-ingress-nginx").inputs["values"]["controller"]
    assert ctrl["ingressClassResource"]["name"] == "edge"


def test_controller_selector_matches_the_chart_labels():
    assert ing.CONTROLLER_SELECTOR == {
        "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "ingress-nginx",
        "app.kubernetes.io/component": "controller",
    }


_label = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)


@given(prefixes=st.lists(_label, min_size=1, max_size=5, unique=True),
       paths=st.lists(st.from_regex(r"/[a-z]{1,8}(/[a-z]{1,8}){0,3}/", fullmatch=True), max_size=3, unique=True))
def test_ingress_spec_tls_covers_exactly_the_rule_hosts(prefixes, paths):
    b = UiBackend(service="svc", port=80)
    routes = [ing.Route(p, b, tuple((x, UiBackend(service="other", port=81)) for x in paths)) for p in prefixes]
    spec = ing.ingress_spec(routes, "example.org", "nginx")
    hosts = [r["host"] for r in spec["rules"]]
    assert hosts == [f"{p}.example.org" for p in prefixes]
    assert spec["tls"][0]["hosts"] == hosts
    for rule in spec["rules"]:
        ps = [x["path"] for x in rule["http"]["paths"]]
        assert ps[-1] == "/"  # the catch-all last
        assert [len(x) for x in ps[:-1]] == sorted((len(x) for x in ps[:-1]), reverse=True)


def test_acme_without_email_is_refused():
    with pytest.raises(ValueError):
        ing.cluster_issuer_specs("letsencrypt-prod", None, "nginx")
