"""Settings section `data-platform:backups`: the recovery targets every backup is checked against.

Defaults are the seed's "Objectifs RTO/RPO" table (settings/environments.py): dev 24h/24h,
staging 4h/4h, prod 1h/15m, and dr as prod. settings/recovery.py refuses a configuration whose
worst-case data loss is longer than `rpo`.

Every backup schedule in the platform is a five-field cron in UTC: CloudNativePG's
ScheduledBackup has no time-zone field (it schedules in the operator's UTC, cloudnative-pg
issue #9382) and RDS backup windows are UTC, so a local time is written as its UTC cron.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import checks
from ..environments import PROFILES
from ..schema import Section, setting


@dataclass(frozen=True)
class BackupSettings(Section):
    KEY = "backups"
    DOC = "Recovery objectives (RPO/RTO) the backup configuration is checked against"

    rpo: str = setting(checks.duration, "Recovery point objective: the most data (in time) a failure may lose; the settings refuse a configuration whose worst case is longer (seed: 24h/4h/15m).")
    rto: str = setting(checks.duration, "Recovery time objective: how long a restore may take (seed: 24h/4h/1h); the runbooks (docs/runbooks/) are written to it.")

    @classmethod
    def defaults(cls, env: str) -> dict[str, Any]:
        return {"rpo": PROFILES[env].rpo, "rto": PROFILES[env].rto}
