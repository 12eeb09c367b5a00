"""Dremio on Cloud Storage: the distributed store's `dremiogcs:///` core-site and the `lake`
source of type GCS, both with Application Default Credentials (GKE Workload Identity).

Checked in dremio-oss (25.2.0, the newest tag mirrored; the image is 26.0): `GoogleBucketFileSystem`
(plugins/gcs) reads `dremio.gcs.use_keyfile` — false selects `AuthMode.AUTO`, i.e.
`GoogleCredentials.getApplicationDefault()`, which on GKE is the pod's Google service account
through the metadata server —, `dremio.gcs.projectId` and `dremio.gcs.whitelisted.buckets`;
`GoogleStoragePlugin` maps the source's `GCSConf` (`projectId`, `authMode` AUTO,
`bucketWhitelist`, `rootPath`, `defaultCtasFormat`) onto the same properties. No key anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SCHEME = "dremiogcs"
FILE_SYSTEM = "com.dremio.plugins.gcs.GoogleBucketFileSystem"
DOCS = {
    f"fs.{SCHEME}.impl": "Dremio's Cloud Storage filesystem for dremiogcs:/// paths.",
    "dremio.gcs.use_keyfile": "false: Application Default Credentials (GKE Workload Identity), no key.",
    "dremio.gcs.projectId": "Project of the buckets.",
    "dremio.gcs.whitelisted.buckets": "The only buckets Dremio lists.",
}


@dataclass(frozen=True)
class GcsAccess:
    """How Dremio reaches the bucket holding its distributed storage on Cloud Storage."""

    project: str
    buckets: tuple[str, ...]

    def properties(self) -> dict[str, str]:
        if not self.project:
            raise ValueError("Dremio's GCS file system needs the buckets' project")
        return {
            f"fs.{SCHEME}.impl": FILE_SYSTEM,
            "dremio.gcs.use_keyfile": "false",
            "dremio.gcs.projectId": self.project,
            "dremio.gcs.whitelisted.buckets": ",".join(self.buckets),
        }


def source_config(*, project: str, buckets: Sequence[str]) -> dict[str, Any]:
    """The GCS source's `config` for the lake buckets (no credentials: `authMode` AUTO)."""
    if not buckets:
        raise ValueError("the lake source needs at least one bucket")
    if not project:
        raise ValueError("a GCS source needs the buckets' project")
    return {
        "projectId": project,
        "authMode": "AUTO",
        "rootPath": "/",
        # dbt materialises tables into the lake (CTAS); Dremio OSS has no per-user grants.
        "allowCreateDrop": True,
        "bucketWhitelist": list(buckets),
        "propertyList": [],
        "defaultCtasFormat": "ICEBERG",
    }
