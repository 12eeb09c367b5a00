"""The GCP stacks as the engine would receive them (Pulumi mocks): the seed's numbers, nothing
public that should not be (control plane, database, registry), Workload Identity scoped to one
ServiceAccount, protection and deletion protection in prod only."""

from __future__ import annotations

import json

import pytest

from clouds.gcp.common import secret_id

STAGING = {
    "cloud": "gcp",
    "environment": "staging",
    "gcp:project": "data-platform-staging",
    "gcp:region": "europe-west1",
    "acmeEmail": "ops@example.com",
    "domain": "staging.example.com",
}
STATEFUL = ("gcp:container/cluster:Cluster", "gcp:sql/databaseInstance:DatabaseInstance", "gcp:artifactregistry/repository:Repository")


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("gcp-prod")


@pytest.fixture(scope="module")
def staging(plan_config):
    return plan_config(STAGING, stack="gcp-staging")


def only(plan, type_):
    (r,) = plan.by_type(type_)
    return r


def test_gke_is_regional_private_and_has_the_seeds_pool(prod):
    c = only(prod, "gcp:container/cluster:Cluster").inputs
    assert c["location"] == "europe-west1" and c["removeDefaultNodePool"] is True
    assert c["datapathProvider"] == "ADVANCED_DATAPATH"  # NetworkPolicies enforced
    assert c["workloadIdentityConfig"] == {"workloadPool": "data-platform-prod.svc.id.goog"}
    assert c["enableShieldedNodes"] is True and c["releaseChannel"] == {"channel": "REGULAR"}
    assert c["privateClusterConfig"]["enablePrivateNodes"] is True
    # No public control plane: the DNS endpoint (IAM) and no IP endpoint at all.
    assert c["controlPlaneEndpointsConfig"] == {"dnsEndpointConfig": {"allowExternalTraffic": True}, "ipEndpointsConfig": {"enabled": False}}
    assert c["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False
    w = c["maintenancePolicy"]["recurringWindow"]
    assert w["recurrence"] == "FREQ=WEEKLY;BYDAY=SU" and w["startTime"].endswith("T04:00:00Z") and w["endTime"].endswith("T16:00:00Z")
    assert c["loggingConfig"]["enableComponents"] == ["SYSTEM_COMPONENTS", "WORKLOADS"]
    pool = only(prod, "gcp:container/nodePool:NodePool").inputs
    assert pool["autoscaling"]["totalMinNodeCount"] == 3 and pool["autoscaling"]["totalMaxNodeCount"] == 10
    assert pool["initialNodeCount"] == 2  # per zone: 2 x 3 zones = 6, the seed's "about 5"
    nc = pool["nodeConfig"]
    assert nc["machineType"] == "n2-standard-8" and nc["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert nc["shieldedInstanceConfig"] == {"enableSecureBoot": True, "enableIntegrityMonitoring": True}
    assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert nc["serviceAccount"].startswith("gcp-prod-gke-nodes@")  # never the Compute default SA


def test_node_service_account_has_only_the_least_privilege_roles(prod):
    roles = sorted(r.inputs["role"] for r in prod.by_type("gcp:projects/iAMMember:IAMMember") if "gke-nodes" in r.inputs["member"])
    assert roles == ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/stackdriver.resourceMetadata.writer"]
    (pull,) = prod.by_type("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    assert pull.inputs["role"] == "roles/artifactregistry.reader" and "gke-nodes" in pull.inputs["member"]


def test_kubeconfig_uses_the_auth_plugin_and_holds_no_credential(prod):
    kc = json.loads(prod.outputs["kubeconfig"])
    user = kc["users"][0]["user"]
    assert set(user) == {"exec"} and user["exec"]["command"] == "gke-gcloud-auth-plugin"
    assert kc["clusters"][0]["cluster"]["server"].endswith(".gke.goog")


def test_cloud_sql_is_postgres16_ha_private_tls_with_the_seeds_numbers(prod):
    db = only(prod, "gcp:sql/databaseInstance:DatabaseInstance").inputs
    s = db["settings"]
    assert db["databaseVersion"] == "POSTGRES_16"
    assert (s["edition"], s["tier"], s["availabilityType"]) == ("ENTERPRISE", "db-custom-6-32768", "REGIONAL")
    assert s["ipConfiguration"]["ipv4Enabled"] is False and s["ipConfiguration"]["sslMode"] == "ENCRYPTED_ONLY"
    assert (s["diskSize"], s["diskAutoresize"], s["diskAutoresizeLimit"]) == (100, True, 1000)
    b = s["backupConfiguration"]
    assert b["backupRetentionSettings"] == {"retainedBackups": 30, "retentionUnit": "COUNT"}
    assert b["pointInTimeRecoveryEnabled"] is True and b["startTime"] == "03:00"
    assert s["maintenanceWindow"]["day"] == 7 and s["maintenanceWindow"]["hour"] == 4  # Sunday 04:00
    flags = {f["name"]: f["value"] for f in s["databaseFlags"]}
    assert (flags["shared_buffers"], flags["effective_cache_size"], flags["work_mem"], flags["max_connections"]) == ("524288", "1572864", "65536", "200")
    assert s["insightsConfig"]["queryInsightsEnabled"] is True


def test_the_admin_password_reaches_kubernetes_only_through_secret_manager(prod):
    sid = secret_id("gcp-prod/data-platform/data-storage/postgres-admin")
    (secret,) = [r for r in prod.by_type("gcp:secretmanager/secret:Secret") if r.inputs["secretId"] == sid]
    cxs = prod.one("kubernetes:external-secrets.io/v1:ClusterExternalSecret", "postgres-admin").inputs
    assert cxs["spec"]["externalSecretSpec"]["dataFrom"] == [{"extract": {"key": sid}}]
    user = only(prod, "gcp:sql/user:User").inputs
    assert user["name"] == "platform_admin" and "mockpw" not in json.dumps(user)
    assert secret.inputs["deletionProtection"] is True


def test_secret_manager_ids_are_valid_and_readable_by_external_secrets_only(prod):
    import re

    secrets = prod.by_type("gcp:secretmanager/secret:Secret")
    assert secrets and all(re.fullmatch(r"[A-Za-z0-9_-]{1,255}", r.inputs["secretId"]) for r in secrets)
    members = prod.by_type("gcp:secretmanager/secretIamMember:SecretIamMember")
    assert len(members) == len(secrets)
    assert {(m.inputs["role"], m.inputs["member"]) for m in members} == {("roles/secretmanager.secretAccessor", "serviceAccount:gcp-prod-external-secrets@data-platform-prod.iam.gserviceaccount.com")}
    # Every ExternalSecret asks for an id that exists.
    ids = {r.inputs["secretId"] for r in secrets}
    for es in prod.by_type("kubernetes:external-secrets.io/v1:ExternalSecret"):
        assert {d["extract"]["key"] for d in es.inputs["spec"]["dataFrom"]} <= ids


def test_workload_identity_is_scoped_to_one_service_account(prod):
    # External Secrets'; the lake consumers' are in tests/test_gcp_lake.py.
    (binding,) = [r for r in prod.by_type("gcp:serviceaccount/iAMMember:IAMMember") if r.name == "gcp-prod-external-secrets-workload-identity"]
    assert binding.inputs["role"] == "roles/iam.workloadIdentityUser"
    assert binding.inputs["member"] == "serviceAccount:data-platform-prod.svc.id.goog[external-secrets/external-secrets]"
    store = prod.one("kubernetes:external-secrets.io/v1:ClusterSecretStore", "gcp-secret-manager").inputs
    assert store["spec"]["provider"] == {"gcpsm": {"projectID": "data-platform-prod"}}


def test_registry_is_immutable_cleaned_and_not_public(prod):
    repo = only(prod, "gcp:artifactregistry/repository:Repository").inputs
    assert repo["format"] == "DOCKER" and repo["dockerConfig"] == {"immutableTags": True}
    assert any(p["condition"]["tagState"] == "UNTAGGED" for p in repo["cleanupPolicies"] if p["action"] == "DELETE")
    members = [r.inputs["member"] for t in ("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",) for r in prod.by_type(t)]
    assert not any(m in ("allUsers", "allAuthenticatedUsers") for m in members)


def test_network_has_private_access_nat_flow_logs_and_a_peering_that_tears_down(prod):
    sub = only(prod, "gcp:compute/subnetwork:Subnetwork").inputs
    assert sub["privateIpGoogleAccess"] is True and sub["logConfig"]
    assert {r["rangeName"]: r["ipCidrRange"] for r in sub["secondaryIpRanges"]} == {"pods": "10.0.64.0/18", "services": "10.0.32.0/20"}
    assert only(prod, "gcp:compute/network:Network").inputs["autoCreateSubnetworks"] is False
    assert only(prod, "gcp:servicenetworking/connection:Connection").inputs["deletionPolicy"] == "REMOVE_PEERING"
    assert only(prod, "gcp:compute/routerNat:RouterNat").inputs["natIpAllocateOption"] == "AUTO_ONLY"


def test_the_edge_is_a_passthrough_nlb_external_by_default(prod, plan_config):
    from clouds.gcp.stack import load_balancer_annotations

    assert load_balancer_annotations("internal") == {"networking.gke.io/load-balancer-type": "Internal"}
    (traefik,) = [r for r in prod.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "traefik"]
    assert traefik.inputs["values"]["service"]["annotations"] == {"cloud.google.com/l4-rbs": "enabled"}
    assert traefik.inputs["values"]["service"]["spec"] == {"type": "LoadBalancer", "externalTrafficPolicy": "Local"}


def test_storage_classes_are_pd_csi_wait_for_first_consumer_expandable(prod):
    sc = {r.name: r.inputs for r in prod.by_type("kubernetes:storage.k8s.io/v1:StorageClass")}
    assert sc["fast-ssd"]["parameters"]["type"] == "pd-ssd" and sc["standard"]["parameters"]["type"] == "pd-balanced"
    assert all(s["provisioner"] == "pd.csi.storage.gke.io" and s["volumeBindingMode"] == "WaitForFirstConsumer" and s["allowVolumeExpansion"] for s in sc.values())


def test_prod_is_protected_and_staging_destroyable(prod, staging):
    for t in STATEFUL:
        assert only(prod, t).protect is True, t
        assert only(staging, t).protect is False, t
    assert only(prod, "gcp:container/cluster:Cluster").inputs["deletionProtection"] is True
    assert only(staging, "gcp:container/cluster:Cluster").inputs["deletionProtection"] is False
    assert only(prod, "gcp:sql/databaseInstance:DatabaseInstance").inputs["settings"]["deletionProtectionEnabled"] is True
    assert only(staging, "gcp:sql/databaseInstance:DatabaseInstance").inputs["settings"]["deletionProtectionEnabled"] is False


def test_staging_sizing(staging):
    pool = staging.one("gcp:container/nodePool:NodePool", "gcp-staging-gke-general").inputs  # and the Spot pool (gcp.spotPool)
    assert pool["nodeConfig"]["machineType"] == "e2-standard-4"
    assert (pool["autoscaling"]["totalMinNodeCount"], pool["autoscaling"]["totalMaxNodeCount"], pool["initialNodeCount"]) == (2, 5, 1)
    s = only(staging, "gcp:sql/databaseInstance:DatabaseInstance").inputs["settings"]
    assert (s["tier"], s["availabilityType"], s["diskSize"], s["diskAutoresizeLimit"]) == ("db-custom-4-16384", "ZONAL", 50, 200)


def _violations(policy, resources):
    from policy import offline
    from policy.rules import BY_NAME
    from policy.rules.model import Context

    rule = BY_NAME[policy]
    return [v.message for v in offline.run_rule(rule, resources, Context(config=rule.defaults(), stack_tags={}))]


def test_the_policy_pack_guards_gcp_prod_protection_and_a_private_database(prod, staging):
    from dataclasses import replace

    from policy import offline

    resources = offline.from_registrations(prod.registrations)
    assert _violations("stateful-resources-protected", resources) == []
    assert _violations("no-public-database", resources) == []
    # The environment comes from the GCP provider's default labels: staging is not held to it.
    assert _violations("stateful-resources-protected", offline.from_registrations(staging.registrations)) == []
    broken = []
    for r in resources:
        if r.type in STATEFUL:
            r = replace(r, protect=False)
        if r.type == "gcp:sql/databaseInstance:DatabaseInstance":
            r = replace(r, props={**r.props, "settings": {**r.props["settings"], "ipConfiguration": {"ipv4Enabled": True}}})
        broken.append(r)
    found = _violations("stateful-resources-protected", broken)
    assert {m.split(" ")[0] for m in found} == {"Cluster", "DatabaseInstance", "Repository"}
    assert _violations("no-public-database", broken) == ["gcp-prod-postgres: settings.ipConfiguration.ipv4Enabled is not false; set it to false (private IP only, from the VPC)"]


def test_every_workload_of_the_aws_prod_stack_runs_on_gke_too(prod, plan_stack):
    kinds = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:helm.sh/v3:Release", "kubernetes:batch/v1:Job",
             "kubernetes:postgresql.cnpg.io/v1:Cluster", "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch")

    def workloads(plan):
        return {(r.type, r.name) for r in plan.registrations if r.type in kinds}

    aws_only = workloads(plan_stack("prod")) - workloads(prod)
    # AWS's own controllers; GKE has its load balancer controller and autoscaler built in.
    assert {name for _, name in aws_only} == {"aws-load-balancer-controller", "cluster-autoscaler"}
    assert not [name for _, name in workloads(prod) if "minio" in name]  # the lake is on Cloud Storage


def test_private_ip_mode_uses_the_private_endpoint_from_the_authorized_networks_only(plan_config):
    plan = plan_config({**STAGING, "gcp": {"controlPlaneAccess": "private-ip", "masterAuthorizedNetworks": ["10.8.0.0/24"]}}, stack="gcp-private")
    c = only(plan, "gcp:container/cluster:Cluster").inputs
    assert c["privateClusterConfig"] == {"enablePrivateNodes": True, "enablePrivateEndpoint": True}
    assert c["controlPlaneEndpointsConfig"] == {"dnsEndpointConfig": {"allowExternalTraffic": False}, "ipEndpointsConfig": {"enabled": True}}
    assert c["masterAuthorizedNetworksConfig"] == {"cidrBlocks": [{"cidrBlock": "10.8.0.0/24", "displayName": "authorized-0"}], "gcpPublicCidrsAccessEnabled": False}
    cluster = json.loads(plan.outputs["kubeconfig"])["clusters"][0]["cluster"]
    assert cluster["server"] == "https://10.0.0.2" and cluster["certificate-authority-data"]


def test_in_cluster_postgres_on_gcp_builds_no_cloud_sql(plan_config):
    plan = plan_config({**STAGING, "database": "in-cluster"}, stack="gcp-cnpg")
    assert plan.by_type("gcp:sql/databaseInstance:DatabaseInstance") == []
    assert plan.by_type("gcp:servicenetworking/connection:Connection")  # the VPC stays ready for it
    assert plan.by_type("kubernetes:postgresql.cnpg.io/v1:Cluster")
    assert "cloudSqlInstance" not in plan.outputs


def test_prod_keeps_gke_logs_365_days_and_staging_leaves_the_project_alone(prod, staging):
    logs = only(prod, "gcp:logging/projectBucketConfig:ProjectBucketConfig").inputs
    assert (logs["bucketId"], logs["location"], logs["retentionDays"]) == ("_Default", "global", 365)
    assert staging.by_type("gcp:logging/projectBucketConfig:ProjectBucketConfig") == []
