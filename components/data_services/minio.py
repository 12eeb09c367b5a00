"""MinIO in distributed mode: one StatefulSet per server pool behind one headless Service, an API
Service, generated root credentials, and a Job that creates the buckets and the least-privilege
users the platform uses (applications never get the root credentials).

The upstream repository is archived and stopped publishing images after
RELEASE.2025-09-07T16-13-09Z / mc RELEASE.2025-08-13T08-35-41Z: both images are settings so a
mirror or maintained fork can replace them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

import kube
from kube.namespaces import APPS, STORAGE
from settings.catalog_backups import PrefixExpiry
from settings.sections import MinioSettings
from settings.sections.minio import LAKE_BUCKETS

from ..context import PlatformContext
from ..secrets import platform_secret
from .minio_topology import DATA_DIR, pool_name, server_args
from .minio_users import (  # noqa: F401  (re-exported: the bucket and user names other modules use)
    AIRBYTE_BUCKET,
    APP_CREDENTIALS,
    BACKUP_CREDENTIALS,
    BACKUPS,
    BUCKETS,
    DREMIO_BUCKET,
    ELASTICSEARCH_BUCKET,
    REGION,
    RETIRED_POLICIES,
    USERS,
    VELERO_BUCKET,
    MinioUser,
    bucket_policy,
    env_prefix,
    users_for,
)
from .result import ObjectStoreResult
from .secrets import generated

API_PORT = 9000
CONSOLE_PORT = 9001
SERVICE = "minio"
HEADLESS = "minio-hl"
UID = 1000
RESTART = "minio-restart"
RESTART_SELECTOR = kube.selector("minio", "restart")
"""Pod labels of the restart Job (it talks to the API server and waits on MinIO's health)."""


def lifecycle_json(expiries: Sequence[PrefixExpiry]) -> str:
    """A bucket's whole lifecycle configuration as `mc ilm rule import` reads it: minio-go's
    `lifecycle.Configuration` decoded from JSON (mc RELEASE.2025-08-13T08-35-41Z,
    cmd/ilm-rule-import.go; minio-go v7.0.90 pkg/lifecycle: Rules, ID, Status, Filter.Prefix,
    Expiration.Days)."""
    return json.dumps({"Rules": [{"ID": e.rule_id, "Status": "Enabled", "Filter": {"Prefix": e.prefix}, "Expiration": {"Days": e.days}}
                                 for e in expiries]}, sort_keys=True)


def bootstrap_script(s: MinioSettings, endpoint_host: str, users: Mapping[str, MinioUser] = USERS,
                     expiries: Sequence[PrefixExpiry] = ()) -> str:
    """Idempotent: `mb --ignore-existing`, `policy create` replaces, users are re-keyed, a policy is
    attached only when missing, `ilm rule import` replaces a bucket's lifecycle (the program owns
    it: Dremio's catalog backups expire). Object locking can only be enabled when a bucket is created."""
    lines = [
        "set -eu",
        'export MC_HOST_dp="http://${ROOT_USER}:${ROOT_PASSWORD}@' + endpoint_host + '"',
        "until mc ready dp; do echo 'waiting for MinIO quorum'; sleep 5; done",
    ]
    for b in LAKE_BUCKETS:
        if b in s.locked_buckets:
            lines.append(f"mc mb --ignore-existing --with-lock dp/{b}")
            lines.append(f"mc retention set --default {s.lock_mode} {s.lock_days}d dp/{b}")
        else:
            lines.append(f"mc mb --ignore-existing dp/{b}")
    lines += [f"mc mb --ignore-existing dp/{b}" for b in BUCKETS if b not in LAKE_BUCKETS]
    for bucket in dict.fromkeys(e.bucket_role for e in expiries):
        rules = [e for e in expiries if e.bucket_role == bucket]
        lines.append(f"echo '{lifecycle_json(rules)}' | mc ilm rule import dp/{bucket}")
    for consumer, u in users.items():
        key_var, secret_var = f"{env_prefix(consumer)}_ACCESS_KEY", f"{env_prefix(consumer)}_SECRET_KEY"
        lines += [
            f"mc admin policy create dp {u.policy} /policies/{u.policy}.json",
            f'mc admin user add dp "${key_var}" "${secret_var}"',
            f'mc admin user info dp "${key_var}" --json | grep -q \'"{u.policy}"\' || mc admin policy attach dp {u.policy} --user "${key_var}"',
            *(f'mc admin policy detach dp {old} --user "${key_var}" 2>/dev/null || true' for old in RETIRED_POLICIES),
        ]
    lines += [f"mc admin policy remove dp {old} 2>/dev/null || true" for old in RETIRED_POLICIES]
    lines.append("echo 'buckets and users are in place'")
    return "\n".join(lines)


ROOT_SECRET = "minio-root"
"""Secret (data-storage) with MinIO's root credentials (`rootUser`/`rootPassword`)."""


def server_pod_names(pools: Sequence[int]) -> list[str]:
    """Every MinIO server pod (StatefulSet pods are `<pool>-<ordinal>`): what the restart Job may delete."""
    return [f"{pool_name(i)}-{j}" for i, servers in enumerate(pools) for j in range(servers)]


def restart_revision(pod_spec: dict, pools: Sequence[int]) -> str:
    """A short hash of what every server must share (image, MINIO_* env, endpoints, the whole pod
    template) and of the pool layout: a new value means the servers must restart together."""
    doc = json.dumps({"pod": pod_spec, "pools": list(pools)}, sort_keys=True, default=str)
    return hashlib.sha256(doc.encode()).hexdigest()[:10]


def restart_script(pods: Sequence[str], health_url: str) -> str:
    """Delete every server pod at once (MinIO does not support rolling upgrades: a server only
    rejoins peers running the same binary, environment and topology), then wait for write quorum.
    A pod that is already gone (404) is fine."""
    api = "https://kubernetes.default.svc/api/v1/namespaces/" + STORAGE + "/pods"
    sa = "/var/run/secrets/kubernetes.io/serviceaccount"
    lines = [
        "set -eu",
        f'TOKEN=$(cat {sa}/token)',
        "delete() {",
        f'  code=$(curl -sS -o /dev/null -w "%{{http_code}}" --cacert {sa}/ca.crt -H "Authorization: Bearer $TOKEN" -X DELETE "{api}/$1")',
        '  case "$code" in 200|202|404) echo "deleted $1 ($code)";; *) echo "deleting $1: HTTP $code" >&2; return 1;; esac',
        "}",
        "pids=''",
        *(f'delete {pod} & pids="$pids $!"' for pod in pods),
        "for p in $pids; do wait $p; done",
        "sleep 15",
        f"until curl -sSf -o /dev/null {health_url}; do echo 'waiting for MinIO write quorum'; sleep 5; done",
        "echo 'every MinIO server restarted together'",
    ]
    return "\n".join(lines)


def mc_root_env(root_secret) -> list[dict]:
    """Env for an `mc` Job that administers MinIO as root: a writable config dir on the Job's
    /tmp and the root credentials (Secret name or resource)."""
    return [
        {"name": "HOME", "value": "/tmp"},
        {"name": "MC_CONFIG_DIR", "value": "/tmp/.mc"},
        kube.secret_env("ROOT_USER", root_secret, "rootUser"),
        kube.secret_env("ROOT_PASSWORD", root_secret, "rootPassword"),
    ]


@dataclass(frozen=True)
class MinioArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    settings: MinioSettings
    mirror: bool = False
    """Also create the lake mirror's read-only user (backups.mirrorEndpoint is set)."""
    expiries: Sequence[PrefixExpiry] = ()
    """Prefixes whose objects expire (Dremio's catalog backups, settings/catalog_backups.py)."""
    depends_on: Sequence[pulumi.Resource] = ()


class Minio(pulumi.ComponentResource):
    result: ObjectStoreResult
    backup_credentials: str
    user_keys: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]]
    """Consumer -> its generated (access key, secret key), for a consumer whose Secret lives in a
    namespace this component does not create (Velero's)."""
    """Secret in data-storage (ACCESS_KEY_ID / ACCESS_SECRET_KEY) of the user that may only write
    the `backups` bucket: what CloudNativePG archives with."""
    ready: list[pulumi.Resource]

    def __init__(self, name: str, args: MinioArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:data:Minio", name, None, opts)
        s, p = args.settings, args.ctx.provider
        deps = tuple(args.depends_on)
        labels = kube.labels("minio", "server")
        select = kube.selector("minio", "server")

        def own_secret(name_: str, ns: str, data: dict, labels_: dict = labels):
            return platform_secret(name_, ns, data, args.ctx, parent=self, labels=labels_, depends_on=deps)

        root_user, root_password = generated("minio-root-user", self, 20), generated("minio-root-password", self, 40)
        root = own_secret(ROOT_SECRET, STORAGE, {"rootUser": root_user, "rootPassword": root_password})
        # Per user: its keys in data-storage (what the bootstrap Job reads) and, for an app, a
        # copy in the app's namespace.
        user_secrets: dict[str, k8s.core.v1.Secret] = {}
        self.user_keys = {}
        self.users = users = users_for(args.mirror)
        for consumer, u in users.items():
            a, b = generated(f"{u.generated_as}-access-key", self, 20), generated(f"{u.generated_as}-secret-key", self, 40)
            self.user_keys[consumer] = (a, b)
            creds = dict(zip(u.keys, (a, b)))
            if u.namespace == STORAGE:
                user_secrets[consumer] = own_secret(u.secret, STORAGE, creds)
            else:
                user_secrets[consumer] = own_secret(u.generated_as, STORAGE, creds)
                own_secret(u.secret, u.namespace, creds, kube.labels("minio", "credentials"))
        backup = user_secrets["postgres"]
        self.backup_credentials = BACKUP_CREDENTIALS

        headless = k8s.core.v1.Service(
            "minio-headless",
            metadata={"name": HEADLESS, "namespace": STORAGE, "labels": labels},
            spec={"cluster_ip": "None", "publish_not_ready_addresses": True, "selector": select,
                  "ports": [{"name": "http-api", "port": API_PORT, "target_port": "api"}]},
            opts=kube.child(self, p, depends_on=deps),
        )
        api = k8s.core.v1.Service(
            "minio-api",
            metadata={"name": SERVICE, "namespace": STORAGE, "labels": labels},
            spec={"type": "ClusterIP", "selector": select, "ports": [
                {"name": "http-api", "port": API_PORT, "target_port": "api"},
                {"name": "http-console", "port": CONSOLE_PORT, "target_port": "console"},
            ]},
            opts=kube.child(self, p, depends_on=deps),
        )

        endpoints = server_args(s.pools, s.drives_per_server, HEADLESS, STORAGE)
        distributed = sum(s.pools) > 1
        pod_spec = self._pod_spec(s, endpoints, ROOT_SECRET, distributed)
        # Distributed MinIO cannot roll: OnDelete, and the restart Job replaces every server at once.
        strategy = {"update_strategy": {"type": "OnDelete"}} if distributed else {}
        self.pools = []
        for i, servers in enumerate(s.pools):
            pool_select = {**select, "minio.data-platform/pool": str(i)}
            self.pools.append(k8s.apps.v1.StatefulSet(
                pool_name(i),
                metadata={"name": pool_name(i), "namespace": STORAGE, "labels": {**labels, "minio.data-platform/pool": str(i)}},
                spec={
                    "service_name": HEADLESS,
                    "replicas": servers,
                    "pod_management_policy": "Parallel",  # servers must start together to form quorum
                    **strategy,
                    "selector": {"match_labels": pool_select},
                    "template": {
                        "metadata": {"labels": {**labels, "minio.data-platform/pool": str(i)}},
                        "spec": pod_spec,
                    },
                    "volume_claim_templates": [
                        {"metadata": {"name": f"data{d}", "labels": labels},
                         "spec": {"access_modes": ["ReadWriteOnce"], **kube.storage_class_name(args.ctx.storage.standard),
                                  "resources": {"requests": {"storage": s.drive_size}}}}
                        for d in range(s.drives_per_server)
                    ],
                },
                opts=kube.child(self, p, depends_on=[headless, root], protect=args.ctx.protect),
            ))
            if servers > 1:
                k8s.policy.v1.PodDisruptionBudget(
                    f"{pool_name(i)}-pdb",
                    metadata={"name": pool_name(i), "namespace": STORAGE, "labels": labels},
                    spec={"max_unavailable": 1, "selector": {"match_labels": pool_select}},
                    opts=kube.child(self, p, depends_on=deps),
                )

        policies = k8s.core.v1.ConfigMap(
            "minio-policies",
            metadata={"name": "minio-policies", "namespace": STORAGE, "labels": kube.labels("minio", "bootstrap")},
            data={f"{u.policy}.json": bucket_policy(u.buckets, u.read_only) for u in users.values()},
            opts=kube.child(self, p, depends_on=deps),
        )
        api_host = f"{SERVICE}.{STORAGE}.svc.cluster.local:{API_PORT}"
        self.bootstrap = self._bootstrap_job(p, s, api_host, policies, root, users, user_secrets, [api, *self.pools], tuple(args.expiries))
        self.restart = self._restart_job(p, s, pod_spec, deps, [*self.pools]) if distributed else None
        self.ready = [self.bootstrap, backup, *([self.restart] if self.restart else [])]
        self.result = ObjectStoreResult(
            kind="minio",
            endpoint=api.metadata.apply(lambda m: f"http://{m['name']}.{STORAGE}.svc.cluster.local:{API_PORT}"),
            region=REGION,
            path_style=True,
            buckets={b: b for b in BUCKETS},
            credentials_secret=APP_CREDENTIALS,
            consumer_credentials={c: u.secret for c, u in USERS.items() if u.namespace == APPS},
            server_selector=select,
            port=API_PORT,
            admin_job_selectors=(RESTART_SELECTOR,) if distributed else (),
            servers=sum(s.pools), mc_image=s.mc_image, ready=tuple(self.ready),
        )
        self.register_outputs({"endpoint": self.result.endpoint, "buckets": list(self.result.buckets), "servers": sum(s.pools)})

    @staticmethod
    def _pod_spec(s: MinioSettings, endpoints: list[str], root_name: str, distributed: bool) -> dict:
        """Plain data (the root Secret by name) so its hash is the restart Job's revision."""
        def probe(path: str, **kw) -> dict:
            return {"http_get": {"path": path, "port": "api"}, "period_seconds": 10, "timeout_seconds": 5, **kw}

        spec: dict = {
            "automount_service_account_token": False,
            "security_context": kube.pod_security(run_as_user=UID, fs_group=UID, run_as_group=UID),
            "termination_grace_period_seconds": 60,
            "containers": [{
                "name": "minio",
                "image": s.image,
                # --certs-dir: the default (~/.minio/certs) is on the read-only root filesystem.
                "args": ["server", "--address", f":{API_PORT}", "--console-address", f":{CONSOLE_PORT}", "--certs-dir", "/tmp/certs", *endpoints],
                "env": [
                    {"name": "MINIO_ROOT_USER", "value_from": {"secret_key_ref": {"name": root_name, "key": "rootUser"}}},
                    {"name": "MINIO_ROOT_PASSWORD", "value_from": {"secret_key_ref": {"name": root_name, "key": "rootPassword"}}},
                    {"name": "MINIO_UPDATE", "value": "off"},
                    {"name": "HOME", "value": "/tmp"},  # uid 1000 has no home in the image
                ],
                "ports": [{"name": "api", "container_port": API_PORT}, {"name": "console", "container_port": CONSOLE_PORT}],
                "startup_probe": probe("/minio/health/live", failure_threshold=30),
                "liveness_probe": probe("/minio/health/live", failure_threshold=3),
                "readiness_probe": probe("/minio/health/ready", failure_threshold=3),
                "resources": kube.resources(s.cpu_request, s.memory_request, s.cpu_limit, s.memory_limit),
                "security_context": kube.container_security(read_only_root=True),
                "volume_mounts": [
                    *({"name": f"data{d}", "mount_path": f"{DATA_DIR}/data{d}"} for d in range(s.drives_per_server)),
                    {"name": "tmp", "mount_path": "/tmp"},
                ],
            }],
            "volumes": [{"name": "tmp", "empty_dir": {"size_limit": "64Mi"}}],
        }
        if distributed:
            term = {"label_selector": {"match_labels": kube.selector("minio", "server")}, "topology_key": "kubernetes.io/hostname"}
            key = ("required_during_scheduling_ignored_during_execution" if s.anti_affinity == "required"
                   else "preferred_during_scheduling_ignored_during_execution")
            spec["affinity"] = {"pod_anti_affinity": {key: [term] if s.anti_affinity == "required" else [{"weight": 100, "pod_affinity_term": term}]}}
        return spec

    def _bootstrap_job(self, p, s, api_host, policies, root, users: Mapping[str, MinioUser], secrets: dict, after,
                       expiries: Sequence[PrefixExpiry] = ()) -> k8s.batch.v1.Job:
        return k8s.batch.v1.Job(
            "minio-bootstrap",
            metadata={"namespace": STORAGE, "labels": kube.labels("minio", "bootstrap")},
            spec=kube.script_job_spec(
                labels=kube.labels("minio", "bootstrap"), container="mc", image=s.mc_image, script=bootstrap_script(s, api_host, users, expiries), uid=UID,
                env=[
                    *mc_root_env(root),
                    *(kube.secret_env(f"{env_prefix(c)}_{kind}", secrets[c], key)
                      for c, u in users.items() for kind, key in zip(("ACCESS_KEY", "SECRET_KEY"), u.keys)),
                ],
                resources=kube.resources("50m", "64Mi", "500m", "256Mi"), backoff_limit=10,
                volumes=[{"name": "policies", "config_map": {"name": policies.metadata["name"]}}],
                volume_mounts=[{"name": "policies", "mount_path": "/policies", "read_only": True}],
            ),
            opts=kube.child(self, p, depends_on=[policies, root, *secrets.values(), *after]),
        )

    def _restart_job(self, p, s: MinioSettings, pod_spec: dict, deps, after) -> k8s.batch.v1.Job:
        """`minio-restart-<revision>`: a new name (so a new Job) whenever the servers' template or
        the pools change; it runs after the StatefulSets are updated. Its ServiceAccount may only
        delete the MinIO server pods, by name, in data-storage."""
        labels = kube.labels("minio", "restart")
        pods = server_pod_names(s.pools)
        sa = k8s.core.v1.ServiceAccount(RESTART, metadata={"name": RESTART, "namespace": STORAGE, "labels": labels},
                                        automount_service_account_token=False, opts=kube.child(self, p, depends_on=deps))
        role = k8s.rbac.v1.Role(RESTART, metadata={"name": RESTART, "namespace": STORAGE, "labels": labels},
                                rules=[{"api_groups": [""], "resources": ["pods"], "resource_names": pods, "verbs": ["delete"]}],
                                opts=kube.child(self, p, depends_on=deps))
        binding = k8s.rbac.v1.RoleBinding(
            RESTART, metadata={"name": RESTART, "namespace": STORAGE, "labels": labels},
            role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": RESTART},
            subjects=[{"kind": "ServiceAccount", "name": RESTART, "namespace": STORAGE}],
            opts=kube.child(self, p, depends_on=[role, sa]))
        revision = restart_revision(pod_spec, s.pools)
        health = f"http://{SERVICE}.{STORAGE}.svc.cluster.local:{API_PORT}/minio/health/cluster"
        return k8s.batch.v1.Job(
            f"{RESTART}-{revision}",
            metadata={"name": f"{RESTART}-{revision}", "namespace": STORAGE, "labels": labels,
                      "annotations": {"minio.data-platform/revision": revision}},
            spec=kube.script_job_spec(
                labels=labels, container="restart", image=s.restart_image, script=restart_script(pods, health), uid=UID,
                resources=kube.resources("10m", "16Mi", "200m", "64Mi"), tmp=False, service_account=RESTART,
                backoff_limit=3, deadline_seconds=1800,
            ),
            opts=kube.child(self, p, depends_on=[sa, role, binding, *after]),
        )
