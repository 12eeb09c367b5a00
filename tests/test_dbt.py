"""dbt: the profiles Secret always, the CronJob only with an image, no credential in clear."""

from __future__ import annotations

import json

import yaml

from components.apps.dbt import render_profiles
from offline_plan.mocks import FAKE_SECRET_PREFIX
from program import load_settings as load

CRON = "kubernetes:batch/v1:CronJob"


def test_profiles_point_at_the_dremio_coordinator():
    s = load({}, "dev").dbt
    doc = yaml.safe_load(render_profiles(s, "dremio-coordinator.data-platform.svc.cluster.local", 9047, "dbt", "pw"))
    out = doc["data_platform"]["outputs"][doc["data_platform"]["target"]]
    assert doc["data_platform"]["target"] == "dev"
    assert out["type"] == "dremio" and out["software_host"] == "dremio-coordinator.data-platform.svc.cluster.local"
    assert out["port"] == 9047 and out["user"] == "dbt" and out["password"] == "pw"


def test_no_cron_job_without_an_image(plan_stack):
    plan = plan_stack("dev")
    assert [c.name for c in plan.by_type(CRON) if c.name == "dbt"] == []
    secret = plan.one("kubernetes:core/v1:Secret", "dbt-profiles").inputs
    assert json.dumps(secret["stringData"]).count("[secret]") >= 1


def test_cron_job_with_an_image(plan_config):
    plan = plan_config({"dbt": {"image": "ghcr.io/acme/dbt-project:1.4.2", "schedule": "30 3 * * *", "command": ["dbt", "run", "--select", "marts"]}})
    cron = plan.one(CRON, "dbt").inputs["spec"]
    assert cron["schedule"] == "30 3 * * *" and cron["concurrencyPolicy"] == "Forbid"
    job = cron["jobTemplate"]["spec"]
    assert job["activeDeadlineSeconds"] > 0
    spec = job["template"]["spec"]
    c = spec["containers"][0]
    assert c["image"] == "ghcr.io/acme/dbt-project:1.4.2" and c["command"] == ["dbt", "run", "--select", "marts"]
    assert {"name": "DBT_PROFILES_DIR", "value": "/etc/dbt"} in c["env"]
    assert any(v.get("secret", {}).get("secretName") == "dbt-profiles" for v in spec["volumes"])
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] and sc["runAsNonRoot"] and sc["capabilities"]["drop"] == ["ALL"] and not sc["allowPrivilegeEscalation"]
    assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert set(c["resources"]) == {"requests", "limits"}
    assert FAKE_SECRET_PREFIX not in json.dumps(plan.one(CRON, "dbt").inputs)
