"""The deploy-time estimate (offline_plan/deploy_time.py) and the waits it exposes.

- the estimator: longest path through the recorded graph, a dependency on a component waits
  for all its children, a resource waits for its provider;
- on every AWS stack the critical path is the chain of real needs (EKS -> CNI -> nodes -> CSI ->
  operator -> bootstrap -> workload) with at most a minute of small resources in between, and
  the false waits are gone: cloud-side secrets wait for no Kubernetes resource, Superset's Redis
  does not wait for PostgreSQL's bootstrap.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offline_plan import deploy_time, plan_json
from offline_plan.deploy_time import TABLE_PATH

TABLE = json.loads(TABLE_PATH.read_text())
AWS_STACKS = ("staging", "prod")


def res(urn, type_="kubernetes:core/v1:ConfigMap", deps=(), parent=None, custom=True, provider=None, inputs=None):
    return {"urn": urn, "type": type_, "name": urn, "custom": custom, "parent": parent, "provider": provider,
            "inputs": inputs or {}, "dependencies": list(deps), "propertyDependencies": {}}


def test_a_dependency_on_a_component_waits_for_its_children_and_a_resource_for_its_provider():
    t = TABLE["types"]
    graph = [
        res("eks", "aws:eks/cluster:Cluster"),
        res("k8s", "pulumi:providers:kubernetes", deps=["eks"], custom=True),
        res("comp", "data-platform:apps:X", custom=False),
        res("release", "kubernetes:helm.sh/v3:Release", parent="comp", provider="k8s::id-1"),
        res("job", "kubernetes:batch/v1:Job", parent="comp", provider="k8s::id-1", deps=["release"]),
        res("app", "kubernetes:apps/v1:Deployment", deps=["comp"], provider="k8s::id-1"),
    ]
    est = deploy_time.estimate(graph, TABLE)
    expected = t["aws:eks/cluster:Cluster"] + t["kubernetes:helm.sh/v3:Release"] + t["kubernetes:batch/v1:Job"] + t["kubernetes:apps/v1:Deployment"]
    assert est.total_seconds == expected
    assert [s.urn for s in est.critical_path] == ["eks", "release", "job", "app"]


def test_create_times_come_from_the_variant_when_the_table_has_one():
    rds = TABLE["types"]
    assert deploy_time.create_seconds(res("db", "aws:rds/instance:Instance", inputs={"multiAz": True}), TABLE) == rds["aws:rds/instance:Instance[multiAz]"]
    assert deploy_time.create_seconds(res("db", "aws:rds/instance:Instance", inputs={"multiAz": False}), TABLE) == rds["aws:rds/instance:Instance"]
    assert deploy_time.create_seconds(res("x", "aws:sqs/queue:Queue"), TABLE) == TABLE["default"]["aws"]


def test_highly_available_azure_and_gcp_databases_take_longer_and_azure_has_its_own_default():
    t = TABLE["types"]
    flex = "azure-native:dbforpostgresql:Server"
    assert deploy_time.create_seconds(res("db", flex, inputs={"highAvailability": {"mode": "ZoneRedundant"}}), TABLE) == t[f"{flex}[highAvailability]"] > t[flex]
    assert deploy_time.create_seconds(res("db", flex, inputs={"highAvailability": {"mode": "Disabled"}}), TABLE) == t[flex]
    sql = "gcp:sql/databaseInstance:DatabaseInstance"
    assert deploy_time.create_seconds(res("db", sql, inputs={"settings": {"availabilityType": "REGIONAL"}}), TABLE) == t[f"{sql}[REGIONAL]"] > t[sql]
    assert deploy_time.create_seconds(res("db", sql, inputs={"settings": {"availabilityType": "ZONAL"}}), TABLE) == t[sql]
    assert deploy_time.create_seconds(res("x", "azure-native:network:NetworkSecurityGroup"), TABLE) == TABLE["default"]["azure-native"]


@given(st.lists(st.tuples(st.integers(0, 5), st.lists(st.integers(0, 30), max_size=3)), min_size=1, max_size=30))
def test_total_is_the_longest_chain_and_the_path_adds_up(spec):
    types = list(TABLE["types"])
    # resource i may only depend on earlier ones: a DAG
    graph = [res(f"r{i}", types[t % len(types)], deps=[f"r{d % i}" for d in ds] if i else []) for i, (t, ds) in enumerate(spec)]
    secs = {r["urn"]: deploy_time.create_seconds(r, TABLE) for r in graph}
    longest: dict[str, int] = {}
    for r in graph:  # topological order by construction
        longest[r["urn"]] = secs[r["urn"]] + max((longest[d] for d in r["dependencies"]), default=0)
    est = deploy_time.estimate(graph, TABLE)
    assert est.total_seconds == max(longest.values())
    assert sum(s.seconds for s in est.critical_path) == est.total_seconds
    for a, b in zip(est.critical_path, est.critical_path[1:]):
        assert a.end <= b.start


def _resources(plan_stack, stack):
    return plan_json.document(plan_stack(stack))["resources"]


def _transitive(resources):
    direct = deploy_time.waits_for(resources)
    memo: dict[str, set[str]] = {}

    def all_of(urn):
        if urn not in memo:
            memo[urn] = set()
            memo[urn] = set(direct[urn]).union(*(all_of(d) | {d} for d in direct[urn] if d in direct))
        return memo[urn]

    return all_of


# What each step of the real chain is (a milestone is a step of a minute or more).
CHAIN = [
    lambda s: s.type == "aws:eks/cluster:Cluster",
    lambda s: s.type == "aws:eks/addon:Addon" and s.name.endswith("vpc-cni"),
    lambda s: s.type == "aws:eks/nodeGroup:NodeGroup",
    lambda s: s.type == "aws:eks/addon:Addon" and s.name.endswith("aws-ebs-csi-driver"),
    lambda s: s.type == "kubernetes:helm.sh/v3:Release" and s.name == "external-secrets",  # the operator the secrets need
    lambda s: s.type == "kubernetes:batch/v1:Job",  # a bootstrap (database logins, ...)
]
WORKLOADS = ("kubernetes:helm.sh/v3:Release", "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_critical_path_is_the_chain_of_real_needs(plan_stack, stack):
    est = deploy_time.estimate(_resources(plan_stack, stack))
    milestones = [s for s in est.critical_path if s.seconds >= 60]
    assert len(milestones) >= len(CHAIN) + 1, deploy_time.render(est)
    for is_step, step in zip(CHAIN, milestones):
        assert is_step(step), deploy_time.render(est)
    assert all(s.type in WORKLOADS for s in milestones[len(CHAIN):]), deploy_time.render(est)
    # Bound: besides the chain, only small resources (IAM, namespaces, ExternalSecrets, ...) — a minute at most.
    glue = est.total_seconds - sum(s.seconds for s in milestones)
    assert 0 <= glue <= 60, deploy_time.render(est)
    # No cloud-side secret on the path after the cluster exists.
    assert not [s for s in est.critical_path if s.type.startswith("aws:secretsmanager")], deploy_time.render(est)


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_cloud_side_secrets_wait_for_nothing_in_the_cluster(plan_stack, stack):
    resources = _resources(plan_stack, stack)
    by_urn = {r["urn"]: r for r in resources}
    waits = _transitive(resources)
    secrets = [r for r in resources if r["type"].startswith("aws:secretsmanager/")]
    assert secrets
    for r in secrets:
        bad = sorted(by_urn[u]["type"] + " " + by_urn[u]["name"] for u in waits(r["urn"])
                     if by_urn[u]["type"].startswith("kubernetes:") or by_urn[u]["type"] in ("aws:eks/cluster:Cluster", "aws:rds/instance:Instance"))
        assert not bad, f"{r['name']} waits for {bad}"


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_kubernetes_resources_do_not_wait_for_what_they_do_not_use(plan_stack, stack):
    resources = _resources(plan_stack, stack)
    by_urn = {r["urn"]: r for r in resources}
    waits = _transitive(resources)
    names = lambda urn: {by_urn[u]["name"] for u in waits(urn)}  # noqa: E731
    redis = next(r for r in resources if r["type"] == "kubernetes:apps/v1:StatefulSet" and r["name"] == "superset-redis-sts")
    assert "postgres-bootstrap" not in names(redis["urn"])
    assert "superset-secrets" in names(redis["urn"])  # the real need: its password
    lifecycle = next(r for r in resources if r["type"] == "kubernetes:batch/v1:Job" and r["name"] == "elasticsearch-log-lifecycle")
    assert "elasticsearch-ca-publisher" not in names(lifecycle["urn"])
    assert "elasticsearch" in names(lifecycle["urn"])
    # Generated database logins need the namespace, not the RDS master secret; the bootstrap Job needs it.
    login = next(r for r in resources if r["type"] == "kubernetes:external-secrets.io/v1:ExternalSecret" and r["name"] == "data-storage-postgres-airbyte")
    assert "postgres-admin" not in names(login["urn"])
    bootstrap = next(r for r in resources if r["type"] == "kubernetes:batch/v1:Job" and r["name"] == "postgres-bootstrap")
    assert {"postgres-admin", "data-storage-postgres-airbyte"} <= names(bootstrap["urn"])
    superset_web = next(r for r in resources if r["type"] == "kubernetes:apps/v1:Deployment" and r["name"] == "superset-web")
    assert "postgres-bootstrap" in names(superset_web["urn"])  # the workload still waits for its database


def test_plan_json_records_the_estimate(plan_stack):
    doc = plan_json.document(plan_stack("staging"))
    est = deploy_time.estimate(doc["resources"])
    assert doc["estimates"]["deployTime"]["totalSeconds"] == est.total_seconds
    assert [s["name"] for s in doc["estimates"]["deployTime"]["criticalPath"]] == [s.name for s in est.critical_path]
