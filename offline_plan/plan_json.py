"""plan.json in the format of ARCHITECTURE.md: every registration as the engine received it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import cost, deploy_time
from .runner import PlanResult


def document(result: PlanResult) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "project": result.project,
        "stack": result.stack,
        "cloud": result.cloud,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "custom": r.custom,
                "parent": r.parent or None,
                "provider": r.provider or None,
                "inputs": r.inputs,
                "dependencies": r.dependencies,
                "propertyDependencies": r.property_dependencies,
                "protect": r.protect,
                "retainOnDelete": r.retain_on_delete,
                "ignoreChanges": r.ignore_changes,
                "additionalSecretOutputs": r.additional_secret_outputs,
            }
            for r in result.registrations
        ],
        "outputs": result.outputs,
        "policies": result.policies.document() if result.policies else None,
    }
    # The estimates are computed from the document itself, as anyone could from plan.json.
    doc["estimates"] = {
        "deployTime": deploy_time.document(deploy_time.estimate(doc["resources"])),
        "monthlyCost": cost.document(cost.estimate(doc)),
    }
    return doc


def write(result: PlanResult, out_dir: Path) -> Path:
    path = out_dir / "plan.json"
    path.write_text(json.dumps(document(result), indent=2, sort_keys=True) + "\n")
    return path
