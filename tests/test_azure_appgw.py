"""`azure.loadBalancer: appgw`: the seed's Application Gateway (WAF_v2) in front of the edge's
internal load balancer, built through the Foundation's `L7Frontend` (clouds/azure/appgw.py)."""

from __future__ import annotations

import ipaddress
import json

import pytest

from clouds.azure import appgw_config
from clouds.azure.common import KEY_VAULT_SECRETS_USER
from clouds.azure.subnets import plan_subnets
from offline_plan import cost, plan_json
from policy.rules import BY_NAME
from policy.rules.model import Context, Resource

GW = "azure-native:network:ApplicationGateway"
SECRET = "https://dp-certs.vault.azure.net/secrets/data-platform-tls"
VAULT = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/certs/providers/Microsoft.KeyVault/vaults/dp-certs"
STAGING = {"cloud": "azure", "environment": "staging", "azure-native:location": "westeurope", "acmeEmail": "ops@example.com",
           "domain": "staging.example.com",
           "azure": {"loadBalancer": "appgw", "appGatewayCertificateSecretId": SECRET, "appGatewayCertificateVaultId": VAULT}}
HOSTS = ["airbyte.staging.example.com", "dremio.staging.example.com", "superset.staging.example.com"]


@pytest.fixture(scope="module")
def appgw(plan_config):
    return plan_config(STAGING, stack="azure-appgw")


def gateway(plan) -> dict:
    (gw,) = plan.by_type(GW)
    return gw.inputs


def named(items: list[dict]) -> dict[str, dict]:
    return {i["name"]: i for i in items}


def tail(ref: dict) -> str:
    return ref["id"].rsplit("/", 1)[-1]


def traefik(plan):
    (r,) = [r for r in plan.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "traefik"]
    return r


def test_waf_v2_in_prevention_mode_with_the_default_rule_set_and_500_mib_uploads(appgw):
    gw = gateway(appgw)
    assert gw["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"} and gw["forceFirewallPolicyAssociation"] is True
    (waf,) = appgw.by_type("azure-native:network:WebApplicationFirewallPolicy")
    assert gw["firewallPolicy"]["id"].endswith("/" + waf.inputs["policyName"])
    s = waf.inputs["policySettings"]
    assert (s["state"], s["mode"]) == ("Enabled", "Prevention")
    assert s["fileUploadEnforcement"] is True and s["fileUploadLimitInMb"] * 10**6 >= 500 * 2**20  # the seed's 500 MiB always passes the WAF
    assert {r["ruleSetType"]: r["ruleSetVersion"] for r in waf.inputs["managedRules"]["managedRuleSets"]}["Microsoft_DefaultRuleSet"] == "2.1"


