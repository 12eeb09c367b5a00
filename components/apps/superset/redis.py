"""Redis-compatible broker/cache for Superset (Valkey), password-protected.

One replica: Celery's broker and Superset's caches need no Redis cluster at this scale. In prod
(`redisPersistent`) the StatefulSet keeps its data on a PersistentVolumeClaim so queued
reports and async query results survive a restart; otherwise an emptyDir.

The password comes from the generated Secret; it is written into a config file in a private
emptyDir at start-up so it never shows on the process command line.

Memory: one Valkey holds both the Celery broker (queues without TTL) and Superset's caches
(every key with a TTL, up to 24 h for chart data). Without `maxmemory` it grows until the
container limit kills it — losing the queue too. `maxmemory` is set below the container limit
(MAXMEMORY_FRACTION: room for fragmentation, client buffers and the AOF rewrite's fork) with
`volatile-lru`: only keys that have a TTL (the caches, Celery results) are evicted, so queued
tasks are never dropped; if the queue alone fills the memory, writes fail loudly (OOM error to
the producer) instead of the pod dying.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.context import PlatformContext
from kube import child, container_security, labels, pod_security, resources, selector, storage_class_name
from kube.namespaces import APPS
from settings.checks import memory_bytes

from .config import SECRET_NAME

APP = "superset"
COMPONENT = "redis"
SERVICE = "superset-redis"
PORT = 6379
UID = 999  # the `valkey` user of the official image
MEMORY_REQUEST = "256Mi"
MEMORY_LIMIT = "1Gi"
MAXMEMORY_FRACTION = 0.75
EVICTION_POLICY = "volatile-lru"
"""Evict only keys with a TTL (caches, results), least recently used first; never broker queues."""


def maxmemory_bytes(limit: str) -> int:
    """Valkey's `maxmemory` for a container memory `limit` (a Kubernetes quantity)."""
    return int(memory_bytes(limit) * MAXMEMORY_FRACTION)


_START = (
    'umask 077; printf "requirepass %s\\n" "$REDIS_PASSWORD" > /run/valkey/valkey.conf; '
    "exec valkey-server /run/valkey/valkey.conf --dir /data --appendonly {aof} --save {save} "
    "--maxmemory {maxmemory} --maxmemory-policy {policy} --protected-mode no --port 6379"
)


@dataclass(frozen=True)
class RedisArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    image: str
    persistent: bool
    volume_size: str
    """On the `standard` storage role (an emptyDir's size limit when not persistent)."""
    depends_on: tuple = ()


class SupersetRedis(pulumi.ComponentResource):
    def __init__(self, name: str, args: RedisArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:apps:SupersetRedis", name, None, opts)
        lbl = labels(APP, COMPONENT)
        sel = selector(APP, COMPONENT)
        self.selector = sel
        self.host = f"{SERVICE}.{APPS}.svc.cluster.local"
        self.port = PORT
        self.service = k8s.core.v1.Service(
            f"{name}-svc",
            metadata={"name": SERVICE, "namespace": APPS, "labels": lbl},
            spec={"selector": sel, "ports": [{"name": "redis", "port": PORT, "target_port": "redis"}]},
            opts=child(self, args.ctx.provider, depends_on=args.depends_on),
        )
        start = _START.format(aof="yes" if args.persistent else "no", save="'3600 1 300 100'" if args.persistent else "''",
                              maxmemory=maxmemory_bytes(MEMORY_LIMIT), policy=EVICTION_POLICY)
        probe_cmd = ["sh", "-c", "valkey-cli -p 6379 ping | grep -q PONG"]
        container = {
            "name": "valkey",
            "image": args.image,
            "command": ["sh", "-c", start],
            "ports": [{"name": "redis", "container_port": PORT}],
            "env": [
                {"name": "REDIS_PASSWORD", "value_from": {"secret_key_ref": {"name": SECRET_NAME, "key": "redis-password"}}},
                # valkey-cli reads the password from here (used by the probes).
                {"name": "REDISCLI_AUTH", "value_from": {"secret_key_ref": {"name": SECRET_NAME, "key": "redis-password"}}},
            ],
            "resources": resources("100m", MEMORY_REQUEST, "500m", MEMORY_LIMIT),
            "security_context": container_security(read_only_root=True),
            "liveness_probe": {"exec": {"command": probe_cmd}, "initial_delay_seconds": 10, "period_seconds": 15, "timeout_seconds": 5, "failure_threshold": 4},
            "readiness_probe": {"exec": {"command": probe_cmd}, "initial_delay_seconds": 3, "period_seconds": 10, "timeout_seconds": 3},
            "volume_mounts": [{"name": "data", "mount_path": "/data"}, {"name": "run", "mount_path": "/run/valkey"}],
        }
        volumes = [{"name": "run", "empty_dir": {"medium": "Memory", "size_limit": "1Mi"}}]
        claims = []
        if args.persistent:
            claims.append({
                "metadata": {"name": "data", "labels": lbl},
                "spec": {
                    "access_modes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": args.volume_size}},
                    **storage_class_name(args.ctx.storage.standard),
                },
            })
        else:
            volumes.append({"name": "data", "empty_dir": {"size_limit": args.volume_size}})
        self.statefulset = k8s.apps.v1.StatefulSet(
            f"{name}-sts",
            metadata={"name": SERVICE, "namespace": APPS, "labels": lbl},
            spec={
                "service_name": SERVICE,
                "replicas": 1,
                "selector": {"match_labels": sel},
                "template": {
                    "metadata": {"labels": lbl},
                    "spec": {
                        "automount_service_account_token": False,
                        "security_context": pod_security(run_as_user=UID, run_as_group=UID, fs_group=UID),
                        "containers": [container],
                        "volumes": volumes,
                    },
                },
                "volume_claim_templates": claims,
            },
            opts=child(self, args.ctx.provider, depends_on=[self.service, *args.depends_on]),
        )
        self.register_outputs({"host": self.host, "service": self.service.metadata["name"]})
