"""The README's five-minute walk-through names only Services, ports, Secrets, keys, Jobs and
containers that the dev stack's plan really has."""

from __future__ import annotations

import re

from offline_plan.manifests import objects
from tests.conftest import ROOT


def walkthrough() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("### Five minutes on the dev stack")
    return text[start:text.index("\n### ", start + 1)]


def test_every_name_in_the_walkthrough_exists_in_the_dev_plan(plan_stack):
    objs = list(objects(plan_stack("dev")))
    by_kind: dict[str, dict[str, dict]] = {}
    for o in objs:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    text = walkthrough()
    forwards = re.findall(r"port-forward svc/([a-z0-9-]+) (\d+):(\d+)", text)
    assert len(forwards) == 3
    for svc, _, port in forwards:
        if svc == "airbyte-airbyte-server-svc":  # rendered by the Airbyte chart (templates/airbyte-server/service.yaml)
            assert port == "8001"
            continue
        assert int(port) in [p["port"] for p in by_kind["Service"][svc]["spec"]["ports"]], svc
    secrets = re.findall(r"secret\s+([a-z0-9-]+)\s+([A-Za-z0-9_.\\-]+)`", text)
    assert len(secrets) >= 6
    for name, key in secrets:
        if name == "airbyte-auth-secrets":  # written by Airbyte's bootloader (docs/airbyte.md)
            continue
        data = {**by_kind["Secret"][name].get("stringData", {}), **by_kind["Secret"][name].get("data", {})}
        assert key.replace("\\", "") in data, (name, key)
    jobs = {n: o for n, o in by_kind["Job"].items()}
    for job, container in re.findall(r"job/([a-z0-9-]+) -c ([a-z-]+)", text) + [("superset-init-3-0-0", "wait-for-database")]:
        spec = jobs[job]["spec"]["template"]["spec"]
        assert container in [c["name"] for c in spec.get("initContainers", []) + spec["containers"]], (job, container)
    for output in re.findall(r"pulumi stack output (\w+)", text):
        assert output in plan_stack("dev").outputs, output
