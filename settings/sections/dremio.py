"""Settings section `data-platform:dremio`: Dremio coordinator, executors and ZooKeeper.

Sizing follows the seed (see docs/dremio.md for how its figures were reconciled):

- executors: 1 in dev, 2 in staging, 3 in prod (the seed's "StatefulSet: 3+"), up to 64 by
  config (the seed scales to 6);
- executor containers: requests 4 CPU / 16Gi, limits 8 CPU / 32Gi in prod; the seed's vertical
  step (16 CPU / 32 Go) is `executorCpuLimit: "16"`;
- heap: the master coordinator gets the seed's 16384 MB heap (`-Xmx16g`, `-Xms8g`); the seed's
  executor figure, 32768 MB, is the executor's *whole* memory (its container limit), split
  into heap and direct memory the way Dremio's own Helm chart does (`memory_plan`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .. import checks
from ..schema import CrossFieldInvalid, Section, per_env, setting

MIN_DIRECT_MB = 1024
"""Dremio refuses to run executors with less direct memory than this in practice."""

S3_PROFILE_PROVIDER = "com.dremio.plugins.s3.store.AWSProfileCredentialsProviderV1"
"""Dremio's AWS-profile provider: the pod's web identity (IRSA) through a profile file
(components/apps/dremio/s3_identity.py)."""
S3_EC2_METADATA_PROVIDER = "com.amazonaws.auth.InstanceProfileCredentialsProvider"
"""The node's instance profile (every pod on the node gets its rights: not least privilege)."""


