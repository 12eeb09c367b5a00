"""The GCP cloud: the seed's "Architecture GCP" (VPC, GKE Standard, Cloud SQL for PostgreSQL,
Secret Manager, Artifact Registry, Cloud Load Balancing, Cloud Logging) as one
ComponentResource per concern.

This module imports no SDK: the pure rules live in settings.py (the section), and the GCP SDK is
loaded only when a stack selects `cloud: gcp` (`build`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from foundation import Foundation
    from settings import Settings


def build(settings: "Settings") -> "Foundation":
    from .stack import build_foundation

    return build_foundation(settings)
