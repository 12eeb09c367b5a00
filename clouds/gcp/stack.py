"""`build_foundation(settings)`: the GCP Foundation, one component per concern.

Order: explicit `gcp.Provider` (project/region from `gcp:project`/`gcp:region`, default labels on
every resource) -> Network -> GkeCluster (+ k8s Provider, StorageClasses) -> DataLake (Cloud
Storage, with objectStore native) + LakeIdentities (a Google service account per consumer, IAM
per bucket) -> Database (Cloud SQL) -> CloudLogging (the `_Default` log bucket's retention, when set) -> GlobalAlb (with
`loadBalancer: alb`; its Ingress and GKE objects are built by the platform's edge through
`Foundation.edge.l7`) -> Registry (Artifact Registry) -> ClusterServices (External Secrets on Secret Manager, the Cloud
SQL admin secret).
"""

from __future__ import annotations

from typing import Optional

import pulumi
from pulumi_gcp.provider import Provider

from foundation import EdgeFrontend, Foundation, KeyedContainer, ManagedDatabase, ObjectStore, SecretStore, StorageClasses, WorkloadIdentity
from settings import Settings
from settings.catalog_backups import catalog_backup_expiries

from .alb import GlobalAlb
from .cluster_services import ClusterServices, ClusterServicesArgs
from .common import Context, secret_id
from .database import ADMIN_USERNAME, PORT, Database, DatabaseArgs, database_flags
from .datalake import DataLake, DataLakeArgs
from .gke import FAST_SSD, SNAPSHOTS, STANDARD, GkeArgs, GkeCluster, maintenance_window
from .identities import AIRBYTE, ELASTICSEARCH, POSTGRES, VELERO, LakeIdentities, LakeIdentitiesArgs, dremio_consumer
from .logs import CloudLogging, CloudLoggingArgs
from .network import PODS_RANGE, SERVICES_RANGE, Network, NetworkArgs
from .registry import Registry, RegistryArgs

EDGE_HTTPS_PORT_NAME = "websecure"
"""The edge controller's TLS port name on its Service (Traefik's entrypoint), which GKE's
per-port annotations key on; `components/edge`'s EdgeBackend names the same port."""


def default_labels(settings: Settings) -> dict[str, str]:
    return {"project": settings.project, "stack": settings.stack, "environment": settings.environment, "managed-by": "pulumi"}


def load_balancer_annotations(scheme: str) -> dict[str, str]:
    """Service annotations for a passthrough Network Load Balancer in front of the edge's
    controller (Traefik, serving the Gateway; TLS stays end to end with cert-manager, client IPs are kept): external uses the
    backend-service based NLB (needs the HttpLoadBalancing add-on, on in gke.py;
    cloud.google.com/kubernetes-engine/docs/how-to/backend-service-based-external-load-balancer),
    internal an internal passthrough NLB in the node subnet. The one place these annotations live."""
    if scheme == "internal":
        return {"networking.gke.io/load-balancer-type": "Internal"}
    return {"cloud.google.com/l4-rbs": "enabled"}


def edge_frontend(settings: Settings, alb: Optional[GlobalAlb]) -> EdgeFrontend:
    """The edge's controller behind a passthrough NLB, or (`alb`) behind the global Application Load Balancer."""
    if alb is not None:
        return alb.frontend(EDGE_HTTPS_PORT_NAME)
    return EdgeFrontend(service_type="LoadBalancer", service_annotations=load_balancer_annotations(settings.gcp.load_balancer_scheme))


