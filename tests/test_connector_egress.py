"""Airbyte connector pods reach any address outside the cluster, not the cluster itself (issue
12 item 7). On most CNIs (Calico, Cilium, ...) an ipBlock of 0.0.0.0/0 also matches pod and
Service IPs, so third-party connector images could reach Prometheus, Grafana, the operators
and kube-system. The policies are evaluated the way such a CNI does (`ip_blocks_match_pods`)."""

from __future__ import annotations

import pytest

from components.apps import airbyte
from components.network_policies import Endpoint, permits, policy_from_manifest
from offline_plan.runner import PlanError

NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
JOB_POD = Endpoint("data-platform", {airbyte.JOB_POD_LABEL: "true", "airbyte": "job-pod"}, ip="10.244.1.20")


def _policies(plan):
    return [policy_from_manifest(r.inputs["metadata"]["name"], r.inputs["metadata"]["namespace"], r.inputs["spec"]) for r in plan.by_type(NP)]


def _can(plan, dst: Endpoint, port: int) -> bool:
    return permits(_policies(plan), JOB_POD, dst, port, ip_blocks_match_pods=True)


# Cluster-internal destinations as a CNI sees them: pods by their pod IP, Services by cluster IP.
PROMETHEUS = Endpoint("monitoring", {"app.kubernetes.io/name": "prometheus"}, ip="10.244.2.7")
GRAFANA_SVC = Endpoint("monitoring", {"app.kubernetes.io/name": "grafana"}, ip="10.96.120.4")
KUBE_SYSTEM = Endpoint("kube-system", {"k8s-app": "metrics-server"}, ip="10.244.0.9")
K3S_OPERATOR = Endpoint("cnpg-system", {"app.kubernetes.io/name": "cloudnative-pg"}, ip="10.42.0.15")
K3S_SVC = Endpoint("elastic-system", {"control-plane": "elastic-operator"}, ip="10.43.0.50")
DOCKER_DESKTOP_POD = Endpoint("kube-system", {"k8s-app": "kube-proxy"}, ip="10.1.0.30")


@pytest.mark.parametrize("dst, port", [(PROMETHEUS, 9090), (GRAFANA_SVC, 80), (KUBE_SYSTEM, 443), (K3S_OPERATOR, 9443),
                                       (K3S_SVC, 9443), (DOCKER_DESKTOP_POD, 10249)])
def test_connectors_cannot_reach_the_cluster_on_local_clusters(plan_stack, dst, port):
    assert not _can(plan_stack("dev"), dst, port)


def test_connectors_still_reach_any_external_address_and_port(plan_stack):
    plan = plan_stack("dev")
    for ip, port in (("203.0.113.10", 5432), ("198.51.100.7", 1521), ("192.168.1.20", 3306), ("172.16.5.5", 27017)):
        assert _can(plan, Endpoint(None, ip=ip), port)


def test_aws_cuts_the_vpc_and_the_eks_service_ranges(plan_stack):
    plan = plan_stack("prod")
    (jobs,) = [p for p in _policies(plan) if p.name == "airbyte-jobs"]
    blocks = [peer for rule in jobs.egress if not rule.ports for peer in rule.peers if peer.cidr == "0.0.0.0/0"]  # every port
    assert [set(b.except_) for b in blocks] == [{"10.0.0.0/16", "10.100.0.0/16", "172.20.0.0/16"}]
    node_pod = Endpoint("kube-system", {"k8s-app": "aws-node"}, ip="10.0.10.55")  # VPC CNI: pods have VPC IPs
    assert not _can(plan, node_pod, 61678) and not _can(plan, Endpoint("monitoring", {"x": "y"}, ip="172.20.14.2"), 9093)
    # What stays open on AWS is port-scoped: HTTPS (S3, and STS for IRSA, whose interface
    # endpoints have VPC addresses) and 5432 to RDS in the database subnets.
    assert _can(plan, Endpoint(None, ip="10.0.20.15"), 5432)
    assert _can(plan, Endpoint(None, ip="203.0.113.10"), 1433)


def test_the_ranges_are_settings(plan_config):
    plan = plan_config({"clusterNetwork": {"podCidrs": ["192.168.0.0/16"]}})
    assert not _can(plan, Endpoint("monitoring", {"a": "b"}, ip="192.168.3.4"), 9090)
    assert _can(plan, Endpoint(None, ip="10.244.2.7"), 9090)  # no longer a default pod range...
    assert not _can(plan, GRAFANA_SVC, 80)  # ...while the Service ranges keep their defaults


@pytest.mark.parametrize("value", [["0.0.0.0/0"], ["10.0.0.1/16"], "10.0.0.0/16"])
def test_bad_ranges_are_rejected_with_the_key(plan_config, value):
    with pytest.raises(PlanError) as err:
        plan_config({"clusterNetwork": {"podCidrs": value}})
    assert "data-platform:clusterNetwork.podCidrs" in str(err.value)
