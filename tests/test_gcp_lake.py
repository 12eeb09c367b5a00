"""The data lake on Cloud Storage (issue 14 item 4) as the engine would receive it: private
buckets, the seed's lifecycle, one Google service account per consumer with IAM on its own
buckets only and Workload Identity for exactly its Kubernetes ServiceAccount, protection in prod
only, and the consumers (Dremio, Airbyte, Velero, CloudNativePG, Elasticsearch's snapshots)
reading Cloud Storage instead of MinIO."""

from __future__ import annotations

import json

import pytest

from foundation import WORKLOAD_SERVICE_ACCOUNTS

BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_IAM = "gcp:storage/bucketIAMMember:BucketIAMMember"
WI = "gcp:serviceaccount/iAMMember:IAMMember"
RELEASE = "kubernetes:helm.sh/v3:Release"
LAKE = {"bronze", "silver", "gold"}
STAGING = {
    "cloud": "gcp", "environment": "staging", "gcp:project": "data-platform-staging", "gcp:region": "europe-west1",
    "acmeEmail": "ops@example.com", "domain": "staging.example.com", "database": "in-cluster",
}


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("gcp-prod")


@pytest.fixture(scope="module")
def staging(plan_config):
    """Staging with PostgreSQL in the cluster: CloudNativePG archives to the backups bucket."""
    return plan_config(STAGING, stack="gcp-lake")


def buckets(plan) -> dict[str, dict]:
    """Role (bronze, ..., access-logs) -> the bucket's inputs."""
    return {r.inputs["labels"]["data-lake-role"]: r.inputs for r in plan.by_type(BUCKET)}


def role_of(plan) -> dict[str, str]:
    return {b["name"]: role for role, b in buckets(plan).items()}


def grants(plan) -> dict[str, set[tuple[str, str]]]:
    """Service-account email -> {(bucket role, IAM role)} it holds on buckets."""
    roles, out = role_of(plan), {}
    for r in plan.by_type(BUCKET_IAM):
        member = r.inputs["member"]
        if member.startswith("serviceAccount:"):
            out.setdefault(member.removeprefix("serviceAccount:"), set()).add((roles[r.inputs["bucket"]], r.inputs["role"]))
    return out


def gsa(plan, app: str) -> str:
    (acct,) = [r for r in plan.by_type("gcp:serviceaccount/account:Account") if r.inputs["accountId"].endswith(f"-{app}")]
    return f"{acct.inputs['accountId']}@data-platform-prod.iam.gserviceaccount.com"


def test_the_lake_has_the_seeds_buckets_one_per_consumer_and_a_log_bucket(prod):
    assert set(buckets(prod)) == {"bronze", "silver", "gold", "backups", "airbyte", "dremio", "velero", "es-backups", "access-logs"}
    assert all(b["name"].startswith("data-platform-prod-gcp-prod-") and b["location"] == "EUROPE-WEST1" for b in buckets(prod).values())
    assert prod.outputs["objectStore"]["kind"] == "gcs"


def test_no_bucket_can_be_public(prod, staging):
    for plan in (prod, staging):
        for role, b in buckets(plan).items():
            assert b["publicAccessPrevention"] == "enforced", role
            assert b["uniformBucketLevelAccess"] is True, role  # IAM only: no object ACL can open an object
        members = {r.inputs["member"] for r in plan.by_type(BUCKET_IAM)}
        assert not members & {"allUsers", "allAuthenticatedUsers"}
        assert not [r for r in plan.registrations if r.type.startswith("gcp:storage/") and "Acl" in r.type]


def test_versioning_soft_delete_and_access_logs_on_every_data_bucket(prod):
    bs = buckets(prod)
    logs = bs.pop("access-logs")
    for role, b in bs.items():
        assert b["versioning"] == {"enabled": True}, role
        assert b["softDeletePolicy"] == {"retentionDurationSeconds": 30 * 86400}, role  # prod: 30 days
        assert b["logging"] == {"logBucket": logs["name"], "logObjectPrefix": role}, role
    delivery = [r.inputs for r in prod.by_type(BUCKET_IAM) if r.inputs["bucket"] == logs["name"]]
    assert delivery == [{"bucket": logs["name"], "role": "roles/storage.objectCreator", "member": "group:cloud-storage-analytics@google.com"}]


