"""PostgreSQL in the cluster with CloudNativePG: operator, `Cluster`, per-app databases and roles,
PgBouncer `Pooler`, and backups through the Barman Cloud plugin: an `ObjectStore` (where, and the
retention), the plugin as the Cluster's WAL archiver, a daily `ScheduledBackup` (`method: plugin`),
and a restore path in config (`postgres.restoreFrom`: `bootstrap.recovery` from the plugin).

The in-tree `barmanObjectStore` is deprecated since CloudNativePG 1.26 and removed in 1.28; the
plugin reads the same archive layout, so a cluster that archived in-tree keeps its history.

CloudNativePG sets the PostgreSQL pods' probes and restricted security context itself (uid 26,
no privilege escalation, all capabilities dropped); this component pins what it lets us choose:
seccomp, anti-affinity, Guaranteed resources, and the pooler's container settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_kubernetes as k8s

import kube
from foundation import NO_IDENTITY, WORKLOAD_SERVICE_ACCOUNTS, WorkloadIdentity
from kube.charts import chart
from kube.helm import release
from kube.namespaces import STORAGE
from settings.checks import duration_seconds, memory_bytes
from settings.cron import UTC, utc_schedule
from settings.sections import PostgresSettings

from ..context import PlatformContext
from .databases import DATABASES, ROLES, k8s_name, role_secret_name
from .logins import create_logins
from .operators import install_operator, restricted_values
from .pg_tuning import pg_memory_parameters, wal_keep_size
from .result import PostgresResult

CLUSTER = WORKLOAD_SERVICE_ACCOUNTS["postgres"].name  # CNPG names the instances' ServiceAccount after the Cluster
POOLER = "postgres-pooler-rw"
API = "postgresql.cnpg.io/v1"
OPERATOR_NAMESPACE = "cnpg-system"
PLUGIN = "barman-cloud.cloudnative-pg.io"
"""The Barman Cloud plugin's CNPG-I name (Cluster `spec.plugins`, ScheduledBackup, externalClusters)."""
BARMAN_API = "barmancloud.cnpg.io/v1"
OBJECT_STORE = "postgres-backups"
RESTORE_SOURCE = "origin"
BOOTSTRAP_DB = DATABASES[0]  # created by initdb; the others by `Database` resources


def cnpg_schedule(cron5: str) -> str:
    """A five-field cron -> CloudNativePG's six-field form (seconds first): `0 0 * * *` -> `0 0 0 * * *`."""
    return "0 " + cron5


def svc_host(name: str) -> str:
    return f"{name}.{STORAGE}.svc.cluster.local"


@dataclass(frozen=True)
class BackupStore:
    """Where WAL and base backups go (barman-cloud object store)."""

    destination_path: pulumi.Input[str]
    endpoint_url: Optional[pulumi.Input[str]] = None
    credentials_secret: Optional[str] = None
    """Secret in data-storage with ACCESS_KEY_ID / ACCESS_SECRET_KEY; None: workload identity."""
    provider: str = "s3"  # s3 | gcs | azure
    identity: WorkloadIdentity = NO_IDENTITY
    """Foundation.identity("postgres"): on the Cluster's ServiceAccount (serviceAccountTemplate)
    and, through `inheritedMetadata`, on the instance pods where the plugin's sidecar archives."""
    ready: Sequence[pulumi.Resource] = ()

    def configuration(self) -> dict:
        """The `ObjectStore` `spec.configuration`: the same schema as the in-tree barmanObjectStore."""
        out: dict = {"destinationPath": self.destination_path, "wal": {"compression": "gzip", "maxParallel": 4}, "data": {"compression": "gzip"}}
        if self.endpoint_url:
            out["endpointURL"] = self.endpoint_url
        if self.provider == "gcs":
            out["googleCredentials"] = {"gkeEnvironment": True}
        elif self.provider == "azure":
            # barman-cloud's managed-identity credential: with Azure workload identity's token
            # file in the pod (the `azure.workload.identity/use` label) it exchanges that token.
            out["azureCredentials"] = {"inheritFromAzureAD": True}
        elif self.credentials_secret:
            out["s3Credentials"] = {
                "accessKeyId": {"name": self.credentials_secret, "key": "ACCESS_KEY_ID"},
                "secretAccessKey": {"name": self.credentials_secret, "key": "ACCESS_SECRET_KEY"},
            }
        else:
            out["s3Credentials"] = {"inheritFromIAMRole": True}
        return out


