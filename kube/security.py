"""The restricted Pod Security profile (non-root, all capabilities dropped, no privilege
escalation, RuntimeDefault seccomp, read-only root filesystem unless the image needs to write),
and the admission labels a namespace enforces it with."""

from __future__ import annotations

from typing import Any, Optional


def pod_security(run_as_user: int = 1000, fs_group: Optional[int] = None, run_as_group: Optional[int] = None) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "run_as_non_root": True,
        "run_as_user": run_as_user,
        "seccomp_profile": {"type": "RuntimeDefault"},
    }
    if run_as_group is not None:
        ctx["run_as_group"] = run_as_group
    if fs_group is not None:
        ctx["fs_group"] = fs_group
        ctx["fs_group_change_policy"] = "OnRootMismatch"
    return ctx


def container_security(read_only_root: bool = True) -> dict[str, Any]:
    return {
        "allow_privilege_escalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "read_only_root_filesystem": read_only_root,
        "run_as_non_root": True,
        "seccomp_profile": {"type": "RuntimeDefault"},
    }


def pod_security_labels(enforce: str = "baseline", warn: str = "restricted") -> dict[str, str]:
    """Pod Security admission labels for a namespace (enforce one level, warn/audit another)."""
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": warn,
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": warn,
        "pod-security.kubernetes.io/audit-version": "latest",
    }
