"""Settings section `data-platform:gcp`: the GCP foundation (VPC, GKE, Cloud SQL, GCS, Artifact Registry).

Project and region are the provider's own `gcp:project` / `gcp:region` keys; the GKE version
follows the release channel. Defaults follow the seed's "Architecture GCP" with the AWS stack's
numbers (prod: 8 vCPU/32 GiB nodes 3..10, about 5 at start; PostgreSQL 16 HA 100 -> 1000 GB,
30 backups) and terraform-google-modules safer-cluster's secure defaults (private nodes, no
public control plane, Workload Identity, shielded nodes, Dataplane V2).

The rules that need arithmetic are pure functions here (`range_overlaps`, `per_zone`,
`maintenance_hours_per_32_days`, `cloud_sql_tier_problem`) so they are property-tested. The section
lives with the cloud and is handed to `settings.load` by the composition root (`clouds.registry()`).
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional  # noqa: UP035 (a cloud settings module imports only settings and a few stdlib modules)

from settings import checks
from settings.schema import CrossFieldInvalid, FrontTls, Section, per_env, setting

from . import recovery

if TYPE_CHECKING:
    from settings import Settings
    from settings.recovery import NativeCopy, RecoveryPoint

_MACHINE_TYPE = r"[a-z][a-z0-9]*-[a-z0-9]+(-[a-z0-9]+)*"
_ZONE = r"[a-z]+-[a-z]+\d+-[a-z]"
_HHMM = r"([01]\d|2[0-3]):[0-5]\d"
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
GKE_DEFAULT_ZONES = 3
"""A regional GKE node pool without `node_locations` runs in three of the region's zones."""
GKE_MIN_MAINTENANCE_HOURS = 48
"""GKE refuses a recurring maintenance window giving less than 48 h in any 32-day period, counting
only windows of at least 4 contiguous hours (cloud.google.com/kubernetes-engine/docs/how-to/maintenance-windows-and-exclusions)."""
_PERF_OPTIMIZED_VCPUS = (2, 4, 8, 16, 32, 48, 64, 80, 96, 128)


def range_overlaps(cidrs: dict[str, str]) -> Optional[tuple[str, str]]:
    """The first pair of names whose CIDRs overlap, or None (GKE refuses overlapping ranges)."""
    items = sorted(cidrs.items())
    for i, (a, ca) in enumerate(items):
        for b, cb in items[i + 1:]:
            if ipaddress.IPv4Network(ca).overlaps(ipaddress.IPv4Network(cb)):
                return a, b
    return None


def per_zone(total: int, zones: int) -> int:
    """A regional pool's per-zone `initial_node_count` for about `total` nodes in all: rounded
    up, so the pool never starts below the requested size (5 over 3 zones -> 2 per zone = 6)."""
    return max(1, math.ceil(total / zones))


def maintenance_hours_per_32_days(days: int, hours: int) -> int:
    """Hours a weekly window on `days` days of `hours` hours each guarantees in any 32 days
    (a 32-day period holds at least 4 of each weekday)."""
    return 4 * days * hours


def cloud_sql_tier_problem(edition: str, tier: str) -> Optional[str]:
    """Why `tier` is not a Cloud SQL PostgreSQL machine of `edition`, or None.

    ENTERPRISE: `db-custom-<vCPU>-<MiB>` (vCPU 1 or even 2..96, memory a multiple of 256 MiB,
    0.9 to 6.5 GiB per vCPU, at least 3840 MiB). ENTERPRISE_PLUS accepts only
    `db-perf-optimized-N-<vCPU>` (PostgreSQL 16's default edition: a custom tier fails there)."""
    if edition == "ENTERPRISE_PLUS":
        m = re.fullmatch(r"db-perf-optimized-N-(\d+)", tier)
        if not m or int(m.group(1)) not in _PERF_OPTIMIZED_VCPUS:
            return "a db-perf-optimized-N-<vCPU> tier (vCPU " + ", ".join(map(str, _PERF_OPTIMIZED_VCPUS)) + ") for edition ENTERPRISE_PLUS"
        return None
    m = re.fullmatch(r"db-custom-(\d+)-(\d+)", tier)
    if not m:
        return "a db-custom-<vCPU>-<MiB> tier such as db-custom-6-32768 for edition ENTERPRISE"
    cpu, mib = int(m.group(1)), int(m.group(2))
    if not (cpu == 1 or (cpu % 2 == 0 and 2 <= cpu <= 96)):
        return "a vCPU count of 1 or an even number from 2 to 96"
    if mib % 256 or mib < 3840 or not 0.9 * 1024 * cpu <= mib <= 6.5 * 1024 * cpu:
        return f"memory a multiple of 256 MiB, at least 3840, from 0.9 to 6.5 GiB per vCPU ({math.ceil(0.9 * 1024 * cpu)}..{int(6.5 * 1024 * cpu)} MiB for {cpu} vCPU)"
    return None


