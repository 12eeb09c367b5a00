"""How Dremio reaches S3 without keys (workload identity): an AWS profile written in each pod.

Read in dremio-oss 25.2.0 (the pinned image's release):

- The S3 source (`S3PluginConfig.credentialType`) accepts `ACCESS_KEY`, `EC2_METADATA`,
  `AWS_PROFILE` (with `awsProfile`) and `NONE`: no web-identity type.
- The distributed store and every source go through `S3FileSystem`, which resolves
  `fs.s3a.aws.credentials.provider` twice: with Hadoop's S3A (SDK v1, any provider class) and
  with `AwsCredentialProviderUtils.getCredentialsProvider` (SDK v2), which accepts exactly
  `DREMIO_ACCEPTED_PROVIDERS` and throws `IllegalStateException("Invalid AWSCredentialsProvider
  provided: ...")` for anything else — e.g. `com.amazonaws.auth.WebIdentityTokenCredentialsProvider`,
  so a dist store configured with it never starts (`setup` -> `verifyCredentials`).
- `AWSProfileCredentialsProviderV1/V2` (the `AWS_PROFILE` type) wrap the SDKs'
  `ProfileCredentialsProvider` on the profile named by `com.dremio.awsProfile`. SDK v2 (2.17)
  reads `role_arn` + `web_identity_token_file` in a profile as AssumeRoleWithWebIdentity; SDK v1
  (1.12, `ProfileAssumeRoleCredentialsProvider`) does too (`STSProfileCredentialsService` takes
  the web-identity branch) but first insists on a `source_profile` with static keys, which it
  then never uses: the file names a placeholder profile for that, with no real key in it.

The cloud's webhook (IRSA) puts `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` in every
container of a pod whose ServiceAccount carries the role, init containers included; the
`aws-profile` init container turns them into that profile in an emptyDir, so no role ARN is
copied into a manifest and the role stays the one on the ServiceAccount.
"""

from __future__ import annotations

from typing import Any, Optional

from settings.sections.dremio import S3_EC2_METADATA_PROVIDER, S3_PROFILE_PROVIDER

DREMIO_ACCEPTED_PROVIDERS = (
    "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    "com.dremio.exec.store.hive.GlueAWSCredentialsProvider",
    "com.amazonaws.auth.InstanceProfileCredentialsProvider",
    "org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider",
    "com.dremio.plugins.s3.store.STSCredentialProviderV1",
    "org.apache.hadoop.fs.s3a.auth.AssumedRoleCredentialProvider",
    "com.dremio.service.coordinator.DremioAssumeRoleCredentialsProviderV1",
    "com.dremio.plugins.s3.store.AWSProfileCredentialsProviderV1",
)
"""`AwsCredentialProviderUtils.getCredentialsProvider` (dremio-oss 25.2.0): the only values of
`fs.s3a.aws.credentials.provider` S3FileSystem's SDK v2 clients accept."""

CREDENTIAL_TYPES = {S3_PROFILE_PROVIDER: "AWS_PROFILE", S3_EC2_METADATA_PROVIDER: "EC2_METADATA"}
"""dremio.s3CredentialsProvider -> the S3 source's `credentialType` that selects the same provider
(`S3StoragePlugin.AWS_PROFILE_PROVIDER` / `EC2_METADATA_PROVIDER`)."""

PROFILE = "dremio"
PROFILE_DIR = "/opt/dremio/aws"
CREDENTIALS_FILE = f"{PROFILE_DIR}/credentials"
VOLUME = "aws-profile"

PROFILE_SCRIPT = r"""set -eu
: "${AWS_ROLE_ARN:?is not set: this pod has no web identity (its ServiceAccount has no workload identity role)}"
: "${AWS_WEB_IDENTITY_TOKEN_FILE:?is not set: this pod has no web identity token}"
umask 077
cat > "__FILE__.tmp" <<EOF
# Written by the aws-profile init container (components/apps/dremio/s3_identity.py).
[__PROFILE__]
role_arn = ${AWS_ROLE_ARN}
web_identity_token_file = ${AWS_WEB_IDENTITY_TOKEN_FILE}
role_session_name = ${HOSTNAME:-dremio}
# SDK v1 requires a source profile with keys even for web identity; it never sends these.
source_profile = sdk-v1-unused

[sdk-v1-unused]
aws_access_key_id = unused
aws_secret_access_key = unused
EOF
mv "__FILE__.tmp" "__FILE__"
echo "AWS profile __PROFILE__ written for role ${AWS_ROLE_ARN}"
""".replace("__FILE__", CREDENTIALS_FILE).replace("__PROFILE__", PROFILE)
"""Run with `/bin/sh -c` in the Dremio image. Writes no secret: a role ARN and a token path."""


def uses_profile(provider: Optional[str]) -> bool:
    """True when Dremio authenticates with the profile this module writes (workload identity)."""
    return provider == S3_PROFILE_PROVIDER


def core_site(provider: str) -> dict[str, str]:
    """core-site.xml properties that select `provider` for the distributed store."""
    if provider not in CREDENTIAL_TYPES:
        raise ValueError(f"Dremio's S3 file system has no keyless provider {provider!r} (accepted: {', '.join(CREDENTIAL_TYPES)})")
    props = {"fs.s3a.aws.credentials.provider": provider}
    if uses_profile(provider):
        props["com.dremio.awsProfile"] = PROFILE
    return props


def source_credentials(provider: str) -> dict[str, str]:
    """The S3 source's credential fields for `provider` (no key: Dremio's pods hold the identity)."""
    if provider not in CREDENTIAL_TYPES:
        raise ValueError(f"the S3 source has no credential type for {provider!r}")
    out = {"credentialType": CREDENTIAL_TYPES[provider]}
    if uses_profile(provider):
        out["awsProfile"] = PROFILE
    return out


def env(region: Optional[str]) -> list[dict[str, str]]:
    """Both SDKs read the profile file (v1: AWS_CREDENTIAL_PROFILES_FILE, v2:
    AWS_SHARED_CREDENTIALS_FILE); AWS_REGION keeps the STS calls in the bucket's region (the SDKs
    cannot ask the instance metadata from a pod)."""
    out = [{"name": "AWS_CREDENTIAL_PROFILES_FILE", "value": CREDENTIALS_FILE},
           {"name": "AWS_SHARED_CREDENTIALS_FILE", "value": CREDENTIALS_FILE}]
    if region:
        out.append({"name": "AWS_REGION", "value": region})
    return out


def mount(read_only: bool = True) -> dict[str, Any]:
    return {"name": VOLUME, "mount_path": PROFILE_DIR, "read_only": read_only}


def volume() -> dict[str, Any]:
    return {"name": VOLUME, "empty_dir": {"medium": "Memory", "size_limit": "1Mi"}}


def init_container(image: str, security_context: dict[str, Any], resources: dict[str, Any]) -> dict[str, Any]:
    """The `aws-profile` init container (Dremio's own image: no extra pull)."""
    return {
        "name": "aws-profile",
        "image": image,
        "image_pull_policy": "IfNotPresent",
        "command": ["/bin/sh", "-c", PROFILE_SCRIPT],
        "resources": resources,
        "security_context": security_context,
        "volume_mounts": [mount(read_only=False)],
    }
