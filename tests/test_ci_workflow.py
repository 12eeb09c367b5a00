"""The users' workflow: actions pinned by commit SHA with the release named, no persisted
checkout credentials, and no permission a job does not use. (`make lint-workflows` runs
actionlint and zizmor on it too; this keeps the conventions those tools do not check.)"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "ci.yml"
PINNED = re.compile(r"^\s*-?\s*uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def steps():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return [step for job in jobs.values() for step in job.get("steps", [])]


def test_every_action_is_pinned_by_full_sha_with_its_release_in_a_comment():
    lines = [line for line in WORKFLOW.read_text().splitlines() if "uses:" in line]
    assert lines and [line for line in lines if not PINNED.match(line)] == []


def test_checkouts_do_not_persist_the_token():
    checkouts = [s for s in steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(s.get("with", {}).get("persist-credentials") is False for s in checkouts)


def test_nothing_is_granted_by_default_and_every_job_declares_its_permissions():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {}
    assert all("permissions" in job for job in workflow["jobs"].values())


def test_the_azure_preview_authenticates_both_azure_providers_with_oidc_and_no_client_secret():
    """azure-native and azuread (Dremio's Entra application) read the same ARM_* variables: OIDC
    with the job's token (id-token: write), never a client secret."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["preview-azure"]
    assert job["permissions"]["id-token"] == "write"
    (preview,) = [s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    env = preview["env"]
    assert env["ARM_USE_OIDC"] == "true" and {"ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID"} <= set(env)
    assert not [k for k in env if "SECRET" in k and k.startswith("ARM_")]
