"""The seed's 02:00 metadata backup of Dremio's catalog: a CronJob calling `POST /apiv2/backup`.

Dremio OSS keeps its catalog (spaces, views, sources, users, reflections' definitions) in a KV
store on the master's volume. `BackupResource` (dac/backend, `@RolesAllowed("admin")`, checked in
dremio-oss at 25.2.0) writes a backup of it while the daemon runs, on the master only ("backups
are created only on master node"), into `backupDir` through Hadoop's FileSystem with Dremio's
core-site.xml (its conf dir is on the classpath, distribution/.../bin/dremio-config): so the
`dremioS3:///` scheme of the distributed store works, and the backup lands next to it in the
object store (`<dist>/backups/dremio_backup_<timestamp>/`), not on the volume it protects.
Restoring is `dremio-admin restore` with Dremio stopped (docs/runbooks/backups.md). The job does not
prune: the store expires backups older than `backups.configRetentionDays` on that prefix
(settings/catalog_backups.py: S3 and GCS lifecycle rules, MinIO ILM).
"""

from __future__ import annotations

from typing import Any

import kube
from settings.catalog_backups import BACKUP_DIR

from . import bootstrap
from .config import WEB_PORT

APP = "dremio-catalog-backup"
SELECTOR = kube.selector(APP)

SCRIPT = r"""set -eu
API="http://${DREMIO_HOST}:__PORT__"
until curl -fsS -o /dev/null "$API/apiv2/server_status"; do echo "waiting for Dremio at $API"; sleep 10; done
code=$(printf '{"userName":"%s","password":"%s"}' "$ADMIN_USER" "$ADMIN_PASSWORD" |
  curl -sS -o /tmp/login.json -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @- "$API/apiv2/login")
[ "$code" = "200" ] || { echo "admin login answered HTTP $code"; exit 1; }
TOKEN=$(sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' /tmp/login.json)
[ -n "$TOKEN" ] || { echo "no token in the login answer"; exit 1; }
code=$(printf '{"backupDir":"%s","binary":true,"includeProfiles":false}' "$BACKUP_DIR" |
  curl -sS -o /tmp/backup.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "Authorization: _dremio${TOKEN}" \
    --max-time 3000 --data-binary @- "$API/apiv2/backup")
cat /tmp/backup.json; echo
[ "$code" = "200" ] || { echo "backup answered HTTP $code"; exit 1; }
echo "catalog backed up under $BACKUP_DIR"
""".replace("__PORT__", str(WEB_PORT))


def backup_dir(dist: str) -> str:
    """`<dist>/backups`: next to the distributed store, in Dremio's own bucket; the store expires
    them after backups.configRetentionDays (settings/catalog_backups.py)."""
    return f"{dist.rstrip('/')}/{BACKUP_DIR}"


def cron_spec(*, schedule: str, image: str, master_host: str, backup_path: Any, admin_secret: Any, time_zone: str = "Etc/UTC") -> dict[str, Any]:
    """Once per `schedule` (in `time_zone`, backups.timeZone), never two at a time; the master's address, not the client Service
    (only the master can back up)."""
    labels = kube.labels(APP, "backup")
    job = kube.script_job_spec(
        labels=labels, container="backup", image=image, script=SCRIPT, uid=bootstrap.UID, gid=bootstrap.GID,
        env=[
            {"name": "DREMIO_HOST", "value": master_host},
            {"name": "BACKUP_DIR", "value": backup_path},
            kube.secret_env("ADMIN_USER", admin_secret, "username"),
            kube.secret_env("ADMIN_PASSWORD", admin_secret, "password"),
        ],
        resources=kube.resources("10m", "32Mi", "200m", "64Mi"), backoff_limit=2, deadline_seconds=3600,
        pod_extra={"enable_service_links": False},
    )
    job["template"]["spec"]["restart_policy"] = "Never"
    return {
        "schedule": schedule, "time_zone": time_zone, "concurrency_policy": "Forbid", "starting_deadline_seconds": 3600,
        "successful_jobs_history_limit": 3, "failed_jobs_history_limit": 3,
        "job_template": {"metadata": {"labels": labels}, "spec": job},
    }
