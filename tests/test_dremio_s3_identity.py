"""Dremio on S3 with workload identity (IRSA, no keys) on the AWS stacks: the distributed store and
the `lake` source both use an AWS profile that each Dremio pod writes from its web identity, with
a provider Dremio 25.2.0's S3 file system accepts (components/apps/dremio/s3_identity.py)."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from components.apps.dremio import s3_identity
from settings.sections.dremio import S3_PROFILE_PROVIDER

STS = "kubernetes:apps/v1:StatefulSet"
JOB = "kubernetes:batch/v1:Job"
AWS_STACKS = ("prod", "staging")


def core_site(plan) -> dict[str, str]:
    xml = plan.one("kubernetes:core/v1:ConfigMap", "dremio-config").inputs["data"]["core-site.xml"]
    return {p.findtext("name"): p.findtext("value") for p in ET.fromstring(xml).findall("property")}


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_the_distributed_store_uses_a_provider_dremio_accepts_and_no_keys(plan_stack, stack):
    props = core_site(plan_stack(stack))
    assert props["fs.s3a.aws.credentials.provider"] == S3_PROFILE_PROVIDER
    assert props["fs.s3a.aws.credentials.provider"] in s3_identity.DREMIO_ACCEPTED_PROVIDERS
    assert props["com.dremio.awsProfile"] == s3_identity.PROFILE
    assert not {"fs.s3a.access.key", "fs.s3a.secret.key"} & set(props)


@pytest.mark.parametrize("stack", AWS_STACKS)
@pytest.mark.parametrize("server", ["dremio-master", "dremio-executor"])
def test_every_dremio_pod_writes_the_profile_before_dremio_reads_it(plan_stack, stack, server):
    plan = plan_stack(stack)
    spec = plan.one(STS, server).inputs["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    writer, *others = spec["initContainers"]
    assert writer["name"] == "aws-profile" and writer["command"] == ["/bin/sh", "-c", s3_identity.PROFILE_SCRIPT]
    (out,) = writer["volumeMounts"]
    assert "emptyDir" in volumes[out["name"]] and out["mountPath"] == s3_identity.PROFILE_DIR and not out["readOnly"]
    # The master's KV-store upgrade step runs after the writer and reads the same profile.
    for c in [*others, *spec["containers"]]:
        env = {e["name"]: e.get("value") for e in c["env"]}
        assert env["AWS_CREDENTIAL_PROFILES_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == s3_identity.CREDENTIALS_FILE
        assert env["AWS_REGION"] == plan.outputs["awsRegion"]
        assert "AWS_ACCESS_KEY_ID" not in env
        mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
        assert mounts[s3_identity.PROFILE_DIR]["name"] == out["name"] and mounts[s3_identity.PROFILE_DIR]["readOnly"]
    # The web identity comes from the ServiceAccount the pods run as (the webhook injects it).
    sa = plan.one("kubernetes:core/v1:ServiceAccount", "dremio").inputs["metadata"]
    assert spec["serviceAccountName"] == sa["name"] and any(v for v in sa["annotations"].values())


@pytest.mark.parametrize("stack", AWS_STACKS)
def test_the_bootstrap_registers_the_lake_with_the_same_identity(plan_stack, stack):
    plan = plan_stack(stack)
    spec = plan.one(JOB, "dremio-bootstrap").inputs["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["initContainers"]] == ["users"]
    (main,) = spec["containers"]
    env = {e["name"]: e for e in main["env"]}
    body = json.loads(env["LAKE_SOURCE"]["value"])
    buckets = plan.outputs["dataLakeBuckets"]
    assert body["type"] == "S3" and body["name"] == "lake"
    assert body["config"]["whitelistedBuckets"] == [buckets[b] for b in ("bronze", "silver", "gold")]
    assert (body["config"]["credentialType"], body["config"]["awsProfile"]) == ("AWS_PROFILE", s3_identity.PROFILE)
    assert body["config"]["secure"] is True and body["config"]["compatibilityMode"] is False
    assert not {"LAKE_ACCESS_KEY", "LAKE_SECRET_KEY"} & set(env)
    assert "accessKey" not in body["config"] and "accessSecret" not in body["config"]


def run_profile_script(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess:
    target = tmp_path / "credentials"
    script = s3_identity.PROFILE_SCRIPT.replace(s3_identity.CREDENTIALS_FILE, str(target))
    return subprocess.run(["sh", "-c", script], env={"PATH": os.environ.get("PATH", ""), **env},
                          capture_output=True, text=True, timeout=30)


@pytest.mark.skipif(not shutil.which("sh"), reason="needs sh")
def test_the_profile_is_web_identity_for_sdk_v2_and_has_the_source_profile_sdk_v1_demands(tmp_path):
    role, token = "arn:aws:iam::123456789012:role/p-dremio", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"
    result = run_profile_script(tmp_path, {"AWS_ROLE_ARN": role, "AWS_WEB_IDENTITY_TOKEN_FILE": token, "HOSTNAME": "dremio-executor-0"})
    assert result.returncode == 0, result.stderr
    ini = configparser.ConfigParser()
    ini.read(tmp_path / "credentials")
    p = ini[s3_identity.PROFILE]
    # SDK v2 ProfileCredentialsUtils: role_arn + web_identity_token_file -> AssumeRoleWithWebIdentity,
    # checked before source_profile; it refuses a profile with both source_profile and credential_source.
    assert (p["role_arn"], p["web_identity_token_file"], p["role_session_name"]) == (role, token, "dremio-executor-0")
    assert "credential_source" not in p
    # SDK v1 ProfileAssumeRoleCredentialsProvider: needs a source profile with static keys, then takes
    # STSProfileCredentialsService's web-identity branch and never uses them.
    source = ini[p["source_profile"]]
    assert source["aws_access_key_id"] and source["aws_secret_access_key"]
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.skipif(not shutil.which("sh"), reason="needs sh")
def test_a_pod_without_web_identity_fails_with_a_clear_message(tmp_path):
    result = run_profile_script(tmp_path, {"AWS_WEB_IDENTITY_TOKEN_FILE": "/t"})
    assert result.returncode != 0 and "AWS_ROLE_ARN" in result.stderr and "web identity" in result.stderr
    assert not (tmp_path / "credentials").exists()
