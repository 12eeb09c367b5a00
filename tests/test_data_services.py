"""Data services (issue 3): per-environment sizing, secrets never in plaintext, bucket and
database lists, security on every pod this program writes, bad topology rejected, and the
managed-database / native-bucket path."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.data_services.databases import DATABASES
from components.data_services.minio_topology import default_parity, erasure_set_size, server_args
from components.data_services.pg_tuning import GiB, MiB, pg_memory_parameters
from components.data_services.postgres import cnpg_schedule
from offline_plan import manifests, plan_json
from offline_plan.mocks import FAKE_SECRET_PREFIX
from offline_plan.runner import PlanError
from settings.sections.minio import pool_problem

CNPG = "kubernetes:postgresql.cnpg.io/v1:"
STS = "kubernetes:apps/v1:StatefulSet"
DEPLOY = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
ES = "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch"
DATA_TYPES = ("data-platform:data:",)
FAKE_SECRET = re.compile(re.escape(FAKE_SECRET_PREFIX) + r"[0-9a-f]{8}")
"""What the mock RandomPassword returns (prefix + hex): must never be seen in the plan."""


def _ours(result) -> list:
    """Registrations created under the DataServices component (directly or nested)."""
    by_urn = {r.urn: r for r in result.registrations}
    out = []
    for r in result.registrations:
        p = r.parent
        while p and p in by_urn:
            if by_urn[p].type.startswith(DATA_TYPES):
                out.append(r)
                break
            p = by_urn[p].parent
    return out


def _cr(result, kind: str):
    found = [r for r in result.registrations if r.type == CNPG + kind]
    return found


def _minio_pools(result):
    return [r for r in result.by_type(STS) if r.inputs["metadata"]["name"].startswith("minio-pool-")]


def _minio_pods(result) -> int:
    return sum(r.inputs["spec"]["replicas"] for r in _minio_pools(result))


def _es_node_sets(result) -> dict[str, dict]:
    (es,) = result.by_type(ES)
    return {ns["name"]: ns for ns in es.inputs["spec"]["nodeSets"]}


@pytest.fixture(scope="module")
def dev(plan_stack):
    return plan_stack("dev")


@pytest.fixture(scope="module")
def prod(plan_config):
    return plan_config({"environment": "prod"})


# --- sizing per environment -------------------------------------------------------------------

def test_dev_is_one_instance_of_everything(dev):
    (cluster,) = _cr(dev, "Cluster")
    assert cluster.inputs["spec"]["instances"] == 1
    assert "synchronous" not in cluster.inputs["spec"]["postgresql"]
    assert cluster.inputs["spec"]["enablePDB"] is False  # a PDB on a lone primary blocks node drains
    assert _minio_pods(dev) == 1
    nodes = _es_node_sets(dev)
    assert [(n, ns["count"], ns["config"]["node.roles"]) for n, ns in nodes.items()] == [("default", 1, ["master", "data", "ingest"])]


def test_prod_has_three_postgres_with_one_synchronous_standby_pooler_and_daily_backup(prod):
    (cluster,) = _cr(prod, "Cluster")
    spec = cluster.inputs["spec"]
    assert spec["instances"] == 3 and spec["enablePDB"] is True
    assert spec["postgresql"]["synchronous"] == {"method": "any", "number": 1, "dataDurability": "required"}
    assert spec["affinity"]["podAntiAffinityType"] == "required"
    # the seed's tuning at its 16 GB node, exactly
    params = spec["postgresql"]["parameters"]
    assert {k: params[k] for k in ("shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "max_connections")} == {
        "shared_buffers": "4GB", "effective_cache_size": "12GB", "work_mem": "64MB", "maintenance_work_mem": "1GB", "max_connections": "200"}
    assert spec["resources"]["requests"] == spec["resources"]["limits"] == {"cpu": "4", "memory": "16Gi"}
    (store,) = prod.by_type("kubernetes:barmancloud.cnpg.io/v1:ObjectStore")
    assert store.inputs["spec"]["retentionPolicy"] == "30d"
    assert store.inputs["spec"]["configuration"]["destinationPath"] == "s3://backups/postgres"
    assert spec["plugins"][0]["parameters"]["barmanObjectName"] == store.inputs["metadata"]["name"]
    assert cluster.protect, "prod protects the database"

    (pooler,) = _cr(prod, "Pooler")
    assert pooler.inputs["spec"]["type"] == "rw"
    assert pooler.inputs["spec"]["pgbouncer"]["parameters"] == {"max_client_conn": "1000", "default_pool_size": "25"}

    (backup,) = _cr(prod, "ScheduledBackup")
    assert backup.inputs["spec"]["schedule"] == "0 0 0 * * *"  # six fields: seconds first, daily at 00:00
    assert backup.inputs["spec"]["cluster"] == {"name": cluster.inputs["metadata"]["name"]}


def test_prod_minio_is_four_servers_with_four_drives_each_spread_and_disruption_bounded(prod):
    (pool,) = _minio_pools(prod)
    spec = pool.inputs["spec"]
    assert spec["replicas"] == 4 and spec["podManagementPolicy"] == "Parallel"
    assert len(spec["volumeClaimTemplates"]) == 4
    args = spec["template"]["spec"]["containers"][0]["args"]
    assert "http://minio-pool-0-{0...3}.minio-hl.data-storage.svc.cluster.local/export/data{0...3}" in args
    anti = spec["template"]["spec"]["affinity"]["podAntiAffinity"]
    assert list(anti) == ["requiredDuringSchedulingIgnoredDuringExecution"]
    pdbs = [r for r in prod.by_type(PDB) if r.inputs["metadata"]["name"] == "minio-pool-0"]
    assert len(pdbs) == 1 and pdbs[0].inputs["spec"]["maxUnavailable"] == 1


def test_dev_single_minio_has_no_pdb_nor_anti_affinity(dev):
    (pool,) = _minio_pools(dev)
    assert "affinity" not in pool.inputs["spec"]["template"]["spec"]
    assert pool.inputs["spec"]["template"]["spec"]["containers"][0]["args"][-1] == "/export/data0"
    assert not [r for r in dev.by_type(PDB) if r.inputs["metadata"]["name"].startswith("minio")]


def test_staging_is_ha_but_smaller_with_preferred_spreading(plan_config):
    result = plan_config({"environment": "staging", "acmeEmail": "ops@example.com"})
    (cluster,) = _cr(result, "Cluster")
    assert cluster.inputs["spec"]["instances"] == 2 and "synchronous" not in cluster.inputs["spec"]["postgresql"]
    assert cluster.inputs["spec"]["postgresql"]["parameters"]["shared_buffers"] == "1GB"  # 1/4 of 4Gi
    (pool,) = _minio_pools(result)
    assert pool.inputs["spec"]["replicas"] == 4 and len(pool.inputs["spec"]["volumeClaimTemplates"]) == 2
    assert list(pool.inputs["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]) == ["preferredDuringSchedulingIgnoredDuringExecution"]
    assert {n: ns["count"] for n, ns in _es_node_sets(result).items()} == {"default": 3}
    assert not cluster.protect


def test_second_server_pool_is_the_seeds_expansion_to_eight(plan_config):
    result = plan_config({"environment": "prod", "minio": {"pools": [4, 4]}})
    pools = _minio_pools(result)
    assert [p.inputs["spec"]["replicas"] for p in pools] == [4, 4]
    expected = {f"http://minio-pool-{i}-{{0...3}}.minio-hl.data-storage.svc.cluster.local/export/data{{0...3}}" for i in (0, 1)}
    for p in pools:  # every server knows both pools
        assert expected <= set(p.inputs["spec"]["template"]["spec"]["containers"][0]["args"])


def test_prod_elasticsearch_has_three_dedicated_masters_and_three_data_nodes(prod):
    nodes = _es_node_sets(prod)
    assert {n: (ns["count"], ns["config"]["node.roles"]) for n, ns in nodes.items()} == {
        "master": (3, ["master"]), "data": (3, ["data", "ingest"])}
    (es,) = prod.by_type(ES)
    assert es.inputs["spec"]["version"] == "8.15.0"
    for ns in nodes.values():
        assert ns["config"]["node.store.allow_mmap"] is False  # no privileged sysctl init container
        assert not ns["podTemplate"]["spec"].get("initContainers")
        container = ns["podTemplate"]["spec"]["containers"][0]
        memory = container["resources"]["limits"]["memory"]
        heap_mib = int(container["env"][0]["value"].split()[0].removeprefix("-Xms").removesuffix("m"))
        assert heap_mib * 2 * MiB == int(memory.removesuffix("Gi")) * GiB  # heap is half the memory


def test_operators_are_pinned_releases_in_their_own_namespaces(dev):
    releases = {r.inputs["chart"]: r.inputs for r in dev.by_type("kubernetes:helm.sh/v3:Release")}
    assert releases["cloudnative-pg"]["version"] == "0.26.1"
    assert releases["cloudnative-pg"]["repositoryOpts"]["repo"] == "https://cloudnative-pg.github.io/charts"
    assert releases["cloudnative-pg"]["namespace"] == "cnpg-system"
    assert releases["eck-operator"]["version"] == "2.16.1"
    assert releases["eck-operator"]["namespace"] == "elastic-system"


# --- secrets ------------------------------------------------------------------------------------

@pytest.mark.parametrize("env", ["dev", "prod"])
def test_generated_secrets_never_appear_in_plaintext(env, dev, prod):
    result = dev if env == "dev" else prod
    passwords = result.by_type("random:index/randomPassword:RandomPassword")
    assert len(passwords) >= 9  # 3 database roles, MinIO root/app/backup user and key pairs
    everything = json.dumps([r.inputs for r in result.registrations]) + json.dumps(result.outputs)
    everything += json.dumps(plan_json.document(result), default=str) + json.dumps(list(manifests.objects(result)), default=str)
    assert not FAKE_SECRET.search(everything)
    secrets = [r for r in result.by_type("kubernetes:core/v1:Secret") if r in _ours(result)]
    assert secrets and all(r.inputs["stringData"] == "[secret]" for r in secrets)


def test_minio_root_credentials_stay_in_data_storage(dev):
    for r in _ours(dev):
        if r.type == "kubernetes:core/v1:Secret" and r.inputs["metadata"]["namespace"] == "data-platform":
            assert "root" not in r.inputs["metadata"]["name"]
    (job,) = [r for r in dev.by_type(JOB) if r.inputs["metadata"]["labels"].get("app.kubernetes.io/component") == "bootstrap" and r.inputs["metadata"]["labels"]["app"] == "minio"]
    script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert "mc admin user add dp \"$DREMIO_ACCESS_KEY\"" in script and "policy attach dp dremio --user" in script
    assert "mc admin policy remove dp platform-lake" in script  # the old policy that also granted backups


# --- buckets and databases ----------------------------------------------------------------------

def test_bucket_job_creates_the_lake_and_backup_buckets_idempotently(dev, prod):
    for result, locked in ((dev, False), (prod, True)):
        (job,) = [r for r in result.by_type(JOB) if r.inputs["metadata"]["labels"].get("app.kubernetes.io/component") == "bootstrap" and r.inputs["metadata"]["labels"]["app"] == "minio"]
        script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
        for bucket in ("bronze", "silver", "gold", "dremio", "airbyte", "backups", "velero", "es-backups"):
            assert f"dp/{bucket}\n" in script + "\n"
        made = [line for line in script.splitlines() if line.startswith("mc mb ")]
        assert len(made) == 8 and all("--ignore-existing" in line for line in made)
        assert ("mc mb --ignore-existing --with-lock dp/bronze" in script) is locked
        assert ("mc retention set --default GOVERNANCE 30d dp/bronze" in script) is locked
        assert "--with-lock dp/silver" not in script and "--with-lock dp/gold" not in script
    assert set(prod.outputs["objectStore"]["buckets"]) == {"bronze", "silver", "gold", "dremio", "airbyte", "backups", "velero", "es-backups"}


def test_each_app_gets_its_database_and_owner(dev):
    (cluster,) = _cr(dev, "Cluster")
    initdb = cluster.inputs["spec"]["bootstrap"]["initdb"]
    made = {(initdb["database"], initdb["owner"])} | {(d.inputs["spec"]["name"], d.inputs["spec"]["owner"]) for d in _cr(dev, "Database")}
    assert made == {("airbyte", "airbyte"), ("temporal", "temporal"), ("temporal_visibility", "temporal"), ("superset", "superset")}
    roles = {r["name"]: r["passwordSecret"]["name"] for r in cluster.inputs["spec"]["managed"]["roles"]}
    assert roles == {"airbyte": "postgres-airbyte", "temporal": "postgres-temporal", "superset": "postgres-superset"}
    secrets = {(r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]) for r in dev.by_type("kubernetes:core/v1:Secret")}
    for name in roles.values():  # the server's copy and the applications' copy
        assert {("data-storage", name), ("data-platform", name)} <= secrets
    assert sorted(dev.outputs["postgresDatabases"]) == sorted(d.database for d in DATABASES)


# --- security on every pod this program writes --------------------------------------------------

def _pod_specs(result) -> list[tuple[str, dict, bool]]:
    """(name, pod spec, long-running) for every workload and CR pod template under DataServices."""
    out = []
    for r in _ours(result):
        if r.type in (STS, DEPLOY):
            out.append((r.name, r.inputs["spec"]["template"]["spec"], True))
        elif r.type == JOB:
            out.append((r.name, r.inputs["spec"]["template"]["spec"], False))
        elif r.type == CNPG + "Pooler":
            out.append((r.name, r.inputs["spec"]["template"]["spec"], False))  # CNPG sets the probes
        elif r.type == ES:
            out += [(f"es-{ns['name']}", ns["podTemplate"]["spec"], False) for ns in r.inputs["spec"]["nodeSets"]]
    return out


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_container_written_is_restricted_with_resources(env, dev, prod):
    specs = _pod_specs(dev if env == "dev" else prod)
    assert len(specs) >= 4
    for name, spec, long_running in specs:
        pod = spec.get("securityContext", {})
        assert pod.get("runAsNonRoot") is True and pod.get("seccompProfile") == {"type": "RuntimeDefault"}, name
        for c in spec["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"]["drop"] == ["ALL"], name
            assert sc["runAsNonRoot"] is True and sc.get("privileged") is False, name
            assert set(c["resources"]) == {"requests", "limits"}, name
            assert set(c["resources"]["limits"]) == {"cpu", "memory"}, name
            if long_running:
                assert "livenessProbe" in c and "readinessProbe" in c, name


def test_cnpg_pods_get_runtime_default_seccomp(dev):
    (cluster,) = _cr(dev, "Cluster")
    assert cluster.inputs["spec"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert cluster.inputs["spec"]["enableSuperuserAccess"] is False


# --- storage roles ------------------------------------------------------------------------------

def test_storage_roles_follow_the_foundation(dev, plan_config):
    (cluster,) = _cr(dev, "Cluster")
    assert "storageClass" not in cluster.inputs["spec"]["storage"]  # cluster default class
    result = plan_config({"fastSsdStorageClass": "fast", "standardStorageClass": "bulk"})
    (cluster,) = _cr(result, "Cluster")
    assert cluster.inputs["spec"]["storage"]["storageClass"] == cluster.inputs["spec"]["walStorage"]["storageClass"] == "fast"
    (pool,) = _minio_pools(result)
    assert {t["spec"]["storageClassName"] for t in pool.inputs["spec"]["volumeClaimTemplates"]} == {"bulk"}
    (es,) = result.by_type(ES)
    assert es.inputs["spec"]["nodeSets"][0]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast"


# --- bad configuration ----------------------------------------------------------------------------

@pytest.mark.parametrize("config, key", [
    ({"minio": {"pools": [3]}}, "data-platform:minio.pools"),
    ({"minio": {"pools": [4, 2]}}, "data-platform:minio.pools"),
    ({"minio": {"pools": [17], "drivesPerServer": 1}}, "data-platform:minio.pools"),
    ({"minio": {"pools": []}}, "data-platform:minio.pools"),
    ({"minio": {"image": "quay.io/minio/minio:latest"}}, "data-platform:minio.image"),
    ({"postgres": {"instances": 2, "synchronousReplicas": 2}}, "data-platform:postgres.synchronousReplicas"),
    ({"postgres": {"backupSchedule": "0 0 0 * * *"}}, "data-platform:postgres.backupSchedule"),
    ({"elasticsearch": {"masterNodes": 2}}, "data-platform:elasticsearch.masterNodes"),
    ({"elasticsearch": {"dataNodes": 2}}, "data-platform:elasticsearch.dataNodes"),
])
def test_bad_config_is_rejected_before_any_resource(plan_config, config, key):
    with pytest.raises(PlanError) as err:
        plan_config(config)
    assert key in str(err.value) and "Pulumi.test.yaml" in str(err.value)


# --- pure sizing functions ------------------------------------------------------------------------

@given(st.integers(256, 256 * 1024).map(lambda m: m * MiB))
def test_pg_memory_parameters_fit_in_the_instance(memory):
    p = pg_memory_parameters(memory)

    def b(v: str) -> int:
        return int(v[:-2]) * (GiB if v.endswith("GB") else MiB)

    assert b(p["shared_buffers"]) <= memory // 4
    assert b(p["shared_buffers"]) + b(p["maintenance_work_mem"]) < memory
    assert b(p["effective_cache_size"]) <= memory * 3 // 4
    assert 4 * MiB <= b(p["work_mem"]) <= 64 * MiB
    assert b(p["maintenance_work_mem"]) <= GiB


@given(st.integers(256, 64 * 1024), st.integers(256, 64 * 1024))
def test_pg_memory_parameters_grow_with_memory(a, b):
    lo, hi = sorted((a, b))
    small, big = pg_memory_parameters(lo * MiB), pg_memory_parameters(hi * MiB)

    def n(v: str) -> int:
        return int(v[:-2]) * (1024 if v.endswith("GB") else 1)

    assert all(n(small[k]) <= n(big[k]) for k in small)


@given(st.lists(st.integers(4, 32), min_size=1, max_size=4), st.integers(1, 16))
def test_pools_of_four_plus_servers_are_accepted_iff_minio_can_form_sets(pools, drives):
    problem = pool_problem(pools, drives)
    formable = all(any((s * drives) % k == 0 for k in range(4, 17)) for s in pools)
    assert (problem is None) is formable
    if problem is None:
        args = server_args(pools, drives, "minio-hl", "data-storage")
        assert len(args) == len(pools)
        assert all(f"{{0...{s - 1}}}" in a for s, a in zip(pools, args))


@given(st.lists(st.integers(1, 32), min_size=1, max_size=4).filter(lambda p: any(s in (2, 3) for s in p) or (1 in p and len(p) > 1)),
       st.integers(1, 16))
def test_pools_of_fewer_than_four_servers_are_rejected_unless_a_lone_single_server(pools, drives):
    assert pool_problem(pools, drives) is not None


def test_four_servers_four_drives_is_one_sixteen_drive_set_with_the_seeds_ec4():
    assert erasure_set_size(16) == 16 and default_parity(16) == 4


@given(st.sampled_from(["0 0 * * *", "30 2 * * 1", "*/15 * * * *"]))
def test_cnpg_schedule_has_six_fields_seconds_first(cron):
    six = cnpg_schedule(cron)
    assert six.split()[0] == "0" and six.split()[1:] == cron.split()


# --- managed database and native buckets (cloud foundations) -------------------------------------

def _plan_with_foundation(config: dict[str, Any]):
    """Run DataServices alone on a Foundation with a managed database and S3 buckets (the whole
    platform on hand-made Foundations: conftest's `plan_foundation`, tests/test_contract.py)."""
    import pulumi
    import pulumi_kubernetes as k8s

    from components.context import PlatformContext
    from components.data_services import DataServices, DataServicesArgs
    from foundation import EdgeFrontend, Foundation, ManagedDatabase, ObjectStore, StorageClasses, WorkloadIdentity
    from offline_plan.runner import run_program
    from program import load_settings

    s = load_settings({"data-platform:cloud": "aws", "data-platform:environment": "prod", "data-platform:acmeEmail": "ops@example.com",
                           "data-platform:aws": {"drRegion": "eu-central-1"}, **config}, "cloudtest")
    holder: dict = {}

    def program():
        provider = k8s.Provider("k8s")
        f = Foundation(
            cloud="aws", provider=provider, storage_classes=StorageClasses("gp3-fast", "gp3"), edge=EdgeFrontend(),
            object_store=ObjectStore(kind="s3", region="eu-west-1", buckets={b: pulumi.Output.from_input(f"dp-{b}") for b in ("bronze", "silver", "gold", "backups")}),
            database=ManagedDatabase(host=pulumi.Output.from_input("db.example.rds.amazonaws.com"), port=5432, engine_version="16.4", admin_secret="rds-admin"),
            workload_identity={"postgres": WorkloadIdentity({"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/pg"})},
        )
        holder["ds"] = DataServices("data-services", DataServicesArgs(ctx=PlatformContext.of(f, s), foundation=f, settings=s))
        holder["ds"].install_backups([])

    registrations, _, _ = run_program(program, project="data-platform", stack="cloudtest")
    return registrations, holder["ds"]


def test_managed_database_gets_bootstrap_job_and_pgbouncer_not_cloudnative_pg():
    regs, ds = _plan_with_foundation({})
    types = {r.type for r in regs}
    assert CNPG + "Cluster" not in types and not [r for r in regs if r.type == STS and "minio" in r.name]
    (job,) = [r for r in regs if r.type == JOB]
    env = {e["name"]: e for e in job.inputs["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "rds-admin"
    assert env["PGHOST"]["value"] == "db.example.rds.amazonaws.com"
    script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    for d in DATABASES:
        assert f"CREATE DATABASE {d.database} OWNER {d.owner}" in script
    (pgb,) = [r for r in regs if r.type == DEPLOY]
    assert pgb.inputs["spec"]["replicas"] == 3
    (cm,) = [r for r in regs if r.type == "kubernetes:core/v1:ConfigMap" and r.name == "pgbouncer-config"]
    ini = cm.inputs["data"]["pgbouncer.ini"]
    assert "max_client_conn = 1000" in ini and "default_pool_size = 25" in ini and "server_tls_sslmode = require" in ini
    (userlist,) = [r for r in regs if r.type == "kubernetes:core/v1:Secret" and r.inputs["metadata"]["name"] == "pgbouncer-userlist"]
    assert userlist.inputs["stringData"] == "[secret]"
    assert not FAKE_SECRET.search(json.dumps([r.inputs for r in regs]))
    assert set(ds.result.postgres.logins) == {d.key for d in DATABASES}
    # native buckets: no keys, apps use workload identity
    assert ds.result.object_store.kind == "s3" and ds.result.object_store.credentials_secret is None


def test_in_cluster_postgres_on_native_buckets_archives_with_workload_identity():
    regs, _ = _plan_with_foundation({"data-platform:database": "in-cluster"})
    (cluster,) = [r for r in regs if r.type == CNPG + "Cluster"]
    (object_store,) = [r for r in regs if r.type == "kubernetes:barmancloud.cnpg.io/v1:ObjectStore"]
    store = object_store.inputs["spec"]["configuration"]
    assert store["destinationPath"] == "s3://dp-backups/postgres"
    assert store["s3Credentials"] == {"inheritFromIAMRole": True}
    assert cluster.inputs["spec"]["serviceAccountTemplate"]["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/pg"}
