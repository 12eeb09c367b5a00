"""Pulumi.yaml is one the real engine accepts, and it declares exactly the settings we read."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

import clouds
from settings.project import SCALARS
from settings.pulumi_yaml import render

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT.parent / "shared" / "schemas" / "pulumi-project.schema.json"
LOCAL_SCHEMA = ROOT / "tests" / "schemas" / "pulumi-project.schema.json"
TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}


def project() -> dict:
    return yaml.safe_load((ROOT / "Pulumi.yaml").read_text())


def test_validates_against_the_pulumi_project_schema():
    schema_path = SCHEMA if SCHEMA.exists() else LOCAL_SCHEMA
    jsonschema.validate(project(), json.loads(schema_path.read_text()))


def test_runtime_is_python_with_a_venv():
    p = project()
    assert p["name"] == "data-platform"
    assert p["runtime"]["name"] == "python" and p["runtime"]["options"]["virtualenv"] == ".venv"


def test_declared_types_are_ones_the_engine_knows_and_defaults_match():
    for key, decl in project()["config"].items():
        if ":" in key:
            continue
        assert decl["type"] in TYPES, key
        assert decl.get("description"), key
        if decl["type"] == "array":
            assert "items" in decl, key
        if "default" in decl:
            assert isinstance(decl["default"], TYPES[decl["type"]]), key


def test_other_namespaces_carry_only_a_value():
    for key, decl in project()["config"].items():
        if ":" in key and not key.startswith("data-platform:"):
            assert set(decl) == {"value"}, key


def test_every_scalar_setting_is_declared_and_the_file_is_current():
    declared = {k for k in project()["config"] if ":" not in k}
    assert declared == {s.key for s in SCALARS}
    assert (ROOT / "Pulumi.yaml").read_text() == render(clouds.sections()), "run `make pulumi-yaml`"


def test_config_reference_is_current():
    from settings.reference import render as reference

    assert (ROOT / "docs" / "config-reference.md").read_text() == reference(clouds.sections()), "run `make docs`"
