"""Every alert links its runbook: one table, alert name -> page under docs/runbooks/, and one
helper that writes the `runbook_url` annotation on every rule of the PrometheusRule.

An alert missing from the table stops the program (and a test) instead of shipping an alert
nobody knows how to handle: a new alert is one line here and a `## <AlertName>` section in its page.
"""

from __future__ import annotations

import copy
from typing import Any

RUNBOOKS: dict[str, str] = {
    "PostgresInstanceDown": "postgres.md",
    "PostgresReplicationLag": "postgres.md",
    "PostgresBackupFailing": "postgres.md",
    "PostgresBackupTooOld": "postgres.md",
    "PostgresWalArchivingFailing": "postgres.md",
    "PostgresConnectionsNearLimit": "postgres.md",
    "MinioServersDown": "object-store.md",
    "MinioDrivesDown": "object-store.md",
    "MinioCapacityLow": "object-store.md",
    "PlatformPodCrashLooping": "workloads.md",
    "PlatformPodNotReady": "workloads.md",
    "PlatformVolumeAlmostFull": "workloads.md",
    "PlatformVolumeFull": "workloads.md",
    "AirbyteWorkersAtMaximum": "workloads.md",
    "EdgeHighErrorRatio": "edge.md",
    "EdgeControllerDown": "edge.md",
    "CertificateExpiringSoon": "certificates.md",
    "CertificateNotReady": "certificates.md",
    "VeleroBackupFailed": "backups.md",
    "VeleroBackupTooOld": "backups.md",
    "VeleroDown": "backups.md",
    "DremioCatalogBackupFailed": "backups.md",
    "DremioCatalogBackupTooOld": "backups.md",
    "ElasticsearchSnapshotFailed": "backups.md",
    "ElasticsearchSnapshotTooOld": "backups.md",
    "LakeMirrorFailed": "object-store.md",
    "LakeMirrorTooOld": "object-store.md",
    "FluentBitOutputErrors": "logging.md",
    "FluentBitRecordsDropped": "logging.md",
}


class MissingRunbook(LookupError):
    """An alert has no entry in RUNBOOKS."""


def runbook_url(base_url: str, alert: str) -> str:
    """`<base>/<page>#<alert in lower case>`: the GitHub anchor of the page's `## <AlertName>`."""
    try:
        page = RUNBOOKS[alert]
    except KeyError:
        raise MissingRunbook(f"alert {alert} has no runbook: add it to components/observability/runbooks.py "
                             f"and a '## {alert}' section to its page in docs/runbooks/") from None
    return f"{base_url.rstrip('/')}/{page}#{alert.lower()}"


def with_runbooks(spec: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A copy of a PrometheusRule spec where every alerting rule carries `runbook_url`."""
    out = copy.deepcopy(spec)
    for group in out["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                rule.setdefault("annotations", {})["runbook_url"] = runbook_url(base_url, rule["alert"])
    return out
