"""The layers' import arrows (issue 11): kube/ (the shared Kubernetes primitives) sits below both
clouds/ and components/, which never import each other; settings/ imports no cloud (each cloud's
section lives with the cloud and is handed to `settings.load` by the composition root), so the
graph has no circle.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def _is_main_block(node: ast.AST) -> bool:
    """`if __name__ == "__main__":`: a script's entry point, which is its own composition root."""
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name)
            and node.test.left.id == "__name__" and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in node.test.comparators))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports when imported, at any depth (function-local imports included;
    the body of an `if __name__ == "__main__":` entry point is not: it never runs on import)."""
    tree = ast.parse(path.read_text(), str(path))
    tree.body = [n for n in tree.body if not _is_main_block(n)]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:  # `from kube import helm` imports kube.helm
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


def test_no_cloud_imports_a_component():
    """Chart releases, namespaces, labels and the External Secrets install come from kube/."""
    assert _arrows("clouds", "components") == set()


CLOUD_SDKS = ("pulumi_aws", "pulumi_azure_native", "pulumi_azuread", "pulumi_gcp")


def test_no_component_imports_a_cloud_sdk():
    """components/ reads the Foundation only (Dremio's Entra application is built in clouds/azure)."""
    assert {a for sdk in CLOUD_SDKS for a in _arrows("components", sdk)} == set()


def test_kube_imports_nothing_above_it():
    """kube/ is the bottom layer: no settings, no contract, no cloud, no platform."""
    assert {a for top in ("settings", "foundation", "clouds", "components", "program") for a in _arrows("kube", top)} == set()


def test_each_cloud_imports_only_its_own_package():
    """A cloud shares with another cloud only through kube/ (GCP used to read AWS's chart pin)."""
    clouds = [p.name for p in (ROOT / "clouds").iterdir() if (p / "__init__.py").exists()]
    crossing = {(path, module) for c in clouds for other in clouds if other != c for path, module in _arrows(f"clouds/{c}", f"clouds.{other}")}
    assert crossing == set()


def _string_constants(package: str) -> dict[str, set[str]]:
    return {
        str(path.relative_to(ROOT)): {n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_no_cloud_copies_a_kubernetes_constant():
    """The values kube/ owns are spelled there only: the clouds use the names (issue 11 item 1)."""
    from kube import external_secrets, metadata, namespaces
    from kube.charts import CHARTS

    owned = {external_secrets.API_VERSION, namespaces.STORAGE, *metadata.owned_labels(), *(pin["repo"] for pin in CHARTS.values()),
             *(pin["version"] for pin in CHARTS.values())}
    copies = {(path, value) for path, values in _string_constants("clouds").items() for value in values & owned}
    assert copies == set()


def test_settings_import_no_cloud():
    """No circle: the clouds' sections live with their cloud and `settings.load` receives them
    from the composition root (program.py, offline_plan, the generators' entry points)."""
    assert _arrows("settings", "clouds") == set()


def test_settings_import_nothing_above_them():
    assert {a for top in ("foundation", "components", "program", "offline_plan") for a in _arrows("settings", top)} == set()


def test_each_cloud_settings_module_imports_only_settings_and_its_own_pure_planners():
    """What settings.load runs for a cloud imports no SDK and nothing of the platform."""
    for path in sorted((ROOT / "clouds").glob("*/settings.py")):
        cloud = path.parent.name
        outside = {m for m in _imports(path) if m.split(".")[0] not in ("settings", "__future__", "dataclasses", "typing", "re", "math", "ipaddress")
                   and not m.startswith(f"clouds.{cloud}.")}
        assert outside == set(), path
        assert set(_imports(path)) & {"pulumi", "pulumi_aws", "pulumi_azure_native", "pulumi_azuread", "pulumi_gcp"} == set()


def test_no_component_imports_a_cloud():
    assert _arrows("components", "clouds") == set()


def test_the_graph_reader_sees_function_local_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from components import secrets\n    import clouds.aws.subnets\n")
    assert _imports(module) == {"components.secrets", "clouds.aws.subnets"}


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


def _names_a_cloud(path: Path, clouds: set[str]) -> list[str]:
    """Lines of `path` whose code (not docs) compares with, indexes by, reads the attribute of or
    keys a table on a cloud's name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.Compare):
            names = [c.value for c in (node.left, *node.comparators) if isinstance(c, ast.Constant)]
            names += [e.value for c in node.comparators if isinstance(c, (ast.Tuple, ast.List, ast.Set)) for e in c.elts if isinstance(e, ast.Constant)]
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            names = [node.slice.value]
        elif isinstance(node, ast.Dict):
            names = [k.value for k in node.keys if isinstance(k, ast.Constant)]
        if clouds & {n for n in names if isinstance(n, str)}:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_settings_rule_names_a_cloud():
    """What depends on the cloud (its capabilities, its L7 front's TLS rule, what its managed
    services can lose) is answered by the selected cloud's section through the hooks of
    settings/schema.py's Section, so a new cloud adds no branch to settings/ (issue 11)."""
    import clouds

    names = set(clouds.available())
    assert {"local", "aws"} <= names
    assert [hit for path in sorted((ROOT / "settings").rglob("*.py")) for hit in _names_a_cloud(path, names)] == []
