"""The pure VNet planner (clouds/azure/subnets.py): the AKS baseline's blocks, and properties for any VNet."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clouds.azure.subnets import POD_CIDR, ROLES, SERVICE_CIDR, SubnetPlanError, plan_subnets


def test_the_baseline_blocks_of_10_0_0_0_16():
    assert plan_subnets("10.0.0.0/16") == {
        "nodes": "10.0.0.0/22", "apiserver": "10.0.4.0/28", "ingress": "10.0.4.16/28",
        "postgres": "10.0.5.0/27", "endpoints": "10.0.6.0/26", "appgw": "10.0.8.0/24",
    }


@pytest.mark.parametrize("cidr", ["10.0.0.0/21", "10.0.0.0/24", "10.0.0.0/15", "10.0.0.0/8"])
def test_vnets_outside_16_to_20_are_refused_with_a_clear_message(cidr):
    with pytest.raises(SubnetPlanError, match=r"/16 to /20"):
        plan_subnets(cidr)


@pytest.mark.parametrize("cidr", ["192.168.0.0/16", "172.16.0.0/16", "172.16.16.0/20"])
def test_vnets_overlapping_the_pod_or_service_range_are_refused(cidr):
    with pytest.raises(SubnetPlanError, match="overlaps the cluster's"):
        plan_subnets(cidr)


@pytest.mark.parametrize("bad", ["10.0.0.1/16", "not-a-cidr"])
def test_malformed_cidr_is_refused(bad):
    with pytest.raises(SubnetPlanError, match="not an IPv4 CIDR"):
        plan_subnets(bad)


vnets = st.builds(
    lambda base, prefix: ipaddress.IPv4Network((base, prefix), strict=False),
    st.integers(0, 2**32 - 1),
    st.integers(16, 20),
).filter(lambda n: not n.overlaps(ipaddress.IPv4Network(POD_CIDR)) and not n.overlaps(ipaddress.IPv4Network(SERVICE_CIDR)))


@given(vnets)
def test_every_subnet_is_inside_the_vnet_disjoint_and_sized_as_planned(vnet):
    plan = plan_subnets(str(vnet))
    nets = {role: ipaddress.IPv4Network(c) for role, c in plan.items()}
    assert set(nets) == {r for r, _, _ in ROLES}
    assert all(n.subnet_of(vnet) for n in nets.values())
    assert all(not a.overlaps(b) for a, b in itertools.combinations(nets.values(), 2))
    assert {r: n.prefixlen for r, n in nets.items()} == {r: p for r, _, p in ROLES}
    assert all(not n.overlaps(ipaddress.IPv4Network(POD_CIDR)) and not n.overlaps(ipaddress.IPv4Network(SERVICE_CIDR)) for n in nets.values())