LAKE_BUCKET_ROLES = ("bronze", "silver", "gold", "backups", "airbyte", "dremio", "velero", "es-backups", "access-logs")
"""The Cloud Storage buckets of the lake (clouds/gcp/datalake.py): the medallion buckets, one per
consumer (so no identity may delete another's objects), and the access-logs bucket."""


def gcs_bucket_name(gcp_project: str, stack: str, role: str) -> str:
    """`<gcp project>-<stack>-<role>`: bucket names are global, a project id is unique."""
    return f"{gcp_project}-{stack}-{role}"


def gcs_bucket_name_problem(name: str) -> Optional[str]:
    """Why `name` is not a Cloud Storage bucket name this program may use, or None
    (cloud.google.com/storage/docs/buckets#naming; dots are refused: a dotted name must be a
    verified domain)."""
    if not 3 <= len(name) <= 63:
        return f"3 to 63 characters ({len(name)})"
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*[a-z0-9]", name):
        return "lower-case letters, digits, '-' and '_' only, starting and ending with a letter or digit"
    if name.startswith("goog") or re.search(r"g[o0]{2}g[l1]e", name):
        return "no 'goog' prefix and no 'google' (or look-alike) inside"
    return None


def _no_default_route(field: str, cidrs: tuple) -> None:
    if "0.0.0.0/0" in cidrs:
        raise CrossFieldInvalid(field, list(cidrs), "specific CIDRs (VPN, CI runner network), never 0.0.0.0/0")


