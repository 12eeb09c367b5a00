"""MinIO's buckets and the least-privilege users of their consumers (applications never get the
root credentials): which buckets each user's policy grants, and the Secret it is handed."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from kube.namespaces import APPS, STORAGE
from settings.sections.minio import LAKE_BUCKETS

from .es_snapshot_store import BUCKET_ROLE as ES_BUCKET_ROLE
from .es_snapshot_store import SECURE_KEYS as ES_SECURE_KEYS

BACKUPS = "backups"
DREMIO_BUCKET = "dremio"
AIRBYTE_BUCKET = "airbyte"
VELERO_BUCKET = "velero"
ELASTICSEARCH_BUCKET = ES_BUCKET_ROLE
BUCKETS = (*LAKE_BUCKETS, DREMIO_BUCKET, AIRBYTE_BUCKET, BACKUPS, VELERO_BUCKET, ELASTICSEARCH_BUCKET)
"""The lake, then one bucket per consumer: Dremio's distributed store, Airbyte's logs/state,
PostgreSQL's base backups and WAL, Velero's configuration backups, Elasticsearch's snapshots
(nobody else may write or delete there)."""
REGION = "us-east-1"  # MinIO's default region; S3 clients need one
APP_CREDENTIALS = "object-store-credentials"
AIRBYTE_CREDENTIALS = "airbyte-object-store-credentials"
BACKUP_CREDENTIALS = "minio-postgres-backup"


@dataclass(frozen=True)
class MinioUser:
    """A non-admin MinIO user of one consumer: the buckets its policy grants (and nothing else),
    the Secret it is handed and that Secret's key names."""

    policy: str
    buckets: tuple[str, ...]
    secret: str
    namespace: str
    keys: tuple[str, str] = ("accessKeyId", "secretAccessKey")
    generated_as: str = ""
    """Logical name prefix of its generated keys (kept stable so keys do not rotate)."""
    read_only: bool = False
    """Get and list only (the lake mirror's source credentials)."""


USERS: dict[str, MinioUser] = {
    "dremio": MinioUser("dremio", (*LAKE_BUCKETS, DREMIO_BUCKET), APP_CREDENTIALS, APPS, generated_as="minio-platform"),
    "airbyte": MinioUser("airbyte", ("bronze", AIRBYTE_BUCKET), AIRBYTE_CREDENTIALS, APPS, generated_as="minio-airbyte"),
    "postgres": MinioUser("postgres-backup", (BACKUPS,), BACKUP_CREDENTIALS, STORAGE, ("ACCESS_KEY_ID", "ACCESS_SECRET_KEY"), "minio-backup"),
    "velero": MinioUser("velero", (VELERO_BUCKET,), "minio-velero", STORAGE, generated_as="minio-velero"),
    "elasticsearch": MinioUser("elasticsearch-snapshots", (ELASTICSEARCH_BUCKET,), "elasticsearch-s3-client", STORAGE, ES_SECURE_KEYS,
                               "minio-elasticsearch"),
}
"""Consumer -> its user. Dremio: the lake and its distributed store; Airbyte (server, workers
and every connector pod): raw loads into bronze and its own bucket; PostgreSQL: the backups;
Velero: its bucket (its own Secret, a credentials file in its namespace, is written by
components/backups/velero.py from `Minio.user_keys`); Elasticsearch: its snapshots' bucket (the
Secret's keys are the keystore's setting names: ECK's secureSettings reads it as is)."""
RETIRED_POLICIES = ("platform-lake",)
"""Policies older versions attached (platform-lake also granted `backups`): detached and removed."""


MIRROR_USER = MinioUser("lake-mirror", LAKE_BUCKETS, "minio-lake-mirror", STORAGE, generated_as="minio-lake-mirror", read_only=True)
"""The lake mirror's source (components/backups/minio_mirror.py): read-only on the lake buckets;
created only when `backups.mirrorEndpoint` is set."""


def users_for(mirror: bool) -> dict[str, MinioUser]:
    """The users a stack creates: every consumer's, and the mirror's when the mirror runs."""
    return {**USERS, **({"mirror": MIRROR_USER} if mirror else {})}


def env_prefix(consumer: str) -> str:
    return consumer.upper().replace("-", "_")


def bucket_policy(buckets: Sequence[str], read_only: bool = False) -> str:
    """An IAM policy allowing object read/write (or only read) and listing on `buckets` only (no admin)."""
    arns = [f"arn:aws:s3:::{b}" for b in buckets]
    objects = ["s3:GetObject"] if read_only else ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
    listing = ["s3:GetBucketLocation", "s3:ListBucket"] + ([] if read_only else ["s3:ListBucketMultipartUploads"])
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": listing, "Resource": arns},
            {"Effect": "Allow", "Action": objects, "Resource": [f"{a}/*" for a in arns]},
        ],
    }, indent=2)
