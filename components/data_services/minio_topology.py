"""MinIO server-pool topology as pure functions: the endpoint list every server is started
with, and the parity MinIO picks. Every server of every pool gets the same list; adding a pool
(the seed's 4 -> 8 expansion) appends one expression and restarts the servers with it."""

from __future__ import annotations

from collections.abc import Sequence

DATA_DIR = "/export"


def pool_name(index: int) -> str:
    return f"minio-pool-{index}"


def drive_paths(drives: int) -> str:
    """`/export/data0` or the ellipsis form `/export/data{0...3}`."""
    return f"{DATA_DIR}/data0" if drives == 1 else f"{DATA_DIR}/data{{0...{drives - 1}}}"


def server_args(pools: Sequence[int], drives: int, headless: str, namespace: str) -> list[str]:
    """Endpoints for `minio server`: a lone single server uses local paths, otherwise one
    `http://<pool>-{0...n-1}.<headless>.<ns>.svc.cluster.local/export/data{0...d-1}` per pool."""
    if len(pools) == 1 and pools[0] == 1:
        return [drive_paths(drives)]
    return [
        f"http://{pool_name(i)}-{{0...{servers - 1}}}.{headless}.{namespace}.svc.cluster.local{drive_paths(drives)}"
        for i, servers in enumerate(pools)
    ]


def erasure_set_size(drives_in_pool: int) -> int:
    """The largest set size of 4-16 that divides the pool's drives (MinIO's choice for a pool of
    equal servers); 1 for a single drive."""
    if drives_in_pool < 4:
        return drives_in_pool
    return max(s for s in range(4, 17) if drives_in_pool % s == 0)


def default_parity(set_size: int) -> int:
    """MinIO's default STANDARD parity for an erasure set (EC:4 from 8 drives up: the seed's EC:4)."""
    if set_size <= 1:
        return 0
    if set_size <= 3:
        return 1
    if set_size <= 5:
        return 2
    if set_size <= 7:
        return 3
    return 4
