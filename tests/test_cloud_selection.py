"""Only the selected cloud's module and SDK are imported."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

PROBE = """
import sys
sys.path.insert(0, %r)
from offline_plan.runner import run
run(%r)
loaded = sorted({m.split('.')[0] for m in sys.modules if m.startswith(('pulumi_aws', 'pulumi_azure_native', 'pulumi_azuread', 'pulumi_gcp', 'clouds.'))})
print(' '.join(loaded))
"""


def loaded_by(stack: str) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE % (str(ROOT), stack)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_local_stack_imports_no_cloud_sdk():
    assert loaded_by("dev") == {"clouds"}  # clouds.local only


def test_offered_clouds_are_the_packages_that_exist():
    from clouds import available

    assert {"local", "aws", "azure", "gcp"} <= set(available())


def test_azure_stack_imports_azure_and_not_aws():
    # azuread: Microsoft Graph, for Dremio's Entra application (clouds/azure/entra_apps.py).
    assert loaded_by("azure-prod") == {"clouds", "pulumi_azure_native", "pulumi_azuread"}


def test_gcp_stack_imports_only_the_gcp_sdk():
    assert loaded_by("gcp-prod") == {"clouds", "pulumi_gcp"}
