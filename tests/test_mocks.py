"""The offline plan's mock outputs are realistic for every resource type the program uses.

A cloud resource type without an entry in offline_plan/mocks.py would get its inputs echoed
back with a made-up id, so anything read from its outputs (an ARN, an endpoint) would be
nonsense in the plan. Kubernetes objects, components and providers need no entry.
"""

from __future__ import annotations

import pytest

from conftest import stack_names
from offline_plan import mocks


@pytest.mark.parametrize("stack", stack_names())
def test_every_cloud_resource_type_has_realistic_mock_outputs(plan_stack, stack):
    used = {r.type for r in plan_stack(stack).registrations if r.custom}
    needs_entry = {t for t in used if not t.startswith(("kubernetes:", "pulumi:providers:"))}
    assert sorted(needs_entry - set(mocks.RESOURCES)) == []


def test_ids_are_deterministic():
    assert mocks._hex("prod-eks") == mocks._hex("prod-eks")
    assert mocks.call("aws:index/getAvailabilityZones:getAvailabilityZones", {})["names"] == list(mocks.AZS)
