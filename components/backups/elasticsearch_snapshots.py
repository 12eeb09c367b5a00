"""Elasticsearch snapshots: the repository on the object store and a snapshot lifecycle policy
(SLM) at the seed's configuration/metadata time (`backups.configSchedule`, 02:00 UTC), kept
`backups.configRetentionDays` (dev 7, staging 14, prod 30 days).

Two workloads in data-storage, both with the Elasticsearch image (it has curl), ECK's `elastic`
user and ECK's public HTTP CA (`elasticsearch-es-http-certs-public`):

- the Job `elasticsearch-snapshots` waits for the cluster, then `PUT _snapshot/<repository>`
  (Elasticsearch verifies that every node can write the bucket) and `PUT _slm/policy/<policy>`:
  both replace what exists, so a rerun or a changed schedule is applied idempotently;
- the CronJob `elasticsearch-snapshot-check` reads the policy's `last_success`/`last_failure`
  every hour and fails when the newest attempt failed or no snapshot succeeded within the
  schedule's longest gap plus an hour. The platform runs no Elasticsearch exporter (ECK exposes
  no metrics), so its Jobs are what Prometheus sees (kube-state-metrics): the
  `ElasticsearchSnapshot*` alerts.

SLM's cron has seconds and Quartz's day fields (settings/cron.py `elasticsearch_schedule`) and
runs in UTC only: with a `backups.timeZone` the daily schedule is moved to UTC at the zone's
standard time (`utc_schedule`; an hour later on the wall clock under daylight saving time).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

import kube
from kube.namespaces import STORAGE
from settings.cron import elasticsearch_schedule, max_gap_minutes, utc_schedule
from settings.sections import BackupSettings

from ..context import PlatformContext
from ..data_services.elasticsearch import HTTP_PORT, HTTP_SERVICE, NAME
from ..data_services.es_snapshot_store import CLIENT, SnapshotStore

REPOSITORY = "platform-snapshots"
BASE_PATH = "snapshots"
POLICY = "platform-daily"
JOB = "elasticsearch-snapshots"
CHECK = "elasticsearch-snapshot-check"
CHECK_SCHEDULE = "40 * * * *"
"""Hourly: a failed snapshot is reported within the hour, whatever configSchedule is."""
SELECTOR = kube.selector(JOB)
CHECK_SELECTOR = kube.selector(CHECK)
ELASTIC_SECRET = f"{NAME}-es-elastic-user"
CA_SECRET = f"{NAME}-es-http-certs-public"
UID = 1000


def repository_body(bucket: str, kind: str = "s3") -> dict[str, Any]:
    """`PUT _snapshot/<repository>`: the bucket through the `snapshots` client (s3) or the
    `default` one (gcs, azure: es_snapshot_store.py; on azure `bucket` is the container),
    snapshot files compressed metadata, server-side encryption left to the bucket's default
    (SSE-KMS on AWS, Google-managed on GCS, Microsoft-managed keys on Azure)."""
    if kind == "azure":
        return {"type": "azure", "settings": {"container": bucket, "base_path": BASE_PATH, "compress": True}}
    if kind == "gcs":
        return {"type": "gcs", "settings": {"bucket": bucket, "base_path": BASE_PATH, "compress": True}}
    return {"type": "s3", "settings": {"bucket": bucket, "client": CLIENT, "base_path": BASE_PATH, "compress": True}}


def slm_policy(schedule: str, retention_days: int) -> dict[str, Any]:
    """`PUT _slm/policy/<policy>`: every index and data stream (the logs included), the cluster
    state with it; expired after `retention_days` but the newest one is always kept."""
    return {
        "schedule": elasticsearch_schedule(schedule),
        "name": "<platform-{now/d}>",
        "repository": REPOSITORY,
        "config": {"indices": ["*"], "include_global_state": True, "ignore_unavailable": True},
        "retention": {"expire_after": f"{retention_days}d", "min_count": 1},
    }


def stale_ms(schedule: str) -> int:
    """No success for longer than this (the schedule's longest gap + 1h) is a failure."""
    return (max_gap_minutes(schedule) + 60) * 60_000


def _preamble(namespace: str) -> list[str]:
    base = f"https://{HTTP_SERVICE}.{namespace}.svc:{HTTP_PORT}"
    return [
        "set -eu",
        f"ES='{base}'",
        'es() { curl -sSf --cacert /ca/ca.crt -u "elastic:${ELASTIC_PASSWORD}" -H "Content-Type: application/json" "$@"; }',
        "until es \"$ES/_cluster/health?wait_for_status=yellow&timeout=10s\" > /dev/null; do",
        "  echo 'waiting for Elasticsearch'; sleep 10",
        "done",
    ]


def register_script(namespace: str, bucket: str, schedule: str, retention_days: int, kind: str = "s3") -> str:
    return "\n".join([
        *_preamble(namespace),
        f"es -X PUT \"$ES/_snapshot/{REPOSITORY}\" -d '{json.dumps(repository_body(bucket, kind))}'; echo",
        f"es -X PUT \"$ES/_slm/policy/{POLICY}\" -d '{json.dumps(slm_policy(schedule, retention_days))}'; echo",
        f"echo 'snapshots of every index on {elasticsearch_schedule(schedule)} (UTC) to {bucket}, kept {retention_days} days'",
    ])


def check_script(namespace: str, schedule: str) -> str:
    """Exit 1 when the newest attempt failed, or nothing succeeded for stale_ms (counted from the
    policy's creation until the first success)."""
    fields = "*.last_success.time,*.last_failure.time,*.modified_date_millis"
    return "\n".join([
        *_preamble(namespace),
        f"state=$(es \"$ES/_slm/policy/{POLICY}?filter_path={fields}\" | tr -d ' \\n')",
        "num() { printf '%s' \"$state\" | sed -n \"s/.*\\\"$1\\\":{\\\"time\\\":\\([0-9]*\\)}.*/\\1/p\"; }",
        "ok=$(num last_success); failed=$(num last_failure)",
        "since=$(printf '%s' \"$state\" | sed -n 's/.*\"modified_date_millis\":\\([0-9]*\\).*/\\1/p')",
        "now=$(( $(date +%s) * 1000 ))",
        f'if [ -n "$failed" ] && [ "$failed" -gt "${{ok:-0}}" ]; then echo "the last snapshot failed:"; es "$ES/_slm/policy/{POLICY}?human"; exit 1; fi',
        f'if [ $(( now - ${{ok:-${{since:-0}}}} )) -gt {stale_ms(schedule)} ]; then echo "no successful snapshot for too long"; es "$ES/_slm/policy/{POLICY}?human"; exit 1; fi',
        "echo \"last snapshot succeeded at ${ok:-never} (ms)\"",
    ])


def _job_spec(labels: dict[str, str], container: str, image: str, script: Any, backoff: int) -> dict[str, Any]:
    return kube.script_job_spec(
        labels=labels, container=container, image=image, script=script, uid=UID,
        env=[kube.secret_env("ELASTIC_PASSWORD", ELASTIC_SECRET, "elastic")],
        resources=kube.resources("10m", "32Mi", "200m", "128Mi"), tmp=False, backoff_limit=backoff,
        volumes=[{"name": "ca", "secret": {"secret_name": CA_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]}}],
        volume_mounts=[{"name": "ca", "mount_path": "/ca", "read_only": True}],
        deadline_seconds=2400, pod_extra={"enable_service_links": False},
    )


