"""The policy pack (policy/): every policy fails a violating resource and passes a compliant one,
the config tunes levels and properties as the CLI's `--policy-pack-config` does, and every
shipped stack plans with no mandatory violation."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT, stack_names
from offline_plan import plan_json
from policy import offline
from policy.rules import BY_NAME, RULES
from policy.rules.kubernetes_pods import image_pinned
from policy.rules.model import UNKNOWN, Context, Resource

URN = "urn:pulumi:prod::data-platform::{type}::{name}"


def res(type_: str, name: str = "r", protect: bool = False, provider: dict | None = None, deps: dict | None = None, **props) -> Resource:
    return Resource(type=type_, name=name, urn=URN.format(type=type_, name=name), props=props, protect=protect,
                    provider_props=provider or {}, property_dependencies=deps or {})


def violations(policy: str, resources: list[Resource], config: dict | None = None, stack_tags: dict | None = None) -> list[str]:
    rule = BY_NAME[policy]
    ctx = Context(config={**rule.defaults(), **(config or {})}, stack_tags=stack_tags or {})
    return [v.message for v in offline.run_rule(rule, resources, ctx)]


# --- building blocks --------------------------------------------------------------------------

KEY = "arn:aws:kms:eu-west-1:123456789012:key/k"
BUCKET = "aws:s3/bucket:Bucket"
AWS_PROVIDER = {"defaultTags": json.dumps({"tags": {"project": "p", "stack": "prod", "environment": "prod", "component": "c", "managed-by": "pulumi"}})}


def bucket(name="lake", **props):
    return res(BUCKET, name, protect=True, bucket=f"b-{name}", forceDestroy=False, **props)


def pab(target="lake", **flags):
    values = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True, **flags}
    return res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", target, bucket=f"b-{target}", **values)


def sse(target="lake", algorithm="aws:kms", key=KEY):
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", target,
               bucket=f"b-{target}", rules=[{"applyServerSideEncryptionByDefault": default}])


def bucket_policy(target="lake", statements=None):
    tls = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    doc = {"Version": "2012-10-17", "Statement": [tls] if statements is None else statements}
    return res("aws:s3/bucketPolicy:BucketPolicy", target, bucket=f"b-{target}", policy=json.dumps(doc))


def container(**over):
    c = {
        "name": "app", "image": "repo/app:1.2.3",
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/health", "port": 8080}},
        "livenessProbe": {"httpGet": {"path": "/health", "port": 8080}},
    }
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def deployment(kind="kubernetes:apps/v1:Deployment", pod_sc=None, **over):
    pod = {"securityContext": pod_sc if pod_sc is not None else {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
           "containers": [container(**over)]}
    spec = {"jobTemplate": {"spec": {"template": {"spec": pod}}}} if kind.endswith("CronJob") else {"template": {"spec": pod}}
    return res(kind, "app", metadata={"name": "app", "labels": {"app.kubernetes.io/part-of": "data-platform", "app.kubernetes.io/managed-by": "pulumi"}},
               spec=spec)


def namespace(name, env="prod"):
    return res("kubernetes:core/v1:Namespace", name, metadata={"name": name, "labels": {"data-platform/environment": env}})


def netpol(ns, name="default-deny", selector=None, types=("Ingress", "Egress"), **rules):
    return res("kubernetes:networking.k8s.io/v1:NetworkPolicy", f"{ns}-{name}",
               metadata={"name": name, "namespace": ns}, spec={"podSelector": selector or {}, "policyTypes": list(types), **rules})


def eks(**vpc):
    return res("aws:eks/cluster:Cluster", "eks", vpcConfig={"endpointPrivateAccess": True, **vpc},
               encryptionConfig={"provider": {"keyArn": KEY}, "resources": ["secrets"]})


def rds(**over):
    props = {"publiclyAccessible": False, "storageEncrypted": True, "kmsKeyId": KEY, "deletionProtection": True, **over}
    return res("aws:rds/instance:Instance", "db", protect=True, **props)


# (policy, violating resources, compliant resources): each violating set must produce at least
# one violation, each compliant set none.
CASES = [
    ("no-public-database", [rds(publiclyAccessible=True)], [rds()]),
    ("eks-private-endpoint", [eks(endpointPublicAccess=True, publicAccessCidrs=["0.0.0.0/0"])], [eks(endpointPublicAccess=False)]),
    ("eks-private-endpoint", [eks()], [eks(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24"])]),  # unset = public to all
    ("s3-block-public-access", [bucket(), pab(ignorePublicAcls=False)], [bucket(), pab()]),
    ("s3-block-public-access", [bucket()], [bucket(), res("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "acct",
                                                           **{f: True for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")})]),
    ("s3-no-public-acl", [res("aws:s3/bucketAcl:BucketAcl", "acl", acl="public-read")], [res("aws:s3/bucketAcl:BucketAcl", "acl", acl="private")]),
    ("s3-no-public-acl", [res("aws:s3/bucketAcl:BucketAcl", "acl", accessControlPolicy={"grants": [
        {"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}, "permission": "READ"}]})], []),
    ("no-public-resource-policy", [bucket_policy(statements=[{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject"}])],
     [bucket_policy(statements=[{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                 "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}}}])]),
    ("no-public-resource-policy", [res("aws:kms/key:Key", "k", policy=json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*"}]}))],
     [res("aws:kms/key:Key", "k", policy=json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*"}]}))]),
    ("ecr-not-public", [res("aws:ecrpublic/repository:Repository", "pub", repositoryName="x")], [res("aws:ecr/repository:Repository", "priv")]),
    ("l7-tls-and-waf", [res("azure-native:network:WebApplicationFirewallPolicy", "waf", policySettings={"state": "Enabled", "mode": "Detection"},
                            managedRules={"managedRuleSets": [{"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1"}]})],
     [res("azure-native:network:WebApplicationFirewallPolicy", "waf", policySettings={"state": "Enabled", "mode": "Prevention"},
          managedRules={"managedRuleSets": [{"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1"}]})]),
    ("l7-tls-and-waf", [res("azure-native:network:ApplicationGateway", "gw", sku={"tier": "Standard_v2"}, sslPolicy={"policyName": "AppGwSslPolicy20150501"})],
     [res("azure-native:network:ApplicationGateway", "gw", sku={"tier": "WAF_v2"}, firewallPolicy={"id": "/w"},
          sslPolicy={"policyName": "AppGwSslPolicy20220101S"})]),
    ("l7-tls-and-waf", [res("gcp:compute/sSLPolicy:SSLPolicy", "p", minTlsVersion="TLS_1_0")], [res("gcp:compute/sSLPolicy:SSLPolicy", "p", minTlsVersion="TLS_1_2")]),
    ("ecr-scan-and-immutable-tags", [res("aws:ecr/repository:Repository", "r", imageTagMutability="MUTABLE")],
     [res("aws:ecr/repository:Repository", "r", imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True})]),
    ("rds-encrypted-customer-key", [rds(storageEncrypted=False)], [rds()]),
    ("rds-encrypted-customer-key", [rds(kmsKeyId=None)], [rds(kmsKeyId=UNKNOWN)]),  # a key created by the same preview is unknown, not missing
    ("eks-secrets-encrypted", [res("aws:eks/cluster:Cluster", "eks", vpcConfig={"endpointPublicAccess": False})], [eks(endpointPublicAccess=False)]),
    ("s3-encrypted-customer-key", [bucket(), sse(algorithm="AES256", key=None)], [bucket(), sse()]),
    ("s3-encrypted-customer-key", [bucket()], [bucket("logs"), sse("logs", algorithm="AES256", key=None),  # access-log target: SSE-S3 only
                                              res("aws:s3/bucketLogging:BucketLogging", "lake", bucket="b-lake", targetBucket="b-logs")]),
    ("s3-encrypted-customer-key", [bucket("logs"), sse("logs", algorithm="AES256", key=None)], []),  # not a log target: KMS required
    ("s3-tls-only", [bucket(), bucket_policy(statements=[{"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteBucket"}])],
     [bucket(), bucket_policy()]),
    ("s3-tls-only", [bucket()], [bucket(), res("aws:s3/bucketPolicy:BucketPolicy", "p", policy=UNKNOWN,
                                                 deps={"bucket": [URN.format(type=BUCKET, name="lake")]}, bucket=UNKNOWN)]),
    ("cloudwatch-logs-encrypted", [res("aws:cloudwatch/logGroup:LogGroup", "lg", retentionInDays=30)],
     [res("aws:cloudwatch/logGroup:LogGroup", "lg", kmsKeyId=KEY)]),
    ("secrets-manager-customer-key", [res("aws:secretsmanager/secret:Secret", "s")], [res("aws:secretsmanager/secret:Secret", "s", kmsKeyId=KEY)]),
    ("ecr-encrypted-customer-key", [res("aws:ecr/repository:Repository", "r", encryptionConfigurations=[{"encryptionType": "KMS"}])],
     [res("aws:ecr/repository:Repository", "r", encryptionConfigurations=[{"encryptionType": "KMS", "kmsKey": KEY}])]),
    ("ebs-encrypted", [res("aws:ec2/launchTemplate:LaunchTemplate", "lt", blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]),
                       res("kubernetes:storage.k8s.io/v1:StorageClass", "gp3", provisioner="ebs.csi.aws.com", parameters={"type": "gp3"})],
     [res("aws:ec2/launchTemplate:LaunchTemplate", "lt", blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}]),
      res("kubernetes:storage.k8s.io/v1:StorageClass", "gp3", provisioner="ebs.csi.aws.com", parameters={"encrypted": "true", "kmsKeyId": KEY})]),
    ("stateful-resources-protected", [res("pulumi:providers:aws", "aws", defaultTags=AWS_PROVIDER["defaultTags"]), rds(), bucket(), res("aws:kms/key:Key", "k")],
     [res("pulumi:providers:aws", "aws", defaultTags=AWS_PROVIDER["defaultTags"]), rds(), bucket(), res("aws:kms/key:Key", "k", protect=True)]),
    ("stateful-resources-protected", [namespace("data-storage"), res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg")],
     [namespace("data-storage", env="staging"), res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg")]),  # staging stays destroyable
    ("stateful-resources-protected", [namespace("data-storage"), rds(deletionProtection=False)], [namespace("data-storage"), rds()]),
    ("pod-security-restricted", [deployment(pod_sc={}, securityContext={"capabilities": {"drop": ["NET_RAW"]}})], [deployment()]),
    ("pod-security-restricted", [deployment(securityContext={"runAsNonRoot": True, "allowPrivilegeEscalation": True, "capabilities": {"drop": ["ALL"]}})], []),
    ("pod-security-restricted", [deployment(securityContext={"runAsNonRoot": True, "allowPrivilegeEscalation": False, "privileged": True,
                                                             "capabilities": {"drop": ["ALL"], "add": ["SYS_ADMIN"]}})], []),
    ("pod-resources", [deployment(resources={"requests": {"cpu": "100m", "memory": "1Gi"}})], [deployment()]),
    ("pod-probes", [deployment(livenessProbe=None)], [deployment(), deployment("kubernetes:batch/v1:Job", livenessProbe=None, readinessProbe=None)]),
    ("pod-probes", [deployment("kubernetes:apps/v1:StatefulSet", readinessProbe=None)],
     [deployment("kubernetes:batch/v1:CronJob", livenessProbe=None, readinessProbe=None)]),
    ("images-pinned", [deployment(image="repo/app:latest")], [deployment(image="registry:5000/app@sha256:" + "a" * 64)]),
    ("images-pinned", [deployment("kubernetes:batch/v1:CronJob", image="registry:5000/app")], [deployment(image="registry:5000/app:2.0")]),
    ("no-plaintext-secrets", [deployment(env=[{"name": "DATABASE_PASSWORD", "value": "hunter2"}])],
     [deployment(env=[{"name": "DATABASE_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                      {"name": "TOKEN_FILE", "value": "/var/run/secrets/token"}, {"name": "LOG_LEVEL", "value": "info"}])]),
    ("no-plaintext-secrets", [res("kubernetes:core/v1:ConfigMap", "cm", data={"app.yaml": "db:\n  password: s3cr3t-value\n"})],
     [res("kubernetes:core/v1:ConfigMap", "cm", data={"app.py": 'SECRET_KEY = _env("SUPERSET_SECRET_KEY")\nREDIS_PASSWORD = _env("REDIS_PASSWORD")\n',
                                                     "core-site.xml": "<name>fs.s3a.secret.key</name><value>${env.AWS_SECRET_ACCESS_KEY}</value>"})]),
    ("no-plaintext-secrets", [res("kubernetes:core/v1:ConfigMap", "cm", data={"dsn": "postgresql://app:pa55word@db:5432/app"}),
                              res("kubernetes:core/v1:ConfigMap", "cm2", data={"aws": "key = AKIAABCDEFGHIJKLMNOP"})],
     [res("kubernetes:core/v1:ConfigMap", "cm", data={"dsn": "postgresql://{user}:{password}@db:5432/app"})]),
    ("no-plaintext-secrets", [res("kubernetes:core/v1:ConfigMap", "cm", data={"agent.conf": "api_token: abc123xyz  # rotate monthly\n"})],
     [res("kubernetes:core/v1:ConfigMap", "cm", data={"agent.conf": "token_file = /var/run/token  # mounted from a Secret\n"})]),
    ("default-deny-network-policies", [namespace("data-platform"), netpol("data-platform", selector={"matchLabels": {"app": "x"}})],
     [namespace("data-platform"), netpol("data-platform"), namespace("other")]),
    ("default-deny-network-policies", [namespace("data-storage"), netpol("data-storage", types=("Ingress",))], []),
    ("aws-required-tags", [res("aws:s3/bucket:Bucket", "b", tags={"Name": "b"})],
     [res("aws:s3/bucket:Bucket", "b", tags={"Name": "b"}, provider=AWS_PROVIDER), res("aws:ec2/route:Route", "rt")]),
    ("kubernetes-labels", [res("kubernetes:cert-manager.io/v1:ClusterIssuer", "ci", metadata={"name": "ci"})], [deployment()]),
    ("helm-chart-pinned", [res("kubernetes:helm.sh/v3:Release", "rel", chart="x", version="^1.2", repositoryOpts={"repo": "https://charts.example"})],
     [res("kubernetes:helm.sh/v3:Release", "rel", chart="x", version="1.2.3", repositoryOpts={"repo": "https://charts.example"})]),
    ("helm-chart-pinned", [res("kubernetes:helm.sh/v3:Release", "rel", chart="x", version="1.2.3", repositoryOpts={"repo": "http://charts.example"})],
     [res("kubernetes:helm.sh/v3:Release", "rel", chart="oci://ghcr.io/org/charts/x", version="v2.0.0")]),
]


@pytest.mark.parametrize(("policy", "bad", "good"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_policy_fails_the_violating_resource_and_passes_the_compliant_one(policy, bad, good):
    assert violations(policy, bad), f"{policy} did not flag {bad}"
    if good:
        assert violations(policy, good) == []


def test_every_policy_has_a_violating_and_a_compliant_case():
    assert {c[0] for c in CASES} == set(BY_NAME)
    assert {c[0] for c in CASES if c[2]} == set(BY_NAME)
    assert len(RULES) >= 10


def test_unknown_values_never_fail_a_resource():
    """During a preview most ids and ARNs are unknown: a policy must not report them missing."""
    assert violations("s3-tls-only", [bucket(), res("aws:s3/bucketPolicy:BucketPolicy", "p", bucket="b-lake", policy=UNKNOWN)]) == []
    assert violations("aws-required-tags", [res("aws:s3/bucket:Bucket", "b", tags=UNKNOWN)]) == []
    assert violations("images-pinned", [deployment(image=UNKNOWN)]) == []
    # The Application Gateway's collections are computed from its own id: unknown in a preview.
    gw = {k: UNKNOWN for k in ("sslPolicy", "httpListeners", "urlPathMaps", "requestRoutingRules")}
    assert violations("l7-tls-and-waf", [res("azure-native:network:ApplicationGateway", "gw", sku={"tier": "WAF_v2"}, firewallPolicy={"id": UNKNOWN}, **gw)]) == []
    assert violations("l7-tls-and-waf", [res("azure-native:network:WebApplicationFirewallPolicy", "w", policySettings=UNKNOWN, managedRules=UNKNOWN)]) == []


def test_protection_reads_the_environment_from_config_then_stack_tag_then_resources():
    state = [namespace("data-storage", env="staging"), res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg")]
    assert violations("stateful-resources-protected", state) == []
    assert violations("stateful-resources-protected", state, stack_tags={"environment": "prod"})
    assert violations("stateful-resources-protected", state, config={"environment": "dr"})
    assert violations("stateful-resources-protected", state, config={"environment": "dr", "environments": ["prod"]}) == []
    unknown_env = violations("stateful-resources-protected", [res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg")])
    assert unknown_env and "environment is unknown" in unknown_env[0]


def test_probes_are_asked_of_long_running_pods_only():
    bare = res("kubernetes:core/v1:Pod", "p", spec={"restartPolicy": "Never", "containers": [container(livenessProbe=None, readinessProbe=None)]})
    assert violations("pod-probes", [bare]) == []
    assert violations("pod-probes", [res("kubernetes:core/v1:Pod", "p", spec={"containers": [container(livenessProbe=None)]})])


@given(st.from_regex(r"[a-z0-9]{1,10}(\.[a-z]{2,5})?(:[0-9]{2,5})?/[a-z0-9]{1,10}", fullmatch=True),
       st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True))
def test_an_image_is_pinned_by_a_non_latest_tag_or_a_digest_never_by_a_registry_port(repo, tag):
    assert not image_pinned(repo)
    assert not image_pinned(f"{repo}:latest")
    assert image_pinned(f"{repo}:{tag}")
    assert image_pinned(f"{repo}@sha256:{'0' * 64}")


# --- enforcement config: the CLI's --policy-pack-config semantics --------------------------------


def test_config_all_sets_every_level_and_a_policy_entry_overrides_it():
    levels = {n: lv for n, (lv, _) in offline.resolve({"all": "advisory", "pod-probes": {"enforcementLevel": "mandatory"}}).items()}
    assert levels["pod-probes"] == "mandatory"
    assert {lv for n, lv in levels.items() if n != "pod-probes"} == {"advisory"}
    assert offline.resolve({})["no-public-database"][0] == "mandatory"


def test_config_properties_override_the_defaults():
    _, props = offline.resolve({"aws-required-tags": {"tags": ["owner"]}})["aws-required-tags"]
    assert props == {"tags": ["owner"]}
    tagged = [res("aws:s3/bucket:Bucket", "b", tags={"Name": "b"}, provider=AWS_PROVIDER)]
    def tag_findings(config):
        return [f.message for f in offline.evaluate(tagged, config).mandatory if f.policy == "aws-required-tags"]
    assert tag_findings(None) == []
    assert tag_findings({"aws-required-tags": {"tags": ["owner"]}}) == ["Bucket b: missing tags owner"]


@pytest.mark.parametrize(("config", "needle"), [
    ({"pod-probs": "advisory"}, "unknown policy 'pod-probs'"),
    ({"pod-probes": "loud"}, "'loud'; allowed: advisory, mandatory, disabled"),
    ({"pod-probes": {"timeout": 3}}, "pod-probes has no property 'timeout'"),
    ({"all": {"tags": []}}, "`all` takes an enforcement level only"),
])
def test_bad_config_is_one_line_naming_the_key(config, needle):
    with pytest.raises(offline.PolicyConfigError) as e:
        offline.resolve(config, "my.json")
    assert needle in str(e.value) and str(e.value).startswith("my.json: ")


# --- the shipped stacks -----------------------------------------------------------------------


@pytest.mark.parametrize("stack", stack_names())
def test_every_shipped_stack_has_no_mandatory_violation(plan_stack, stack):
    report = plan_stack(stack).policies
    assert report.mandatory == []
    assert len(report.passed) >= 20


def test_plan_json_carries_the_policy_report(plan_stack):
    doc = plan_json.document(plan_stack("prod"))
    pol = doc["policies"]
    assert pol["summary"]["mandatory"] == 0
    assert pol["levels"]["stateful-resources-protected"] == "mandatory"
    assert {v["policy"] for v in pol["violations"]} <= {r.name for r in RULES if r.level == "advisory"}
    assert all(v["urn"].startswith("urn:pulumi:prod::") for v in pol["violations"])


def test_prod_state_is_really_checked_and_a_regression_is_caught(plan_stack):
    """The prod plan's own RDS instance and buckets, with protection removed, fail the policy."""
    resources = offline.from_registrations(plan_stack("prod").registrations)
    assert violations("stateful-resources-protected", resources) == []
    unprotected = [Resource(**{**r.__dict__, "protect": False}) if r.type in ("aws:rds/instance:Instance", BUCKET) else r for r in resources]
    found = violations("stateful-resources-protected", unprotected)
    assert any("Instance prod-postgres: not protect=True in prod" in m for m in found)
    buckets = [r.name for r in resources if r.type == BUCKET]
    # bronze, silver, gold, backups, dremio, airbyte, velero, access-logs, and the 7 DR replicas
    assert len(buckets) == 15 and sum(n.endswith("-replica") for n in buckets) == 7
    assert sum("Bucket" in m for m in found) == len(buckets)


