"""Workload helpers every component uses, so resources, one-shot Jobs and scheduling are written once.

- `resources()`: requests and limits, both always set.
- `script_job_spec()`: a retried, restricted Job that runs one script.
- `secret_env()`: an env var from a Secret key.
- `tolerations_for()` / `prefer_pool()`: run on a `foundation.InterruptiblePool` when it has room.
- `child()`: ResourceOptions for a component's children (parent + the Foundation's provider).
- `camel_keys()`: the typed helpers' snake_case -> the camelCase custom resources and Helm values take.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

import pulumi

from .security import container_security, pod_security


def resources(cpu_request: str, memory_request: str, cpu_limit: str, memory_limit: str) -> dict[str, Any]:
    return {
        "requests": {"cpu": cpu_request, "memory": memory_request},
        "limits": {"cpu": cpu_limit, "memory": memory_limit},
    }


def child(parent: pulumi.Resource, provider: pulumi.ProviderResource, *, depends_on: Sequence[pulumi.Resource] = (), **kw: Any) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=list(depends_on), **kw)


def storage_class_name(name: Optional[str]) -> dict[str, str]:
    """`{"storage_class_name": name}` or `{}` for the cluster default class."""
    return {"storage_class_name": name} if name else {}


def camel_keys(value: Any) -> Any:
    """snake_case keys -> camelCase, recursively: custom resources and Helm values are sent to the
    engine as written, so the typed helpers above (snake_case) must be converted for them."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            head, *rest = k.split("_")
            out[head + "".join(p[:1].upper() + p[1:] for p in rest)] = camel_keys(v)
        return out
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def secret_env(var: str, secret: Any, key: str) -> dict[str, Any]:
    """An env var from `key` of a Secret, given by name or as the Secret/ExternalSecret resource
    (then the Job also waits for it through the property dependency)."""
    name = secret.metadata["name"] if hasattr(secret, "metadata") else secret
    return {"name": var, "value_from": {"secret_key_ref": {"name": name, "key": key}}}


def script_job_spec(
    *,
    labels: dict[str, str],
    container: str,
    image: str,
    script: Any,
    uid: int,
    resources: dict[str, Any],
    gid: Optional[int] = None,
    env: Sequence[dict[str, Any]] = (),
    volumes: Sequence[dict[str, Any]] = (),
    volume_mounts: Sequence[dict[str, Any]] = (),
    tmp: bool = True,
    service_account: Optional[str] = None,
    backoff_limit: int = 6,
    deadline_seconds: int = 1800,
    pod_extra: Optional[dict[str, Any]] = None,
    interpreter: Sequence[str] = ("/bin/sh", "-c"),
) -> dict[str, Any]:
    """The spec of a run-to-completion Job that runs one shell script (bucket/user/role bootstrap,
    CA publishing, index lifecycle, ...): retried on failure within a deadline, restricted pod
    and container security, read-only root with a small writable /tmp, and no API token unless
    it runs as a named ServiceAccount."""
    mounts = [*volume_mounts, *([{"name": "tmp", "mount_path": "/tmp"}] if tmp else [])]
    vols = [*volumes, *([{"name": "tmp", "empty_dir": {"size_limit": "16Mi"}}] if tmp else [])]
    pod: dict[str, Any] = {
        "restart_policy": "OnFailure",
        "automount_service_account_token": service_account is not None,
        "security_context": pod_security(run_as_user=uid, run_as_group=uid if gid is None else gid),
        "containers": [{
            "name": container,
            "image": image,
            "command": [*interpreter, script],
            **({"env": list(env)} if env else {}),
            "resources": resources,
            "security_context": container_security(read_only_root=True),
            **({"volume_mounts": mounts} if mounts else {}),
        }],
        **({"volumes": vols} if vols else {}),
        **({"service_account_name": service_account} if service_account else {}),
        **(pod_extra or {}),
    }
    return {"backoff_limit": backoff_limit, "active_deadline_seconds": deadline_seconds,
            "template": {"metadata": {"labels": labels}, "spec": pod}}


def tolerations_for(pool: Any) -> list[dict[str, str]]:
    """The toleration of a `foundation.InterruptiblePool`'s taint (its nodes refuse other pods)."""
    return [{"key": pool.taint_key, "operator": "Equal", "value": pool.taint_value, "effect": pool.taint_effect}]


def prefer_pool(pool: Any) -> dict[str, Any]:
    """Node affinity that prefers the pool's nodes but falls back to any node (no Spot capacity)."""
    terms = [{"key": k, "operator": "In", "values": [v]} for k, v in sorted(pool.node_labels.items())]
    return {"node_affinity": {"preferred_during_scheduling_ignored_during_execution": [{"weight": 100, "preference": {"match_expressions": terms}}]}}
