"""Dremio on Kubernetes: master coordinator + executors (+ ZooKeeper ensemble), typed manifests.

See docs/dremio.md. Consumes the object store from the data-services result (never a
hard-coded MinIO name) and hands the ingress a `UiBackend` and the network policies the pod
selectors in `DremioResult`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

import kube
from components.apps.ui import UiBackend
from components.backups.scheduled import ScheduledBackup
from components.context import PlatformContext
from components.data_services.result import CLIENT_SECRET_KEY, ObjectStoreResult
from components.secrets import PlatformSecret, platform_secret
from foundation import WORKLOAD_SERVICE_ACCOUNTS
from settings.cron import dst_minutes, max_gap_minutes
from settings.sections.dremio import DremioSettings

from . import azure_storage, bootstrap, catalog_backup, gcs, lake_source, s3_identity, services, statefulsets
from .config import (
    CLIENT_PORT,
    FLIGHT_PORT,
    WEB_PORT,
    S3Access,
    dist_uri,
    render_core_site,
    render_dremio_conf,
    zookeeper_connect,
)
from .zookeeper import ZooKeeper, ZooKeeperArgs

APP = "dremio"
BOOTSTRAP_APP = "dremio-bootstrap"
ADMIN_USER = "dpadmin"
DBT_USER = "dbt"
SUPERSET_USER = "superset"
SOURCE_IMAGE = "python:3.12.8-alpine3.21"
"""The bootstrap Job's lake-source step (lake_source.REGISTER_SCRIPT: standard library only)."""


@dataclass(frozen=True)
class DremioArgs:
    ctx: PlatformContext
    """The stack's shared values. `ctx.protect` goes on the master coordinator and ZooKeeper
    StatefulSets (the KV store holds Dremio's catalog; their PVCs are retained on delete either
    way); `ctx.identity("dremio")` (object store access) on the ServiceAccount and the server
    pods (the only pods that run as it); `ctx.interruptible` is what the executors tolerate and
    prefer when dremio.executorsInterruptible."""
    namespace: k8s.core.v1.Namespace
    namespace_name: str
    settings: DremioSettings
    object_store: ObjectStoreResult
    depends_on: Sequence[pulumi.Resource] = ()
    catalog_backup_schedule: Optional[str] = None
    catalog_backup_time_zone: str = "Etc/UTC"
    """backups.timeZone: the CronJob's spec.timeZone."""
    """Cron (UTC) of the catalog backup CronJob (backups.configSchedule); None: no CronJob."""


@dataclass(frozen=True)
class DremioResult:
    """What other components need from Dremio (ingress, dbt, Superset, network policies)."""

    host: str
    """Client Service DNS name (UI/REST 9047, ODBC/JDBC 31010, Arrow Flight 32010)."""
    web_port: int
    client_port: int
    flight_port: int
    ui: UiBackend
    coordinator_selector: Mapping[str, str]
    executor_selector: Mapping[str, str]
    all_selector: Mapping[str, str]
    """Every Dremio server pod (coordinator and executors)."""
    zookeeper_selector: Optional[Mapping[str, str]]
    """None when ZooKeeper is embedded in the master (dev)."""
    bootstrap_selector: Mapping[str, str]
    dbt_username: str
    dbt_secret: str
    """Secret in the apps namespace with `username`/`password` of the dbt service user."""
    dbt_password: pulumi.Output[str]
    admin_secret: str
    superset_secret: str
    """Secret in the apps namespace with `username`/`password` of the Superset service user."""
    lake_source: Optional[str] = None
    """Name of the Dremio source over the lake buckets, when the bootstrap registers one."""
    catalog_backup_selector: Optional[Mapping[str, str]] = None
    """Pods of the catalog backup CronJob (a client of the master's REST API), when it exists."""
    catalog_backup: Optional[ScheduledBackup] = None
    """The catalog backup CronJob, for its alerts, when it exists."""
    ui_paths: tuple[tuple[str, UiBackend], ...] = ()
    """Extra paths on its host (none: the coordinator's UI Service serves everything)."""


def _password(name: str, parent: pulumi.Resource) -> random.RandomPassword:
    # Dremio's rule: at least 8 characters with letters and digits. Alphanumeric keeps JSON/shell quoting trivial.
    return random.RandomPassword(name, length=32, special=False, min_numeric=4, min_upper=2, min_lower=2,
                                 opts=pulumi.ResourceOptions(parent=parent))


