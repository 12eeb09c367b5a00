"""`make plan` as a user runs it: output files, and one clear line for bad config."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT


def plan(tmp_path, config: dict, stack: str = "bad"):
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    args = [sys.executable, "-m", "offline_plan", stack, "--root", str(tmp_path), "--out", str(tmp_path / "out")]
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("config,needle", [
    ({"data-platform:cloud": "openstack"}, "data-platform:cloud = 'openstack'"),
    ({"data-platform:cloud": "local", "data-platform:dremio": {"executors": -1}}, "data-platform:dremio.executors = -1"),
    ({"data-platform:cloud": "local", "data-platform:colour": "blue"}, "data-platform:colour = 'blue'"),
])
def test_bad_config_fails_with_one_line_and_no_traceback(tmp_path, config, needle):
    proc = plan(tmp_path, config)
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert err.count("\n") == 0, err
    assert err.startswith("error: Pulumi.bad.yaml: ") and needle in err
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "out" / "bad").exists(), "nothing may be written for a rejected stack"


def test_bad_cidr_fails_with_one_line(tmp_path):
    proc = plan(tmp_path, {"data-platform:cloud": "aws", "data-platform:environment": "staging", "data-platform:acmeEmail": "a@b.co",
                           "data-platform:aws": {"vpcCidr": "10.0.0.0/33"}})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "10.0.0.0/33" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_run_time_checks_of_a_cloud_are_one_line_too(tmp_path):
    proc = plan(tmp_path, {"data-platform:cloud": "aws", "data-platform:environment": "staging", "data-platform:acmeEmail": "a@b.co",
                           "data-platform:kubernetesVersion": "1.29"})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "data-platform:kubernetesVersion = '1.29'" in proc.stderr and proc.stderr.strip().count("\n") == 0


def test_missing_stack_file_is_one_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.there.yaml").write_text(yaml.safe_dump({"config": {"data-platform:cloud": "local"}}))
    args = [sys.executable, "-m", "offline_plan", "nosuchstack", "--root", str(tmp_path), "--out", str(tmp_path / "o")]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1 and proc.stderr.startswith("error: Pulumi.nosuchstack.yaml: no such stack file")


@pytest.fixture(scope="module")
def cli_prod(tmp_path_factory):
    """`make plan STACK=prod` once for the module, as a user runs it (a separate process)."""
    out = tmp_path_factory.mktemp("cli")
    proc = subprocess.run([sys.executable, "-m", "offline_plan", "prod", "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    return proc, out / "prod"


def test_plan_writes_plan_json_manifests_and_diagram(cli_prod):
    proc, out = cli_prod
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "plan.json").read_text())
    assert doc["stack"] == "prod" and doc["cloud"] == "aws"
    assert list((out / "manifests").glob("*.yaml"))
    assert "```mermaid" in (out / "architecture.md").read_text()
    assert "Resources: + " in proc.stdout and "pulumi:pulumi:Stack" in proc.stdout and "Outputs:" in proc.stdout


def test_secure_values_become_secret_placeholders(tmp_path):
    from offline_plan.stack_config import load_stack_config

    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.s.yaml").write_text(yaml.safe_dump({"config": {"data-platform:cloud": "local", "aws:secretKey": {"secure": "v1:abc"}}}))
    cfg = load_stack_config(tmp_path, "s")
    assert cfg.secret_keys == ("aws:secretKey",)
    assert cfg.values["aws:secretKey"] != "v1:abc"


def test_two_plans_of_the_same_stack_write_identical_files(cli_prod, plan_stack, tmp_path):
    """Registrations arrive in the order async outputs resolve; the plan must not depend on it.
    The CLI's run (its own process) and this session's in-process plan of prod are two runs."""
    from offline_plan import diagram, plan_json

    proc, out = cli_prod
    assert proc.returncode == 0, proc.stderr
    again = plan_stack("prod")
    plan_json.write(again, tmp_path)
    diagram.write(again, tmp_path)
    for name in ("plan.json", "architecture.md"):
        assert (out / name).read_text() == (tmp_path / name).read_text(), name
