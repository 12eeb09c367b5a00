"""The edge: Gateway API on Traefik (pinned), cert-manager TLS per listener, the seed's behaviour
(HTTP -> HTTPS redirect, 500 MiB bodies, 300 s timeouts), issuers per environment."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from components.apps.ui import UiBackend
from components.edge import EDGE_NS, gateway_api, routes, tls, traefik
from components.edge.routes import Route
from kube.charts import chart

RELEASE_T = "kubernetes:helm.sh/v3:Release"
ISSUER_T = "kubernetes:cert-manager.io/v1:ClusterIssuer"
CERT_T = "kubernetes:cert-manager.io/v1:Certificate"
GATEWAY_T = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
ROUTE_T = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
MIDDLEWARE_T = "kubernetes:traefik.io/v1alpha1:Middleware"
CRD_T = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
DOMAIN = "data.example.com"
ACME = {"acmeEmail": "ops@example.com", "domain": DOMAIN}


@pytest.fixture(scope="module")
def dev(plan_config):
    return plan_config({"environment": "dev", "domain": DOMAIN})


def gateway(p) -> dict:
    (g,) = p.by_type(GATEWAY_T)
    return g.inputs


def http_routes(p) -> dict[str, dict]:
    return {(r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r.inputs for r in p.by_type(ROUTE_T)}


def listeners(p) -> dict[str, dict]:
    return {x["name"]: x for x in gateway(p)["spec"]["listeners"]}


# --- the controller -------------------------------------------------------------------------------

def test_traefik_and_cert_manager_are_pinned_releases_and_no_ingress_nginx(plan_stack):
    for stack in ("dev", "prod-local", "staging", "prod"):
        p = plan_stack(stack)
        charts = {r.inputs["chart"]: r.inputs for r in p.by_type(RELEASE_T)}
        assert "ingress-nginx" not in charts and not [r for r in p.registrations if "nginx" in r.name]
        t = charts["traefik"]
        assert (t["version"], t["namespace"], t["repositoryOpts"]["repo"]) == ("41.3.0", EDGE_NS, "https://traefik.github.io/charts")
        assert (charts["cert-manager"]["version"], charts["cert-manager"]["namespace"]) == ("v1.16.2", "cert-manager")


def test_traefik_serves_only_the_gateway_api_and_the_apps_middlewares(dev):
    v = dev.one(RELEASE_T, "edge-traefik").inputs["values"]
    assert v["providers"] == {"kubernetesIngress": {"enabled": False}, "kubernetesGateway": {"enabled": True},
                              "kubernetesCRD": {"enabled": True, "namespaces": ["data-platform"]}}
    assert v["gateway"] == {"enabled": False}  # the platform owns its Gateway
    assert v["gatewayClass"] == {"enabled": True, "name": "data-platform"} == {"enabled": True, "name": gateway(dev)["spec"]["gatewayClassName"]}
    assert v["api"] == {"dashboard": False}


@pytest.mark.parametrize("stack,replicas", [("dev", 1), ("prod-local", 2), ("prod", 2)])
def test_controller_sizes_pdb_and_spread(plan_stack, stack, replicas):
    v = plan_stack(stack).one(RELEASE_T, "edge-traefik").inputs["values"]
    assert v["deployment"]["replicas"] == replicas
    assert v["resources"]["requests"] and v["resources"]["limits"]
    if replicas > 1:
        assert v["podDisruptionBudget"] == {"enabled": True, "minAvailable": 1}
        assert v["topologySpreadConstraints"][0]["labelSelector"]["matchLabels"] == traefik.SELECTOR
    # Restricted: the chart's own pod/container security contexts are kept (never overridden).
    assert "securityContext" not in v and "podSecurityContext" not in v


def test_edge_namespace_enforces_restricted(dev):
    (ns,) = [r.inputs for r in dev.by_type("kubernetes:core/v1:Namespace") if r.inputs["metadata"]["name"] == EDGE_NS]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_seed_timeouts_and_json_access_logs_on_stdout(dev):
    v = dev.one(RELEASE_T, "edge-traefik").inputs["values"]
    for ep in ("web", "websecure"):
        assert v["ports"][ep]["transport"]["respondingTimeouts"] == {"readTimeout": "300s", "writeTimeout": "300s", "idleTimeout": "300s"}
    assert "--serversTransport.forwardingTimeouts.responseHeaderTimeout=300s" in v["additionalArguments"]
    assert v["accessLog"] == {"enabled": True, "format": "json"} and "filePath" not in v["accessLog"]  # stdout
    assert v["log"]["format"] == "json"
    assert (v["ports"]["web"]["port"], v["ports"]["websecure"]["port"]) == (traefik.WEB_PORT, traefik.WEBSECURE_PORT)


# --- Gateway API CRDs -----------------------------------------------------------------------------

def test_gateway_api_crds_are_the_pinned_standard_channel(dev):
    crds = {r.inputs["metadata"]["name"]: r.inputs for r in dev.by_type(CRD_T)
            if r.inputs["spec"]["group"] == gateway_api.GROUP}
    assert {"gateways.gateway.networking.k8s.io", "httproutes.gateway.networking.k8s.io", "gatewayclasses.gateway.networking.k8s.io",
            "referencegrants.gateway.networking.k8s.io", "grpcroutes.gateway.networking.k8s.io"} <= set(crds)
    for c in crds.values():
        ann = c["metadata"]["annotations"]
        assert ann["gateway.networking.k8s.io/channel"] == "standard" and ann["gateway.networking.k8s.io/bundle-version"] == gateway_api.VERSION


def test_gateway_api_bundle_matches_what_traefik_is_built_against():
    # Traefik v3.7's go.mod: sigs.k8s.io/gateway-api v1.5.1; chart 41.x's README: install v1.5.1 standard.
    assert gateway_api.VERSION == "v1.5.1" and chart("traefik").version.startswith("41.")
    kinds = [d["kind"] for d in gateway_api.bundle()]
    assert kinds.count("CustomResourceDefinition") == 8 and kinds[-2:] == ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]


def test_routes_and_the_controller_wait_for_the_crds(dev):
    crds = {r.inputs["spec"]["names"]["kind"]: r.urn for r in dev.by_type(CRD_T)}
    t = dev.one(RELEASE_T, "edge-traefik")
    cm = dev.one(RELEASE_T, "edge-cert-manager")
    assert crds["GatewayClass"] in t.dependencies and crds["HTTPRoute"] in cm.dependencies  # cert-manager watches HTTPRoutes
    g = dev.by_type(GATEWAY_T)[0]
    assert crds["Gateway"] in g.dependencies and t.urn in g.dependencies
    for r in dev.by_type(ROUTE_T):
        assert g.urn in r.dependencies


# --- Gateway, listeners, TLS ----------------------------------------------------------------------

def test_one_https_listener_per_ui_with_its_certificate(dev):
    ls = listeners(dev)
    hosts = {"airbyte": f"airbyte.{DOMAIN}", "dremio": f"dremio.{DOMAIN}", "superset": f"superset.{DOMAIN}"}
    assert set(ls) == {"http"} | {f"https-{p}" for p in hosts}
    certs = {c.inputs["metadata"]["name"]: c.inputs for c in dev.by_type(CERT_T) if c.inputs["metadata"]["namespace"] == EDGE_NS}
    for prefix, host in hosts.items():
        lst = ls[f"https-{prefix}"]
        assert (lst["protocol"], lst["port"], lst["hostname"]) == ("HTTPS", traefik.WEBSECURE_PORT, host)
        (ref,) = lst["tls"]["certificateRefs"]
        assert lst["tls"]["mode"] == "Terminate" and ref["kind"] == "Secret" and "namespace" not in ref
        # The Secret a Certificate in the Gateway's namespace writes, for exactly this host.
        (cert,) = [c for c in certs.values() if c["spec"]["secretName"] == ref["name"]]
        assert cert["spec"]["dnsNames"] == [host]
        assert cert["spec"]["issuerRef"] == {"name": "data-platform-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"}
        assert lst["allowedRoutes"]["namespaces"] == {"from": "Selector", "selector": {"matchLabels": {"kubernetes.io/metadata.name": "data-platform"}}}
    assert gateway(dev)["metadata"]["namespace"] == EDGE_NS
    assert dev.outputs["uiUrls"] == {p: f"https://{h}" for p, h in hosts.items()}


def test_http_listener_only_redirects_to_https(dev):
    http = listeners(dev)["http"]
    assert (http["protocol"], http["port"]) == ("HTTP", traefik.WEB_PORT)
    assert http["allowedRoutes"]["namespaces"] == {"from": "Same"}  # the redirect and the ACME solver routes only
    on_http = [r for r in http_routes(dev).values() if any(p.get("sectionName") == "http" for p in r["spec"]["parentRefs"])]
    (redirect,) = on_http
    assert redirect["metadata"]["namespace"] == EDGE_NS
    (rule,) = redirect["spec"]["rules"]
    assert rule["filters"] == [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]
    assert "backendRefs" not in rule
    # No UI route is reachable over plain HTTP.
    for r in http_routes(dev).values():
        if r is not redirect:
            assert [p["sectionName"] for p in r["spec"]["parentRefs"]] == [f"https-{r['metadata']['name']}"]


def test_each_ui_route_has_its_apps_paths_and_services(dev):
    rs = http_routes(dev)
    airbyte = rs[("data-platform", "airbyte")]["spec"]
    assert airbyte["hostnames"] == [f"airbyte.{DOMAIN}"]
    backends = {rule["matches"][0]["path"]["value"]: rule["backendRefs"] for rule in airbyte["rules"]}
    assert backends["/"] == [{"group": "", "kind": "Service", "name": "airbyte-airbyte-server-svc", "port": 8001}]
    assert list(backends)[-1] == "/"  # the catch-all last
    superset = rs[("data-platform", "superset")]["spec"]
    assert [(r["matches"][0]["path"], r["backendRefs"]) for r in superset["rules"]] == [
        ({"type": "PathPrefix", "value": "/"}, [{"group": "", "kind": "Service", "name": "superset", "port": 8088}])]


def test_every_backend_service_exists(dev):
    """No route to a Service that is not there: ours are registered, Airbyte's come from its chart."""
    ours = {r.inputs["metadata"]["name"] for r in dev.by_type("kubernetes:core/v1:Service")}
    for r in http_routes(dev).values():
        for rule in r["spec"]["rules"]:
            for b in rule.get("backendRefs", []):
                assert b["name"] in ours or b["name"].startswith("airbyte-airbyte-"), b


