"""The price tables behind the monthly estimate: one per cloud and region a shipped stack uses,
each figure dated, sourced and marked as confirmed (seen on a page) or not (issue 10)."""

from __future__ import annotations

import json
import re

import pytest

from offline_plan import cost, plan_json

TABLES = sorted(cost.TABLES.glob("prices-*.json"))
CENTRAL = json.loads((cost.TABLES / "prices-aws-eu-central-1.json").read_text())
WEST = json.loads((cost.TABLES / "prices-aws-eu-west-1.json").read_text())
CHECKED = re.compile(r"\d{4}-\d{2}-\d{2} (confirmed|not confirmed): \S")


def entries(prices):
    for key, v in prices.items():
        if "usd" in v:
            yield key, v
        else:
            for sub, e in v.items():
                yield f"{key}/{sub}", e


def usd(table, key, sub=None):
    return (table["prices"][key][sub] if sub else table["prices"][key])["usd"]


def test_the_dr_stack_is_priced_with_its_own_regions_table(plan_stack):
    """Pulumi.dr.yaml: eu-central-1, 3 x m5.2xlarge (prod's sizes at the node minimum), a NAT gateway per AZ in 3 AZs."""
    est = cost.estimate(plan_json.document(plan_stack("dr")))
    assert est.region == "eu-central-1" and est.table.endswith("prices-aws-eu-central-1.json") and est.as_of == CENTRAL["asOf"]
    assert not est.not_estimated and est.monthly > 0
    h = CENTRAL["hoursPerMonth"]
    lines = {ln.item: ln.monthly for ln in est.lines}
    assert lines["node group dr-eks-general (On-Demand)"] == pytest.approx(3 * usd(CENTRAL, "ec2.instance.hour", "m5.2xlarge") * h, abs=0.01)
    assert lines["NAT gateways"] == pytest.approx(3 * usd(CENTRAL, "vpc.natGateway.hour") * h, abs=0.01)
    assert lines["EKS cluster"] == pytest.approx(usd(CENTRAL, "eks.cluster.hour") * h, abs=0.01)
    # Frankfurt's own figures, not Ireland's: the same node group costs more there.
    assert usd(CENTRAL, "ec2.instance.hour", "m5.2xlarge") != usd(WEST, "ec2.instance.hour", "m5.2xlarge")
    doc = plan_json.document(plan_stack("dr"))
    recorded = doc["estimates"]["monthlyCost"]
    assert recorded["region"] == "eu-central-1" and recorded["monthlyTotal"] == pytest.approx(est.monthly)


def test_a_regions_table_prices_everything_the_other_regions_table_of_its_cloud_prices():
    keys = {t.name: {k for k, _ in entries(json.loads(t.read_text())["prices"])} for t in TABLES}
    assert keys["prices-aws-eu-central-1.json"] == keys["prices-aws-eu-west-1.json"]


@pytest.mark.parametrize("path", TABLES, ids=lambda p: p.name)
def test_every_figure_is_dated_sourced_and_marked_confirmed_or_not(path):
    table = json.loads(path.read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", table["asOf"]) and table["currency"] == "USD"
    for key, e in entries(table["prices"]):
        assert e["source"].startswith("https://"), key
        m = CHECKED.match(e.get("checked", ""))
        assert m, f"{path.name} {key}: no `checked` line"
        # verified <=> confirmed on a page, which `seen` names.
        assert e["verified"] == (m.group(1) == "confirmed"), key
        assert not e["verified"] or e["seen"].startswith("https://"), key
