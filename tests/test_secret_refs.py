"""Every reference to a Secret key names a key that a Secret of the plan will hold.

A pod whose `secretKeyRef` names a missing key stays in CreateContainerConfigError; nothing
before a real cluster notices. The plan's manifests show every Secret's keys (values redacted,
offline_plan/manifests.py) and every ExternalSecret's keys (`spec.data[].secretKey`, or the
`data-platform.io/secret-keys` annotation where `dataFrom` is used, components/secrets.py), so
this test checks, on every stack:

- in the manifests: every non-optional `env[].valueFrom.secretKeyRef`, `envFrom[].secretRef`
  and `volumes[].secret` (with its `items[].key`), in any object (Deployments, Jobs, CronJobs,
  custom resources' pod templates);
- in the Helm releases' values: the same structures when the values carry pod fragments
  (`extraEnv`, `extraVolumes`...), and the values that name a Secret and its keys, read the
  way each chart's templates read them (CHART_SECRET_READERS, checked with `helm template`
  of the pinned charts; charts cannot be rendered in CI, which has no network).

Secrets that controllers make from other objects (cert-manager, ECK) are derived from those
objects, each rule documented in `controller_secrets`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from components.secrets import SECRET_KEYS_ANNOTATION
from offline_plan.manifests import objects

STACKS = ("dev", "prod-local", "staging", "prod", "azure-prod")

Ref = tuple[str, str, str | None, str]
"""(namespace, Secret name, key or None for "the Secret must exist", where it is referenced)."""


def _walk(node: Any, namespace: str, where: str) -> Iterator[Ref]:
    """Secret references in a pod-spec-shaped tree (any depth)."""
    if isinstance(node, dict):
        ref = node.get("secretKeyRef")
        if isinstance(ref, dict) and not ref.get("optional"):
            yield namespace, ref["name"], ref["key"], where
        ref = node.get("secretRef")
        if isinstance(ref, dict) and "name" in ref and not ref.get("optional"):
            yield namespace, ref["name"], None, where
        vol = node.get("secret")
        if isinstance(vol, dict) and "secretName" in vol and not vol.get("optional"):
            yield namespace, vol["secretName"], None, where
            for item in vol.get("items") or ():
                yield namespace, vol["secretName"], item["key"], where
        for value in node.values():
            yield from _walk(value, namespace, where)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, namespace, where)


# --- what each chart reads from its values (verified with `helm template` of the pinned chart) ---

def airbyte_secret_refs(values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Airbyte chart V2 (templates/config/_database.tpl, _storage.tpl). Every server, worker,
    cron, launcher, workload API and bootloader pod gets DATABASE_USER/_PASSWORD *and*
    CONFIG_DATABASE_REPLICA_USER/_PASSWORD from `global.database.secretName`, the replica keys
    defaulting to `CONFIG_DATABASE_REPLICA_*` even with no replica configured. Storage keys come
    from `global.storage.secretName` (when unset, the chart's own `<release>-airbyte-secrets`,
    which the chart renders with those keys: nothing to check). Rendered with `helm template`
    of chart 2.2.0 (the newest package available offline) with every stack's values."""
    glob = values.get("global") or {}
    db = glob.get("database") or {}
    if db.get("secretName"):
        replica = db.get("replica") or {}
        yield db["secretName"], db.get("userSecretKey") or "DATABASE_USER"
        yield db["secretName"], db.get("passwordSecretKey") or "DATABASE_PASSWORD"
        yield db["secretName"], replica.get("userSecretKey") or "CONFIG_DATABASE_REPLICA_USER"
        yield db["secretName"], replica.get("passwordSecretKey") or "CONFIG_DATABASE_REPLICA_PASSWORD"
    storage = glob.get("storage") or {}
    kind = storage.get("type")
    if storage.get("secretName") and kind in ("minio", "s3"):
        conf = storage.get(kind) or {}
        yield storage["secretName"], conf.get("accessKeyIdSecretKey") or "AWS_ACCESS_KEY_ID"
        yield storage["secretName"], conf.get("secretAccessKeySecretKey") or "AWS_SECRET_ACCESS_KEY"
    if storage.get("secretName") and kind == "azure":  # AZURE_STORAGE_CONNECTION_STRING on server, worker, launcher
        yield storage["secretName"], (storage.get("azure") or {}).get("connectionStringSecretKey") or "AZURE_STORAGE_CONNECTION_STRING"


