"""`build_foundation(settings)`: the AWS Foundation, one component per concern.

Order: explicit `aws.Provider` (region from `aws:region`, default tags on every resource) ->
Network -> EksCluster (+ k8s Provider, StorageClasses) -> DataLake (S3) -> Database (RDS) ->
WorkloadIdentities (IRSA for Dremio/Airbyte) -> ApplicationLogs (CloudWatch group + Fluent Bit
role, when the platform ships logs) -> Registry (ECR) -> ClusterServices (External
Secrets, AWS Load Balancer Controller, cluster-autoscaler).
"""

from __future__ import annotations

import dataclasses

import pulumi
from pulumi_aws import get_availability_zones, get_caller_identity
from pulumi_aws.provider import Provider

from foundation import EdgeFrontend, Foundation, ManagedDatabase, ObjectStore, SecretStore, StorageClasses, WorkloadIdentity
from settings import Settings
from settings.catalog_backups import catalog_backup_expiries

from .alb import alb_frontend
from .app_logs import ApplicationLogs, ApplicationLogsArgs
from .backup_plan import BackupPlan, BackupPlanArgs
from .backup_replication import BackupReplication, BackupReplicationArgs
from .cluster_services import ClusterServices, ClusterServicesArgs, nlb_annotations
from .common import Context
from .database import Database, DatabaseArgs, postgres_parameters
from .datalake import DataLake, DataLakeArgs
from .eks import FAST_SSD, STANDARD, EksArgs, EksCluster, SpotNodes
from .identities import (
    AIRBYTE_WORKLOAD,
    CNPG_WORKLOAD,
    ELASTICSEARCH_WORKLOAD,
    VELERO_WORKLOAD,
    WorkloadIdentities,
    WorkloadIdentitiesArgs,
    dremio_workload,
    velero_ec2_statements,
)
from .lake_replication import LakeReplication, LakeReplicationArgs, ReplicationSource, own_sources
from .log_groups import LogsKey
from .names import DATA_ROLES, bucket_name, replica_bucket_name
from .network import Network, NetworkArgs
from .primary_lake import PrimaryLake, primary_lake
from .read_replica import ReadReplica, ReadReplicaArgs
from .registry import Registry, RegistryArgs
from .versions import UnpinnedVersion, addon_versions, autoscaler_image

EKS_SERVICE_CIDRS = ("10.100.0.0/16", "172.20.0.0/16")
"""Without `kubernetes_network_config.service_ipv4_cidr` EKS picks its Service range from these
two (172.20.0.0/16 when the VPC is in 10.0.0.0/8): both are excluded."""


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def default_tags(settings: Settings) -> dict[str, str]:
    return {
        "project": settings.project,
        "stack": settings.stack,
        "environment": settings.environment,
        "component": "foundation",
        "managed-by": "pulumi",
    }


def edge_frontend(settings: Settings) -> EdgeFrontend:
    """The platform's edge (Traefik, the Gateway) behind a load balancer the AWS Load Balancer
    Controller makes.

    `nlb` (default): the controller's LoadBalancer Service gets NLB annotations (TCP pass-through,
    TLS from cert-manager in the cluster, as on every cloud). `alb` (the seed's): the Service is
    ClusterIP and the platform adds an `alb` Ingress in front of it (TLS with the ACM
    certificate, re-encrypted to the Gateway's listeners); see docs/aws.md and `alb.py`."""
    a = settings.aws
    if a.load_balancer == "alb":
        return EdgeFrontend(service_type="ClusterIP", l7=alb_frontend(a.load_balancer_scheme, a.alb_certificate_arn))
    return EdgeFrontend(service_type="LoadBalancer", service_annotations=nlb_annotations(a.load_balancer_scheme))