@dataclass(frozen=True)
class GcpSettings(Section):
    KEY = "gcp"
    POSITION = 10
    DOC = "GCP foundation: VPC, GKE, Cloud SQL, Cloud Storage, Artifact Registry"
    HAS_NATIVE_LAKE = True
    HAS_MANAGED_DATABASE = True

    # --- network ---
    subnet_cidr: str = setting(checks.cidr, "Primary range of the regional node subnet (nodes, internal load balancers).", default="10.0.0.0/22")
    pods_cidr: str = setting(checks.cidr, "Secondary range `pods` (VPC-native pod IPs; GKE carves a /24 per node for 110 pods).", default="10.0.64.0/18")
    services_cidr: str = setting(checks.cidr, "Secondary range `services` (ClusterIPs).", default="10.0.32.0/20")
    private_services_prefix_length: int = setting(checks.integer(16, 24), "Prefix length of the range reserved for private services access (Cloud SQL's private IP); Google picks a free block.", default=16)
    flow_logs: bool = setting(checks.boolean, "VPC flow logs on the node subnet (5 s aggregation, 50% sampling, metadata included).", default=True)
    # --- GKE ---
    control_plane_access: str = setting(checks.one_of("dns", "private-ip"), "How clients reach the control plane: dns (the DNS-based endpoint, authorized by IAM, reachable from CI without a VPN; IP endpoints off) or private-ip (the private endpoint only, from masterAuthorizedNetworks inside the VPC).", default="dns")
    master_authorized_networks: tuple = setting(checks.cidr_list, "CIDRs allowed to the private IP endpoint (controlPlaneAccess private-ip); never 0.0.0.0/0.", default=())
    release_channel: str = setting(checks.one_of("RAPID", "REGULAR", "STABLE"), "GKE release channel: GKE upgrades the control plane and nodes within it, in the maintenance window.", default="REGULAR")
    maintenance_days: tuple = setting(checks.string_list(checks.one_of(*_DAYS)), "Days of the weekly GKE maintenance window (MO..SU).", default=("SU",))
    maintenance_start: str = setting(checks.text(_HHMM, "a UTC time such as 04:00"), "Start (UTC) of the GKE maintenance window.", default="04:00")
    maintenance_hours: int = setting(checks.integer(4, 24), "Length of each GKE maintenance window in hours; GKE needs 48 h in any 32 days (a Sunday-only window: at least 12 h).", default=12)
    # The seed's node is 8 vCPU / 32 GiB (m5.2xlarge on AWS): n2-standard-8 on GCP.
    node_machine_type: str = setting(checks.text(_MACHINE_TYPE, "a Compute Engine machine type such as n2-standard-8"), "Machine type of the node pool (the seed: 8 vCPU / 32 GiB).", default=per_env(dev="e2-standard-2", staging="e2-standard-4", prod="n2-standard-8"))
    node_locations: tuple = setting(checks.string_list(checks.text(_ZONE, "a zone such as europe-west1-b")), "Zones of the regional node pool; empty: GKE's default three zones of gcp:region.", default=())
    node_min_total: int = setting(checks.integer(1, 100), "Fewest nodes in the pool, all zones together (autoscaling total_min_node_count).", default=per_env(dev=1, staging=2, prod=3))
    node_max_total: int = setting(checks.integer(1, 500), "Most nodes in the pool, all zones together (total_max_node_count).", default=per_env(dev=3, staging=5, prod=10))
    node_initial_total: int = setting(checks.integer(1, 500), "About how many nodes the pool starts with; GKE counts this per zone, so it is rounded up to a multiple of the zone count (5 over 3 zones starts 6). Ignored after creation.", default=per_env(dev=1, staging=3, prod=5))
    node_disk_size_gb: int = setting(checks.integer(20, 2000), "Boot disk (pd-balanced) size of each node in GB.", default=per_env(dev=50, staging=100, prod=100))
    spot_nodes: bool = setting(checks.boolean, "Make the node pool Spot VMs (cheaper, reclaimable); not for prod.", default=False)
    spot_pool: bool = setting(checks.boolean, "A second node pool of Spot VMs (nodeMachineType, autoscaled from 0) for interruptible work (Airbyte connector job pods; Dremio executors with dremio.executorsInterruptible), tainted data-platform/interruptible=true:NoSchedule so nothing else lands there. Off by default in prod.", default=per_env(dev=False, staging=True, prod=False))
    spot_pool_max_total: int = setting(checks.integer(1, 100), "Most nodes in the Spot pool, all zones together (it starts at 0 and the cluster autoscaler adds nodes only when interruptible pods wait).", default=per_env(dev=2, staging=5, prod=10))
    # --- Cloud SQL ---
    db_edition: str = setting(checks.one_of("ENTERPRISE", "ENTERPRISE_PLUS"), "Cloud SQL edition, set explicitly (PostgreSQL 16 defaults to ENTERPRISE_PLUS, which refuses db-custom tiers).", default="ENTERPRISE")
    # 32 GiB like the seed's db.r6g.xlarge: ENTERPRISE allows at most 6.5 GiB per vCPU, so 6 vCPU.
    db_tier: str = setting(checks.text(r"db-[a-zA-Z0-9-]+", "a Cloud SQL tier such as db-custom-6-32768"), "Cloud SQL machine tier, valid for dbEdition.", default=per_env(dev="db-custom-1-3840", staging="db-custom-4-16384", prod="db-custom-6-32768"))
    db_availability: str = setting(checks.one_of("REGIONAL", "ZONAL"), "REGIONAL: a synchronous standby in another zone with automatic failover (HA); ZONAL: one zone.", default=per_env(dev="ZONAL", staging="ZONAL", prod="REGIONAL"))
    db_disk_size_gb: int = setting(checks.integer(10, 65536), "Initial SSD storage in GB.", default=per_env(dev=20, staging=50, prod=100))
    db_disk_autoresize_limit_gb: int = setting(checks.integer(10, 65536), "Ceiling of automatic storage growth in GB.", default=per_env(dev=100, staging=200, prod=1000))
    db_retained_backups: int = setting(checks.integer(1, 365), "Automated daily backups kept.", default=per_env(dev=1, staging=7, prod=30))
    db_point_in_time_recovery: bool = setting(checks.boolean, "Point-in-time recovery (WAL kept dbTransactionLogRetentionDays).", default=per_env(dev=False, staging=True, prod=True))
    db_transaction_log_retention_days: int = setting(checks.integer(1, 35), "Days of WAL kept for point-in-time recovery (ENTERPRISE: at most 7).", default=7)
    db_backup_start: str = setting(checks.text(_HHMM, "a UTC time such as 03:00"), "Start (UTC) of the daily backup window (4 h).", default="03:00")
    db_maintenance_day: str = setting(checks.one_of(*_DAYS), "Day of the weekly Cloud SQL maintenance hour.", default="SU")
    db_maintenance_hour: int = setting(checks.integer(0, 23), "Hour (UTC) of the weekly Cloud SQL maintenance window.", default=4)
    db_shared_buffers: str = setting(checks.memory_pages, "shared_buffers (the seed: 4GB); written in 8 KiB pages as Cloud SQL expects.", default=per_env(dev="1Gi", staging="4Gi", prod="4Gi"))
    db_effective_cache_size: str = setting(checks.memory_pages, "effective_cache_size (the seed: 12GB); written in 8 KiB pages.", default=per_env(dev="2Gi", staging="12Gi", prod="12Gi"))
    db_work_mem: str = setting(checks.memory_pages, "work_mem (the seed: 64MB); written in KiB.", default=per_env(dev="16Mi", staging="64Mi", prod="64Mi"))
    db_maintenance_work_mem: str = setting(checks.memory_pages, "maintenance_work_mem (the seed: 1GB); written in KiB.", default=per_env(dev="256Mi", staging="1Gi", prod="1Gi"))
    db_max_connections: int = setting(checks.integer(20, 5000), "max_connections (the seed: 200).", default=per_env(dev=100, staging=200, prod=200))
    # --- Cloud Storage, registry, load balancing ---
    bronze_cold_storage_class: str = setting(checks.one_of("NEARLINE", "COLDLINE", "ARCHIVE"), "Storage class bronze objects move to after bronzeColdDays.", default="COLDLINE")
    bronze_cold_days: int = setting(checks.integer(1, 3650), "Days before bronze objects move to the colder class (the seed: 90).", default=90)
    noncurrent_version_expiration_days: int = setting(checks.integer(1, 3650), "Days before noncurrent object versions in the data-lake buckets are deleted.", default=per_env(dev=7, staging=30, prod=90))
    soft_delete_days: int = setting(checks.integer(7, 90), "Soft-delete retention of every bucket (deleted objects restorable for this long).", default=per_env(dev=7, staging=7, prod=30))
    access_log_retention_days: int = setting(checks.integer(1, 3650), "Days the bucket access logs are kept.", default=per_env(dev=7, staging=30, prod=365))
    registry_untagged_days: int = setting(checks.integer(1, 365), "Untagged images in Artifact Registry are deleted after this many days.", default=14)
    cloud_logging_retention_days: Optional[int] = setting(checks.optional(checks.integer(1, 3650)), "Retention of the project's `_Default` Cloud Logging bucket, where GKE ships system and container logs (project-wide: use a dedicated project); empty: leave the project's own (30 days by default).", default=per_env(dev=None, staging=None, prod=365))
    load_balancer: str = setting(checks.one_of("nlb", "alb"), "What fronts the edge (Traefik, the Gateway): nlb (a passthrough Network Load Balancer, TLS from cert-manager) or alb (the seed's global external Application Load Balancer: a GKE Ingress on a static global IP, a Google-managed certificate, TLS 1.2+, HTTP to HTTPS redirect, re-encrypted to the Gateway; tlsIssuer selfsigned).", default="nlb")
    load_balancer_scheme: str = setting(checks.one_of("external", "internal"), "The passthrough Network Load Balancer in front of the edge's controller: external or internal (reachable from the VPC/VPN only). The alb is always external.", default="external")

    @property
    def zone_count(self) -> int:
        return len(self.node_locations) or GKE_DEFAULT_ZONES

    @property
    def node_initial_per_zone(self) -> int:
        return per_zone(self.node_initial_total, self.zone_count)

    @classmethod
    def check_names(cls, stack: str, raw: Mapping[str, Any], object_store: str) -> None:
        """With the lake on Cloud Storage, `<gcp:project>-<stack>-<role>` must be valid bucket names;
        a missing gcp:project is reported by the GCP foundation with how to set it."""
        gcp_project = raw.get("gcp:project")
        if object_store != "native" or not isinstance(gcp_project, str) or not gcp_project:
            return
        for role in LAKE_BUCKET_ROLES:
            name = gcs_bucket_name(gcp_project, stack, role)
            problem = gcs_bucket_name_problem(name)
            if problem:
                raise CrossFieldInvalid("gcp:project and the stack name", f"{gcp_project} / {stack}",
                                        f"names that make valid Cloud Storage bucket names with objectStore native: {name!r} needs {problem}")

    def cross_check(self) -> None:
        ranges = {"subnetCidr": self.subnet_cidr, "podsCidr": self.pods_cidr, "servicesCidr": self.services_cidr}
        clash = range_overlaps(ranges)
        if clash:
            a, b = clash
            raise CrossFieldInvalid(b, ranges[b], f"a range that does not overlap {a} ({ranges[a]})")
        _no_default_route("masterAuthorizedNetworks", self.master_authorized_networks)
        if self.control_plane_access == "dns" and self.master_authorized_networks:
            raise CrossFieldInvalid("masterAuthorizedNetworks", list(self.master_authorized_networks), "empty when controlPlaneAccess is dns (the DNS endpoint is authorized by IAM; the networks apply to private-ip)")
        if self.control_plane_access == "private-ip" and not self.master_authorized_networks:
            raise CrossFieldInvalid("masterAuthorizedNetworks", [], "at least one CIDR inside the VPC or VPN when controlPlaneAccess is private-ip")
        if not self.maintenance_days or len(set(self.maintenance_days)) != len(self.maintenance_days):
            raise CrossFieldInvalid("maintenanceDays", list(self.maintenance_days), "one or more distinct days of MO, TU, WE, TH, FR, SA, SU")
        if maintenance_hours_per_32_days(len(self.maintenance_days), self.maintenance_hours) < GKE_MIN_MAINTENANCE_HOURS:
            need = math.ceil(GKE_MIN_MAINTENANCE_HOURS / (4 * len(self.maintenance_days)))
            raise CrossFieldInvalid("maintenanceHours", self.maintenance_hours, f"at least {need} with {len(self.maintenance_days)} day(s) a week: GKE needs 48 h of maintenance in any 32 days")
        if not self.node_min_total <= self.node_initial_total <= self.node_max_total:
            raise CrossFieldInvalid("nodeInitialTotal", self.node_initial_total, f"a size from nodeMinTotal ({self.node_min_total}) to nodeMaxTotal ({self.node_max_total})")
        if self.node_initial_per_zone * self.zone_count > self.node_max_total:
            raise CrossFieldInvalid("nodeInitialTotal", self.node_initial_total,
                                    f"a size that, rounded up to {self.zone_count} zones, stays within nodeMaxTotal ({self.node_max_total})")
        if len(set(self.node_locations)) != len(self.node_locations):
            raise CrossFieldInvalid("nodeLocations", list(self.node_locations), "distinct zones")
        problem = cloud_sql_tier_problem(self.db_edition, self.db_tier)
        if problem:
            raise CrossFieldInvalid("dbTier", self.db_tier, problem)
        if self.db_disk_autoresize_limit_gb < self.db_disk_size_gb:
            raise CrossFieldInvalid("dbDiskAutoresizeLimitGb", self.db_disk_autoresize_limit_gb, f"at least dbDiskSizeGb ({self.db_disk_size_gb})")
        if self.db_edition == "ENTERPRISE" and self.db_transaction_log_retention_days > 7:
            raise CrossFieldInvalid("dbTransactionLogRetentionDays", self.db_transaction_log_retention_days, "1 to 7 for edition ENTERPRISE (ENTERPRISE_PLUS allows 35)")

    def front_tls(self) -> Optional[FrontTls]:
        # The Application Load Balancer does not verify the Gateway's certificate and users see
        # its Google-managed one, so the local CA signs the Gateway's; HTTP-01 could not pass its
        # redirect to the not-yet-served HTTPS listener.
        if self.load_balancer != "alb":
            return None
        return FrontTls("selfsigned", "selfsigned when gcp.loadBalancer is alb (the load balancer serves its own certificate; ACME HTTP-01 cannot pass its HTTPS redirect)")

    def check_recovery(self, settings: Settings, target_seconds: int) -> None:
        recovery.check(self, settings, target_seconds)

    def database_recovery_point(self, settings: Settings) -> RecoveryPoint:
        return recovery.database(self)

    def archive_copy(self, settings: Settings) -> NativeCopy:
        return recovery.archive()

    def lake_recovery_point(self, settings: Settings) -> Optional[RecoveryPoint]:
        return recovery.lake(self)

    def snapshot_copy(self, settings: Settings) -> Optional[NativeCopy]:
        return recovery.snapshots()


SECTION = GcpSettings
