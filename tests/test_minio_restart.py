"""Distributed MinIO is never rolled (issue 12 item 2): every pool's StatefulSet is `OnDelete`,
and a Job named after the servers' revision restarts every server of every pool together, with
a ServiceAccount that may delete nothing but those pods."""

from __future__ import annotations

import pytest

from components.network_policies import Endpoint, permits, policy_from_manifest

STS = "kubernetes:apps/v1:StatefulSet"
JOB = "kubernetes:batch/v1:Job"
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PROD = {"environment": "prod", "acmeEmail": "ops@example.com"}


def _pools(plan):
    return [r for r in plan.by_type(STS) if r.inputs["metadata"]["name"].startswith("minio-pool-")]


def _restart_jobs(plan):
    return [r for r in plan.by_type(JOB) if r.inputs["metadata"].get("name", "").startswith("minio-restart-")]


@pytest.fixture(scope="module")
def prod(plan_config):
    return plan_config(PROD)


@pytest.fixture(scope="module")
def expanded(plan_config):
    return plan_config({**PROD, "minio": {"pools": [4, 4]}})


def test_every_pool_of_a_distributed_minio_is_on_delete(expanded, prod):
    for plan in (prod, expanded):
        pools = _pools(plan)
        assert pools and all(p.inputs["spec"]["updateStrategy"] == {"type": "OnDelete"} for p in pools)


def test_a_single_server_keeps_rolling_updates_and_has_no_restart_job(plan_stack):
    dev = plan_stack("dev")
    (pool,) = _pools(dev)
    assert "updateStrategy" not in pool.inputs["spec"] and not _restart_jobs(dev)


def test_restart_job_name_changes_with_the_image_the_env_and_the_pools(plan_config, prod, expanded):
    (base,) = _restart_jobs(prod)
    (again,) = _restart_jobs(plan_config(dict(PROD)))
    (new_image,) = _restart_jobs(plan_config({**PROD, "minio": {"image": "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z"}}))
    (bigger,) = _restart_jobs(expanded)
    (new_size,) = _restart_jobs(plan_config({**PROD, "minio": {"memoryLimit": "10Gi"}}))
    name = lambda j: j.inputs["metadata"]["name"]  # noqa: E731
    assert name(base) == name(again)  # stable: no restart on an unrelated `pulumi up`
    assert len({name(base), name(new_image), name(bigger), name(new_size)}) == 4
    assert base.inputs["metadata"]["annotations"]["minio.data-platform/revision"] == name(base).removeprefix("minio-restart-")
    # It runs after the StatefulSets are updated.
    pools = {p.urn for p in _pools(expanded)}
    assert pools <= set(bigger.dependencies)


def test_restart_job_deletes_every_server_of_every_pool_at_once(expanded):
    (job,) = _restart_jobs(expanded)
    script = job.inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    servers = [f"minio-pool-{i}-{j}" for i in (0, 1) for j in range(4)]
    for pod in servers:
        assert f'delete {pod} & pids="$pids $!"' in script  # in the background: together
    assert script.index("wait $p") > max(script.index(f"delete {p} &") for p in servers)
    assert "/minio/health/cluster" in script


def test_restart_rbac_may_only_delete_the_minio_server_pods(expanded):
    roles = [r for r in expanded.by_type(ROLE) if r.inputs["metadata"]["name"] == "minio-restart"]
    (role,) = roles
    assert role.inputs["metadata"]["namespace"] == "data-storage"
    assert role.inputs["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"],
                                     "resourceNames": [f"minio-pool-{i}-{j}" for i in (0, 1) for j in range(4)]}]
    (binding,) = [r for r in expanded.by_type(BINDING) if r.inputs["metadata"]["name"] == "minio-restart"]
    assert binding.inputs["subjects"] == [{"kind": "ServiceAccount", "name": "minio-restart", "namespace": "data-storage"}]
    (job,) = _restart_jobs(expanded)
    pod = job.inputs["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "minio-restart" and pod["automountServiceAccountToken"] is True


def test_restart_job_reaches_the_api_server_and_minio_only(expanded):
    policies = [policy_from_manifest(r.inputs["metadata"]["name"], r.inputs["metadata"]["namespace"], r.inputs["spec"]) for r in expanded.by_type(NP)]
    (job,) = _restart_jobs(expanded)
    me = Endpoint("data-storage", job.inputs["spec"]["template"]["metadata"]["labels"])
    (pool,) = [p for p in _pools(expanded) if p.inputs["metadata"]["name"] == "minio-pool-1"]
    minio = Endpoint("data-storage", pool.inputs["spec"]["template"]["metadata"]["labels"])
    assert permits(policies, me, Endpoint(None, ip="172.18.0.2"), 443)
    assert permits(policies, me, minio, 9000)
    assert not permits(policies, me, Endpoint("data-storage", {"cnpg.io/cluster": "postgres", "cnpg.io/podRole": "instance"}), 5432)
