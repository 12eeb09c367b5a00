"""Cloud foundations. `build(settings)` imports only the selected cloud's module.

Each cloud is a package `clouds/<name>/` exposing `build(settings) -> Foundation`. The list of
clouds offered to users is the list of those packages, found without importing any of them.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from foundation import Foundation
    from settings import Settings


def available() -> tuple[str, ...]:
    return tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))


def build(settings: "Settings") -> "Foundation":
    module = importlib.import_module(f"clouds.{settings.cloud}")
    return module.build(settings)