@dataclass(frozen=True)
class MemoryPlan:
    """How one Dremio container's memory limit is shared (MiB)."""

    container_mb: int
    heap_mb: int
    direct_mb: int
    reserve_mb: int
    """Left to the JVM's own overhead (metaspace, threads, code cache) and the OS."""

    @property
    def initial_heap_mb(self) -> int:
        """`-Xms`: half the heap, the seed's `-Xms8g -Xmx16g` ratio."""
        return max(self.heap_mb // 2, 256)


def reserve_mb(container_mb: int) -> int:
    """Non-JVM headroom, as the dremio_v2 chart computes it: 5 %, capped at 6000 MiB for big
    containers, and never less than 512 MiB."""
    return 6000 if container_mb >= 64000 else max(container_mb * 5 // 100, 512)


def memory_plan(container_mb: int, heap_mb: int) -> MemoryPlan:
    """Split a container memory limit into heap + direct + reserve; raise ValueError if the heap
    does not fit with at least MIN_DIRECT_MB of direct memory."""
    reserve = reserve_mb(container_mb)
    direct = container_mb - reserve - heap_mb
    if heap_mb < 1024 or direct < MIN_DIRECT_MB:
        raise ValueError(
            f"a heap of {heap_mb} MiB does not fit a {container_mb} MiB container "
            f"(needs {reserve} MiB reserve and at least {MIN_DIRECT_MB} MiB direct memory; heap at least 1024 MiB)"
        )
    return MemoryPlan(container_mb=container_mb, heap_mb=heap_mb, direct_mb=direct, reserve_mb=reserve)


def mebibytes(quantity: str) -> int:
    return checks.memory_bytes(quantity) // 2**20


def _odd(lo: int, hi: int) -> checks.Check:
    inner = checks.integer(lo, hi)

    def check(value: Any) -> int:
        n = inner(value)
        if n % 2 == 0:
            raise checks.Invalid(f"an odd integer from {lo} to {hi} (a ZooKeeper quorum needs a majority)")
        return n

    return check


@dataclass(frozen=True)
class DremioSettings(Section):
    KEY = "dremio"
    POSITION = 3
    DOC = "Dremio coordinator, executors and ZooKeeper"

    image: str = setting(checks.image, "Dremio image (OSS by default), pinned by tag or digest. The S3 credential paths, catalog API and configuration keys the program relies on were read in dremio-oss 25.2.0, the newest release whose source is published; the default stays 26.0 because Dremio's KV store upgrades one way (an existing 26.0 deployment cannot go back to 25.2). A new deployment that wants only what was read can set dremio/dremio-oss:25.2.0.", default="dremio/dremio-oss:26.0")
    executors: int = setting(checks.integer(1, 64), "Executor replicas (executor StatefulSet). The seed: 3+ in prod, 6 when scaling out.", default=per_env(dev=1, staging=2, prod=3))
    executors_interruptible: bool = setting(checks.boolean, "Let executors run on the cloud's interruptible (Spot) nodes when it has them (aws.spotNodes, azure.spotNodes, gcp.spotPool): they tolerate the pool's taint and prefer its nodes. A reclaimed executor fails the queries it was running; Dremio reschedules the next ones.", default=False)
    zookeeper: str = setting(checks.one_of("embedded", "ensemble"),
                             "'embedded': the master coordinator runs ZooKeeper itself (dev only). 'ensemble': a separate ZooKeeper StatefulSet.", default=per_env(dev="embedded", staging="ensemble", prod="ensemble"))
    zookeeper_replicas: int = setting(_odd(3, 7), "ZooKeeper ensemble size (odd) when zookeeper is 'ensemble'.", default=3)
    zookeeper_image: str = setting(checks.image, "ZooKeeper image (the official image, the tag the dremio_v2 chart uses).", default="zookeeper:3.8.4-jre-17")
    zookeeper_volume_size: str = setting(checks.memory, "ZooKeeper data volume per member (fast-ssd).", default=per_env(dev="2Gi", staging="5Gi", prod="10Gi"))
    coordinator_cpu_request: str = setting(checks.cpu, "Master coordinator CPU request.", default=per_env(dev="200m", staging="2", prod="4"))
    coordinator_cpu_limit: str = setting(checks.cpu, "Master coordinator CPU limit.", default=per_env(dev="2", staging="4", prod="8"))
    coordinator_memory_request: str = setting(checks.memory, "Master coordinator memory request.", default=per_env(dev="2Gi", staging="12Gi", prod="24Gi"))
    coordinator_memory_limit: str = setting(checks.memory, "Master coordinator memory limit (heap + direct + reserve are sized from it).", default=per_env(dev="4Gi", staging="12Gi", prod="24Gi"))
    coordinator_heap_mb: int = setting(checks.integer(1024, 262144), "Master coordinator JVM heap in MiB (the seed: 16384 in prod). Direct memory gets the rest of the limit.", default=per_env(dev=2048, staging=8192, prod=16384))
    coordinator_volume_size: str = setting(checks.memory, "Master coordinator volume (KV store, local results) on fast-ssd.", default=per_env(dev="10Gi", staging="50Gi", prod="100Gi"))
    executor_cpu_request: str = setting(checks.cpu, "Executor CPU request (the seed: 4 in prod).", default=per_env(dev="200m", staging="2", prod="4"))
    executor_cpu_limit: str = setting(checks.cpu, "Executor CPU limit (the seed: 8 in prod, 16 for its vertical scaling step).", default=per_env(dev="2", staging="4", prod="8"))
    executor_memory_request: str = setting(checks.memory, "Executor memory request (the seed: 16Gi in prod).", default=per_env(dev="1536Mi", staging="8Gi", prod="16Gi"))
    executor_memory_limit: str = setting(checks.memory, "Executor memory limit (the seed: 32Gi in prod = its 32768 MB executor memory).", default=per_env(dev="4Gi", staging="16Gi", prod="32Gi"))
    executor_heap_mb: int = setting(checks.integer(1024, 262144), "Executor JVM heap in MiB; direct memory (what queries use) gets the rest of the limit.", default=per_env(dev=1024, staging=4096, prod=8192))
    executor_volume_size: str = setting(checks.memory, "Executor spill/cache volume per pod (volumeClaimTemplates on fast-ssd; the seed: 100Gi).", default="100Gi")
    dist_bucket: str = setting(checks.one_of("dremio", "bronze", "silver", "gold"),
                               "Which object-store bucket role holds Dremio's distributed storage (reflections, uploads, job results): its own `dremio` bucket, or a lake bucket. Never `backups` (PostgreSQL's only).", default="dremio")
    dist_path: str = setting(checks.text(r"[a-z0-9][a-z0-9._/-]*", "a bucket path such as dremio"), "Path inside that bucket: dist = dremioS3:///<bucket>/<distPath>.", default="dremio")
    s3_credentials_provider: str = setting(
        checks.one_of(S3_PROFILE_PROVIDER, S3_EC2_METADATA_PROVIDER),
        "How Dremio (distributed store and the `lake` source) authenticates to S3 when the object store has no keys: "
        f"`{S3_PROFILE_PROVIDER}` (the default) turns the pod's web identity (IRSA) into an AWS profile; "
        f"`{S3_EC2_METADATA_PROVIDER}` uses the node's instance profile. Dremio 25.2 accepts no other keyless provider.", default=S3_PROFILE_PROVIDER,
    )
    heap_dumps: bool = setting(checks.boolean, "On OutOfMemoryError, write a heap dump (the size of the heap) to the pod's data volume, not the 2Gi log emptyDir; false turns dumps off. Size coordinatorVolumeSize/executorVolumeSize with room for one.", default=True)
    read_only_root_filesystem: bool = setting(checks.boolean, "Run Dremio and ZooKeeper with a read-only root filesystem (writable paths are volumes).", default=True)
    bootstrap_admin: bool = setting(checks.boolean, "Create Dremio's first admin user and a dbt service user with a Job (PUT /apiv2/bootstrap/firstuser).", default=True)
    bootstrap_image: str = setting(checks.image, "Image of the bootstrap Job (needs sh and curl).", default="curlimages/curl:8.11.1")

    def coordinator_memory(self) -> MemoryPlan:
        return memory_plan(mebibytes(self.coordinator_memory_limit), self.coordinator_heap_mb)

    def executor_memory(self) -> MemoryPlan:
        return memory_plan(mebibytes(self.executor_memory_limit), self.executor_heap_mb)

    def cross_check(self) -> None:
        for role in ("coordinator", "executor"):
            try:
                getattr(self, f"{role}_memory")()
            except ValueError as e:
                raise CrossFieldInvalid(f"{role}HeapMb", getattr(self, f"{role}_heap_mb"), str(e)) from None
            volume = getattr(self, f"{role}_volume_size")
            if self.heap_dumps and mebibytes(volume) < 2 * getattr(self, f"{role}_heap_mb"):
                raise CrossFieldInvalid(f"{role}VolumeSize", volume, f"with heapDumps a heap dump ({getattr(self, f'{role}_heap_mb')} MiB) "
                                        "lands on this volume: give it at least twice the heap, or set heapDumps: false")

    @property
    def embedded_zookeeper(self) -> bool:
        return self.zookeeper == "embedded"

    def zookeeper_members(self) -> Optional[int]:
        return None if self.embedded_zookeeper else self.zookeeper_replicas
