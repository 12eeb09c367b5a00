"""The pure subnet planner (clouds/aws/subnets.py): the seed's blocks, and properties for any VPC."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clouds.aws.subnets import MAX_AZS, SubnetPlanError, by_tier, plan_subnets

TIER_NAMES = ("public", "nodes", "database", "endpoints")


def test_seed_blocks_are_the_first_az_of_10_0_0_0_16():
    plan = plan_subnets("10.0.0.0/16", 3)
    first = {s.tier: s.cidr for s in plan if s.az_index == 0}
    assert first == {"public": "10.0.1.0/24", "nodes": "10.0.10.0/24", "database": "10.0.20.0/24", "endpoints": "10.0.30.0/24"}


def test_three_azs_take_the_next_blocks_of_each_tier():
    plan = plan_subnets("10.0.0.0/16", 3)
    assert by_tier(plan, "public") == ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
    assert by_tier(plan, "nodes") == ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"]
    assert by_tier(plan, "database") == ["10.0.20.0/24", "10.0.21.0/24", "10.0.22.0/24"]
    assert by_tier(plan, "endpoints") == ["10.0.30.0/24", "10.0.31.0/24", "10.0.32.0/24"]


@pytest.mark.parametrize("cidr", ["10.0.0.0/19", "10.0.0.0/20", "10.0.0.0/24", "10.0.0.0/28"])
def test_too_small_vpc_is_refused_with_a_clear_message(cidr):
    with pytest.raises(SubnetPlanError, match=r"too small.*/16 to /18"):
        plan_subnets(cidr, 3)


def test_larger_than_aws_allows_is_refused():
    with pytest.raises(SubnetPlanError, match="larger than AWS allows"):
        plan_subnets("10.0.0.0/8", 3)


@pytest.mark.parametrize("bad", ["10.0.0.1/16", "not-a-cidr", "10.0.0.0/33"])
def test_malformed_cidr_is_refused(bad):
    with pytest.raises(SubnetPlanError, match="not an IPv4 CIDR"):
        plan_subnets(bad, 3)


@pytest.mark.parametrize("azs", [0, MAX_AZS + 1, -1])
def test_az_count_out_of_range_is_refused(azs):
    with pytest.raises(SubnetPlanError, match="availability zones"):
        plan_subnets("10.0.0.0/16", azs)


vpcs = st.builds(
    lambda base, prefix: str(ipaddress.IPv4Network((base, prefix), strict=False)),
    st.integers(0, 2**32 - 1),
    st.integers(16, 18),
)


@given(vpc=vpcs, azs=st.integers(1, MAX_AZS))
def test_every_subnet_is_inside_the_vpc_and_none_overlap(vpc, azs):
    plan = plan_subnets(vpc, azs)
    net = ipaddress.IPv4Network(vpc)
    nets = [ipaddress.IPv4Network(s.cidr) for s in plan]
    assert len(nets) == len(TIER_NAMES) * azs
    assert all(n.subnet_of(net) for n in nets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(nets, 2))


@given(vpc=vpcs, azs=st.integers(1, MAX_AZS))
def test_one_subnet_per_tier_per_az_with_the_vpc_prefix_plus_8(vpc, azs):
    plan = plan_subnets(vpc, azs)
    prefix = ipaddress.IPv4Network(vpc).prefixlen + 8
    for tier in TIER_NAMES:
        assert sorted(s.az_index for s in plan if s.tier == tier) == list(range(azs))
    assert {ipaddress.IPv4Network(s.cidr).prefixlen for s in plan} == {prefix}


@given(vpc=vpcs, azs=st.integers(1, MAX_AZS - 1))
def test_adding_an_az_never_moves_existing_subnets(vpc, azs):
    """Growing azCount must not renumber (and so replace) subnets that already exist."""
    before = set(plan_subnets(vpc, azs))
    after = set(plan_subnets(vpc, azs + 1))
    assert before <= after


@given(prefix=st.integers(19, 28), base=st.integers(0, 2**32 - 1), azs=st.integers(1, MAX_AZS))
def test_any_vpc_smaller_than_18_is_refused(prefix, base, azs):
    vpc = str(ipaddress.IPv4Network((base, prefix), strict=False))
    with pytest.raises(SubnetPlanError):
        plan_subnets(vpc, azs)
