"""The seed's daily object-storage copy on MinIO (01:00 UTC): `mc mirror` of the lake buckets to a
second S3-compatible target given by config (`backups.mirrorEndpoint`, `mirrorBucket`).

Why a scheduled mirror and not MinIO's bucket replication: site replication / `mc replicate`
needs versioned buckets on both sides and admin credentials on the source, and keeps the two
sites in lockstep (deletes included); a daily `mc mirror` with a read-only source user is a
point-in-time copy that a deletion or a bad write at the source does not reach until the next
run, and needs nothing of the target but a bucket and keys. Deletes are not propagated
(`--remove` is not used): the target keeps what the source deleted, so give the target bucket a
lifecycle rule if it must not grow forever.

Credentials: the source user `lake-mirror` may only list and read bronze, silver and gold
(components/data_services/minio_users.py); the target's keys come from a Secret the operator
creates (`mirrorCredentialsSecret`, keys accessKey/secretKey), never from the stack file. The
CronJob's NetworkPolicy lets it reach MinIO and the target's port on `mirrorCidrs` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import pulumi
import pulumi_kubernetes as k8s

import kube
from kube.namespaces import STORAGE
from settings.sections import BackupSettings
from settings.sections.minio import LAKE_BUCKETS

from ..context import PlatformContext
from ..data_services.minio_users import MIRROR_USER

CRONJOB = "lake-mirror"
OPERATOR_SECRETS_ANNOTATION = "data-platform.io/operator-secrets"
"""Names the Secrets an object reads that the operator creates, not the program."""
SELECTOR = kube.selector(CRONJOB)
TARGET_KEYS = ("accessKey", "secretKey")
UID = 1000


def target_port(endpoint: str) -> int:
    """The port the target listens on (NetworkPolicy egress): explicit, else 443/80 by scheme."""
    parts = urlsplit(endpoint)
    return parts.port or (443 if parts.scheme == "https" else 80)


def target_path(bucket: str, source_bucket: str) -> str:
    """`dst/<bucket>[/<prefix>]/<source bucket>`."""
    return f"dst/{bucket.strip('/')}/{source_bucket}"


def script(source_endpoint: str, target_endpoint: str, target_bucket: str, buckets: Sequence[str] = LAKE_BUCKETS) -> str:
    """Keys only through the environment (mc's alias config lives on the Job's /tmp)."""
    lines = [
        "set -eu",
        f'mc alias set src "{source_endpoint}" "$SRC_ACCESS_KEY" "$SRC_SECRET_KEY" > /dev/null',
        f'mc alias set dst "{target_endpoint.rstrip("/")}" "$DST_ACCESS_KEY" "$DST_SECRET_KEY" > /dev/null',
    ]
    for b in buckets:
        lines += [f"echo 'mirroring {b} to {target_path(target_bucket, b)}'",
                  f"mc mirror --overwrite --retry --no-color src/{b} {target_path(target_bucket, b)}"]
    lines.append(f"echo 'lake mirrored to {target_endpoint} {target_bucket}'")
    return "\n".join(lines)


def cron_spec(s: BackupSettings, *, image: str, source_endpoint: str, source_secret: str) -> dict[str, Any]:
    assert s.mirror_endpoint and s.mirror_bucket and s.mirror_credentials_secret
    labels = kube.labels(CRONJOB, "backup")
    job = kube.script_job_spec(
        labels=labels, container="mirror", image=image, uid=UID,
        script=script(source_endpoint, s.mirror_endpoint, s.mirror_bucket),
        env=[
            {"name": "HOME", "value": "/tmp"},
            {"name": "MC_CONFIG_DIR", "value": "/tmp/.mc"},
            kube.secret_env("SRC_ACCESS_KEY", source_secret, MIRROR_USER.keys[0]),
            kube.secret_env("SRC_SECRET_KEY", source_secret, MIRROR_USER.keys[1]),
            kube.secret_env("DST_ACCESS_KEY", s.mirror_credentials_secret, TARGET_KEYS[0]),
            kube.secret_env("DST_SECRET_KEY", s.mirror_credentials_secret, TARGET_KEYS[1]),
        ],
        resources=kube.resources("100m", "128Mi", "1", "512Mi"), backoff_limit=2, deadline_seconds=6 * 3600,
        pod_extra={"enable_service_links": False},
    )
    job["template"]["spec"]["restart_policy"] = "Never"
    return {
        "schedule": s.object_store_schedule, "time_zone": s.time_zone, "concurrency_policy": "Forbid", "starting_deadline_seconds": 3600,
        "successful_jobs_history_limit": 3, "failed_jobs_history_limit": 3,
        "job_template": {"metadata": {"labels": labels}, "spec": job},
    }


class LakeMirror(pulumi.ComponentResource):
    """The CronJob; `selector`, `port` and `cidrs` are what its NetworkPolicy needs."""

    def __init__(self, name: str, *, ctx: PlatformContext, settings: BackupSettings, image: str, source_endpoint: pulumi.Input[str],
                 depends_on: Sequence[pulumi.Resource], opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:backups:LakeMirror", name, None, opts)
        s = settings
        assert s.mirror_endpoint
        self.selector = dict(SELECTOR)
        self.port = target_port(s.mirror_endpoint)
        self.cidrs = tuple(s.mirror_cidrs)
        self.name = CRONJOB
        spec = pulumi.Output.from_input(source_endpoint).apply(
            lambda e: cron_spec(s, image=image, source_endpoint=e, source_secret=MIRROR_USER.secret))
        self.cron_job = k8s.batch.v1.CronJob(
            CRONJOB, metadata={"name": CRONJOB, "namespace": STORAGE, "labels": kube.labels(CRONJOB, "backup"),
                               # The target's keys: a Secret the operator creates (tests/test_secret_refs.py reads this).
                               "annotations": {OPERATOR_SECRETS_ANNOTATION: s.mirror_credentials_secret or ""}}, spec=spec,
            opts=kube.child(self, ctx.provider, depends_on=depends_on))
        self.register_outputs({"schedule": s.object_store_schedule, "target": f"{s.mirror_endpoint} {s.mirror_bucket}"})
