"""Generated credentials live in the cloud's secret manager when the Foundation has one.

- AWS (prod, staging): no Kubernetes Secret carries a generated value. Each one the platform
  needs is an `ExternalSecret` whose remote key is a Secrets Manager secret under
  `<stack>/data-platform/`, KMS-encrypted, whose SecretVersion input is secret; it waits for its
  value, the operator's release and the ClusterSecretStore. ESO may only read that prefix.
- local (dev): plain Secrets, as before.
- Either way: the Secret names, types and keys consumers reference do not change, and no
  generated value is in plaintext anywhere (mock RandomPassword results start with mocks.FAKE_SECRET_PREFIX).
"""

from __future__ import annotations

import json

import pytest
from test_deploy_order import closure

from offline_plan import manifests, plan_json
from offline_plan.mocks import FAKE_SECRET_PREFIX

AWS_STACKS = ("prod", "staging")
SECRET = "kubernetes:core/v1:Secret"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
SM_SECRET = "aws:secretsmanager/secret:Secret"
SM_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
PASSWORD = "random:index/randomPassword:RandomPassword"
RELEASE = "kubernetes:helm.sh/v3:Release"
STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore"

# (namespace, name) -> (Secret type, keys): what consumers reference, whichever path made it.
EXPECTED_AWS = {
    **{(ns, f"postgres-{role}"): (t, {"username", "password"})
       for role in ("airbyte", "temporal", "superset")
       for ns, t in (("data-storage", "kubernetes.io/basic-auth"), ("data-platform", "Opaque"))},
    ("data-storage", "pgbouncer-userlist"): ("Opaque", {"userlist.txt"}),
    ("data-platform", "dremio-admin"): ("kubernetes.io/basic-auth", {"username", "password"}),
    ("data-platform", "dremio-dbt"): ("kubernetes.io/basic-auth", {"username", "password"}),
    ("data-platform", "dremio-superset"): ("kubernetes.io/basic-auth", {"username", "password"}),
    ("data-platform", "dbt-profiles"): ("Opaque", {"profiles.yml"}),
    ("data-platform", "superset-secrets"): ("Opaque", {"secret-key", "admin-password", "redis-password"}),
    ("monitoring", "grafana-admin"): ("Opaque", {"admin-user", "admin-password"}),
    ("data-storage", "elasticsearch-log-writer"): ("kubernetes.io/basic-auth", {"username", "password", "roles"}),
    ("logging", "fluent-bit-elasticsearch"): ("kubernetes.io/basic-auth", {"username", "password"}),
}


def _fed_by_passwords(result, r) -> set[str]:
    """The RandomPasswords whose result flows into `r`'s inputs (property dependencies)."""
    passwords = {p.urn for p in result.by_type(PASSWORD)}
    return {u for us in r.property_dependencies.values() for u in us} & passwords


def _remote_key(ext) -> str:
    (source,) = ext.inputs["spec"]["dataFrom"]
    return source["extract"]["key"]


# --- AWS: Secrets Manager + ExternalSecrets -----------------------------------------------------

