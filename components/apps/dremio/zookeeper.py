"""The ZooKeeper ensemble Dremio coordinates through in staging/prod (dev: embedded in the master).

Official `zookeeper` image, the way the dremio_v2 chart runs it (ZOO_MY_ID from the pod
ordinal, ZOO_SERVERS listing every member), plus what the chart leaves out: non-root with a
read-only root filesystem (/conf, /logs and /tmp are emptyDirs; snapshots and the
transaction log live on the /data PVC), a logging configuration (the emptyDir on /conf hides
the image's own logback.xml, and logback without one logs everything at DEBUG), limits,
a PodDisruptionBudget that keeps a quorum, and spread over nodes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

import kube
from components.context import PlatformContext

from .config import ZK_CLIENT_PORT, ZK_ELECTION_PORT, ZK_PEER_PORT

APP = "dremio-zookeeper"
UID = 1000  # the image's `zookeeper` user


def member_hosts(name: str, service: str, namespace: str, replicas: int) -> list[str]:
    return [f"{name}-{i}.{service}.{namespace}.svc.cluster.local" for i in range(replicas)]


def zoo_servers(hosts: list[str]) -> str:
    """ZOO_SERVERS for the official image: `server.<id>=<host>:2888:3888;2181`, ids from 1."""
    return " ".join(f"server.{i + 1}={h}:{ZK_PEER_PORT}:{ZK_ELECTION_PORT};{ZK_CLIENT_PORT}" for i, h in enumerate(hosts))


_START = """\
set -eu
ORDINAL="${HOSTNAME##*-}"
export ZOO_MY_ID="$((ORDINAL + 1))"
rm -f "$ZOO_DATA_DIR/myid"
exec /docker-entrypoint.sh zkServer.sh start-foreground
"""

LOGBACK_XML = """\
<configuration>
  <!-- Shipped by data-platform: the image's conf/logback.xml is hidden by the writable /conf.
       INFO to the console (stdout, collected by Fluent Bit); no log files. -->
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder class="ch.qos.logback.classic.encoder.PatternLayoutEncoder">
      <pattern>%d{ISO8601} [myid:%X{myid}] - %-5p [%t:%C{1}@%L] - %m%n</pattern>
    </encoder>
    <filter class="ch.qos.logback.classic.filter.ThresholdFilter">
      <level>INFO</level>
    </filter>
  </appender>
  <root level="INFO">
    <appender-ref ref="CONSOLE" />
  </root>