def test_tls_1_2_policy_and_the_key_vault_certificate_on_one_https_listener_per_host(appgw):
    gw = gateway(appgw)
    assert gw["sslPolicy"] == {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101S"}
    assert gw["sslCertificates"] == [{"name": "listener", "keyVaultSecretId": SECRET}]
    https = [li for li in gw["httpListeners"] if li["protocol"] == "Https"]
    assert sorted(li["hostName"] for li in https) == HOSTS
    assert all(li["requireServerNameIndication"] and tail(li["frontendPort"]) == "https" for li in https)
    assert named(gw["frontendPorts"]) == {"http": {"name": "http", "port": 80}, "https": {"name": "https", "port": 443}}


def test_http_only_redirects_to_https_except_acme_challenges(appgw):
    gw = gateway(appgw)
    rules, maps, redirects = named(gw["requestRoutingRules"]), named(gw["urlPathMaps"]), named(gw["redirectConfigurations"])
    for host in HOSTS:
        label = host.split(".")[0]
        rule = rules[f"http-{label}"]
        assert rule["ruleType"] == "PathBasedRouting" and "backendAddressPool" not in rule
        m = maps[tail(rule["urlPathMap"])]
        redirect = redirects[tail(m["defaultRedirectConfiguration"])]
        assert redirect["redirectType"] == "Permanent" and tail(redirect["targetListener"]) == f"https-{label}"
        assert redirect["includePath"] and redirect["includeQueryString"]
        (acme,) = m["pathRules"]
        assert acme["paths"] == ["/.well-known/acme-challenge/*"]
        settings = named(gw["backendHttpSettingsCollection"])[tail(acme["backendHttpSettings"])]
        assert (settings["protocol"], settings["port"]) == ("Http", 80) and "hostName" not in settings  # the client's Host reaches the solver route


def test_https_is_re_encrypted_per_host_with_300_s_timeouts_and_a_probe_through_the_hosts_certificate(appgw):
    gw = gateway(appgw)
    settings, probes = named(gw["backendHttpSettingsCollection"]), named(gw["probes"])
    for host in HOSTS:
        label = host.split(".")[0]
        rule = named(gw["requestRoutingRules"])[f"https-{label}"]
        s = settings[tail(rule["backendHttpSettings"])]
        assert (s["protocol"], s["port"], s["hostName"], s["requestTimeout"]) == ("Https", 443, host, 300)
        p = probes[tail(s["probe"])]
        assert (p["protocol"], p["path"], p["pickHostNameFromBackendHttpSettings"]) == ("Https", "/", True)
        assert p["match"]["statusCodes"] == ["200-499"]  # a 5xx (Traefik cannot serve) takes the host out


def test_the_only_backend_is_the_controllers_internal_load_balancer_on_a_fixed_ingress_subnet_address(appgw):
    gw = gateway(appgw)
    (pool,) = gw["backendAddressPools"]
    (address,) = pool["backendAddresses"]
    svc = traefik(appgw).inputs["values"]["service"]
    ann = svc["annotations"]
    assert ann["service.beta.kubernetes.io/azure-load-balancer-internal"] == "true"
    assert ann["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"] == "ingress"
    assert ann["service.beta.kubernetes.io/azure-load-balancer-ipv4"] == address["ipAddress"]
    assert ipaddress.ip_address(address["ipAddress"]) in ipaddress.ip_network(plan_subnets("10.0.0.0/16")["ingress"])
    assert svc["spec"] == {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}
    (gw_reg,) = appgw.by_type(GW)
    assert traefik(appgw).urn in gw_reg.dependencies  # built once the Service (and its address) exists


def test_the_gateway_reads_its_certificate_with_its_own_identity_and_logs_to_log_analytics(appgw):
    (gw,) = appgw.by_type(GW)
    (identity_id,) = gw.inputs["identity"]["userAssignedIdentities"]
    assert gw.inputs["identity"]["type"] == "UserAssigned" and identity_id.endswith("/userAssignedIdentities/azure-appgw-appgw")
    (grant,) = [r for r in appgw.by_type("azure-native:authorization:RoleAssignment") if r.inputs["scope"] == VAULT]
    assert grant.inputs["roleDefinitionId"].endswith(KEY_VAULT_SECRETS_USER)
    assert any(u.endswith("azure-appgw-appgw-certificate-reader") for u in gw.dependencies)
    logs = {r.inputs["resourceUri"]: r.inputs for r in appgw.by_type("azure-native:monitor:DiagnosticSetting")}
    assert {x["category"] for x in logs[gw.state["id"]]["logs"]} == {"ApplicationGatewayAccessLog", "ApplicationGatewayFirewallLog"}


def test_the_appgw_subnet_admits_the_gateways_infrastructure_and_listener_ports(appgw, plan_stack):
    nsg = {r.inputs["networkSecurityGroupName"]: r.inputs for r in appgw.by_type("azure-native:network:NetworkSecurityGroup")}
    rules = named(nsg["azure-appgw-appgw"]["securityRules"])
    assert (rules["gateway-manager"]["sourceAddressPrefix"], rules["gateway-manager"]["destinationPortRange"]) == ("GatewayManager", "65200-65535")
    assert rules["listeners"]["destinationPortRanges"] == ["80", "443"]
    assert all("securityRules" not in i for n, i in nsg.items() if n != "azure-appgw-appgw")
    default = {r.inputs["networkSecurityGroupName"]: r.inputs for r in plan_stack("azure-prod").by_type("azure-native:network:NetworkSecurityGroup")}
    assert all("securityRules" not in i for i in default.values())  # standard mode: nothing opened


def test_public_ip_output_and_policies_pass(appgw):
    (pip,) = [r for r in appgw.by_type("azure-native:network:PublicIPAddress") if r.name.endswith("-appgw")]
    assert pip.inputs["sku"]["name"] == "Standard" and pip.inputs["publicIPAllocationMethod"] == "Static"
    assert appgw.outputs["appGatewayPublicIp"] == pip.state["ipAddress"]
    assert appgw.outputs["tlsIssuer"] == "letsencrypt-prod"
    assert appgw.policies is not None and appgw.policies.mandatory == []


def test_the_default_azure_plan_has_no_gateway_and_the_registry_logs(plan_stack):
    prod = plan_stack("azure-prod")
    assert prod.by_type(GW) == [] and prod.by_type("azure-native:network:WebApplicationFirewallPolicy") == []
    (acr,) = prod.by_type("azure-native:containerregistry:Registry")
    (diag,) = [r for r in prod.by_type("azure-native:monitor:DiagnosticSetting") if r.inputs["resourceUri"] == acr.state["id"]]
    assert {x["category"] for x in diag.inputs["logs"]} == {"ContainerRegistryLoginEvents", "ContainerRegistryRepositoryEvents"}


def _policy(props: dict, type_: str = GW) -> list[str]:
    return list(BY_NAME["l7-tls-and-waf"].check(Resource(type_, "gw", "urn:gw", props), Context()))


def test_the_policy_refuses_old_tls_plain_http_and_a_detecting_waf():
    props = appgw_config.gateway_properties("/gw", hosts=("a.example.com",), backend_address="10.0.4.20", https_port=443, http_port=80,
                                            subnet_id="/s", public_ip_id="/p", certificate_secret_id=SECRET)
    camel = {"sku": {"tier": "WAF_v2"}, "firewallPolicy": {"id": "/w"}, "sslPolicy": {"policyName": appgw_config.SSL_POLICY},
             "httpListeners": props["http_listeners"], "urlPathMaps": [
                 {"name": m["name"], "defaultRedirectConfiguration": m["default_redirect_configuration"],
                  "pathRules": [{"paths": r["paths"]} for r in m["path_rules"]]} for m in props["url_path_maps"]],
             "requestRoutingRules": [{"name": r["name"], "httpListener": r["http_listener"], **({"urlPathMap": r["url_path_map"]} if "url_path_map" in r else {})}
                                     for r in props["request_routing_rules"]]}
    camel["httpListeners"] = [{"name": li["name"], "protocol": li["protocol"]} for li in props["http_listeners"]]
    assert _policy(camel) == []
    assert any("TLS below 1.2" in m for m in _policy({**camel, "sslPolicy": {"policyName": "AppGwSslPolicy20150501"}}))
    plain = {**camel, "requestRoutingRules": [{"name": "http-a", "httpListener": {"id": "/gw/httpListeners/http-a"}, "backendAddressPool": {"id": "/p"}}]}
    assert any("without redirecting" in m for m in _policy(plain))
    assert any("Prevention" in m for m in _policy({"policySettings": {"state": "Enabled", "mode": "Detection"}, "managedRules": {"managedRuleSets": [{}]}},
                                                  "azure-native:network:WebApplicationFirewallPolicy"))


def test_the_gateway_is_priced_fixed_plus_reserved_capacity_units(appgw, plan_stack):
    table = json.loads((cost.TABLES / "prices-azure-westeurope.json").read_text())
    p, h = table["prices"], table["hoursPerMonth"]
    (line,) = [ln for ln in cost.estimate(plan_json.document(appgw)).lines if ln.item.startswith("Application Gateway WAF_v2")]
    units = max(10 * 1, table["assumptions"]["appGatewayCapacityUnits"]["value"])  # staging: one reserved instance
    assert line.monthly == pytest.approx(h * (p["appGateway.wafV2.hour"]["usd"] + units * p["appGateway.wafV2.capacityUnitHour"]["usd"]))
    assert not [ln for ln in cost.estimate(plan_json.document(plan_stack("azure-prod"))).lines if ln.item.startswith("Application Gateway")]