def test_lifecycle_bronze_goes_cold_after_90_days_and_old_versions_expire(prod):
    def rules(role):
        return buckets(prod)[role]["lifecycleRules"]

    for role in buckets(prod):
        assert {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 90, "withState": "ARCHIVED"}} in rules(role), role
        assert {"action": {"type": "AbortIncompleteMultipartUpload"}, "condition": {"age": 7}} in rules(role), role
    cold = [r for r in rules("bronze") if r["action"]["type"] == "SetStorageClass"]
    assert cold == [{"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
                     "condition": {"age": 90, "matchesStorageClasses": ["STANDARD"], "withState": "LIVE"}}]
    assert not [r for role in ("silver", "gold") for r in rules(role) if r["action"]["type"] == "SetStorageClass"]
    assert {"action": {"type": "Delete"}, "condition": {"age": 365, "withState": "LIVE"}} in rules("access-logs")


def test_buckets_are_protected_in_prod_only(prod, staging):
    assert all(r.protect and r.inputs["forceDestroy"] is False for r in prod.by_type(BUCKET))
    assert all(not r.protect and r.inputs["forceDestroy"] is True for r in staging.by_type(BUCKET))


def test_each_identity_holds_its_own_buckets_only_and_nothing_on_the_project(prod, staging):
    per_bucket = {("b", "roles/storage.objectUser"), ("b", "roles/storage.legacyBucketReader")}

    def on(*roles):
        return {(r, g) for r in roles for _, g in per_bucket}

    g = grants(prod)
    assert g[gsa(prod, "dremio")] == on("bronze", "silver", "gold", "dremio")
    assert g[gsa(prod, "airbyte")] == on("airbyte")  # a key file mounted in every Airbyte pod: its bucket only
    assert g[gsa(prod, "velero")] == on("velero")
    assert g[gsa(prod, "elasticsearch")] == on("es-backups")  # snapshots only: no lake, no other consumer's bucket
    assert "backups" not in {r for held in g.values() for r, _ in held}  # Cloud SQL backs itself up
    s = grants(staging)
    (postgres,) = [e for e in s if e.startswith("gcp-lake-postgres@")]
    assert s[postgres] == on("backups")  # the backups' writer cannot touch the lake
    for plan in (prod, staging):
        project_members = {r.inputs["member"] for r in plan.by_type("gcp:projects/iAMMember:IAMMember")}
        assert all("gke-nodes" in m for m in project_members)


def test_workload_identity_trusts_exactly_one_ksa_per_account(prod, staging):
    for plan, apps in ((prod, ("dremio", "velero", "elasticsearch")), (staging, ("dremio", "velero", "postgres", "elasticsearch"))):
        bindings = [r.inputs for r in plan.by_type(WI) if r.inputs["role"] == "roles/iam.workloadIdentityUser"]
        by_account = {b["serviceAccountId"]: b["member"] for b in bindings}
        assert len(by_account) == len(bindings)  # one binding per account
        pool = plan.by_type("gcp:container/cluster:Cluster")[0].inputs["workloadIdentityConfig"]["workloadPool"]
        for app in apps:
            ref = WORKLOAD_SERVICE_ACCOUNTS[app]
            (account,) = [a for a in by_account if a.endswith(f"-{app}@data-platform-prod.iam.gserviceaccount.com")]
            assert by_account[account] == f"serviceAccount:{pool}[{ref.namespace}/{ref.name}]"
        assert not [a for a in by_account if "-airbyte@" in a]  # Airbyte authenticates with its key, not as a KSA


def test_the_ksas_carry_their_google_service_account(prod):
    sa = {r.inputs["metadata"]["name"]: r.inputs["metadata"].get("annotations") or {} for r in prod.by_type("kubernetes:core/v1:ServiceAccount")}
    assert sa["dremio"] == {"iam.gke.io/gcp-service-account": gsa(prod, "dremio")}
    assert sa["elasticsearch"] == {"iam.gke.io/gcp-service-account": gsa(prod, "elasticsearch")}
    velero = prod.one(RELEASE, "velero").inputs["values"]["serviceAccount"]["server"]
    assert velero["annotations"] == {"iam.gke.io/gcp-service-account": gsa(prod, "velero")}


def test_no_minio_on_gcp_prod(prod):
    assert not [r for r in prod.registrations if "minio" in r.name.lower() and r.type.startswith("kubernetes:")]
    assert prod.outputs["dataLakeBuckets"]["bronze"] == "data-platform-prod-gcp-prod-bronze"


