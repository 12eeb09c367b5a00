"""Pod templates of the master coordinator and executor StatefulSets.

- One dremio.conf/core-site.xml ConfigMap mounted file by file (subPath) over the image's
  /opt/dremio/conf, so the image's dremio-env and logback.xml stay; a checksum annotation rolls
  the pods when the configuration changes.
- Writable paths are volumes (data PVC, /tmp and /var/log/dremio emptyDirs) so the root
  filesystem can be read-only (an opt-out exists in settings for images that write elsewhere).
- Non-root (the image's `dremio` user, 999) with fsGroup, so no root `chown` init container.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi

import kube
from components.data_services.result import CLIENT_SECRET_KEY
from settings.sections.dremio import MemoryPlan

from . import azure_storage, s3_identity
from .config import (
    ACCESS_KEY_ENV,
    CLIENT_PORT,
    CONDUIT_PORT,
    FABRIC_PORT,
    FLIGHT_PORT,
    SECRET_KEY_ENV,
    WEB_PORT,
    ZK_CLIENT_PORT,
    Role,
    heap_dump_flags,
    memory_env,
    role_flags,
)

UID = 999  # `dremio` user and group of the dremio/dremio-oss image
CONF_DIR = "/opt/dremio/conf"
DATA_DIR = "/opt/dremio/data"
CONFIG_FILES = ("dremio.conf", "core-site.xml")
SECRET_VERSION_ANNOTATION = "data-platform.io/oauth-secret-version"


@dataclass(frozen=True)
class PodInputs:
    role: Role
    image: str
    zookeeper: str
    embedded_zookeeper: bool
    memory: MemoryPlan
    cpu_request: str
    cpu_limit: str
    memory_request: str
    memory_limit: str
    config_map: Any
    config_checksum: pulumi.Input[str]
    """The configuration files' checksum (an Output of the ConfigMap's data): a change rolls the pods."""
    credentials_secret: Optional[str]
    service_account: Any
    read_only_root: bool
    selector: Mapping[str, str]
    labels: Mapping[str, str]
    required_anti_affinity: bool
    heap_dumps: bool = True
    """Write a heap dump on OutOfMemoryError to the data volume (False: no dump)."""
    aws_profile: bool = False
    """Workload identity through an AWS profile (s3_identity.py): an init container writes it
    from the pod's web identity, and both AWS SDKs of Dremio read it."""
    region: Optional[str] = None
    oauth_secret: Optional[str] = None
    """Azure Storage: the Secret holding the Entra application's client secret (key `clientSecret`),
    read into the environment that core-site.xml expands (azure_storage.py)."""
    oauth_secret_version: Any = ""
    """Changes when that secret is rotated: an annotation that rolls the pods onto the new one."""


def checksum(files: Mapping[str, str]) -> str:
    h = hashlib.sha256()
    for k in sorted(files):
        h.update(k.encode() + b"\0" + files[k].encode() + b"\0")
    return h.hexdigest()


def _env(p: PodInputs) -> list[dict]:
    env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in memory_env(p.memory).items()]
    env.append({"name": "DREMIO_JAVA_SERVER_EXTRA_OPTS", "value": " ".join(
        [*role_flags(p.role, p.zookeeper, p.embedded_zookeeper, p.memory), *heap_dump_flags(p.heap_dumps, DATA_DIR)])})
    env.append({"name": "DREMIO_LOG_TO_CONSOLE", "value": "1"})
    if p.credentials_secret:
        env.append({"name": ACCESS_KEY_ENV, "value_from": {"secret_key_ref": {"name": p.credentials_secret, "key": "accessKeyId"}}})
        env.append({"name": SECRET_KEY_ENV, "value_from": {"secret_key_ref": {"name": p.credentials_secret, "key": "secretAccessKey"}}})
    if p.aws_profile:
        env += s3_identity.env(p.region)
    if p.oauth_secret:
        env.append({"name": azure_storage.CLIENT_SECRET_ENV, "value_from": {"secret_key_ref": {"name": p.oauth_secret, "key": CLIENT_SECRET_KEY}}})
    return env


def ports(role: Role, embedded_zookeeper: bool) -> list[dict]:
    out = [
        {"name": "fabric", "container_port": FABRIC_PORT},
        {"name": "conduit", "container_port": CONDUIT_PORT},
    ]
    if role == "master":
        out = [
            {"name": "web", "container_port": WEB_PORT},
            {"name": "client", "container_port": CLIENT_PORT},
            {"name": "flight", "container_port": FLIGHT_PORT},
        ] + out
        if embedded_zookeeper:
            out.append({"name": "zookeeper", "container_port": ZK_CLIENT_PORT})
    return out