def grafana_secret_refs(values: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """kube-prometheus-stack's Grafana subchart: `grafana.admin.existingSecret` with `userKey`
    (default admin-user) and `passwordKey` (default admin-password) — templates/_pod.tpl of
    grafana 12.7.2, the dependency of kube-prometheus-stack 87.15.1, rendered with the plan's
    values."""
    admin = (values.get("grafana") or {}).get("admin") or {}
    if admin.get("existingSecret"):
        yield admin["existingSecret"], admin.get("userKey") or "admin-user"
        yield admin["existingSecret"], admin.get("passwordKey") or "admin-password"


CHART_SECRET_READERS: dict[str, Callable[[dict[str, Any]], Iterator[tuple[str, str]]]] = {
    "airbyte": airbyte_secret_refs,
    "kube-prometheus-stack": grafana_secret_refs,
}


def references(objs: list[dict[str, Any]]) -> list[Ref]:
    out: list[Ref] = []
    for obj in objs:
        ns = obj["metadata"].get("namespace", "")
        where = f'{obj["kind"]} {ns}/{obj["metadata"]["name"]}'
        if obj["kind"] == "HelmRelease":
            values = obj["spec"].get("values") or {}
            out.extend(_walk(values, ns, where + " values"))
            reader = CHART_SECRET_READERS.get(obj["spec"]["chart"]["spec"]["chart"])
            if reader:
                out.extend((ns, name, key, where + " values") for name, key in reader(values))
        elif obj["kind"] not in ("Secret", "ExternalSecret", "ClusterExternalSecret"):
            out.extend(_walk({k: v for k, v in obj.items() if k != "metadata"}, ns, where))
    return out


def _external_secret_keys(obj_name: str, spec: dict[str, Any], annotations: dict[str, str]) -> tuple[str, set[str]]:
    keys = {d["secretKey"] for d in spec.get("data") or ()}
    if spec.get("dataFrom"):
        listed = annotations.get(SECRET_KEYS_ANNOTATION)
        assert listed, f"ExternalSecret {obj_name} uses dataFrom without listing its keys in {SECRET_KEYS_ANNOTATION}"
        keys |= set(listed.split(","))
    return (spec.get("target") or {}).get("name") or obj_name, keys


def controller_secrets(obj: dict[str, Any]) -> Iterator[tuple[str, set[str]]]:
    """Secrets a controller makes from `obj`: cert-manager writes a Certificate's
    `spec.secretName` with tls.crt/tls.key/ca.crt; ECK writes `<name>-es-elastic-user` (key
    `elastic`) and `<name>-es-http-certs-public` (tls.crt, ca.crt) for an Elasticsearch."""
    name = obj["metadata"]["name"]
    if obj["kind"] == "Certificate":
        yield obj["spec"]["secretName"], {"tls.crt", "tls.key", "ca.crt"}
    elif obj["kind"] == "Elasticsearch":
        yield f"{name}-es-elastic-user", {"elastic"}
        yield f"{name}-es-http-certs-public", {"tls.crt", "ca.crt"}


def secret_keys(objs: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """(namespace, name) -> the keys the Secret will hold, for every Secret the plan makes."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for obj in objs:
        meta = obj["metadata"]
        ns = meta.get("namespace", "")
        if obj["kind"] == "Secret":
            out[ns, meta["name"]] |= set(obj.get("data") or {}) | set(obj.get("stringData") or {})
        elif obj["kind"] == "ExternalSecret":
            name, keys = _external_secret_keys(meta["name"], obj["spec"], meta.get("annotations") or {})
            out[ns, name] |= keys
        elif obj["kind"] == "ClusterExternalSecret":
            name, keys = _external_secret_keys(obj["spec"]["externalSecretName"], obj["spec"]["externalSecretSpec"], meta.get("annotations") or {})
            for selector in obj["spec"]["namespaceSelectors"]:
                out[selector["matchLabels"]["kubernetes.io/metadata.name"], name] |= keys
        for name, keys in controller_secrets(obj):
            out[ns, name] |= keys
    return out


OPERATOR_SECRETS_ANNOTATION = "data-platform.io/operator-secrets"
"""Secrets the operator creates (named by config, e.g. backups.mirrorCredentialsSecret), listed
on the object that reads them: they cannot be in the plan, so they are not dangling."""


def operator_secrets(objs: list[dict[str, Any]]) -> set[tuple[str, str]]:
    out = set()
    for obj in objs:
        meta = obj.get("metadata") or {}
        names = (meta.get("annotations") or {}).get(OPERATOR_SECRETS_ANNOTATION, "")
        out |= {(meta.get("namespace", ""), n.strip()) for n in names.split(",") if n.strip()}
    return out


def dangling(objs: list[dict[str, Any]]) -> list[str]:
    have = secret_keys(objs)
    provided = operator_secrets(objs)
    problems = []
    for ns, name, key, where in references(objs):
        if (ns, name) in provided:
            continue
        if (ns, name) not in have:
            problems.append(f"{where}: Secret {ns}/{name} is not in the plan")
        elif key is not None and key not in have[ns, name]:
            problems.append(f"{where}: Secret {ns}/{name} has no key {key!r} (it has {sorted(have[ns, name])})")
    return sorted(set(problems))


@pytest.mark.parametrize("stack", STACKS)
def test_every_secret_key_reference_names_a_key_that_exists(plan_stack, stack):
    objs = list(objects(plan_stack(stack)))
    refs = references(objs)
    assert len(refs) > 20, "the walk found (almost) no references: it is not looking at the manifests"
    assert dangling(objs) == []


@pytest.mark.parametrize("stack", STACKS)
def test_the_plan_shows_every_secrets_keys_with_values_redacted(plan_stack, stack):
    objs = list(objects(plan_stack(stack)))
    secrets = [o for o in objs if o["kind"] == "Secret"]
    externals = [o for o in objs if o["kind"] == "ExternalSecret"]
    assert secrets or externals
    for s in secrets:
        data = {**(s.get("data") or {}), **(s.get("stringData") or {})}
        assert data, f"Secret {s['metadata']['name']} shows no key"
        assert set(data.values()) == {"[secret]"}, f"Secret {s['metadata']['name']} shows a value"
    for e in externals:
        _, keys = _external_secret_keys(e["metadata"]["name"], e["spec"], e["metadata"].get("annotations") or {})
        assert keys, f"ExternalSecret {e['metadata']['name']} shows no key"


def test_airbyte_values_without_replica_keys_are_caught():
    """The chart's replica default (CONFIG_DATABASE_REPLICA_*) against a login Secret that only
    has username/password: the check reports it (the bug it exists for)."""
    values = {"global": {"database": {"secretName": "postgres-airbyte", "userSecretKey": "username", "passwordSecretKey": "password"}}}
    objs = [
        {"kind": "Secret", "metadata": {"name": "postgres-airbyte", "namespace": "apps"}, "stringData": {"username": "[secret]", "password": "[secret]"}},
        {"kind": "HelmRelease", "metadata": {"name": "airbyte", "namespace": "apps"}, "spec": {"chart": {"spec": {"chart": "airbyte"}}, "values": values}},
    ]
    assert dangling(objs) == [
        f"HelmRelease apps/airbyte values: Secret apps/postgres-airbyte has no key {k!r} (it has ['password', 'username'])"
        for k in ("CONFIG_DATABASE_REPLICA_PASSWORD", "CONFIG_DATABASE_REPLICA_USER")
    ]
