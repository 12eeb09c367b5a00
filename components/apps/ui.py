"""How an application's web UI is reached, for the Ingress (no hard-coded Service names)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi


@dataclass(frozen=True)
class UiBackend:
    service: pulumi.Input[str]
    """Service name in the `data-platform` namespace."""
    port: int
    selector: Mapping[str, str] = field(default_factory=dict)
    """Labels of the pods behind it, for the ingress-controller -> app NetworkPolicy."""
    target_port: int = 0
    """Container port behind `port` (what a NetworkPolicy must allow); 0: same as port."""