class Dremio(pulumi.ComponentResource):
    result: DremioResult

    def __init__(self, name: str, args: DremioArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:apps:Dremio", name, None, opts)
        s, ctx = args.settings, args.ctx
        identity = ctx.identity("dremio")
        ns, ns_name = args.namespace.metadata["name"], args.namespace_name
        child = kube.child(self, ctx.provider, depends_on=list(args.depends_on))

        coordinator_sel = kube.selector(APP, "coordinator")
        executor_sel = kube.selector(APP, "executor")
        all_sel = kube.selector(APP)

        # --- ZooKeeper ---
        cluster_dns = f"{services.CLUSTER_SERVICE}.{ns_name}.svc.cluster.local"
        self.zookeeper: Optional[ZooKeeper] = None
        if s.embedded_zookeeper:
            zk_hosts = [f"dremio-master-0.{cluster_dns}"]
        else:
            self.zookeeper = ZooKeeper("dremio-zookeeper", ZooKeeperArgs(
                ctx=ctx, namespace=ns, namespace_name=ns_name, replicas=s.zookeeper_replicas, image=s.zookeeper_image,
                volume_size=s.zookeeper_volume_size, read_only_root=s.read_only_root_filesystem,
            ), child)
            zk_hosts = self.zookeeper.hosts
        zk = zookeeper_connect(zk_hosts)

        # --- configuration ---
        store = args.object_store
        bucket = store.buckets.get(s.dist_bucket)
        if bucket is None:
            raise ValueError(f"the object store has no '{s.dist_bucket}' bucket for Dremio (has: {', '.join(sorted(store.buckets))})")
        static_keys = store.credentials_secret is not None
        on_gcs = store.kind == "gcs"
        on_azure = store.kind == "adls"
        oauth = store.oauth
        if on_azure and oauth is None:
            raise ValueError("Dremio reads Azure Storage only as an OAuth client: the object store gives it none (ObjectStore.oauth_clients)")
        scheme = gcs.SCHEME if on_gcs else "dremioS3"

        def dist(container: str) -> str:
            return azure_storage.dist_uri(container, s.dist_path) if on_azure else dist_uri(container, s.dist_path, scheme)

        def access(a: list) -> S3Access | gcs.GcsAccess | azure_storage.AzureAccess:
            if on_gcs:  # Workload Identity: Application Default Credentials, no key
                return gcs.GcsAccess(project=store.project or "", buckets=(a[0],))
            if on_azure:  # an Entra application: client id and endpoint here, the secret from the pod environment
                return azure_storage.AzureAccess(account=a[2], containers=(a[0],), client_id=a[3], token_endpoint=a[4])
            return S3Access(endpoint=a[1], path_style=store.path_style, region=store.region or None,
                            static_keys=static_keys, credentials_provider=s.s3_credentials_provider)

        # Without keys, on S3, Dremio's S3 clients use the pod's identity through s3_identity.py.
        keyless = s.s3_credentials_provider if not static_keys and store.kind == "s3" else None
        oauth_inputs = [store.account, oauth.client_id, oauth.token_endpoint] if oauth is not None else []
        files = pulumi.Output.all(bucket, store.endpoint, *oauth_inputs).apply(lambda a: {
            "dremio.conf": render_dremio_conf(dist(a[0])),
            "core-site.xml": render_core_site(access(a)),
        })
        self.config_map = k8s.core.v1.ConfigMap(
            "dremio-config",
            metadata={"name": "dremio-config", "namespace": ns, "labels": kube.labels(APP, "config")},
            data=files,
            opts=child,
        )
        config_checksum = files.apply(statefulsets.checksum)

        self.service_account = k8s.core.v1.ServiceAccount(
            "dremio",
            metadata={"name": WORKLOAD_SERVICE_ACCOUNTS["dremio"].name, "namespace": ns, "labels": kube.labels(APP),
                      "annotations": dict(identity.service_account_annotations)},
            automount_service_account_token=False,
            opts=child,
        )

        # --- Services ---
        self.cluster_service = k8s.core.v1.Service(
            services.CLUSTER_SERVICE,
            metadata={"name": services.CLUSTER_SERVICE, "namespace": ns, "labels": kube.labels(APP, "cluster")},
            spec=services.cluster_spec(all_sel, s.embedded_zookeeper),
            opts=child,
        )
        self.client_service = k8s.core.v1.Service(
            services.CLIENT_SERVICE,
            metadata={"name": services.CLIENT_SERVICE, "namespace": ns, "labels": kube.labels(APP, "coordinator")},
            spec=services.client_spec(coordinator_sel),
            opts=child,
        )

        def pod(role, cpu_req, cpu_lim, mem_req, mem_lim, memory, selector, labels, required):
            return statefulsets.PodInputs(
                role=role, image=s.image, zookeeper=zk, embedded_zookeeper=s.embedded_zookeeper, memory=memory,
                cpu_request=cpu_req, cpu_limit=cpu_lim, memory_request=mem_req, memory_limit=mem_lim,
                config_map=self.config_map.metadata["name"], config_checksum=config_checksum,
                credentials_secret=store.credentials_secret, service_account=self.service_account.metadata["name"],
                read_only_root=s.read_only_root_filesystem, selector=selector, labels={**labels, **identity.pod_labels},
                required_anti_affinity=required,
                heap_dumps=s.heap_dumps, aws_profile=s3_identity.uses_profile(keyless), region=store.region or None,
                oauth_secret=oauth.secret if oauth is not None else None,
                oauth_secret_version=oauth.secret_version if oauth is not None else "",
            )

        sts_opts = kube.child(self, ctx.provider, depends_on=[*args.depends_on, self.cluster_service, self.config_map])
        retain = {"when_deleted": "Retain", "when_scaled": "Retain"}
        master = pod("master", s.coordinator_cpu_request, s.coordinator_cpu_limit, s.coordinator_memory_request,
                     s.coordinator_memory_limit, s.coordinator_memory(), coordinator_sel, kube.labels(APP, "coordinator"), False)
        self.master = k8s.apps.v1.StatefulSet(
            "dremio-master",
            metadata={"name": "dremio-master", "namespace": ns, "labels": kube.labels(APP, "coordinator")},
            spec={
                "service_name": services.CLUSTER_SERVICE,
                "replicas": 1,  # Dremio OSS has exactly one master coordinator
                "pod_management_policy": "OrderedReady",
                "selector": {"match_labels": dict(coordinator_sel)},
                "persistent_volume_claim_retention_policy": retain,
                "template": statefulsets.pod_template(master),
                "volume_claim_templates": [statefulsets.claim(s.coordinator_volume_size, ctx.storage.fast_ssd, kube.labels(APP, "coordinator"))],
            },
            opts=pulumi.ResourceOptions.merge(sts_opts, pulumi.ResourceOptions(protect=ctx.protect)),
        )
        executor = pod("executor", s.executor_cpu_request, s.executor_cpu_limit, s.executor_memory_request,
                       s.executor_memory_limit, s.executor_memory(), executor_sel, kube.labels(APP, "executor"), False)
        self.executors = k8s.apps.v1.StatefulSet(
            "dremio-executor",
            metadata={"name": "dremio-executor", "namespace": ns, "labels": kube.labels(APP, "executor")},
            spec={
                "service_name": services.CLUSTER_SERVICE,
                "replicas": s.executors,
                "pod_management_policy": "Parallel",
                "selector": {"match_labels": dict(executor_sel)},
                "persistent_volume_claim_retention_policy": retain,
                "template": statefulsets.pod_template(executor, pool=ctx.interruptible if s.executors_interruptible else None),
                "volume_claim_templates": [statefulsets.claim(s.executor_volume_size, ctx.storage.fast_ssd, kube.labels(APP, "executor"))],
            },
            opts=sts_opts,
        )
        self.executor_pdb = k8s.policy.v1.PodDisruptionBudget(
            "dremio-executor",
            metadata={"name": "dremio-executor", "namespace": ns, "labels": kube.labels(APP, "executor")},
            spec={"max_unavailable": 1, "selector": {"match_labels": dict(executor_sel)}},
            opts=child,
        )

        # --- users: the first admin and the dbt service user ---
        admin_pw = _password("dremio-admin", self)
        dbt_pw = _password("dremio-dbt", self)
        superset_pw = _password("dremio-superset", self)
        self.admin_secret = self._login_secret("dremio-admin", ADMIN_USER, admin_pw.result, ns_name, args)
        self.dbt_secret = self._login_secret("dremio-dbt", DBT_USER, dbt_pw.result, ns_name, args)
        self.superset_secret = self._login_secret("dremio-superset", SUPERSET_USER, superset_pw.result, ns_name, args)
        # The lake source: with the store's keys (the Job adds them), or with the same keyless
        # identity as the distributed store (workload identity; on GCS `authMode` AUTO).
        lake = [b for b in lake_source.LAKE_BUCKETS if b in store.buckets]
        self.lake_source_body: Optional[pulumi.Output] = None
        if s.bootstrap_admin and on_gcs and lake:
            self.lake_source_body = pulumi.Output.all(*[store.buckets[b] for b in lake]).apply(
                lambda a: lake_source.source_body(gcs.source_config(project=store.project or "", buckets=a), source_type="GCS"))
        elif s.bootstrap_admin and on_azure and oauth is not None and lake:
            self.lake_source_body = pulumi.Output.all(store.account, oauth.client_id, oauth.token_endpoint, *[store.buckets[b] for b in lake]).apply(
                lambda a: lake_source.source_body(azure_storage.source_config(account=a[0], client_id=a[1], token_endpoint=a[2], containers=a[3:]),
                                                  source_type=azure_storage.SOURCE_TYPE))
        elif s.bootstrap_admin and lake and (static_keys or keyless):
            self.lake_source_body = pulumi.Output.all(store.endpoint, *[store.buckets[b] for b in lake]).apply(
                lambda a: lake_source.source_body(lake_source.source_config(
                    endpoint=a[0], path_style=store.path_style, region=store.region or None, buckets=a[1:],
                    keyless_provider=keyless)))
        host = f"{services.CLIENT_SERVICE}.{ns_name}.svc.cluster.local"
        bootstrap_sel = kube.selector(BOOTSTRAP_APP)
        self.bootstrap_job: Optional[k8s.batch.v1.Job] = None
        if s.bootstrap_admin:
            self.bootstrap_job = self._bootstrap(s, ns, host, args)
        # The catalog backup logs in as the admin the bootstrap Job creates.
        self.catalog_backup: Optional[k8s.batch.v1.CronJob] = None
        self.catalog_backup_name = catalog_backup.APP
        if s.bootstrap_admin and args.catalog_backup_schedule:
            self.catalog_backup = k8s.batch.v1.CronJob(
                catalog_backup.APP,
                metadata={"name": catalog_backup.APP, "namespace": ns, "labels": kube.labels(catalog_backup.APP, "backup")},
                spec=catalog_backup.cron_spec(
                    schedule=args.catalog_backup_schedule, time_zone=args.catalog_backup_time_zone, image=s.bootstrap_image, master_host=f"dremio-master-0.{cluster_dns}",
                    backup_path=pulumi.Output.from_input(bucket).apply(lambda b: catalog_backup.backup_dir(dist(b))),
                    admin_secret=self.admin_secret),
                opts=kube.child(self, ctx.provider, depends_on=[self.admin_secret]),
            )

        self.result = DremioResult(
            host=host, web_port=WEB_PORT, client_port=CLIENT_PORT, flight_port=FLIGHT_PORT,
            ui=UiBackend(service=self.client_service.metadata["name"], port=WEB_PORT, selector=dict(coordinator_sel), target_port=WEB_PORT),
            coordinator_selector=coordinator_sel, executor_selector=executor_sel, all_selector=all_sel,
            zookeeper_selector=self.zookeeper.selector if self.zookeeper else None, bootstrap_selector=bootstrap_sel,
            dbt_username=DBT_USER, dbt_secret="dremio-dbt", dbt_password=dbt_pw.result, admin_secret="dremio-admin",
            superset_secret="dremio-superset", lake_source=lake_source.SOURCE_NAME if self.lake_source_body is not None else None,
            catalog_backup_selector=catalog_backup.SELECTOR if self.catalog_backup is not None else None,
            catalog_backup=(ScheduledBackup(ns_name, self.catalog_backup_name, max_gap_minutes(args.catalog_backup_schedule) + dst_minutes(args.catalog_backup_time_zone))
                            if self.catalog_backup is not None and args.catalog_backup_schedule else None),
        )
        self.ui = self.result.ui
        self.register_outputs({
            "host": host,
            "ui": self.client_service.metadata["name"],
            "executors": s.executors,
            "zookeeper": zk,
            "adminSecret": self.admin_secret.metadata["name"],
            "dbtSecret": self.dbt_secret.metadata["name"],
        })

    def _login_secret(self, name, user, password, ns_name: str, args: DremioArgs) -> PlatformSecret:
        return platform_secret(
            name, ns_name, {"username": user, "password": password}, args.ctx,
            parent=self, labels=kube.labels(APP, "credentials"), type_="kubernetes.io/basic-auth",
            # Generated credentials: they need the namespace, not the data services Dremio waits for.
            depends_on=[args.namespace], resource_name=name,
        )

    def _bootstrap(self, s: DremioSettings, ns, host: str, args: DremioArgs) -> k8s.batch.v1.Job:
        labels = kube.labels(BOOTSTRAP_APP, "bootstrap")
        users_env = [
            {"name": "DREMIO_HOST", "value": host},
            kube.secret_env("ADMIN_USER", self.admin_secret, "username"),
            kube.secret_env("ADMIN_PASSWORD", self.admin_secret, "password"),
            {"name": "ADMIN_EMAIL", "value": f"admin@{args.ctx.domain}"},
            kube.secret_env("DBT_USER", self.dbt_secret, "username"),
            kube.secret_env("DBT_PASSWORD", self.dbt_secret, "password"),
            {"name": "DBT_EMAIL", "value": f"dbt@{args.ctx.domain}"},
            kube.secret_env("SUPERSET_USER", self.superset_secret, "username"),
            kube.secret_env("SUPERSET_PASSWORD", self.superset_secret, "password"),
            {"name": "SUPERSET_EMAIL", "value": f"superset@{args.ctx.domain}"},
        ]
        resources = kube.resources("50m", "64Mi", "200m", "128Mi")
        main: dict[str, Any]
        if self.lake_source_body is None:
            main = dict(container="bootstrap", image=s.bootstrap_image, script=bootstrap.SCRIPT, env=users_env,
                        interpreter=("/bin/sh", "-c"), pod_extra={})
        else:
            # Step 1 (init container): first admin and service users. Step 2: the lake source.
            users = {
                "name": "users", "image": s.bootstrap_image, "command": ["/bin/sh", "-c", bootstrap.SCRIPT], "env": users_env,
                "resources": resources, "security_context": kube.container_security(read_only_root=True),
                "volume_mounts": [{"name": "tmp", "mount_path": "/tmp"}],
            }
            store = args.object_store
            source_env = [
                {"name": "DREMIO_HOST", "value": host},
                {"name": "DREMIO_PORT", "value": str(WEB_PORT)},
                kube.secret_env("ADMIN_USER", self.admin_secret, "username"),
                kube.secret_env("ADMIN_PASSWORD", self.admin_secret, "password"),
                {"name": "LAKE_SOURCE", "value": self.lake_source_body.apply(lambda b: json.dumps(b, sort_keys=True))},
                *([kube.secret_env("LAKE_ACCESS_KEY", store.credentials_secret, "accessKeyId"),
                   kube.secret_env("LAKE_SECRET_KEY", store.credentials_secret, "secretAccessKey")] if store.credentials_secret else []),
                # The client secret, and its version: a rotated secret changes the Job (immutable), so
                # Pulumi replaces it and the source is re-registered with the new secret.
                *([kube.secret_env("LAKE_CLIENT_SECRET", store.oauth.secret, CLIENT_SECRET_KEY),
                   {"name": "LAKE_CLIENT_SECRET_KEY_ID", "value": store.oauth.secret_version}] if store.oauth is not None else []),
                {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
            ]
            main = dict(container="lake-source", image=SOURCE_IMAGE, script=lake_source.register_script(client_secret=store.oauth is not None), env=source_env,
                        interpreter=("python", "-c"), pod_extra={"init_containers": [users]})
        spec = kube.script_job_spec(
            labels=labels, container=main["container"], image=main["image"], script=main["script"],
            interpreter=main["interpreter"], uid=bootstrap.UID, gid=bootstrap.GID, env=main["env"], resources=resources,
            backoff_limit=20, deadline_seconds=3600, pod_extra={"enable_service_links": False, **main["pod_extra"]},
        )
        return k8s.batch.v1.Job(
            "dremio-bootstrap",
            metadata={
                "name": "dremio-bootstrap", "namespace": ns, "labels": labels,
                # Dremio takes minutes to start: don't hold `pulumi up` on the Job.
                "annotations": {"pulumi.com/skipAwait": "true"},
            },
            spec=spec,
            opts=kube.child(self, args.ctx.provider, depends_on=[self.client_service, self.admin_secret, self.dbt_secret, self.superset_secret]),
        )
