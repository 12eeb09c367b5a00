"""The monthly cost estimate (offline_plan/cost.py).

Expected figures are computed here from the price table and the stack's known configuration
(Pulumi.staging.yaml / Pulumi.prod.yaml and the settings defaults), not by calling the
estimator's own pricing code.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offline_plan import cost, plan_json

TABLE = json.loads((cost.TABLES / "prices-aws-eu-west-1.json").read_text())
P = TABLE["prices"]
A = {k: v["value"] for k, v in TABLE["assumptions"].items()}
H = TABLE["hoursPerMonth"]


def usd(key, sub=None):
    return (P[key][sub] if sub else P[key])["usd"]


def _estimate(plan_stack, stack):
    return cost.estimate(plan_json.document(plan_stack(stack)))


def _line(est, prefix):
    found = [ln for ln in est.lines if ln.item.startswith(prefix)]
    assert len(found) == 1, (prefix, [ln.item for ln in est.lines])
    return found[0].monthly


def test_staging_figures_come_from_the_table(plan_stack):
    est = _estimate(plan_stack, "staging")
    assert est.region == "eu-west-1" and est.as_of == TABLE["asOf"]
    assert _line(est, "EKS cluster") == pytest.approx(usd("eks.cluster.hour") * H)
    # Pulumi.staging.yaml: 3 x m5.xlarge desired; the Spot group: 1 node over three types at the assumed discount.
    assert _line(est, "node group staging-eks-general") == pytest.approx(3 * usd("ec2.instance.hour", "m5.xlarge") * H, abs=0.01)
    spot_od = sum(usd("ec2.instance.hour", t) for t in ("m5.xlarge", "m5a.xlarge", "m6i.xlarge")) / 3
    assert _line(est, "node group staging-eks-interruptible") == pytest.approx(spot_od * (1 - A["spotDiscount"]) * H, abs=0.01)
    # db.r6g.large Single-AZ, 50 GB.
    assert _line(est, "RDS db.r6g.large") == pytest.approx(usd("rds.postgres.instance.hour", "db.r6g.large") * H, abs=0.01)
    assert _line(est, "RDS storage") == pytest.approx(50 * usd("rds.gp3.gbMonth"), abs=0.01)
    # natGateways: single.
    assert _line(est, "NAT gateways") == pytest.approx(usd("vpc.natGateway.hour") * H, abs=0.01)
    assert est.monthly == pytest.approx(sum(ln.monthly for ln in est.lines), abs=0.01)
    spot = next(lv for lv in est.levers if lv.name == "spot")
    assert spot.saves_monthly == pytest.approx(spot_od * A["spotDiscount"] * H, abs=0.01)


def test_prod_database_is_multi_az_and_has_three_nat_gateways(plan_stack):
    est = _estimate(plan_stack, "prod")
    factor = usd("rds.multiAz.factor")
    assert _line(est, "RDS db.r6g.xlarge Multi-AZ") == pytest.approx(factor * usd("rds.postgres.instance.hour", "db.r6g.xlarge") * H, abs=0.01)
    assert _line(est, "RDS storage") == pytest.approx(factor * 100 * usd("rds.gp3.gbMonth"), abs=0.01)
    assert _line(est, "NAT gateways") == pytest.approx(3 * usd("vpc.natGateway.hour") * H, abs=0.01)
    assert _line(est, "node group prod-eks-general") == pytest.approx(5 * usd("ec2.instance.hour", "m5.2xlarge") * H, abs=0.01)
    # The levers are off in prod: no Spot group, no off-hours saving.
    assert not est.levers
    assert not [ln for ln in est.lines if "Spot" in ln.item]


def test_off_hours_saves_the_node_hours_above_each_groups_minimum(plan_stack):
    est = _estimate(plan_stack, "staging")
    lever = next(lv for lv in est.levers if lv.name == "off-hours")
    # 20:00 -> 07:00 Mon-Fri: four weeknights of 11 h plus Friday 20:00 -> Monday 07:00 (59 h).
    week = 4 * 11 + 59
    disk = 100 * usd("ebs.gp3.gbMonth") / H  # a node's root volume per hour
    general = (3 - 2) * (usd("ec2.instance.hour", "m5.xlarge") + disk)
    spot_od = sum(usd("ec2.instance.hour", t) for t in ("m5.xlarge", "m5a.xlarge", "m6i.xlarge")) / 3
    spot = (1 - 0) * (spot_od * (1 - A["spotDiscount"]) + disk)
    assert lever.saves_monthly == pytest.approx((general + spot) * week * H / 168, abs=0.05)
    assert est.monthly_with_levers == pytest.approx(est.monthly - lever.saves_monthly, abs=0.01)


def test_local_stacks_have_no_cloud_cost_but_resource_totals(plan_stack):
    est = _estimate(plan_stack, "dev")
    assert est.lines == [] and est.cloud == "local"
    text = cost.render(est)
    assert "no cloud cost" in text
    assert est.totals["volumesGiB"] and est.totals["podRequests"]["cpu"] > 0


def test_plan_json_records_the_cost(plan_stack):
    doc = plan_json.document(plan_stack("staging"))
    c = doc["estimates"]["monthlyCost"]
    assert c["monthlyTotal"] == pytest.approx(sum(ln["monthly"] for ln in c["lines"]), abs=0.01)
    assert c["priceTable"].endswith("prices-aws-eu-west-1.json") and c["pricesAsOf"] == TABLE["asOf"]
    assert {lv["name"] for lv in c["levers"]} == {"spot", "off-hours"}


def test_every_price_names_its_source_and_whether_it_was_verified():
    def entries(d):
        for v in d.values():
            if "usd" in v:
                yield v
            else:
                yield from entries(v)

    for e in entries(P):
        assert e["source"].startswith("https://") and isinstance(e["verified"], bool)


def test_volume_claims_count_every_replica_and_resolve_the_default_class():
    sts = {"urn": "s", "type": "kubernetes:apps/v1:StatefulSet", "name": "db", "inputs": {"spec": {"replicas": 3, "volumeClaimTemplates": [
        {"spec": {"resources": {"requests": {"storage": "10Gi"}}}}]}}}
    es = {"urn": "e", "type": "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "name": "es", "inputs": {"spec": {"nodeSets": [
        {"name": "data", "count": 2, "volumeClaimTemplates": [{"spec": {"storageClassName": "fast", "resources": {"requests": {"storage": "512Mi"}}}}]}]}}}
    sc = {"urn": "c", "type": "kubernetes:storage.k8s.io/v1:StorageClass", "name": "std", "inputs": {"metadata": {
        "name": "std", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}}}}
    assert cost._storage_totals([sts, es, sc]) == {"fast": 1.0, "std": 30.0}


@given(st.integers(0, 23), st.integers(1, 23))
def test_hours_down_per_week_for_a_daily_window(down, length):
    up = (down + length) % 24
    assert cost.hours_down_per_week(f"0 {down} * * *", f"0 {up} * * *") == pytest.approx(7 * length)


def test_two_plans_compare_per_category(plan_stack):
    staging, prod = (plan_json.document(plan_stack(s)) for s in ("staging", "prod"))
    table = cost.compare(staging, prod)
    total = table.splitlines()[-1].split()
    with_levers = lambda d: d["estimates"]["monthlyCost"]["monthlyWithLevers"]  # noqa: E731
    assert float(total[1].replace(",", "")) == pytest.approx(with_levers(staging), abs=0.02)
    assert float(total[2].replace(",", "")) == pytest.approx(with_levers(prod), abs=0.02)
    assert float(total[3].replace(",", "")) == pytest.approx(with_levers(prod) - with_levers(staging), abs=0.02)