@dataclass(frozen=True)
class CloudNativePgArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    settings: PostgresSettings
    backup: Optional[BackupStore]
    """None: no archiving (only when the object store offers no supported target)."""
    backup_time_zone: str = UTC
    """backups.timeZone: the ScheduledBackup knows only UTC, so the schedule is moved there."""
    depends_on: Sequence[pulumi.Resource] = ()


def parameters(s: PostgresSettings) -> dict[str, str]:
    """postgresql.conf: the seed's tuning scaled to the instance memory, plus connection limits."""
    return {
        **pg_memory_parameters(memory_bytes(s.memory)),
        "max_connections": str(s.max_connections),
        # Bounds what a lost cluster loses: settings/recovery.py checks it against backups.rpo.
        "archive_timeout": f"{duration_seconds(s.archive_timeout)}s",
        "wal_keep_size": wal_keep_size(memory_bytes(s.wal_storage_size)),
        "password_encryption": "scram-sha-256",
        "log_min_duration_statement": "1000",
    }


def synchronous(s: PostgresSettings) -> Optional[dict]:
    """Quorum-based synchronous replication (CloudNativePG >= 1.24 `postgresql.synchronous`):
    `number` standbys out of all replicas must confirm each commit. `required` durability: with
    no standby available, writes wait rather than silently lose the guarantee."""
    if not s.synchronous_replicas:
        return None
    return {"method": "any", "number": s.synchronous_replicas, "dataDurability": "required"}