def test_body_size_cap_is_a_traefik_middleware_on_the_upload_uis(dev):
    (mw,) = dev.by_type(MIDDLEWARE_T)
    assert mw.inputs["metadata"] == {**mw.inputs["metadata"], "name": routes.BODY_LIMIT, "namespace": "data-platform"}
    assert mw.inputs["spec"] == {"buffering": {"maxRequestBodyBytes": 500 * 1024 * 1024}}
    ref = {"type": "ExtensionRef", "extensionRef": {"group": "traefik.io", "kind": "Middleware", "name": routes.BODY_LIMIT}}
    rs = http_routes(dev)
    for ui in ("airbyte", "superset"):
        assert all(rule["filters"] == [ref] for rule in rs[("data-platform", ui)]["spec"]["rules"])
    # Dremio's UI uses a websocket, which Traefik's buffering would break: no cap there.
    assert all("filters" not in rule for rule in rs[("data-platform", "dremio")]["spec"]["rules"])


def test_middleware_waits_for_traefiks_chart_which_installs_its_crd(dev):
    (mw,) = dev.by_type(MIDDLEWARE_T)
    assert dev.one(RELEASE_T, "edge-traefik").urn in mw.dependencies
    for r in dev.by_type(ROUTE_T):
        if r.inputs["metadata"]["namespace"] == "data-platform":
            assert mw.urn in r.dependencies


