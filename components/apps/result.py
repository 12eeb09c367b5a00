"""What the applications hand to the edge, the observability layer and the network policies
(Dremio's `DremioResult` lives with it, in dremio/component.py): pod selectors in the apps
namespace, the UI each serves, nothing found by attribute name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .ui import UiBackend


@dataclass(frozen=True)
class AirbyteResult:
    namespace: str
    """Where the release's pods run (its alerts watch them there)."""
    pods: Mapping[str, str]
    """Every pod of the chart release."""
    jobs: Mapping[str, str]
    """The connector job pods the workload launcher starts."""
    ui: UiBackend
    url: str
    ui_paths: tuple[tuple[str, UiBackend], ...] = ()
    """Extra paths on its host (none: the server serves the UI and every API)."""


@dataclass(frozen=True)
class SupersetResult:
    web: Mapping[str, str]
    worker: Mapping[str, str]
    beat: Mapping[str, str]
    init: Mapping[str, str]
    redis: Mapping[str, str]
    ui: UiBackend
    url: str
    needs_pypi_egress: bool
    """The init containers download packages from PyPI (HTTPS egress to the internet)."""
    ui_paths: tuple[tuple[str, UiBackend], ...] = ()