class CloudNativePg(pulumi.ComponentResource):
    result: PostgresResult

    def __init__(self, name: str, args: CloudNativePgArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:data:CloudNativePg", name, None, opts)
        s, p = args.settings, args.ctx.provider
        self.operator = install_operator(
            self, p, name="cnpg", namespace=OPERATOR_NAMESPACE, chart=chart("cloudnative-pg"), environment=args.ctx.environment,
            depends_on=args.depends_on,
            values={
                "crds": {"create": True},
                "config": {"clusterWide": True},
                "monitoring": {"podMonitorEnabled": False},
                "resources": kube.resources("100m", "128Mi", "500m", "512Mi"),
                **restricted_values("podSecurityContext", "containerSecurityContext"),
            },
        )
        logins, role_secrets, _ = create_logins(self, args.ctx, args.depends_on)
        after_operator = [self.operator, *role_secrets, *args.depends_on]
        if args.backup:
            after_operator += list(args.backup.ready)
        self._args = args
        self.plugin: Optional[k8s.helm.v3.Release] = None
        self.object_store: Optional[k8s.apiextensions.CustomResource] = None
        self.scheduled_backup: Optional[k8s.apiextensions.CustomResource] = None

        spec: dict = {
            "instances": s.instances,
            "imageName": s.image,
            "primaryUpdateStrategy": "unsupervised",
            "primaryUpdateMethod": "switchover" if s.instances > 1 else "restart",
            # A PDB on a lone primary would block every node drain (dev); with replicas it keeps one up.
            "enablePDB": s.instances > 1,
            "enableSuperuserAccess": False,
            "seccompProfile": {"type": "RuntimeDefault"},
            "postgresql": {"parameters": parameters(s)},
            "bootstrap": bootstrap(s),
            "managed": {"roles": [
                {"name": r.name, "ensure": "present", "login": True, "createdb": r.createdb, "inherit": True,
                 "passwordSecret": {"name": role_secret_name(r.name)}}
                for r in ROLES
            ]},
            "storage": {"size": s.storage_size, **_class(args.ctx.storage.fast_ssd)},
            "walStorage": {"size": s.wal_storage_size, **_class(args.ctx.storage.fast_ssd)},
            "resources": kube.resources(s.cpu, s.memory, s.cpu, s.memory),
            "affinity": {"enablePodAntiAffinity": True, "topologyKey": "kubernetes.io/hostname", "podAntiAffinityType": s.anti_affinity},
            "inheritedMetadata": {"labels": {**kube.labels("postgres", "server"), **(args.backup.identity.pod_labels if args.backup else {})}},
        }
        sync = synchronous(s)
        if sync:
            spec["postgresql"]["synchronous"] = sync
        if s.restore_from:
            spec["externalClusters"] = [{"name": RESTORE_SOURCE, "plugin": plugin_ref(s.restore_from)}]
        if args.backup:
            spec["plugins"] = [{"isWALArchiver": True, **plugin_ref(s.server_name)}]
            if args.backup.identity.service_account_annotations:
                spec["serviceAccountTemplate"] = {"metadata": {"annotations": dict(args.backup.identity.service_account_annotations)}}

        self.cluster = k8s.apiextensions.CustomResource(
            "postgres-cluster", api_version=API, kind="Cluster",
            metadata={"name": CLUSTER, "namespace": STORAGE, "labels": kube.labels("postgres", "server")},
            spec=spec,
            # A new bootstrap (restoreFrom) only takes effect on a new cluster: replace it.
            opts=kube.child(self, p, depends_on=after_operator, protect=args.ctx.protect,
                            replace_on_changes=["spec.bootstrap", "spec.externalClusters"], delete_before_replace=True),
        )
        for db in DATABASES:
            if db == BOOTSTRAP_DB:
                continue
            k8s.apiextensions.CustomResource(
                f"postgres-db-{k8s_name(db.database)}", api_version=API, kind="Database",
                metadata={"name": f"{CLUSTER}-{k8s_name(db.database)}", "namespace": STORAGE, "labels": kube.labels("postgres", "database")},
                spec={"name": db.database, "owner": db.owner, "cluster": {"name": CLUSTER}, "ensure": "present", "databaseReclaimPolicy": "retain"},
                opts=kube.child(self, p, depends_on=[self.cluster], protect=args.ctx.protect),
            )
        pooler_labels = kube.labels("postgres", "pooler")
        self.pooler = k8s.apiextensions.CustomResource(
            "postgres-pooler", api_version=API, kind="Pooler",
            metadata={"name": POOLER, "namespace": STORAGE, "labels": pooler_labels},
            spec={
                "cluster": {"name": CLUSTER},
                "instances": s.pooler_instances,
                "type": "rw",
                "pgbouncer": {"poolMode": s.pool_mode, "parameters": {
                    "max_client_conn": str(s.max_client_conn),
                    "default_pool_size": str(s.default_pool_size),
                }},
                "template": {
                    "metadata": {"labels": pooler_labels},
                    "spec": {
                        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                        "containers": [{
                            "name": "pgbouncer",
                            "resources": kube.resources("100m", "128Mi", "1", "256Mi"),
                            "securityContext": kube.camel_keys(kube.container_security()),
                        }],
                    },
                },
            },
            opts=kube.child(self, p, depends_on=[self.cluster]),
        )
        self.result = PostgresResult(
            host=self.pooler.metadata.apply(lambda m: svc_host(m["name"])),
            port=5432,
            direct_host=self.cluster.metadata.apply(lambda m: svc_host(f"{m['name']}-rw")),
            direct_port=5432,
            sslmode="require",
            logins=logins,
            ca_secret=None,
            server_selector={"cnpg.io/cluster": CLUSTER, "cnpg.io/podRole": "instance"},
            pooler_selector={"cnpg.io/poolerName": POOLER},
            cluster_name=CLUSTER,
            operator_namespace=OPERATOR_NAMESPACE,
        )
        self.register_outputs({"host": self.result.host, "directHost": self.result.direct_host, "databases": [d.database for d in DATABASES]})


    def install_backups(self, cert_manager: Sequence[pulumi.Resource]) -> None:
        """The Barman Cloud plugin, its ObjectStore and the ScheduledBackup, once cert-manager is
        installed (the plugin chart issues the operator<->plugin TLS certificates with it; the edge
        installs cert-manager after the data services). The Cluster is created before them:
        CloudNativePG requeues a Cluster whose plugin is not registered yet, and the plugin
        requeues while its ObjectStore is missing, so it converges once both exist."""
        args = self._args
        if not args.backup:
            return
        p, s = args.ctx.provider, args.settings
        self.plugin = plugin = release(
            "barman-cloud", chart=chart("plugin-barman-cloud"), namespace=OPERATOR_NAMESPACE, provider=p, parent=self,
            depends_on=[self.operator, *cert_manager],
            values={
                "image": {"tag": BARMAN_PLUGIN_CHART_APP},
                "sidecarImage": {"tag": BARMAN_PLUGIN_CHART_APP},
                "resources": kube.resources("20m", "64Mi", "500m", "256Mi"),  # a controller that mostly waits
                **restricted_values("podSecurityContext", "containerSecurityContext"),
            },
        )
        self.object_store = object_store = k8s.apiextensions.CustomResource(
            "postgres-object-store", api_version=BARMAN_API, kind="ObjectStore",
            metadata={"name": OBJECT_STORE, "namespace": STORAGE, "labels": kube.labels("postgres", "backup")},
            spec=object_store_spec(args.backup, s),
            opts=kube.child(self, p, depends_on=[plugin, *args.backup.ready, *args.depends_on]),
        )
        self.scheduled_backup = k8s.apiextensions.CustomResource(
            "postgres-daily-backup", api_version=API, kind="ScheduledBackup",
            metadata={"name": f"{CLUSTER}-daily", "namespace": STORAGE, "labels": kube.labels("postgres", "backup")},
            spec={
                "schedule": cnpg_schedule(utc_schedule(s.backup_schedule, args.backup_time_zone)),
                "cluster": {"name": CLUSTER},
                "method": "plugin",
                "pluginConfiguration": {"name": PLUGIN},
                "backupOwnerReference": "self",
                "immediate": True,
            },
            opts=kube.child(self, p, depends_on=[self.cluster, object_store]),
        )


BARMAN_PLUGIN_CHART_APP = "v0.13.0"
"""The plugin and sidecar image tag of chart 0.7.0 (its appVersion), pinned rather than implied."""
SIDECAR_RESOURCES = ("100m", "128Mi", "1", "512Mi")
"""The barman-cloud sidecar in every instance pod: gzip of WAL and base backups is CPU-bound."""


def plugin_ref(server_name: str) -> dict:
    """The plugin and its parameters: which ObjectStore, and which folder (serverName) in it."""
    return {"name": PLUGIN, "parameters": {"barmanObjectName": OBJECT_STORE, "serverName": server_name}}


def object_store_spec(backup: BackupStore, s: PostgresSettings) -> dict:
    return {
        "configuration": backup.configuration(),
        "retentionPolicy": s.backup_retention,
        "instanceSidecarConfiguration": {"resources": kube.resources(*SIDECAR_RESOURCES)},
    }


def bootstrap(s: PostgresSettings) -> dict:
    """initdb for a new cluster, or recovery from the plugin's backups to a point in time."""
    if not s.restore_from:
        return {"initdb": {
            "database": BOOTSTRAP_DB.database,
            "owner": BOOTSTRAP_DB.owner,
            "secret": {"name": role_secret_name(BOOTSTRAP_DB.owner)},
            "dataChecksums": True,
        }}
    recovery: dict = {"source": RESTORE_SOURCE, "database": BOOTSTRAP_DB.database, "owner": BOOTSTRAP_DB.owner,
                      "secret": {"name": role_secret_name(BOOTSTRAP_DB.owner)}}
    if s.restore_target_time:
        # PostgreSQL timestamp form: CloudNativePG parses it with pq.ParseTimestamp (machinery ParseTargetTime) first.
        recovery["recoveryTarget"] = {"targetTime": s.restore_target_time.replace("T", " ").replace("Z", "+00")}
    return {"recovery": recovery}


def _class(name: Optional[str]) -> dict:
    return {"storageClass": name} if name else {}