@pytest.mark.parametrize("stack", AWS_STACKS)
def test_no_kubernetes_secret_carries_a_generated_value_on_aws(plan_stack, stack):
    result = plan_stack(stack)
    plain = [f"{r.inputs['metadata'].get('namespace')}/{r.inputs['metadata']['name']}"
             for r in result.by_type(SECRET) if _fed_by_passwords(result, r)]
    assert plain == [], ("Kubernetes Secrets built from generated passwords on a cloud with a secret store: "
                         "create them with components.secrets.platform_secret")


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_each_platform_secret_is_an_external_secret_of_a_secrets_manager_secret_under_the_prefix(plan_stack, stack):
    result = plan_stack(stack)
    regs, deps = closure(result)
    prefix = f"{stack}/data-platform/"
    secrets = {r.inputs["name"]: r for r in result.by_type(SM_SECRET)}
    versions = {r.urn: r for r in result.by_type(SM_VERSION)}
    release = result.one(RELEASE, "external-secrets")
    store = result.one(STORE, "aws-secrets-manager")
    key = result.one("aws:kms/alias:Alias", f"{stack}-platform-secrets").inputs["targetKeyId"]

    seen = {}
    for ext in result.by_type(EXTERNAL_SECRET):
        meta, spec = ext.inputs["metadata"], ext.inputs["spec"]
        ns, name = meta["namespace"], meta["name"]
        target = spec["target"]
        # Same Secret name as before, owned by the operator, with the old type and labels.
        assert target["name"] == name and target["creationPolicy"] == "Owner"
        assert target["template"]["metadata"]["labels"] == meta["labels"]
        assert spec["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
        assert spec["refreshInterval"] == "1h"
        remote = _remote_key(ext)
        assert remote == f"{prefix}{ns}/{name}"
        sm = secrets[remote]
        assert sm.inputs["kmsKeyId"].endswith(key) and sm.inputs["tags"]["component"] == "platform-secrets"
        assert sm.inputs["recoveryWindowInDays"] == (30 if stack == "prod" else 0)
        # The value: a SecretVersion of that secret, secret in the plan, written before the sync.
        (version,) = [v for v in versions.values() if v.inputs["secretId"] == remote]
        assert version.inputs["secretString"] == "[secret]"
        assert sm.urn in deps(version.urn)
        assert {version.urn, release.urn, store.urn} <= set(ext.dependencies)
        seen[(ns, name)] = target["template"]["type"]
    assert seen == {k: t for k, (t, _) in EXPECTED_AWS.items()}
    # Nothing else written under the prefix, and every remote secret is used.
    assert set(secrets) == {f"{prefix}{ns}/{name}" for ns, name in seen}


def test_cnpg_reload_label_reaches_the_synced_secret(plan_stack):
    """CloudNativePG reloads a rotated role password only for Secrets labelled `cnpg.io/reload`."""
    for ext in plan_stack("prod").by_type(EXTERNAL_SECRET):
        if ext.inputs["metadata"]["namespace"] == "data-storage" and ext.inputs["metadata"]["name"].startswith("postgres-"):
            assert ext.inputs["spec"]["target"]["template"]["metadata"]["labels"]["cnpg.io/reload"] == "true"


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_external_secrets_may_only_read_the_prefix_and_decrypt_with_its_key(plan_stack, stack):
    result = plan_stack(stack)
    (pol,) = [r for r in result.by_type("aws:iam/rolePolicy:RolePolicy") if r.name == f"{stack}-external-secrets"]
    stmts = json.loads(pol.inputs["policy"])["Statement"]
    actions = {a for s in stmts for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    # Read-only: Pulumi writes the platform's secrets, the operator cannot overwrite them.
    assert {a for a in actions if a.startswith("secretsmanager:")} == {
        "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"}
    (read,) = [s for s in stmts if "secretsmanager:GetSecretValue" in s["Action"]]
    prefix_arn = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{stack}/data-platform/*"
    assert prefix_arn in read["Resource"]
    assert [r for r in read["Resource"] if r != prefix_arn and ":secret:rds!" not in r] == []
    key = result.one("aws:kms/alias:Alias", f"{stack}-platform-secrets").inputs["targetKeyId"]
    (decrypt,) = [s for s in stmts if s.get("Sid") == "DecryptPlatformSecrets"]
    assert decrypt["Action"] == ["kms:Decrypt"] and decrypt["Resource"].endswith(key)
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_platform_secrets_key_rotates_and_is_protected_in_prod_only(plan_stack, stack):
    (key,) = [r for r in plan_stack(stack).by_type("aws:kms/key:Key") if r.name == f"{stack}-platform-secrets"]
    assert key.inputs["enableKeyRotation"] is True
    assert key.protect is (stack == "prod")


def test_written_keys_are_the_keys_consumers_read(monkeypatch, tmp_path):
    """What goes to Secrets Manager is exactly the old Secret's keys, each value a secret Output."""
    import pulumi
    import yaml
    from pulumi.runtime.sync_await import _sync_await

    from clouds.aws.cluster_services import ClusterServices
    from conftest import ROOT, run_config

    written: dict[str, set[str]] = {}
    original = ClusterServices.write_secret

    def record(self, key, values, opts):
        written[key] = set(values)
        assert all(_sync_await(pulumi.Output.from_input(v).is_secret()) for v in values.values()), key
        return original(self, key, values, opts)

    monkeypatch.setattr(ClusterServices, "write_secret", record)
    config = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]
    run_config(config, tmp_path, "prod")
    assert written == {f"{ns}/{name}": keys for (ns, name), (_, keys) in EXPECTED_AWS.items()}


# --- local: plain Secrets ----------------------------------------------------------------------

def test_local_keeps_plain_secrets(plan_stack):
    dev = plan_stack("dev")
    assert dev.by_type(EXTERNAL_SECRET) == [] and dev.by_type(SM_SECRET) == [] and dev.by_type(SM_VERSION) == []
    secrets = {(r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r for r in dev.by_type(SECRET)}
    for ns, name in [k for k in EXPECTED_AWS if k[1] != "pgbouncer-userlist"]:  # no PgBouncer glue with CloudNativePG
        r = secrets[(ns, name)]
        assert r.inputs["type"] == EXPECTED_AWS[(ns, name)][0]
        assert r.inputs["stringData"] == "[secret]"


# --- nowhere in plaintext ----------------------------------------------------------------------

@pytest.mark.parametrize("stack", ["dev", *AWS_STACKS])
def test_no_generated_value_in_plaintext(plan_stack, stack):
    result = plan_stack(stack)
    text = json.dumps([r.inputs for r in result.registrations], default=str) + json.dumps(result.outputs, default=str)
    text += json.dumps(plan_json.document(result), default=str) + json.dumps(list(manifests.objects(result)), default=str)
    assert FAKE_SECRET_PREFIX not in text
    assert len(result.by_type(PASSWORD)) >= 5


def test_every_generated_password_on_aws_reaches_secrets_manager(plan_stack):
    """Each RandomPassword's result is written into a SecretVersion (and so synced, never inlined)."""
    result = plan_stack("prod")
    fed = set().union(*(_fed_by_passwords(result, v) for v in result.by_type(SM_VERSION)))
    unused = [r.name for r in result.by_type(PASSWORD) if r.urn not in fed]
    assert unused == []


def test_the_cluster_secret_store_serves_every_namespace_that_has_an_external_secret(plan_stack):
    result = plan_stack("prod")
    (store,) = [r for r in result.registrations if r.type == "kubernetes:external-secrets.io/v1:ClusterSecretStore"]
    allowed = {ns for cond in store.inputs["spec"]["conditions"] for ns in cond["namespaces"]}
    used = {r.inputs["metadata"]["namespace"] for r in result.registrations if r.type == "kubernetes:external-secrets.io/v1:ExternalSecret"}
    assert used and used <= allowed