def test_dremio_reads_cloud_storage_with_workload_identity(prod):
    data = prod.one("kubernetes:core/v1:ConfigMap", "dremio-config").inputs["data"]
    assert 'dist: "dremiogcs:///data-platform-prod-gcp-prod-dremio/' in data["dremio.conf"]
    core = data["core-site.xml"]
    assert "<name>dremio.gcs.use_keyfile</name>\n    <value>false</value>" in core
    assert "<name>dremio.gcs.projectId</name>\n    <value>data-platform-prod</value>" in core
    assert "fs.s3a" not in core
    job = prod.one("kubernetes:batch/v1:Job", "dremio-bootstrap").inputs["spec"]["template"]["spec"]
    env = {e["name"]: e for e in job["containers"][0]["env"]}
    assert "LAKE_ACCESS_KEY" not in env
    source = json.loads(env["LAKE_SOURCE"]["value"])
    assert source["type"] == "GCS" and source["config"]["authMode"] == "AUTO" and source["config"]["projectId"] == "data-platform-prod"
    assert set(source["config"]["bucketWhitelist"]) == {f"data-platform-prod-gcp-prod-{b}" for b in LAKE}
    backup = prod.one("kubernetes:batch/v1:CronJob", "dremio-catalog-backup").inputs["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert any(e.get("value", "").startswith("dremiogcs:///") for e in backup["containers"][0]["env"])


def test_airbyte_reads_its_key_file_from_secret_manager_only(prod):
    storage = prod.one(RELEASE, "airbyte-release").inputs["values"]["global"]["storage"]
    assert storage["type"] == "gcs" and storage["secretName"] == "airbyte-storage"
    assert storage["gcs"] == {"credentialsJsonSecretKey": "gcp.json"}  # the launcher mounts the Secret as files: gcp.json
    assert set(storage["bucket"].values()) == {"data-platform-prod-gcp-prod-airbyte"}
    es = prod.one("kubernetes:external-secrets.io/v1:ExternalSecret", "airbyte-storage").inputs
    assert es["metadata"]["annotations"]["data-platform.io/secret-keys"] == "gcp.json"
    (key,) = prod.by_type("gcp:serviceaccount/key:Key")
    assert "privateKey" in key.additional_secret_outputs
    versions = [r for r in prod.by_type("gcp:secretmanager/secretVersion:SecretVersion") if "airbyte-storage" in r.inputs["secret"]]
    assert [v.inputs["secretData"] for v in versions] == ["[secret]"]
    assert "private_key" not in json.dumps([r.inputs for r in prod.registrations if r.type.startswith("kubernetes:")])


def test_velero_uses_the_gcp_plugin_with_workload_identity(prod):
    v = prod.one(RELEASE, "velero").inputs["values"]
    assert [c["image"] for c in v["initContainers"]] == ["docker.io/velero/velero-plugin-for-gcp:v1.13.2"]
    (bsl,) = v["configuration"]["backupStorageLocation"]
    assert bsl["provider"] == "gcp" and bsl["bucket"] == "data-platform-prod-gcp-prod-velero"
    assert bsl["config"] == {"serviceAccount": gsa(prod, "velero")}  # the plugin refuses unknown keys (region)
    assert v["credentials"] == {"useSecret": False}
    (sign,) = [r.inputs for r in prod.by_type(WI) if r.inputs["role"] == "roles/iam.serviceAccountTokenCreator"]
    assert sign["member"] == f"serviceAccount:{gsa(prod, 'velero')}" and sign["serviceAccountId"].endswith(gsa(prod, "velero"))


def test_cloudnative_pg_archives_to_the_backups_bucket_as_its_own_account(staging):
    (store,) = staging.by_type("kubernetes:barmancloud.cnpg.io/v1:ObjectStore")
    conf = store.inputs["spec"]["configuration"]
    assert conf["destinationPath"] == "gs://data-platform-staging-gcp-lake-backups/postgres"
    assert conf["googleCredentials"] == {"gkeEnvironment": True} and "s3Credentials" not in conf
    (cluster,) = staging.by_type("kubernetes:postgresql.cnpg.io/v1:Cluster")
    annotations = cluster.inputs["spec"]["serviceAccountTemplate"]["metadata"]["annotations"]
    assert annotations["iam.gke.io/gcp-service-account"].startswith("gcp-lake-postgres@")
