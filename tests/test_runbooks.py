"""Every alert the platform can raise links a runbook section that exists in docs/runbooks/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from components.observability import alerts, runbooks

ROOT = Path(__file__).resolve().parent.parent
RUNBOOK_DIR = ROOT / "docs" / "runbooks"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


def every_alert() -> list[alerts.Alert]:
    """The alerts with every optional group on (in-cluster PostgreSQL and MinIO, Airbyte, logs, Velero, the backup CronJobs)."""
    groups = alerts.platform_alerts(platform_namespaces=["a"], storage_namespace="s", postgres_cluster="postgres",
                                    minio_servers=4, airbyte_namespace="a", logs=True,
                                    velero_namespace="velero", velero_schedule=("velero-platform", 1440),
                                    catalog_backup=("a", "dremio-catalog-backup", 1440),
                                    snapshot_check=("s", "elasticsearch-snapshot-check", 60),
                                    lake_mirror=("s", "lake-mirror", 1440))
    return [a for group in groups.values() for a in group]


def headings(page: Path) -> set[str]:
    """GitHub's anchors of the page's headings (lower case, spaces to '-', punctuation dropped)."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", page.read_text(), flags=re.M)}


@pytest.mark.parametrize("alert", [a.name for a in every_alert()])
def test_every_alert_has_a_runbook_section(alert):
    page = RUNBOOK_DIR / runbooks.RUNBOOKS[alert]
    assert page.is_file(), f"{page} is missing"
    assert alert.lower() in headings(page), f"{page.name} has no '## {alert}' section"


def test_the_table_lists_no_alert_that_does_not_exist():
    assert set(runbooks.RUNBOOKS) == {a.name for a in every_alert()}


def test_an_alert_without_a_runbook_is_refused():
    spec = {"groups": [{"name": "g", "rules": [{"alert": "SomethingNew", "expr": "1"}]}]}
    with pytest.raises(runbooks.MissingRunbook, match="SomethingNew"):
        runbooks.with_runbooks(spec, "docs/runbooks")


def test_recording_rules_are_left_alone_and_the_input_is_not_changed():
    spec = {"groups": [{"name": "g", "rules": [{"record": "x", "expr": "1"}, {"alert": "MinioDrivesDown", "expr": "1"}]}]}
    out = runbooks.with_runbooks(spec, "https://example.com/docs/runbooks/")
    assert "annotations" not in out["groups"][0]["rules"][0]
    assert out["groups"][0]["rules"][1]["annotations"]["runbook_url"] == "https://example.com/docs/runbooks/object-store.md#miniodrivesdown"
    assert "annotations" not in spec["groups"][0]["rules"][1]


def test_the_planned_rule_links_every_alert_to_the_configured_base(plan_stack, plan_config):
    for plan, base in ((plan_stack("dev"), "docs/runbooks"),
                       (plan_config({"observability": {"runbookBaseUrl": "https://git.example.com/data-platform/docs/runbooks"}}),
                        "https://git.example.com/data-platform/docs/runbooks")):
        (rule,) = plan.by_type(RULE)
        rules = [r for g in rule.inputs["spec"]["groups"] for r in g["rules"]]
        assert rules and all(r["annotations"]["runbook_url"] == f"{base}/{runbooks.RUNBOOKS[r['alert']]}#{r['alert'].lower()}" for r in rules)


def test_every_runbook_page_is_listed_in_the_index_and_linked_from_the_readme():
    index = (RUNBOOK_DIR / "README.md").read_text()
    for page in RUNBOOK_DIR.glob("*.md"):
        if page.name != "README.md":
            assert f"]({page.name})" in index
    assert "docs/runbooks/" in (ROOT / "README.md").read_text()


def test_cross_page_links_point_at_existing_sections():
    for page in RUNBOOK_DIR.glob("*.md"):
        for target, anchor in re.findall(r"\]\(([\w.-]*\.md)?#([\w-]+)\)", page.read_text()):
            linked = RUNBOOK_DIR / target if target else page
            assert anchor in headings(linked), f"{page.name} links {target}#{anchor}, which does not exist"
