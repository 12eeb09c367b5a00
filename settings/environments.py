"""The seed's environment table: what dev, staging, prod and dr promise.

Sizing defaults sit on each section's fields (`setting(..., default=per_env(dev=, staging=,
prod=))`, settings/schema.py); this file holds only what is common to the environment itself.
"""

from __future__ import annotations

from dataclasses import dataclass

ENVIRONMENTS = ("dev", "staging", "prod", "dr")


@dataclass(frozen=True)
class EnvironmentProfile:
    """One row of the seed's "Types d'Environnement" and "Objectifs RTO/RPO" tables."""

    name: str
    purpose: str
    scale: str
    availability: str
    rto: str
    rpo: str
    protect: bool
    """Stateful resources are `protect=True` with deletion protection (config can override)."""
    highly_available: bool
    """Several replicas, anti-affinity and PodDisruptionBudgets."""


PROFILES: dict[str, EnvironmentProfile] = {
    "dev": EnvironmentProfile("dev", "feature development, tests", "single node", "<95%", "24h", "24h", False, False),
    "staging": EnvironmentProfile("staging", "pre-production validation", "multi-node", "95-99%", "4h", "4h", False, True),
    "prod": EnvironmentProfile("prod", "live data workloads", "clustered", ">99.9%", "1h", "15m", True, True),
    # The seed: "DR — Site reprise après sinistre — Miroir prod — Standby". Same sizes as prod.
    "dr": EnvironmentProfile("dr", "disaster-recovery site", "mirror of prod", "standby", "1h", "15m", True, True),
}