def build_foundation(settings: Settings) -> Foundation:
    s, g = settings, settings.gcp
    cfg = pulumi.Config("gcp")
    project, region = cfg.get("project"), cfg.get("region")
    if not project:
        raise pulumi.RunError(f"{s.stack_file}: gcp:project is missing: set it with `pulumi config set gcp:project <project-id>` (cloud gcp needs a project)")
    if not region:
        raise pulumi.RunError(f"{s.stack_file}: gcp:region is missing: set it with `pulumi config set gcp:region europe-west1` (cloud gcp needs a region)")
    for zone in g.node_locations:
        if not zone.startswith(region + "-"):
            raise pulumi.RunError(f"{s.stack_file}: data-platform:gcp.nodeLocations = {list(g.node_locations)!r} is not valid: zones of {region} (gcp:region)")

    p = s.prefix
    provider = Provider(f"{p}-gcp", project=project, region=region, default_labels=default_labels(s))
    ctx = Context(provider=provider, prefix=p, project=project, region=region, protect=s.protect, environment=s.environment)

    network = Network("network", NetworkArgs(ctx=ctx, subnet_cidr=g.subnet_cidr, pods_cidr=g.pods_cidr, services_cidr=g.services_cidr,
                                             private_services_prefix_length=g.private_services_prefix_length, flow_logs=g.flow_logs))
    cluster = GkeCluster(
        "gke",
        GkeArgs(
            ctx=ctx,
            name=f"{p}-gke",
            network=network.vpc.id,
            subnet=network.subnet.id,
            pods_range=PODS_RANGE,
            services_range=SERVICES_RANGE,
            release_channel=g.release_channel,
            control_plane_access=g.control_plane_access,
            master_authorized_networks=tuple(g.master_authorized_networks),
            maintenance=maintenance_window(tuple(g.maintenance_days), g.maintenance_start, g.maintenance_hours),
            machine_type=g.node_machine_type,
            node_locations=tuple(g.node_locations),
            min_total=g.node_min_total,
            max_total=g.node_max_total,
            initial_per_zone=g.node_initial_per_zone,
            disk_size_gb=g.node_disk_size_gb,
            spot=g.spot_nodes,
            spot_pool_max_total=g.spot_pool_max_total if g.spot_pool else None,
        ),
    )

    object_store, identities = None, None
    if s.object_store == "native":
        lake = DataLake("datalake", DataLakeArgs(
            ctx=ctx, force_destroy=not s.protect, bronze_cold_storage_class=g.bronze_cold_storage_class, bronze_cold_days=g.bronze_cold_days,
            noncurrent_version_expiration_days=g.noncurrent_version_expiration_days, soft_delete_days=g.soft_delete_days,
            access_log_retention_days=g.access_log_retention_days, expiries=catalog_backup_expiries(s)))
        buckets = {r: b.name for r, b in lake.buckets.items()}
        identities = LakeIdentities("identities", LakeIdentitiesArgs(ctx=ctx, buckets=buckets, consumers={
            "dremio": dremio_consumer(s.dremio.dist_bucket),
            "airbyte": AIRBYTE,
            **({"postgres": POSTGRES} if s.database == "in-cluster" else {}),
            **({"velero": VELERO} if s.backups.velero else {}),
            **({"elasticsearch": ELASTICSEARCH} if s.backups.elasticsearch_snapshots else {}),
        }))
        object_store = ObjectStore(
            kind="gcs", buckets=buckets, region=region, project=project,
            keyed={app: KeyedContainer(container=buckets[app], key_file=key) for app, key in identities.keys.items()},
            velero_account=identities.accounts["velero"].email if "velero" in identities.accounts else None)

    db = None
    if s.database == "managed":
        db = Database(
            "database",
            DatabaseArgs(
                ctx=ctx,
                network=network.vpc.id,
                private_services=network.private_services,
                edition=g.db_edition,
                tier=g.db_tier,
                availability=g.db_availability,
                disk_size_gb=g.db_disk_size_gb,
                disk_autoresize_limit_gb=g.db_disk_autoresize_limit_gb,
                retained_backups=g.db_retained_backups,
                point_in_time_recovery=g.db_point_in_time_recovery,
                transaction_log_retention_days=g.db_transaction_log_retention_days,
                backup_start=g.db_backup_start,
                maintenance_day=g.db_maintenance_day,
                maintenance_hour=g.db_maintenance_hour,
                flags=tuple(database_flags(g.db_shared_buffers, g.db_effective_cache_size, g.db_work_mem, g.db_maintenance_work_mem, g.db_max_connections)),
            ),
        )

    if g.cloud_logging_retention_days:
        CloudLogging("cloud-logging", CloudLoggingArgs(ctx=ctx, retention_days=g.cloud_logging_retention_days))

    alb = GlobalAlb("edge-alb", ctx) if g.load_balancer == "alb" else None
    registry = Registry("registry", RegistryArgs(ctx=ctx, node_service_account=cluster.node_service_account.email, untagged_days=g.registry_untagged_days))

    secret_prefix = f"{p}/data-platform/"
    services = ClusterServices(
        "cluster-services",
        ClusterServicesArgs(
            ctx=ctx,
            provider=cluster.provider,
            secret_prefix=secret_prefix,
            db_admin=(ADMIN_USERNAME, db.password.result) if db else None,
            depends_on=tuple(cluster.ready),
        ),
    )

    database = None
    if db is not None:
        assert services.db_admin_secret is not None  # the cluster services write it whenever there is a database
        database = ManagedDatabase(host=db.host, port=PORT, engine_version="16", admin_secret=services.db_admin_secret,
                                   sslmode="require", ready=tuple(services.db_ready))

    outputs: dict = {
        "gcpProject": project,
        "gcpRegion": region,
        "network": network.vpc.id,
        "gkeClusterName": cluster.cluster.name,
        "gkeEndpoint": cluster.endpoint,
        "kubeconfig": cluster.kubeconfig,
        "artifactRegistry": registry.url,
    }
    if object_store is not None:
        outputs["dataLakeBuckets"] = dict(object_store.buckets)
    if alb is not None:
        outputs["edgeGlobalIp"] = alb.address.address
    if db is not None:
        outputs["cloudSqlInstance"] = db.instance.connection_name
        outputs["cloudSqlPrivateIp"] = db.host
    return Foundation(
        cloud="gcp",
        provider=cluster.provider,
        storage_classes=StorageClasses(fast_ssd=FAST_SSD, standard=STANDARD),
        edge=edge_frontend(s, alb),
        object_store=object_store,
        database=database,
        secret_store=SecretStore(name=services.secret_store_name, key_prefix=secret_prefix, write=services.write_secret,
                                 ready=tuple(services.secret_store_ready), remote_name=secret_id),
        log_sink=None,  # GKE's built-in WORKLOADS logging already ships every container log to Cloud Logging
        registry=registry.url,
        workload_identity={app: WorkloadIdentity(service_account_annotations=a) for app, a in identities.annotations.items()} if identities else {},
        pod_cidrs=(g.pods_cidr,),
        service_cidrs=(g.services_cidr,),
        # GKE's documented egress for NetworkPolicies with Workload Identity: the metadata server
        # (169.254.169.252:988, and on Dataplane V2 169.254.169.254:80), where every identity's tokens come from.
        identity_endpoints=(("169.254.169.254/32", 80), ("169.254.169.252/32", 988)),
        interruptible=cluster.interruptible,
        volume_snapshots=SNAPSHOTS,
        cluster_ready=(*cluster.ready, *services.ready),
        outputs=outputs,
    )
