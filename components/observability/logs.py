"""Container logs -> Elasticsearch with Fluent Bit (official chart, DaemonSet, namespace `logging`).

- Input: every container's log under `/var/log/containers` (CRI and Docker formats), enriched
  with pod metadata (namespace, pod, container, labels) by the kubernetes filter. Read positions
  and the retry buffer live on the node in `/var/lib/fluent-bit`, so a restarted pod neither
  re-sends nor loses logs.
- Output: the `logs-kubernetes-<environment>` data stream (Elasticsearch's built-in `logs-*-*`
  template: data stream + the `logs` lifecycle policy), bulk `create` only, as the `fluent-bit`
  user whose role may do nothing but that (components/data_services/elasticsearch.py).
  TLS is verified (`tls.verify On`) against the platform's Elasticsearch CA (es_tls.py), with
  the Service name as the checked host.
- Security: Fluent Bit runs as root because container log files on the nodes are root-owned and
  not world-readable (0640) on containerd; it gets no capability at all (root reading root's
  files needs none), no privilege escalation, a read-only root filesystem and RuntimeDefault
  seccomp. Host mounts: `/var/log` and `/var/lib/docker/containers` read-only, and its own state
  directory `/var/lib/fluent-bit` read-write. That is why `logging` enforces `privileged`.
- The password reaches the pod as an environment variable from the Secret `fluent-bit-elasticsearch`
  (a copy, in `logging`, of the file-realm Secret ECK reads in data-storage).
- Cloud log sink (`Foundation.log_sink`): a second output, rendered by the cloud
  (`LogSink.fluent_bit_output`, e.g. clouds/aws/app_logs.py), sends the same records to the
  cloud's log service; the cloud creates the destination and its retention. Fluent Bit reaches it
  as the ServiceAccount `logging/fluent-bit` (foundation.WORKLOAD_SERVICE_ACCOUNTS), annotated
  with `Foundation.workload_identity["fluent-bit"]` (no static keys). Each output has its own
  retry queue: one sink being down never stops the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

import kube
from foundation import FLUENT_BIT_TAG, WORKLOAD_SERVICE_ACCOUNTS, LogSink
from kube import helm
from kube.charts import chart

from ..context import PlatformContext
from ..secrets import platform_secret
from .es_tls import CA_BUNDLE_SECRET
from .namespaces import LOGGING

RELEASE = "fluent-bit"
CREDENTIALS_SECRET = "fluent-bit-elasticsearch"
CA_DIR = "/fluent-bit/tls"
STATE_DIR = "/var/lib/fluent-bit"
METRICS_PORT = 2020
SERVICE_ACCOUNT = WORKLOAD_SERVICE_ACCOUNTS["fluent-bit"]
"""The ServiceAccount the chart creates and runs as (named explicitly: a cloud trusts this name)."""
POD_SELECTOR = {"app.kubernetes.io/name": "fluent-bit", "app.kubernetes.io/instance": RELEASE}
"""Labels the chart gives its pods (for NetworkPolicies)."""


def data_stream(environment: str) -> str:
    return f"logs-kubernetes-{environment}"


def host_and_port(url: str) -> tuple[str, int]:
    """`https://h:9200` -> (`h`, 9200)."""
    rest = url.split("://", 1)[-1].rstrip("/")
    host, _, port = rest.partition(":")
    return host, int(port or 443)


def config(es_url: str, environment: str, log_level: str, sink: Optional[str] = None) -> dict[str, str]:
    """Fluent Bit's configuration sections; `sink`: the cloud's `[OUTPUT]` (LogSink.fluent_bit_output)."""
    host, port = host_and_port(es_url)
    return {
        "service": "\n".join([
            "[SERVICE]",
            "    Daemon Off",
            "    Flush 5",
            f"    Log_Level {log_level}",
            "    Parsers_File /fluent-bit/etc/parsers.conf",
            "    HTTP_Server On",
            "    HTTP_Listen 0.0.0.0",
            f"    HTTP_Port {METRICS_PORT}",
            "    Health_Check On",
            f"    storage.path {STATE_DIR}/buffer",
            "    storage.sync normal",
            "    storage.backlog.mem_limit 16M",
            "",
        ]),
        "inputs": "\n".join([
            "[INPUT]",
            "    Name tail",
            "    Path /var/log/containers/*.log",
            f"    Exclude_Path /var/log/containers/{RELEASE}-*_{LOGGING}_*.log",
            "    multiline.parser cri, docker",
            f"    Tag {FLUENT_BIT_TAG}",
            "    Mem_Buf_Limit 50MB",
            "    Skip_Long_Lines On",
            "    Refresh_Interval 10",
            f"    DB {STATE_DIR}/tail.db",
            "    storage.type filesystem",
            "",
        ]),
        "filters": "\n".join([
            "[FILTER]",
            "    Name kubernetes",
            f"    Match {FLUENT_BIT_TAG}",
            # Apps' JSON is kept as the `log` string: merging it would let two apps' fields with
            # different types make Elasticsearch reject documents (mapping conflicts).
            "    Merge_Log Off",
            "    Keep_Log On",
            "    K8S-Logging.Exclude On",
            "    Labels On",
            "    Annotations Off",
            "",
        ]),
        "outputs": "\n".join([
            "[OUTPUT]",
            "    Name es",
            f"    Match {FLUENT_BIT_TAG}",
            f"    Host {host}",
            f"    Port {port}",
            "    HTTP_User ${ES_USER}",
            "    HTTP_Passwd ${ES_PASSWORD}",
            "    tls On",
            "    tls.verify On",
            f"    tls.ca_file {CA_DIR}/ca.crt",
            f"    tls.vhost {host}",
            f"    Index {data_stream(environment)}",
            "    Write_Operation create",
            "    Suppress_Type_Name On",
            "    Replace_Dots On",
            "    Trace_Error On",
            "    Buffer_Size 512KB",
            "    Retry_Limit 20",
            "    storage.total_limit_size 2G",
            "",
        ]) + (sink or ""),
    }


def fluent_bit_values(es_url: str, environment: str, log_level: str, service_monitor: bool, *, sink: Optional[str] = None,
                      service_account_annotations: Optional[Mapping[str, str]] = None,
                      pod_labels: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    return {
        **({"podLabels": dict(pod_labels)} if pod_labels else {}),
        "kind": "DaemonSet",
        "config": config(es_url, environment, log_level, sink),
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT.name, "annotations": dict(service_account_annotations or {})},
        "env": [
            {"name": "ES_USER", "valueFrom": {"secretKeyRef": {"name": CREDENTIALS_SECRET, "key": "username"}}},
            {"name": "ES_PASSWORD", "valueFrom": {"secretKeyRef": {"name": CREDENTIALS_SECRET, "key": "password"}}},
        ],
        "resources": kube.resources("50m", "64Mi", "500m", "256Mi"),
        "podSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": {
            "runAsUser": 0, "runAsNonRoot": False, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
            "privileged": False, "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"},
        },
        "tolerations": [{"operator": "Exists", "effect": "NoSchedule"}],  # every node's logs, control plane included
        "priorityClassName": "system-node-critical",
        "daemonSetVolumes": [
            {"name": "varlog", "hostPath": {"path": "/var/log"}},
            {"name": "varlibdockercontainers", "hostPath": {"path": "/var/lib/docker/containers"}},
            {"name": "state", "hostPath": {"path": STATE_DIR, "type": "DirectoryOrCreate"}},
        ],
        "daemonSetVolumeMounts": [
            {"name": "varlog", "mountPath": "/var/log", "readOnly": True},
            {"name": "varlibdockercontainers", "mountPath": "/var/lib/docker/containers", "readOnly": True},
            {"name": "state", "mountPath": STATE_DIR},
        ],
        "extraVolumes": [{"name": "elasticsearch-ca", "secret": {"secretName": CA_BUNDLE_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]}}],
        "extraVolumeMounts": [{"name": "elasticsearch-ca", "mountPath": CA_DIR, "readOnly": True}],
        "serviceMonitor": {"enabled": service_monitor},
        "testFramework": {"enabled": False},
    }


def install_fluent_bit(parent: pulumi.Resource, ctx: PlatformContext, *, es_url: pulumi.Input[str], username: str, password: pulumi.Input[str],
                       log_level: str, service_monitor: bool, namespace: pulumi.Resource,
                       depends_on: Sequence[pulumi.Resource], log_sink: Optional[LogSink] = None,
                       ) -> tuple[k8s.helm.v3.Release, pulumi.Resource]:
    """Fluent Bit shipping to Elasticsearch and, with `log_sink`, to the cloud's log service as
    well (`ctx.identity("fluent-bit")`: the cloud identity allowed to write there, on its
    ServiceAccount and pods)."""
    provider, environment, identity = ctx.provider, ctx.environment, ctx.identity("fluent-bit")
    creds = platform_secret(CREDENTIALS_SECRET, LOGGING, {"username": username, "password": password}, ctx,
                            parent=parent, labels=kube.labels("fluent-bit", "credentials"),
                            type_="kubernetes.io/basic-auth", depends_on=[namespace], resource_name="fluent-bit-elasticsearch")
    release = helm.release(
        RELEASE, chart=chart("fluent-bit"), namespace=LOGGING,
        values=pulumi.Output.all(
            es_url, log_sink.fluent_bit_output if log_sink else None, dict(identity.service_account_annotations),
        ).apply(lambda a: fluent_bit_values(
            a[0], environment, log_level, service_monitor, sink=a[1], service_account_annotations=a[2], pod_labels=identity.pod_labels)),
        provider=provider, parent=parent, depends_on=[namespace, creds, *depends_on],
    )
    return release, creds
