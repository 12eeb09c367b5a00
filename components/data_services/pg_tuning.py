"""PostgreSQL memory settings derived from the instance's memory.

The seed's tuning (shared_buffers 4GB, effective_cache_size 12GB, work_mem 64MB,
maintenance_work_mem 1GB) is written for its 16 GB database node: 1/4 and 3/4 of memory, work_mem
scaled so 200 connections x a few sorts stay within memory. Smaller environments keep the same
ratios instead of copying numbers that would not fit (4GB of shared buffers in a 1 GiB pod).
"""

from __future__ import annotations

MiB = 2**20
GiB = 2**30
SEED_MEMORY = 16 * GiB


def pg_size(n: int) -> str:
    """Bytes -> a PostgreSQL size: `4GB` when whole gigabytes, else `MB` (PostgreSQL's units are 1024-based)."""
    return f"{n // GiB}GB" if n % GiB == 0 else f"{max(1, n // MiB)}MB"


def pg_memory_parameters(memory_bytes: int) -> dict[str, str]:
    """postgresql.conf memory parameters for an instance with `memory_bytes` of memory limit."""
    shared = memory_bytes // 4
    cache = memory_bytes * 3 // 4
    maintenance = min(GiB, max(16 * MiB, memory_bytes // 16))
    work = min(64 * MiB, max(4 * MiB, 64 * MiB * memory_bytes // SEED_MEMORY))
    return {
        "shared_buffers": pg_size(shared - shared % MiB),
        "effective_cache_size": pg_size(cache - cache % MiB),
        "maintenance_work_mem": pg_size(maintenance - maintenance % MiB),
        "work_mem": pg_size(work - work % MiB),
    }


def wal_keep_size(wal_volume_bytes: int) -> str:
    """The seed's `wal_keep_size = 1GB`, capped at an eighth of the WAL volume."""
    keep = min(GiB, wal_volume_bytes // 8)
    return pg_size(keep - keep % MiB)
