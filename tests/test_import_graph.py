"""The layers' import arrows (issue 11): clouds/ must not reach up into components/, settings/
must not import clouds/. Each arrow still there today is listed below; the test fails on a new
one and on a listed one that is gone, so the lists can only shrink (and stay true).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Shared Kubernetes primitives the clouds still take from components/ (issue 11 item 1 moves
# them into a package below both).
KNOWN_CLOUDS_TO_COMPONENTS = {
    ("clouds/aws/cluster_services.py", "components.helm"),
    ("clouds/aws/cluster_services.py", "components.namespaces"),
    ("clouds/azure/cluster_services.py", "components.helm"),
    ("clouds/azure/cluster_services.py", "components.namespaces"),
    ("clouds/gcp/cluster_services.py", "components.helm"),
    ("clouds/gcp/cluster_services.py", "components.namespaces"),
}

# Deferred (function-local) imports: the settings ↔ clouds cycle of issue 11 item 3.
KNOWN_SETTINGS_TO_CLOUDS = {
    ("settings/project.py", "clouds"),
    ("settings/sections/aws.py", "clouds.aws.subnets"),
    ("settings/sections/azure.py", "clouds.azure.subnets"),
}


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth (function-local imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:  # `from components import helm` imports components.helm
                sub = ROOT / node.module.replace(".", "/") / alias.name
                found.add(f"{node.module}.{alias.name}" if sub.with_suffix(".py").exists() or sub.is_dir() else node.module)
    return found


def _arrows(package: str, target: str) -> set[tuple[str, str]]:
    return {
        (str(path.relative_to(ROOT)), module)
        for path in sorted((ROOT / package).rglob("*.py"))
        for module in _imports(path)
        if module == target or module.startswith(target + ".")
    }


def test_clouds_import_from_components_only_the_known_primitives():
    assert _arrows("clouds", "components") == KNOWN_CLOUDS_TO_COMPONENTS


def test_settings_import_from_clouds_only_the_known_deferred_imports():
    assert _arrows("settings", "clouds") == KNOWN_SETTINGS_TO_CLOUDS


def test_no_component_imports_a_cloud():
    assert _arrows("components", "clouds") == set()


def test_the_graph_reader_sees_function_local_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from components import helm\n    import clouds.aws.subnets\n")
    assert _imports(module) == {"components.helm", "clouds.aws.subnets"}


def test_no_component_branches_on_the_cloud_name():
    """The platform asks the Foundation what it needs (e.g. kubelet_certificates_verifiable),
    never which cloud it runs on (issue 11 item 2)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "components").rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bcloud\s*(==|!=|\bin\b)|\.cloud\b", line)
    ]
    assert offenders == []
