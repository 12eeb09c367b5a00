"""`ScheduledBackup`: a backup that runs on a cron, as its producer hands it to the alerts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduledBackup:
    """Where the backup object lives, its name (a Velero `Schedule`, a `CronJob`) and the longest
    gap between two of its runs in minutes (settings.cron.max_gap_minutes): an alert fires when
    no run succeeded for longer than that."""

    namespace: str
    name: str
    max_gap_minutes: int
