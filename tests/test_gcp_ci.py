"""The users' workflow previews gcp-prod with Workload Identity Federation (no key file) and
skips cleanly when the repository has no GCP credentials."""

from __future__ import annotations

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "ci.yml"


def jobs():
    return yaml.safe_load(WORKFLOW.read_text())["jobs"]


def test_gcp_preview_authenticates_through_workload_identity_federation_only():
    job = jobs()["gcp-preview"]
    (auth,) = [s for s in job["steps"] if s.get("uses", "").startswith("google-github-actions/auth@")]
    assert set(auth["with"]) == {"workload_identity_provider", "service_account"}  # no credentials_json
    assert job["permissions"]["id-token"] == "write"
    (preview,) = [s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert preview["with"]["stack-name"] == "gcp-prod" and preview["with"]["command"] == "preview"
    assert any("gke-gcloud-auth-plugin" in str(s.get("with", {}).get("install_components", "")) for s in job["steps"])


def test_gcp_preview_is_skipped_without_credentials():
    j = jobs()
    assert "needs.gcp-preview-enabled.outputs.gcp == 'true'" in j["gcp-preview"]["if"]
    check = j["gcp-preview-enabled"]["steps"][0]
    assert set(check["env"]) == {"GCP_WORKLOAD_IDENTITY_PROVIDER", "GCP_SERVICE_ACCOUNT", "PULUMI_BACKEND_URL"}
    assert "gcp=false" in check["run"] and "GITHUB_STEP_SUMMARY" in check["run"]