def test_tuning_a_policy_to_advisory_moves_its_findings(plan_stack):
    resources = offline.from_registrations(plan_stack("prod").registrations)
    # ecr-encrypted-customer-key is advisory with a finding on prod (the dbt repository, see docs/policies.md).
    strict = offline.evaluate(resources, {"ecr-encrypted-customer-key": "mandatory"})
    assert {f.policy for f in strict.mandatory} == {"ecr-encrypted-customer-key"}
    assert "policies: " in strict.summary() and f"{len(strict.mandatory)} mandatory violations" in strict.summary()
    off = offline.evaluate(resources, {"ecr-encrypted-customer-key": "disabled"})
    assert "ecr-encrypted-customer-key" not in {f.policy for f in off.findings} | set(off.passed)


def test_a_mandatory_violation_fails_make_plan_and_the_config_file_tunes_it(tmp_path, capsys):
    """A stack with NetworkPolicies off: `python -m offline_plan` prints the summary, names each
    violation on stderr and exits 1, like an invalid manifest; --policy-config can downgrade it."""
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.open.yaml").write_text(yaml.safe_dump({"config": {"data-platform:cloud": "local", "data-platform:networkPolicies": False}}))
    args = [sys.executable, "-m", "offline_plan", "open", "--quiet", "--root", str(tmp_path), "--out", str(tmp_path / "out")]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "policies: 25 passed, 2 mandatory violations, 0 advisory" in proc.stdout
    errors = proc.stderr.strip().splitlines()
    assert errors == [f"error: policy default-deny-network-policies (mandatory): namespace {ns}: no default-deny NetworkPolicy for Egress and Ingress "
                      "(podSelector {}, policyTypes [Ingress, Egress], no rules)" for ns in ("data-platform", "data-storage")]
    doc = json.loads((tmp_path / "out" / "open" / "plan.json").read_text())
    assert doc["policies"]["summary"] == {"passed": 25, "mandatory": 2, "advisory": 0}

    # The same command with the config file, in this process (the CLI's entry point, not a new interpreter).
    from offline_plan.__main__ import main

    (tmp_path / "policy.json").write_text(json.dumps({"default-deny-network-policies": "advisory"}))
    assert main([*args[3:], "--policy-config", str(tmp_path / "policy.json")]) == 0, capsys.readouterr().err
    assert "policies: 25 passed, 0 mandatory violations, 2 advisory" in capsys.readouterr().out


def test_docs_list_every_policy_with_its_default_level():
    text = (ROOT / "docs" / "policies.md").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([a-z0-9-]+)` \| \**(mandatory|advisory)\** \|", text, re.M)}
    assert rows == {r.name: r.level for r in RULES}


CREDENTIAL_NAMES = st.sampled_from(["PASSWORD", "DB_PASSWORD", "API_KEY", "SECRET_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "PGPASSWORD"])


@given(CREDENTIAL_NAMES, st.from_regex(r"[a-z][a-zA-Z0-9!@#%^&*_-]{5,20}", fullmatch=True))
def test_any_literal_under_a_credential_name_is_flagged_and_a_secret_reference_never_is(name, literal):
    assert violations("no-plaintext-secrets", [deployment(env=[{"name": name, "value": literal}])])
    assert violations("no-plaintext-secrets", [res("kubernetes:core/v1:ConfigMap", "cm", data={"app.ini": f"{name.lower()} = {literal}\n"})])
    referenced = deployment(env=[{"name": name, "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                                 {"name": f"{name}_FILE", "value": f"/etc/secrets/{literal}"}])
    assert violations("no-plaintext-secrets", [referenced]) == []