# --- issuers --------------------------------------------------------------------------------------

def test_local_dev_uses_a_self_signed_ca_chain(dev):
    issuers = {r.inputs["metadata"]["name"]: r for r in dev.by_type(ISSUER_T)}
    assert set(issuers) == {"selfsigned-bootstrap", "data-platform-ca"}
    assert issuers["data-platform-ca"].inputs["spec"] == {"ca": {"secretName": "data-platform-ca"}}
    ca = dev.one(CERT_T, "edge-local-ca")
    assert ca.inputs["metadata"]["namespace"] == "cert-manager" and ca.inputs["spec"]["isCA"] is True
    assert issuers["selfsigned-bootstrap"].urn in ca.dependencies and ca.urn in issuers["data-platform-ca"].dependencies


@pytest.mark.parametrize("env,issuer,server", [
    ("staging", "letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory"),
    ("prod", "letsencrypt-prod", "https://acme-v02.api.letsencrypt.org/directory"),
])
def test_acme_http01_is_solved_through_the_gateways_http_listener(plan_config, env, issuer, server):
    p = plan_config({"environment": env, "tlsIssuer": issuer, **ACME})
    issuers = {r.inputs["metadata"]["name"]: r.inputs for r in p.by_type(ISSUER_T)}
    assert set(issuers) == {issuer}
    acme = issuers[issuer]["spec"]["acme"]
    assert acme["server"] == server and acme["email"] == "ops@example.com"
    (parent,) = acme["solvers"][0]["http01"]["gatewayHTTPRoute"]["parentRefs"]
    assert parent == {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": EDGE_NS, "name": gateway(p)["metadata"]["name"],
                      "sectionName": "http"}
    assert "http" in listeners(p)
    for c in p.by_type(CERT_T):
        if c.inputs["metadata"]["namespace"] == EDGE_NS:
            assert c.inputs["spec"]["issuerRef"]["name"] == issuer


