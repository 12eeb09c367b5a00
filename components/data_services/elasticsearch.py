"""Elasticsearch with ECK: the operator and one `Elasticsearch` resource.

ECK handles TLS (self-signed HTTP CA), the `elastic` user, the readiness probe (it sets no
liveness probe on purpose: a slow GC must not restart a data node), rolling upgrades and a
default PodDisruptionBudget. `vm.max_map_count` needs a privileged init container or a node
setting; instead mmap is off (`node.store.allow_mmap: false`): NIO file access, somewhat slower
on large indices, but no privileged pod (raise the sysctl on the nodes and set it back to true
for heavy search workloads).

Log shipping (components/observability/logs.py) gets its own least-privilege user, declared in
ECK's file realm: `fluent-bit` with the `log_writer` role (create documents in `logs-*` data
streams, nothing else). Its password is generated here and lives in the `kubernetes.io/basic-auth`
Secret ECK reads (`LOG_WRITER_SECRET`, data-storage); the observability layer copies it into the
`logging` namespace. The HTTP certificate is not ECK's self-signed one but `HTTP_CERT_SECRET`,
issued by cert-manager from the platform's Elasticsearch CA (components/observability/es_tls.py),
so pods in other namespaces can verify the server with a CA they can mount.

Snapshots (`backups.elasticsearchSnapshots`): the nodes get the `snapshots` S3 client of
es_snapshot_store.py (node settings, keys through `spec.secureSettings` or the ServiceAccount's
identity), or on Cloud Storage only the ServiceAccount (repository-gcs's default client); the
repository and its lifecycle policy are registered by components/backups/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

import kube
from kube.charts import chart
from kube.namespaces import STORAGE
from settings.checks import cpu_millis, memory_bytes
from settings.sections import ElasticsearchSettings

from ..context import PlatformContext
from ..secrets import platform_secret
from ..storage import StorageRoles
from .es_snapshot_store import SERVICE_ACCOUNT, SnapshotStore, client_settings, pod_identity, secure_settings
from .operators import install_operator, restricted_values
from .result import Credentials, ElasticsearchResult

NAME = "elasticsearch"
OPERATOR_NAMESPACE = "elastic-system"
UID = 1000
CLUSTER_LABEL = "elasticsearch.k8s.elastic.co/cluster-name"
HTTP_PORT = 9200
HTTP_SERVICE = f"{NAME}-es-http"
HTTP_CERT_SECRET = f"{NAME}-http-tls"
"""Secret (data-storage) with tls.crt/tls.key/ca.crt for the HTTP layer, written by cert-manager."""
LOG_WRITER = "fluent-bit"
LOG_WRITER_ROLE = "log_writer"
LOG_WRITER_SECRET = f"{NAME}-log-writer"
ROLES_SECRET = f"{NAME}-roles"
LOG_INDEX_PATTERN = "logs-*"


def roles_yaml() -> str:
    """File-realm roles: `log_writer` may only create documents (and auto-create the data stream)
    in `logs-*`: no read, no delete, no cluster privilege."""
    return (
        f"{LOG_WRITER_ROLE}:\n"
        "  cluster: []\n"
        "  indices:\n"
        f"    - names: [\"{LOG_INDEX_PATTERN}\"]\n"
        "      privileges: [\"create_doc\", \"auto_configure\"]\n"
    )


def heap(memory: str) -> str:
    """Half the container memory, in MiB (the JVM's -Xms/-Xmx): `2Gi` -> `1024m`."""
    return f"{memory_bytes(memory) // 2 // 2**20}m"


def node_sets(s: ElasticsearchSettings) -> list[tuple[str, int, list[str], str, str, str]]:
    """(name, count, roles, cpu, memory, storage) per node set: dedicated masters + data nodes,
    or nodes with every role when `masterNodes` is 0."""
    if s.master_nodes:
        return [
            ("master", s.master_nodes, ["master"], s.master_cpu, s.master_memory, s.master_storage_size),
            ("data", s.data_nodes, ["data", "ingest"], s.data_cpu, s.data_memory, s.data_storage_size),
        ]
    return [("default", s.data_nodes, ["master", "data", "ingest"], s.data_cpu, s.data_memory, s.data_storage_size)]


def double(cpu: str) -> str:
    """CPU limit: twice the request (bursts for merges and recovery)."""
    return f"{cpu_millis(cpu) * 2}m"


@dataclass(frozen=True)
class ElasticsearchArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    settings: ElasticsearchSettings
    snapshots: Optional[SnapshotStore] = None
    """Where the nodes may write snapshots (None: no repository client)."""
    depends_on: Sequence[pulumi.Resource] = ()


class Elasticsearch(pulumi.ComponentResource):
    result: ElasticsearchResult

    def __init__(self, name: str, args: ElasticsearchArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:data:Elasticsearch", name, None, opts)
        s, p = args.settings, args.ctx.provider
        self.snapshots = args.snapshots
        self.operator = install_operator(
            self, p, name="elastic-operator", namespace=OPERATOR_NAMESPACE, chart=chart("eck-operator"), environment=args.ctx.environment,
            depends_on=args.depends_on,
            values={
                "installCRDs": True,
                "resources": kube.resources("100m", "150Mi", "1", "1Gi"),
                "telemetry": {"disabled": True},
                **restricted_values("podSecurityContext", "securityContext"),
            },
        )
        self.cluster = k8s.apiextensions.CustomResource(
            "elasticsearch",
            api_version="elasticsearch.k8s.elastic.co/v1",
            kind="Elasticsearch",
            metadata={"name": NAME, "namespace": STORAGE, "labels": kube.labels("elasticsearch", "cluster")},
            spec={
                "version": s.version,
                "http": {"tls": {"certificate": {"secretName": HTTP_CERT_SECRET}}},
                "auth": {"fileRealm": [{"secretName": LOG_WRITER_SECRET}], "roles": [{"secretName": ROLES_SECRET}]},
                **({"secureSettings": secure_settings(args.snapshots)} if args.snapshots and secure_settings(args.snapshots) else {}),
                "nodeSets": [self._node_set(s, args.ctx.storage, args.snapshots, *ns) for ns in node_sets(s)],
            },
            opts=kube.child(self, p, depends_on=[self.operator, *args.depends_on, *self._log_writer(p, args), *self._snapshot_identity(p, args)],
                            protect=args.ctx.protect),
        )
        self.result = ElasticsearchResult(
            url=self.cluster.metadata.apply(lambda m: f"https://{m['name']}-es-http.{STORAGE}.svc:9200"),
            user_secret=f"{NAME}-es-elastic-user",
            ca_secret=f"{NAME}-es-http-certs-public",
            image=f"docker.elastic.co/elasticsearch/elasticsearch:{s.version}",
            log_writer=Credentials(self.log_writer_username, self.log_writer_password),
            operator_namespace=OPERATOR_NAMESPACE,
            ready=(self.cluster,),
            server_selector={CLUSTER_LABEL: NAME},
            port=9200,
        )
        self.register_outputs({"url": self.result.url, "nodes": sum(n[1] for n in node_sets(s))})

    def _log_writer(self, p: k8s.Provider, args: ElasticsearchArgs) -> list[pulumi.Resource]:
        """The log shippers' user (file realm, basic-auth Secret) and its role."""
        self.log_writer_password = random.RandomPassword(
            "elasticsearch-log-writer-password", length=32, special=False, opts=pulumi.ResourceOptions(parent=self)).result
        self.log_writer_username = LOG_WRITER
        labels = kube.labels("elasticsearch", "auth")
        return [
            platform_secret(LOG_WRITER_SECRET, STORAGE, {"username": LOG_WRITER, "password": self.log_writer_password, "roles": LOG_WRITER_ROLE},
                            args.ctx, parent=self, labels=labels, type_="kubernetes.io/basic-auth",
                            depends_on=args.depends_on, resource_name="elasticsearch-log-writer"),
            # No credential in it: a plain Secret everywhere.
            k8s.core.v1.Secret("elasticsearch-roles", metadata={"name": ROLES_SECRET, "namespace": STORAGE, "labels": labels},
                               string_data={"roles.yml": roles_yaml()}, opts=kube.child(self, p, depends_on=args.depends_on)),
        ]

    def _snapshot_identity(self, p: k8s.Provider, args: ElasticsearchArgs) -> list[pulumi.Resource]:
        """MinIO's users (the keys ECK puts in the keystore), or the nodes' ServiceAccount that
        carries the cloud identity (no token mounted but the projected one repository-s3 reads)."""
        store = args.snapshots
        if store is None:
            return []
        if not store.web_identity:
            return list(store.ready)
        return [k8s.core.v1.ServiceAccount(
            "elasticsearch-service-account",
            metadata={"name": SERVICE_ACCOUNT, "namespace": STORAGE, "labels": kube.labels("elasticsearch", "snapshots"),
                      "annotations": dict(store.identity.service_account_annotations)},
            automount_service_account_token=False, opts=kube.child(self, p, depends_on=args.depends_on))]

    @staticmethod
    def _node_set(s: ElasticsearchSettings, storage: StorageRoles, snapshots: Optional[SnapshotStore],
                  name: str, count: int, roles: list[str], cpu: str, memory: str, size: str) -> dict:
        pod_spec: dict = {
            "automountServiceAccountToken": False,
            "securityContext": kube.camel_keys(kube.pod_security(run_as_user=UID, fs_group=UID, run_as_group=UID)),
            "containers": [{
                "name": "elasticsearch",
                "env": [{"name": "ES_JAVA_OPTS", "value": f"-Xms{heap(memory)} -Xmx{heap(memory)}"}],
                "resources": kube.resources(cpu, memory, double(cpu), memory),
                "securityContext": kube.camel_keys(kube.container_security(read_only_root=True)),
            }],
        }
        config: dict = {"node.roles": roles, "node.store.allow_mmap": False}
        pod_labels = dict(snapshots.identity.pod_labels) if snapshots is not None and snapshots.web_identity else {}
        if snapshots is not None:
            config.update(client_settings(snapshots))
            pod_extra, container_extra = pod_identity(snapshots)
            pod_spec.update(pod_extra)
            pod_spec["containers"][0].update(container_extra)
        if s.anti_affinity == "required" and count > 1:
            pod_spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
                "labelSelector": {"matchLabels": {CLUSTER_LABEL: NAME, "elasticsearch.k8s.elastic.co/statefulset-name": f"{NAME}-es-{name}"}},
                "topologyKey": "kubernetes.io/hostname",
            }]}}
        return {
            "name": name,
            "count": count,
            "config": config,
            "podTemplate": {"metadata": {"labels": {**kube.labels("elasticsearch", name), **pod_labels}}, "spec": pod_spec},
            "volumeClaimTemplates": [{"metadata": {"name": "elasticsearch-data"}, "spec": storage.claim("fast-ssd", size)}],
        }