</configuration>
"""
"""ZooKeeper 3.8+ logs through logback and finds `logback.xml` on its classpath, which
zkEnv.sh starts with $ZOOCFGDIR (/conf in the official image). Same pattern as upstream's
conf/logback.xml, console only."""

_RUOK = ["sh", "-c", f'[ "$(echo ruok | nc -w 2 127.0.0.1 {ZK_CLIENT_PORT})" = "imok" ]']


@dataclass(frozen=True)
class ZooKeeperArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    namespace: pulumi.Input[str]
    namespace_name: str
    replicas: int
    image: str
    volume_size: str
    read_only_root: bool


class ZooKeeper(pulumi.ComponentResource):
    hosts: list[str]
    selector: Mapping[str, str]

    def __init__(self, name: str, args: ZooKeeperArgs, opts: pulumi.ResourceOptions):
        super().__init__("data-platform:apps:DremioZooKeeper", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = kube.labels(APP, "zookeeper")
        self.selector = kube.selector(APP, "zookeeper")
        service_name = "dremio-zk-hs"
        sts_name = "dremio-zk"
        self.hosts = member_hosts(sts_name, service_name, args.namespace_name, args.replicas)

        self.service = k8s.core.v1.Service(
            service_name,
            metadata={"name": service_name, "namespace": args.namespace, "labels": labels},
            spec={
                "cluster_ip": "None",
                "publish_not_ready_addresses": True,  # members must find each other before they are ready
                "selector": dict(self.selector),
                "ports": [
                    {"name": "client", "port": ZK_CLIENT_PORT, "target_port": "client"},
                    {"name": "peer", "port": ZK_PEER_PORT, "target_port": "peer"},
                    {"name": "election", "port": ZK_ELECTION_PORT, "target_port": "election"},
                ],
            },
            opts=child,
        )
        self.pdb = k8s.policy.v1.PodDisruptionBudget(
            sts_name,
            metadata={"name": sts_name, "namespace": args.namespace, "labels": labels},
            spec={"max_unavailable": 1, "selector": {"match_labels": dict(self.selector)}},
            opts=child,
        )
        logging = k8s.core.v1.ConfigMap(
            f"{sts_name}-logging",
            metadata={"name": f"{sts_name}-logging", "namespace": args.namespace, "labels": labels},
            data={"logback.xml": LOGBACK_XML},
            opts=child,
        )
        heap_mb = 512
        self.statefulset = k8s.apps.v1.StatefulSet(
            sts_name,
            metadata={"name": sts_name, "namespace": args.namespace, "labels": labels},
            spec={
                "service_name": service_name,
                "replicas": args.replicas,
                "pod_management_policy": "Parallel",
                "update_strategy": {"type": "RollingUpdate"},
                "selector": {"match_labels": dict(self.selector)},
                "persistent_volume_claim_retention_policy": {"when_deleted": "Retain", "when_scaled": "Retain"},
                "template": {
                    # A new logging configuration restarts the members (a subPath mount is not refreshed).
                    "metadata": {"labels": labels, "annotations": {
                        "data-platform/logging-checksum": hashlib.sha256(LOGBACK_XML.encode()).hexdigest()[:16]}},
                    "spec": {
                        "automount_service_account_token": False,
                        "enable_service_links": False,
                        "security_context": kube.pod_security(run_as_user=UID, run_as_group=UID, fs_group=UID),
                        "affinity": _spread(self.selector, required=args.ctx.highly_available),
                        "termination_grace_period_seconds": 30,
                        "containers": [{
                            "name": "zookeeper",
                            "image": args.image,
                            "image_pull_policy": "IfNotPresent",
                            "command": ["bash", "-c", _START],
                            "env": [
                                {"name": "ZOO_SERVERS", "value": zoo_servers(self.hosts)},
                                {"name": "ZOO_STANDALONE_ENABLED", "value": "false"},
                                {"name": "ZOO_4LW_COMMANDS_WHITELIST", "value": "ruok,srvr"},
                                {"name": "ZOO_ADMINSERVER_ENABLED", "value": "false"},
                                {"name": "ZOO_AUTOPURGE_PURGEINTERVAL", "value": "12"},
                                {"name": "ZOO_AUTOPURGE_SNAPRETAINCOUNT", "value": "5"},
                                {"name": "ZOO_DATA_LOG_DIR", "value": "/data/datalog"},  # transaction log on the PVC, not an emptyDir
                                {"name": "JVMFLAGS", "value": f"-Xms{heap_mb}m -Xmx{heap_mb}m"},
                            ],
                            "ports": [
                                {"name": "client", "container_port": ZK_CLIENT_PORT},
                                {"name": "peer", "container_port": ZK_PEER_PORT},
                                {"name": "election", "container_port": ZK_ELECTION_PORT},
                            ],
                            "resources": kube.resources("250m", "1Gi", "1", "1Gi"),
                            "security_context": kube.container_security(read_only_root=args.read_only_root),
                            "startup_probe": {"exec": {"command": _RUOK}, "period_seconds": 5, "failure_threshold": 24, "timeout_seconds": 5},
                            "readiness_probe": {"exec": {"command": _RUOK}, "period_seconds": 10, "timeout_seconds": 5},
                            "liveness_probe": {"exec": {"command": _RUOK}, "period_seconds": 15, "timeout_seconds": 5, "failure_threshold": 4},
                            "volume_mounts": [
                                {"name": "data", "mount_path": "/data"},
                                {"name": "conf", "mount_path": "/conf"},  # the entrypoint writes zoo.cfg here
                                {"name": "logging", "mount_path": "/conf/logback.xml", "sub_path": "logback.xml", "read_only": True},
                                {"name": "logs", "mount_path": "/logs"},
                                {"name": "tmp", "mount_path": "/tmp"},
                            ],
                        }],
                        "volumes": [
                            {"name": "conf", "empty_dir": {"size_limit": "16Mi"}},
                            {"name": "logging", "config_map": {"name": logging.metadata["name"]}},
                            {"name": "logs", "empty_dir": {"size_limit": "512Mi"}},
                            {"name": "tmp", "empty_dir": {"size_limit": "256Mi"}},
                        ],
                    },
                },
                "volume_claim_templates": [{
                    "metadata": {"name": "data", "labels": labels},
                    "spec": {
                        "access_modes": ["ReadWriteOnce"],
                        **kube.storage_class_name(args.ctx.storage.fast_ssd),
                        "resources": {"requests": {"storage": args.volume_size}},
                    },
                }],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.service, logging], protect=args.ctx.protect),
        )
        self.register_outputs({"hosts": self.hosts, "service": self.service.metadata["name"]})


def _spread(selector: Mapping[str, str], required: bool) -> dict:
    """Anti-affinity on hostname: required when highly available (one member per node), preferred otherwise."""
    term = {"label_selector": {"match_labels": dict(selector)}, "topology_key": "kubernetes.io/hostname"}
    if required:
        return {"pod_anti_affinity": {"required_during_scheduling_ignored_during_execution": [term]}}
    return {"pod_anti_affinity": {"preferred_during_scheduling_ignored_during_execution": [{"weight": 100, "pod_affinity_term": term}]}}