class ElasticsearchSnapshots(pulumi.ComponentResource):
    """The repository, the policy and the hourly check; `selectors` are the pods that call the HTTP API."""

    def __init__(self, name: str, *, ctx: PlatformContext, settings: BackupSettings, store: SnapshotStore, image: str,
                 depends_on: Sequence[pulumi.Resource], opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:backups:ElasticsearchSnapshots", name, None, opts)
        s, p = settings, ctx.provider
        schedule = utc_schedule(s.config_schedule, s.time_zone)  # SLM runs in UTC only
        self.selectors = [(JOB, dict(SELECTOR)), (CHECK, dict(CHECK_SELECTOR))]
        self.check_cronjob = CHECK
        self.check_gap_minutes = max_gap_minutes(CHECK_SCHEDULE)
        labels = kube.labels(JOB, "bootstrap")
        script = pulumi.Output.from_input(store.bucket).apply(lambda b: register_script(STORAGE, b, schedule, s.config_retention_days, store.kind))
        self.job = k8s.batch.v1.Job(JOB, metadata={"namespace": STORAGE, "labels": labels}, spec=_job_spec(labels, "register", image, script, 10),
                                    opts=kube.child(self, p, depends_on=depends_on))

        check_labels = kube.labels(CHECK, "check")
        check = _job_spec(check_labels, "check", image, check_script(STORAGE, schedule), 0)
        check["template"]["spec"]["restart_policy"] = "Never"
        check["active_deadline_seconds"] = 1200
        self.cron_job = k8s.batch.v1.CronJob(
            CHECK, metadata={"name": CHECK, "namespace": STORAGE, "labels": check_labels},
            spec={"schedule": CHECK_SCHEDULE, "time_zone": "Etc/UTC", "concurrency_policy": "Forbid", "starting_deadline_seconds": 1800,
                  "successful_jobs_history_limit": 1, "failed_jobs_history_limit": 3,
                  "job_template": {"metadata": {"labels": check_labels}, "spec": check}},
            opts=kube.child(self, p, depends_on=[self.job]))
        self.register_outputs({"repository": REPOSITORY, "policy": POLICY, "schedule": elasticsearch_schedule(schedule)})