def probes(role: Role) -> dict[str, Any]:
    """Master: the web UI answers once the coordinator is up (startup allows ~10 min for a KV
    store upgrade). Executor: the fabric port opens once it has joined the cluster."""
    if role == "master":
        check: dict[str, Any] = {"http_get": {"path": "/", "port": "web"}}
        live: dict[str, Any] = {"tcp_socket": {"port": "web"}}
    else:
        check = {"tcp_socket": {"port": "fabric"}}
        live = {"tcp_socket": {"port": "fabric"}}
    return {
        "startup_probe": {**check, "period_seconds": 10, "failure_threshold": 60, "timeout_seconds": 5},
        "readiness_probe": {**check, "period_seconds": 10, "failure_threshold": 3, "timeout_seconds": 5},
        "liveness_probe": {**live, "period_seconds": 20, "failure_threshold": 6, "timeout_seconds": 5},
    }


def _mounts(p: PodInputs) -> list[dict]:
    mounts: list[dict[str, Any]] = [{"name": "data", "mount_path": DATA_DIR}]
    mounts += [{"name": "config", "mount_path": f"{CONF_DIR}/{f}", "sub_path": f, "read_only": True} for f in CONFIG_FILES]
    mounts += [
        {"name": "tmp", "mount_path": "/tmp"},
        {"name": "logs", "mount_path": "/var/log/dremio"},
        {"name": "run", "mount_path": "/var/run/dremio"},
    ]
    if p.aws_profile:
        mounts.append(s3_identity.mount())
    return mounts


def affinity(selector: Mapping[str, str], required: bool) -> dict:
    term = {"label_selector": {"match_labels": dict(selector)}, "topology_key": "kubernetes.io/hostname"}
    if required:
        return {"pod_anti_affinity": {"required_during_scheduling_ignored_during_execution": [term]}}
    return {"pod_anti_affinity": {"preferred_during_scheduling_ignored_during_execution": [{"weight": 100, "pod_affinity_term": term}]}}


def container(p: PodInputs, name: str, args: Sequence[str] = ("start-fg",), with_probes: bool = True) -> dict:
    c = {
        "name": name,
        "image": p.image,
        "image_pull_policy": "IfNotPresent",
        "command": ["/opt/dremio/bin/dremio" if name != "upgrade" else "/opt/dremio/bin/dremio-admin"],
        "args": list(args),
        "env": _env(p),
        "resources": kube.resources(p.cpu_request, p.memory_request, p.cpu_limit, p.memory_limit),
        "security_context": kube.container_security(read_only_root=p.read_only_root),
        "volume_mounts": _mounts(p),
    }
    if with_probes:
        c["ports"] = ports(p.role, p.embedded_zookeeper)
        c.update(probes(p.role))
    return c


def pod_template(p: PodInputs, pool: Optional[Any] = None) -> dict:
    """The pod template of a Dremio server; with `pool` (executors only) it tolerates the
    interruptible nodes' taint and prefers them, keeping the anti-affinity."""
    spec: dict[str, Any] = {
        "service_account_name": p.service_account,
        "automount_service_account_token": False,
        "enable_service_links": False,
        "security_context": kube.pod_security(run_as_user=UID, run_as_group=UID, fs_group=UID),
        "termination_grace_period_seconds": 120,
        "affinity": affinity(p.selector, p.required_anti_affinity),
        "containers": [container(p, "dremio-master" if p.role == "master" else "dremio-executor")],
        "volumes": [
            {"name": "config", "config_map": {"name": p.config_map}},
            {"name": "tmp", "empty_dir": {"size_limit": "8Gi"}},
            {"name": "logs", "empty_dir": {"size_limit": "2Gi"}},
            {"name": "run", "empty_dir": {"size_limit": "16Mi"}},
        ],
    }
    init: list[dict] = []
    if p.aws_profile:
        spec["volumes"].append(s3_identity.volume())
        init.append(s3_identity.init_container(p.image, kube.container_security(read_only_root=p.read_only_root),
                                               kube.resources("10m", "16Mi", "100m", "64Mi")))
    if pool is not None:
        spec["tolerations"] = kube.tolerations_for(pool)
        spec["affinity"] = {**spec["affinity"], **kube.prefer_pool(pool)}
    if p.role == "master":
        # The chart's upgrade step: migrates the KV store after an image upgrade (no-op on a fresh volume).
        init.append(container(p, "upgrade", args=("upgrade",), with_probes=False))
    if init:
        spec["init_containers"] = init
    return {
        "metadata": {"labels": dict(p.labels), "annotations": {
            "data-platform.io/config-checksum": p.config_checksum,
            **({SECRET_VERSION_ANNOTATION: p.oauth_secret_version} if p.oauth_secret else {})}},
        "spec": spec,
    }


def claim(size: str, storage_class: Optional[str], labels: Mapping[str, str]) -> dict:
    return {
        "metadata": {"name": "data", "labels": dict(labels)},
        "spec": {
            "access_modes": ["ReadWriteOnce"],
            **kube.storage_class_name(storage_class),
            "resources": {"requests": {"storage": size}},
        },
    }
