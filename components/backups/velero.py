"""Velero: the seed's daily configuration/metadata backup (02:00 UTC) of the platform's namespaces.

Its own namespace (Pod Security `restricted` enforced: node agent off), its own bucket (`velero`)
and an identity limited to it: on MinIO a user whose policy grants that bucket only (a credentials
file in this namespace); on AWS an IRSA role (clouds/aws/identities.py: the bucket, EBS snapshot
actions in the region, the EBS key) and EBS snapshots of the volumes (VolumeSnapshotLocation); on
GCP a Google service account through Workload Identity (clouds/gcp/identities.py: its bucket, and
signBlob on itself) with velero-plugin-for-gcp. Without a cloud snapshot API (local clusters) a
backup holds the Kubernetes objects only: the volumes' data comes back from the data services'
own backups (PostgreSQL's WAL archive) and MinIO's erasure coding. Velero's file-system backup
(node agent) needs a root, hostPath DaemonSet and stays off.

On Azure Blob (an `adls` object store) the Azure plugin writes to the lake account's `velero`
container with Entra ID (`useAAD`): the pod's workload identity token, no credentials file and
no account key. On Cloud Storage (a `gcs` store) the GCP plugin writes to the `velero` bucket
through Workload Identity, `serviceAccount` in its config to sign download URLs.

CSI volume snapshots (Foundation.volume_snapshots: AKS's Azure Disk, GKE's Persistent Disk):
Velero's built-in CSI support (`--features=EnableCSI`, Velero docs csi.md at v1.17.1; no plugin
since 1.14) snapshots every CSI volume of the backed-up namespaces through a VolumeSnapshotClass
of the driver labelled `velero.io/csi-volumesnapshot-class` (created here, deletionPolicy Retain:
the snapshot outlives its namespace; Velero deletes it when the backup expires). The cluster's CSI
driver takes the snapshots with its own cloud identity (AKS's control-plane identity in the node
resource group, GKE's service agent): Velero's identity gets no new cloud right, and the chart's
server binding is cluster-admin (rbac.clusterAdministrator), which covers snapshot.storage.k8s.io.
The snapshots stay cloud disk snapshots in the cluster's subscription/project and region, not
copied to the `velero` bucket: the data mover (`snapshotMoveData`) needs the node agent, off here.
No VolumeSnapshotLocation then (that is for the native plugins' snapshots, EBS on AWS). AWS keeps
the EBS plugin: with EnableCSI Velero would skip the plugin's snapshot of a CSI volume (v1.17.1
pkg/backup/item_backupper.go), so EnableCSI is only where Foundation.volume_snapshots is set.

Chart: vmware-tanzu/helm-charts `velero` 11.4.0 (Velero v1.17.1), plugin velero-plugin-for-aws
v1.13.2 (the AWS plugin speaks to S3 and to MinIO) or velero-plugin-for-microsoft-azure v1.13.2
(the release for Velero 1.17) or velero-plugin-for-gcp v1.13.2. CRDs come from the chart's `crds/` on
install; `upgradeCRDs` (a pre-upgrade Job with a bitnami kubectl image) is off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

import kube
from foundation import NO_IDENTITY, WORKLOAD_SERVICE_ACCOUNTS, VolumeSnapshots, WorkloadIdentity
from kube.charts import chart
from kube.helm import release
from kube.namespaces import namespace as make_namespace
from settings.cron import UTC
from settings.sections import BackupSettings

from ..context import PlatformContext
from ..secrets import platform_secret

IMAGE = ("docker.io/velero/velero", "v1.17.1")
AWS_PLUGIN = "docker.io/velero/velero-plugin-for-aws:v1.13.2"
AZURE_PLUGIN = "docker.io/velero/velero-plugin-for-microsoft-azure:v1.13.2"
GCP_PLUGIN = "docker.io/velero/velero-plugin-for-gcp:v1.13.2"
"""For Velero 1.17.x (the plugin's compatibility table); it reads only the BackupStorageLocation
config keys kmsKeyName, serviceAccount, credentialsFile, storeEndpoint, universeDomain."""
VELERO_KINDS = ("s3", "adls", "gcs")
"""Cloud object-store protocols Velero writes to (its AWS, Azure and GCP plugins)."""
NAMESPACE = WORKLOAD_SERVICE_ACCOUNTS["velero"].namespace
SERVICE_ACCOUNT = WORKLOAD_SERVICE_ACCOUNTS["velero"].name
RELEASE = "velero"
SCHEDULE = "platform"
SCHEDULE_NAME = f"{RELEASE}-{SCHEDULE}"
"""The chart names the Schedule `<release>-<key>`; Velero's metrics carry it as `schedule`."""
CREDENTIALS = "velero-credentials"
"""Secret (key `cloud`, an AWS credentials file) of Velero's MinIO user."""
METRICS_PORT = 8085
POD_SELECTOR = {"app.kubernetes.io/name": "velero", "app.kubernetes.io/instance": RELEASE}
UID = 65532
SNAPSHOT_CLASS = "velero-csi"
CSI_CLASS_LABEL = "velero.io/csi-volumesnapshot-class"
"""Velero picks, per driver, the one VolumeSnapshotClass with this label set to "true" (csi.md)."""


def ttl(days: int) -> str:
    """A Go duration Velero accepts for `ttl` (hours; Go durations have no day unit)."""
    return f"{days * 24}h0m0s"


def velero_schedule(cron: str, zone: str) -> str:
    """The Schedule's cron in `zone`: Velero v1.17 parses it with robfig/cron v3 `ParseStandard`,
    which reads a `CRON_TZ=<zone>` prefix (Velero's docs, backup-reference.md at v1.17.1)."""
    return cron if zone == UTC else f"CRON_TZ={zone} {cron}"


def credentials_file(access_key: str, secret_key: str) -> str:
    """The shared-credentials file the AWS plugin reads (AWS_SHARED_CREDENTIALS_FILE)."""
    return f"[default]\naws_access_key_id={access_key}\naws_secret_access_key={secret_key}\n"


@dataclass(frozen=True)
class AzureBlob:
    """The storage account of an Azure Blob backup location."""

    account: pulumi.Input[str]
    blob_endpoint: pulumi.Input[str]


@dataclass(frozen=True)
class VeleroStore:
    """Where backups go: a bucket and, on MinIO, its endpoint and the user's keys (None on S3:
    IRSA); `snapshots` when the cloud has a volume snapshot API Velero's AWS plugin drives (EBS)."""

    bucket: pulumi.Input[str]
    region: str
    endpoint: Optional[pulumi.Input[str]] = None
    keys: Optional[tuple[pulumi.Input[str], pulumi.Input[str]]] = None
    snapshots: bool = False
    identity: WorkloadIdentity = NO_IDENTITY
    """Foundation.identity("velero"): annotations on the server's ServiceAccount, labels on its pod."""
    azure: Optional[AzureBlob] = None
    """Set: the bucket is a container of this Azure account (the Azure plugin, Entra ID auth)."""
    gcs_service_account: Optional[pulumi.Input[str]] = None
    """Set: the bucket is a Cloud Storage bucket (the GCP plugin, Workload Identity); this
    Google service account signs download URLs (the BackupStorageLocation's `serviceAccount`)."""
    csi: Optional[VolumeSnapshots] = None
    """Set: the volumes are snapshotted through CSI (EnableCSI and a VolumeSnapshotClass of this driver)."""


@dataclass(frozen=True)
class VeleroArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    settings: BackupSettings
    store: VeleroStore
    namespaces: Sequence[str]
    """What the daily Schedule backs up (the platform's namespaces)."""
    service_monitor: bool = False
    depends_on: Sequence[pulumi.Resource] = ()


def restricted_container() -> dict[str, Any]:
    return kube.camel_keys(kube.container_security(read_only_root=True))


def chart_values(args: VeleroArgs) -> dict[str, Any]:
    """The chart's values (keys checked with `helm template` against velero 11.4.0)."""
    s, store = args.settings, args.store
    bsl_config: dict[str, Any] = {"region": store.region}
    provider, plugin = "aws", ("velero-plugin-for-aws", AWS_PLUGIN)
    if store.azure is not None:
        # storageAccountURI: no ARM call to find the endpoint (no subscription/resource group
        # needed); useAAD: Entra ID instead of listing the account keys (velero pkg/util/azure).
        provider, plugin = "azure", ("velero-plugin-for-microsoft-azure", AZURE_PLUGIN)
        bsl_config = {"storageAccount": store.azure.account, "storageAccountURI": store.azure.blob_endpoint, "useAAD": "true"}
    elif store.gcs_service_account is not None:
        # No credentials file: ADC through Workload Identity; the plugin refuses unknown keys (region).
        provider, plugin = "gcp", ("velero-plugin-for-gcp", GCP_PLUGIN)
        bsl_config = {"serviceAccount": store.gcs_service_account}
    elif store.endpoint is not None:
        bsl_config.update({"s3Url": store.endpoint, "s3ForcePathStyle": "true"})
    snapshots = store.snapshots or store.csi is not None
    schedule_template: dict[str, Any] = {
        "ttl": ttl(s.config_retention_days),
        "includedNamespaces": list(args.namespaces),
        "storageLocation": "default",
        "snapshotVolumes": snapshots,
    }
    if store.snapshots:
        schedule_template["volumeSnapshotLocations"] = ["default"]
    return {
        "image": {"repository": IMAGE[0], "tag": IMAGE[1]},
        "initContainers": [{
            "name": plugin[0], "image": plugin[1], "imagePullPolicy": "IfNotPresent",
            "volumeMounts": [{"mountPath": "/target", "name": "plugins"}],
            "securityContext": restricted_container(),
            "resources": kube.camel_keys(kube.resources("10m", "32Mi", "200m", "128Mi")),
        }],
        # The chart already sets name/instance/managed-by on the pod: only what it lacks.
        "podLabels": {"app": "velero", "app.kubernetes.io/part-of": kube.PART_OF, "app.kubernetes.io/component": "server", **store.identity.pod_labels},
        "podSecurityContext": {**kube.camel_keys(kube.pod_security(run_as_user=UID, fs_group=UID, run_as_group=UID))},
        "containerSecurityContext": restricted_container(),
        "resources": kube.camel_keys(kube.resources("20m", "128Mi", "500m", "512Mi")),  # idle but at 02:00; dev fits 4 CPU
        # Read-only root: the chart mounts emptyDirs on /tmp (the plugins' unix sockets), /scratch and /plugins.
        "upgradeCRDs": False,
        "cleanUpCRDs": False,
        "deployNodeAgent": False,
        "backupsEnabled": True,
        # The chart reads it only to render the VolumeSnapshotLocations (none for CSI snapshots).
        "snapshotsEnabled": snapshots,
        "serviceAccount": {"server": {"create": True, "name": SERVICE_ACCOUNT, "annotations": dict(store.identity.service_account_annotations)}},
        "credentials": ({"useSecret": True, "existingSecret": CREDENTIALS} if store.keys is not None else {"useSecret": False}),
        "configuration": {
            "backupStorageLocation": [{"name": "default", "provider": provider, "bucket": store.bucket, "default": True, "config": bsl_config}],
            "volumeSnapshotLocation": ([{"name": "default", "provider": "aws", "config": {"region": store.region}}] if store.snapshots else []),
            "defaultBackupTTL": ttl(s.config_retention_days),
            "uploaderType": "kopia",
            # No `defaultSnapshotMoveData`: the snapshots stay the cloud's (the data mover needs the node agent).
            **({"features": "EnableCSI"} if store.csi is not None else {}),
        },
        "metrics": {
            "enabled": True,
            "serviceMonitor": {"autodetect": False, "enabled": args.service_monitor, "additionalLabels": {"app.kubernetes.io/part-of": kube.PART_OF}},
            "nodeAgentPodMonitor": {"autodetect": False, "enabled": False},
            "prometheusRule": {"autodetect": False, "enabled": False},  # the platform's PrometheusRule has the alerts
        },
        "schedules": {SCHEDULE: {
            "disabled": False,
            "schedule": velero_schedule(s.config_schedule, s.time_zone),
            "useOwnerReferencesInBackup": False,
            "template": schedule_template,
        }},
    }


def snapshot_class(csi: VolumeSnapshots, *, provider: pulumi.ProviderResource, parent: pulumi.Resource,
                   depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.CustomResource:
    """The VolumeSnapshotClass Velero snapshots `csi.driver`'s volumes with (cluster-scoped; the
    snapshot.storage.k8s.io/v1 CRD is the managed cluster's). Retain: a VolumeSnapshotContent and
    its cloud snapshot survive the loss of the namespace; Velero sets Delete when the backup expires.
    A plain resource of the provider's `kubernetes:<apiVersion>:<kind>` type whose inputs are the
    whole object: this kind's fields sit beside `metadata` (no `spec`), and the Python SDK's
    apiextensions.CustomResource (and yaml.ConfigFile, which builds one) keeps `spec` only, so the
    API server would refuse it for lack of driver/deletionPolicy (pulumi/pulumi-kubernetes#3549)."""
    api_version, kind = "snapshot.storage.k8s.io/v1", "VolumeSnapshotClass"
    return pulumi.CustomResource(f"kubernetes:{api_version}:{kind}", SNAPSHOT_CLASS, {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": SNAPSHOT_CLASS, "labels": {**kube.labels("velero", "snapshots", instance=RELEASE), CSI_CLASS_LABEL: "true"}},
        "driver": csi.driver,
        "deletionPolicy": "Retain",
        **({"parameters": dict(csi.parameters)} if csi.parameters else {}),
    }, opts=kube.child(parent, provider, depends_on=list(depends_on)))


class Velero(pulumi.ComponentResource):
    release: k8s.helm.v3.Release
    selector: dict[str, str] = POD_SELECTOR
    namespace: str = NAMESPACE
    cloud_store: bool
    """It writes to the cloud's object store (workload identity), not to MinIO."""

    def __init__(self, name: str, args: VeleroArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:backups:Velero", name, None, opts)
        p = args.ctx.provider
        self.cloud_store = args.store.keys is None
        ns = make_namespace(NAMESPACE, provider=p, parent=self, environment=args.ctx.environment, enforce="restricted",
                            depends_on=args.depends_on)
        after: list[pulumi.Resource] = [ns]
        if args.store.keys is not None:
            access, secret_key = args.store.keys
            after.append(platform_secret(CREDENTIALS, NAMESPACE, {"cloud": pulumi.Output.all(access, secret_key).apply(lambda k: credentials_file(*k))},
                                         args.ctx, parent=self, labels=kube.labels("velero", "credentials"), depends_on=(ns,)))
        self.snapshot_class = (snapshot_class(args.store.csi, provider=p, parent=self, depends_on=(ns,))
                               if args.store.csi is not None else None)
        self.release = release(RELEASE, chart=chart("velero"), namespace=NAMESPACE, values=chart_values(args), provider=p, parent=self,
                               depends_on=[*after, *([self.snapshot_class] if self.snapshot_class else []), *args.depends_on])
        self.register_outputs({"namespace": NAMESPACE, "schedule": args.settings.config_schedule})
