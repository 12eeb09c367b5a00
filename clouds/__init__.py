"""Cloud foundations. `build(settings)` imports only the selected cloud's module.

Each cloud is a package `clouds/<name>/` exposing `build(settings) -> Foundation`, and, if it has
a settings section, `clouds/<name>/settings.py` exposing `SECTION` (pure: no cloud SDK). The
list of clouds offered to users is the list of those packages, found without importing any of
them; `registry()` hands every cloud's section to `settings.load`, so settings/ imports no cloud.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:  # pragma: no cover
    from foundation import Foundation
    from settings import Settings
    from settings.schema import Section


def available() -> tuple[str, ...]:
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


def registry() -> dict[str, Optional[type[Section]]]:
    """Every built cloud and its settings section (None: the cloud has none, like local, whose
    few settings are top-level keys). Imports each cloud's settings module only, never an SDK."""
    out: dict[str, Optional[type[Section]]] = {}
    for name in available():
        module = f"clouds.{name}.settings"
        out[name] = importlib.import_module(module).SECTION if importlib.util.find_spec(module) else None
    return out


def sections() -> tuple[type[Section], ...]:
    """The clouds' settings sections (for the config reference and Pulumi.yaml)."""
    return tuple(s for s in registry().values() if s is not None)


def build(settings: "Settings") -> "Foundation":
    module = importlib.import_module(f"clouds.{settings.cloud}")
    return module.build(settings)