def build_foundation(settings: Settings) -> Foundation:
    s, a = settings, settings.aws
    # Everything that can be wrong is checked before the first registration.
    region = pulumi.Config("aws").get("region")
    if not region:
        raise pulumi.RunError(f"{s.stack_file}: aws:region is missing: set it with `pulumi config set aws:region eu-west-1` (cloud aws needs a region)")
    try:
        addons = addon_versions(s.kubernetes_version)
        ca_image = autoscaler_image(s.kubernetes_version)
    except UnpinnedVersion as e:
        raise pulumi.RunError(f"{s.stack_file}: data-platform:kubernetesVersion = {s.kubernetes_version!r} is not valid on AWS: {e}") from None

    p = s.prefix
    provider = Provider(
        f"{p}-aws",
        region=region,
        default_tags={"tags": default_tags(s)},
        allowed_account_ids=list(a.allowed_account_ids) or None,
    )
    invoke = pulumi.InvokeOptions(provider=provider)
    zones = get_availability_zones(state="available", filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}], opts=invoke).names
    if len(zones) < a.az_count:
        raise pulumi.RunError(f"{s.stack_file}: data-platform:aws.azCount = {a.az_count} is not valid: {region} has {len(zones)} availability zones ({', '.join(zones)})")
    if a.load_balancer == "alb" and a.alb_certificate_arn.split(":")[3] != region:
        raise pulumi.RunError(f"{s.stack_file}: data-platform:aws.albCertificateArn = {a.alb_certificate_arn!r} is not valid: "
                              f"an ACM certificate in {region} (aws:region): an ALB can only use certificates of its own region")
    if a.dr_region == region:
        raise pulumi.RunError(f"{s.stack_file}: data-platform:aws.drRegion = {a.dr_region!r} is not valid: "
                              f"a region other than aws:region ({region}): a copy in the same region does not survive its loss")
    account_id = get_caller_identity(opts=invoke).account_id
    ctx = Context(
        provider=provider,
        prefix=p,
        region=region,
        account_id=pulumi.Output.from_input(account_id),
        partition=partition_of(region),
        protect=s.protect,
        environment=s.environment,
    )
    # Every log group is encrypted with this key: it exists before any of them.
    ctx = dataclasses.replace(ctx, logs_key_arn=LogsKey("logs-key", ctx).key.arn)
    cluster_name = f"{p}-eks"

    network = Network(
        "network",
        NetworkArgs(
            ctx=ctx,
            cidr=a.vpc_cidr,
            azs=tuple(zones[: a.az_count]),
            nat_per_az=a.nat_gateways == "one-per-az",
            cluster_name=cluster_name,
            interface_endpoints=tuple(a.interface_endpoints),
            flow_logs=a.flow_logs,
            log_retention_days=a.log_retention_days,
        ),
    )
    cluster = EksCluster(
        "eks",
        EksArgs(
            ctx=ctx,
            name=cluster_name,
            version=s.kubernetes_version,
            node_subnet_ids=network.node_subnet_ids,
            addon_versions=addons,
            endpoint_public_access=a.endpoint_public_access,
            public_access_cidrs=tuple(a.public_access_cidrs),
            admin_principal_arns=tuple(a.admin_principal_arns),
            log_types=tuple(a.cluster_log_types),
            log_retention_days=a.log_retention_days,
            instance_types=tuple(a.node_instance_types),
            capacity_type=a.node_capacity_type,
            min_size=a.node_min_size,
            max_size=a.node_max_size,
            desired_size=a.node_desired_size,
            disk_size_gb=a.node_disk_size_gb,
            network_policies=s.network_policies,
            spot=SpotNodes(tuple(a.spot_instance_types), a.spot_min_size, a.spot_max_size, a.spot_desired_size) if a.spot_nodes else None,
        ),
    )

    object_store = None
    identities = None
    lake = None
    primary: PrimaryLake | None = None
    if s.object_store == "native":
        # A dr stack's lake is its primary's replicas in this region (primary_lake.py); the rest is its own.
        expiries = catalog_backup_expiries(s)
        if a.primary_stack:
            primary = primary_lake(stack_file=s.stack_file, project=s.project, primary=a.primary_stack, account_id=account_id, region=region, invoke=invoke)
        lake = DataLake(
            "datalake",
            DataLakeArgs(
                ctx=ctx,
                project=s.project,
                force_destroy=not s.protect,
                bronze_glacier_days=a.bronze_glacier_days,
                noncurrent_version_expiration_days=a.noncurrent_version_expiration_days,
                access_log_retention_days=a.log_retention_days,
                roles=tuple(r for r in DATA_ROLES if primary is None or r not in primary.buckets),
                expiries=expiries,
            ),
        )
        read = {**{r: b.bucket for r, b in lake.buckets.items()}, **(primary.buckets if primary else {})}
        read_arns = {**{r: b.arn for r, b in lake.buckets.items()}, **(primary.arns if primary else {})}
        object_store = ObjectStore(kind="s3", buckets={r: read[r] for r in DATA_ROLES}, region=region)
        identities = WorkloadIdentities(
            "identities",
            WorkloadIdentitiesArgs(
                ctx=ctx,
                oidc_provider_arn=cluster.oidc_provider_arn,
                oidc_issuer=cluster.oidc_issuer,
                bucket_arns=read_arns,
                key_arn=lake.key.arn,
                bucket_keys={r: primary.key_arn for r in primary.buckets} if primary else {},
                workloads={
                    "dremio": dremio_workload(s.dremio.dist_bucket),
                    "airbyte": AIRBYTE_WORKLOAD,
                    **({"postgres": CNPG_WORKLOAD} if s.database == "in-cluster" else {}),
                    **({"velero": VELERO_WORKLOAD} if s.backups.velero else {}),
                    **({"elasticsearch": ELASTICSEARCH_WORKLOAD} if s.backups.elasticsearch_snapshots else {}),
                },
                extra_statements={"velero": velero_ec2_statements(region, cluster.ebs_key.arn)} if s.backups.velero else {},
            ),
        )

    db = None
    db_parameters = tuple(postgres_parameters(a.db_shared_buffers, a.db_effective_cache_size, a.db_work_mem, a.db_maintenance_work_mem, a.db_max_connections))
    # A standing-by DR site has no database: failover restores one from the replicated backups.
    if s.database == "managed" and not s.backups.standby:
        db = Database(
            "database",
            DatabaseArgs(
                ctx=ctx,
                vpc_id=network.vpc.id,
                subnet_ids=network.database_subnet_ids,
                allowed_security_group_id=cluster.cluster_security_group_id,
                engine_version=a.db_engine_version,
                auto_minor_version_upgrade=a.db_auto_minor_version_upgrade,
                instance_class=a.db_instance_class,
                allocated_storage_gb=a.db_allocated_storage_gb,
                max_allocated_storage_gb=a.db_max_allocated_storage_gb,
                multi_az=a.db_multi_az,
                backup_retention_days=a.db_backup_retention_days,
                backup_window=a.db_backup_window,
                maintenance_window=a.db_maintenance_window,
                final_snapshot=a.db_final_snapshot,
                performance_insights_retention_days=a.db_performance_insights_retention_days,
                monitoring_interval=a.db_monitoring_interval,
                parameters=db_parameters,
                log_retention_days=a.log_retention_days,
                identifier=a.db_instance_identifier,
                restore_source=a.db_restore_source,
                restore_time=a.db_restore_time,
            ),
        )

    # Backups: copies in the DR region (its own provider), the seed's object-storage snapshot.
    dr_ctx = None
    if a.dr_region:
        dr_provider = Provider(f"{p}-aws-dr", region=a.dr_region, default_tags={"tags": default_tags(s)},
                               allowed_account_ids=list(a.allowed_account_ids) or None)
        dr_ctx = dataclasses.replace(ctx, provider=dr_provider, region=a.dr_region)
    replica = None
    if db and dr_ctx:
        backups = BackupReplication("backup-replication", BackupReplicationArgs(
            ctx=dr_ctx, source_db_instance_arn=db.instance.arn, retention_days=a.db_backup_retention_days))
        if a.db_cross_region_replica:
            replica = ReadReplica("read-replica", ReadReplicaArgs(
                ctx=dr_ctx, source_arn=db.instance.arn, key_arn=backups.key.arn, subnet_ids=tuple(a.db_replica_subnet_ids),
                instance_class=a.db_instance_class, max_allocated_storage_gb=a.db_max_allocated_storage_gb,
                engine_version=a.db_engine_version, auto_minor_version_upgrade=a.db_auto_minor_version_upgrade,
                parameters=db_parameters, allowed_cidrs=tuple(a.db_replica_allowed_cidrs), stack_file=s.stack_file))
    replication = None
    if lake and dr_ctx:
        sources = own_sources(lake.buckets, lake.versioning)
        if primary:  # failback: what the dr stack writes into its primary's replicas goes back out (to <own name>-replica)
            sources.update({r: ReplicationSource(primary.buckets[r], primary.arns[r], replica_bucket_name(bucket_name(s.project, p, r, account_id)))
                            for r in primary.buckets})
        replication = LakeReplication("lake-replication", LakeReplicationArgs(
            ctx=ctx, dr=dr_ctx, sources={r: sources[r] for r in DATA_ROLES if r in sources},
            source_key_arns=(lake.key.arn, *((primary.key_arn,) if primary else ())),
            force_destroy=not s.protect, noncurrent_version_expiration_days=a.noncurrent_version_expiration_days,
            expiries=tuple(e for e in expiries if e.bucket_role in sources)))
    if lake:
        b = s.backups
        # Standing by, the primary's replicas are the primary's to back up (its copies land in this
        # region's <primary>-backup-dr vault); once the dr stack runs, it backs up what it writes.
        backed_up = {r: read_arns[r] for r in DATA_ROLES if r in lake.buckets or (primary and not b.standby)}
        BackupPlan("backup-plan", BackupPlanArgs(
            ctx=ctx, bucket_arns=backed_up,
            lake_key_arn=[lake.key.arn, primary.key_arn] if primary and not b.standby else lake.key.arn,
            schedule=b.object_store_schedule, retention_days=b.object_store_retention_days, vault_lock=b.vault_lock, dr=dr_ctx,
            time_zone=b.time_zone))

    # Container logs also go to CloudWatch when the platform runs its log shipper.
    app_logs = None
    if s.observability.logs:
        app_logs = ApplicationLogs(
            "app-logs",
            ApplicationLogsArgs(ctx=ctx, cluster_name=cluster_name, oidc_provider_arn=cluster.oidc_provider_arn,
                                oidc_issuer=cluster.oidc_issuer, retention_days=a.log_retention_days),
        )

    registry = Registry("registry", RegistryArgs(ctx=ctx, repositories=tuple(a.ecr_repositories), force_delete=not s.protect))

    secret_prefix = f"{p}/data-platform/"
    services = ClusterServices(
        "cluster-services",
        ClusterServicesArgs(
            ctx=ctx,
            provider=cluster.provider,
            cluster_name=cluster.cluster.name,
            cluster_name_plain=cluster_name,
            vpc_id=network.vpc.id,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer=cluster.oidc_issuer,
            secret_prefix=secret_prefix,
            db_master_secret_arn=db.master_secret_arn if db else None,
            db_key_arn=db.key.arn if db else None,
            autoscaler_image=ca_image,
            cluster_autoscaler=a.cluster_autoscaler,
            depends_on=tuple(cluster.ready),
        ),
    )

    database = None
    if db is not None:
        assert services.db_admin_secret is not None  # the cluster services write it whenever there is a database
        database = ManagedDatabase(
            host=db.instance.address,
            port=5432,
            engine_version=a.db_engine_version,
            admin_secret=services.db_admin_secret,
            sslmode="require",
            ready=tuple(services.db_ready),
        )

    outputs: dict = {
        "awsRegion": region,
        "vpcId": network.vpc.id,
        "eksClusterName": cluster.cluster.name,
        "eksEndpoint": cluster.cluster.endpoint,
        "kubeconfig": cluster.kubeconfig,
        "ecrRegistry": registry.url,
    }
    if lake is not None and object_store is not None:
        outputs["dataLakeBuckets"] = dict(object_store.buckets)
    if replication is not None:
        # What a dr stack in drRegion reads (its aws.primaryStack names this stack; primary_lake.py).
        outputs["lakeReplicas"] = {"region": a.dr_region, "buckets": {r: b.bucket for r, b in replication.replicas.items()},
                                   "kmsKeyArn": replication.key.arn}
    if primary is not None:
        outputs["primaryLake"] = {"stack": primary.stack, "buckets": primary.buckets, "kmsKeyArn": primary.key_arn}
    if db is not None:
        outputs["rdsAddress"] = db.instance.address
        outputs["rdsMasterSecretArn"] = db.master_secret_arn
    if replica is not None:
        outputs["rdsReplica"] = {"region": a.dr_region, "arn": replica.instance.arn, "address": replica.instance.address}
    if app_logs is not None:
        outputs["applicationLogGroup"] = app_logs.group.name
    return Foundation(
        cloud="aws",
        provider=cluster.provider,
        storage_classes=StorageClasses(fast_ssd=FAST_SSD, standard=STANDARD),
        edge=edge_frontend(s),
        object_store=object_store,
        database=database,
        # The platform's generated credentials live in Secrets Manager; ExternalSecrets bring them in.
        secret_store=SecretStore(
            name=services.secret_store_name, key_prefix=secret_prefix, write=services.write_secret, ready=tuple(services.secret_store_ready),
        ),
        log_sink=app_logs.sink if app_logs else None,
        registry=registry.url,
        workload_identity={app: WorkloadIdentity(service_account_annotations=a) for app, a in {
            **(identities.annotations if identities else {}), **({"fluent-bit": app_logs.annotations} if app_logs else {})}.items()},
        pod_cidrs=(s.aws.vpc_cidr,),  # the Amazon VPC CNI gives pods VPC addresses
        service_cidrs=EKS_SERVICE_CIDRS,
        interruptible=cluster.interruptible,
        cluster_ready=(*cluster.ready, *services.ready),
        outputs=outputs,
    )
