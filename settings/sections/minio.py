"""Settings section `data-platform:minio`: MinIO distributed object store (data lake when objectStore is minio).

The upstream repository is archived and no longer publishes images: the image is pinned and
configurable so a mirror or a maintained fork can be used. Topology is a list of server pools
(`pools: [4]`); the seed's expansion 4 -> 8 servers is `pools: [4, 4]` (a second pool, never a
resize of the first, which would change the erasure sets of existing data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from .. import checks
from ..schema import CrossFieldInvalid, Section, per_env, setting

DEFAULT_IMAGE = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z"
DEFAULT_MC_IMAGE = "quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z"
DEFAULT_RESTART_IMAGE = "curlimages/curl:8.11.1"
LAKE_BUCKETS = ("bronze", "silver", "gold")
MIN_DISTRIBUTED_SERVERS = 4
ERASURE_SET_SIZES = range(2, 17)  # what MinIO accepts for one erasure set


def pool_problem(pools: Sequence[int], drives_per_server: int) -> Optional[str]:
    """Why this MinIO topology would not start (or would not be the seed's HA), or None.

    A single server (any drive count) is only allowed alone (dev). A distributed pool needs
    4+ servers and a drive count MinIO can split into equal erasure sets of 2-16 drives.
    """
    if not pools:
        return "at least one server pool such as [4]"
    if len(pools) == 1 and pools[0] == 1:
        return None
    for i, servers in enumerate(pools):
        if servers < MIN_DISTRIBUTED_SERVERS:
            return (f"pool {i} has {servers} server(s): a distributed pool needs at least {MIN_DISTRIBUTED_SERVERS} "
                    "(a single server is only allowed as the only pool)")
        drives = servers * drives_per_server
        if not any(drives % size == 0 for size in ERASURE_SET_SIZES if size >= 4):
            return f"pool {i} has {drives} drives, which MinIO cannot split into equal erasure sets of 4 to 16 drives"
    return None


@dataclass(frozen=True)
class MinioSettings(Section):
    KEY = "minio"
    POSITION = 1
    DOC = "MinIO distributed object store (data lake when objectStore is minio)"

    image: str = setting(checks.image, "MinIO server image, pinned (upstream is archived: point this at your mirror or fork).", default=DEFAULT_IMAGE)
    mc_image: str = setting(checks.image, "MinIO client image used by the bucket/user bootstrap Job.", default=DEFAULT_MC_IMAGE)
    restart_image: str = setting(checks.image, "Image of the Job that restarts every server together on an upgrade or expansion (needs sh and curl).", default=DEFAULT_RESTART_IMAGE)
    pools: tuple = setting(checks.string_list(checks.integer(1, 32)), "Servers per server pool; [4] is one erasure set, [4, 4] the seed's expansion to 8 servers.", default=per_env(dev=(1,), staging=(4,), prod=(4,)))
    drives_per_server: int = setting(checks.integer(1, 16), "Volumes per server (4 servers x 4 drives = one 16-drive set with the seed's EC:4 parity).", default=per_env(dev=1, staging=2, prod=4))
    drive_size: str = setting(checks.memory, "Size of each drive volume (standard role).", default=per_env(dev="10Gi", staging="50Gi", prod="250Gi"))
    cpu_request: str = setting(checks.cpu, "CPU request of each server.", default=per_env(dev="100m", staging="500m", prod="1"))
    cpu_limit: str = setting(checks.cpu, "CPU limit of each server (seed storage node: 2 CPU).", default=per_env(dev="1", staging="1", prod="2"))
    memory_request: str = setting(checks.memory, "Memory request of each server.", default=per_env(dev="256Mi", staging="2Gi", prod="4Gi"))
    memory_limit: str = setting(checks.memory, "Memory limit of each server (seed storage node: 8 GB).", default=per_env(dev="1Gi", staging="4Gi", prod="8Gi"))
    locked_buckets: tuple = setting(checks.string_list(checks.one_of(*LAKE_BUCKETS)), "Lake buckets created with object locking and a default retention (only possible at creation).", default=per_env(dev=(), staging=("bronze",), prod=("bronze",)))
    lock_mode: str = setting(checks.one_of("GOVERNANCE", "COMPLIANCE"), "Default retention mode of locked buckets (seed: GOVERNANCE).", default="GOVERNANCE")
    lock_days: int = setting(checks.integer(1, 3650), "Default retention of locked buckets in days (seed: 30).", default=30)
    anti_affinity: str = setting(checks.one_of("preferred", "required"), "Spread servers over nodes: required in prod (a node holding two servers can exceed the parity).", default=per_env(dev="preferred", staging="preferred", prod="required"))

    def cross_check(self) -> None:
        problem = pool_problem(self.pools, self.drives_per_server)
        if problem:
            raise CrossFieldInvalid("pools", list(self.pools), problem)