def test_cert_manager_has_gateway_api_support_on(dev):
    config = dev.one(RELEASE_T, "edge-cert-manager").inputs["values"]["config"]
    assert config == {"apiVersion": "controller.config.cert-manager.io/v1alpha1", "kind": "ControllerConfiguration", "enableGatewayAPI": True}


def test_gateway_class_comes_from_config(plan_config):
    p = plan_config({"environment": "dev", "gatewayClass": "platform-edge"})
    assert gateway(p)["spec"]["gatewayClassName"] == "platform-edge"
    assert p.one(RELEASE_T, "edge-traefik").inputs["values"]["gatewayClass"]["name"] == "platform-edge"


def test_acme_without_email_is_refused():
    with pytest.raises(ValueError):
        tls.cluster_issuer_specs("letsencrypt-prod", None, {"name": "g"})


# --- pure functions -------------------------------------------------------------------------------

_label = st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True)
_paths = st.lists(st.from_regex(r"/[a-z]{1,8}(/[a-z]{1,8}){0,3}/", fullmatch=True), max_size=3, unique=True)


@given(prefixes=st.lists(_label, min_size=1, max_size=5, unique=True), paths=_paths, limit=st.booleans())
def test_listeners_routes_and_certificates_agree(prefixes, paths, limit):
    b = UiBackend(service="svc", port=80, selector={"app": "x"})
    rs = [Route(p, b, tuple((x, UiBackend(service="other", port=81, selector={"app": "y"})) for x in paths), body_limit=limit) for p in prefixes]
    g = routes.gateway_spec(rs, "example.org", gateway_class="c", http_port=8000, https_port=8443, routes_namespace="apps")
    https = [x for x in g["listeners"] if x["protocol"] == "HTTPS"]
    assert [x["hostname"] for x in https] == [f"{p}.example.org" for p in prefixes]
    for r in rs:
        spec = routes.http_route_spec(r, "example.org", "edge")
        (parent,) = spec["parentRefs"]
        (lst,) = [x for x in https if x["name"] == parent["sectionName"]]
        assert spec["hostnames"] == [lst["hostname"]]  # a route attaches only to its own host's listener
        assert lst["tls"]["certificateRefs"][0]["name"] == routes.certificate_spec(r, "example.org", "ca")["secretName"]
        ps = [rule["matches"][0]["path"]["value"] for rule in spec["rules"]]
        assert ps[-1] == "/" and [len(x) for x in ps[:-1]] == sorted((len(x) for x in ps[:-1]), reverse=True)
        assert all(("filters" in rule) == limit for rule in spec["rules"])
    assert len(routes.backend_pods(rs)) == (2 if paths else 1)


def test_a_backend_without_pod_selector_is_refused():
    with pytest.raises(ValueError, match="no pod selector"):
        routes.backend_pods([Route("x", UiBackend(service="svc", port=80))])


def test_vendored_bundle_is_valid_yaml_crds():
    docs = list(yaml.safe_load_all(gateway_api.BUNDLE.read_text()))
    assert all(d["apiVersion"] in ("apiextensions.k8s.io/v1", "admissionregistration.k8s.io/v1") for d in docs if d)


def test_alerts_cover_edge_5xx_ratio_controller_down_and_certificate_expiry(dev):
    (rule,) = dev.by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    alerts = {a["alert"]: a for g in rule.inputs["spec"]["groups"] for a in g["rules"]}
    ratio = alerts["EdgeHighErrorRatio"]["expr"]
    # traefik_service_requests_total{code} is what Traefik v3.7 exports (and its dashboard plots).
    assert 'traefik_service_requests_total{code=~"5.."}' in ratio and "/ sum by (service) (rate(traefik_service_requests_total[5m]))" in ratio
    assert 'up{job="traefik"}' in alerts["EdgeControllerDown"]["expr"]
    assert "certmanager_certificate_expiration_timestamp_seconds" in alerts["CertificateExpiringSoon"]["expr"]


def test_existing_stacks_keep_cert_manager_through_an_alias_to_the_old_component(dev):
    """Without it, `pulumi up` on a stack made by the ingress-nginx version would create a second
    `cert-manager` release/namespace/issuers under new URNs next to the old ones (and fail)."""
    (edge,) = [r for r in dev.registrations if r.type == "data-platform:edge:Edge"]
    assert {"name": "ingress", "type": "data-platform:ingress:IngressTls", "parentUrn": ""} in [a["spec"] for a in edge.aliases]
    # Children inherit it only if their names keep the parent's prefix (`edge-*` -> `ingress-*`).
    regs = {r.name: r for r in dev.registrations}
    for name in ("edge-cert-manager", "edge-local-ca", "edge-issuer-data-platform-ca", "edge-issuer-selfsigned-bootstrap"):
        assert regs[name].parent == edge.urn
