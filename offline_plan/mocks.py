"""Realistic fake outputs for every resource type and invoke the program uses.

One table, shared by the tests and the offline plan. Ids are deterministic (derived from the
resource name) so two runs of the plan produce the same files. A type missing here still
works (its inputs are echoed back with an id), but anything the program reads from an output
(an endpoint, an ARN, a kubeconfig) should have an entry so the plan shows a realistic value.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable

import pulumi

ACCOUNT = "123456789012"
REGION = "eu-west-1"
AZS = ("eu-west-1a", "eu-west-1b", "eu-west-1c")
FAKE_CA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB(offline-plan)\n-----END CERTIFICATE-----\n").decode()


def _hex(name: str, n: int = 17) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:n]


_PROVIDER_REGIONS: dict[str, str] = {}
"""aws provider resource name -> its region, so a resource created through a second provider
(the DR region) gets ARNs of that region, as the real one would."""
_CURRENT_REGION = [REGION]


def _arn(service: str, resource: str, region: str | None = None) -> str:
    return f"arn:aws:{service}:{_CURRENT_REGION[0] if region is None else region}:{ACCOUNT}:{resource}"


FAKE_SECRET_PREFIX = "mockpw"
"""Every mock RandomPassword result starts with this; tests assert it never appears in plan.json,
manifests or outputs (a generated secret in plaintext). Chosen to collide with no real word."""


def fake_password(name: str, length: int = 32) -> str:
    """The deterministic fake a RandomPassword named `name` resolves to under the mocks."""
    return (FAKE_SECRET_PREFIX + _hex(name, 64))[:length]


def _random_password(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    fake = fake_password(args.name, int(args.inputs.get("length", 32)))
    return args.name, {**args.inputs, "result": fake, "bcryptHash": "$2a$10$" + FAKE_SECRET_PREFIX}


def _kubernetes(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    meta = dict(args.inputs.get("metadata") or {})
    meta.setdefault("name", args.name)
    ns = meta.get("namespace")
    meta.setdefault("uid", f"{_hex(args.name, 8)}-0000-4000-8000-{_hex(args.name + 'uid', 12)}")
    rid = f"{ns}/{meta['name']}" if ns else meta["name"]
    return rid, {**args.inputs, "metadata": meta}


def _helm_release(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    name = args.inputs.get("name") or args.name
    ns = args.inputs.get("namespace", "default")
    status = {"name": name, "namespace": ns, "chart": args.inputs.get("chart"), "version": args.inputs.get("version"), "status": "deployed", "revision": 1}
    return f"{ns}/{name}", {**args.inputs, "name": name, "status": status}


def _aws(prefix: str, arn_service: str = "", arn_kind: str = "", extra: Callable[[pulumi.runtime.MockResourceArgs, str], dict] | None = None):
    def new(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        rid = f"{prefix}-{_hex(args.name)}" if prefix else args.inputs.get("name", args.name)
        state = {**args.inputs, "id": rid}
        if arn_service:
            state["arn"] = _arn(arn_service, f"{arn_kind}{rid}" if arn_kind else rid)
        if extra:
            state.update(extra(args, rid))
        return rid, state

    return new


def _eks_cluster(args, rid):
    name = args.inputs.get("name", args.name)
    return {
        "name": name,
        "arn": _arn("eks", f"cluster/{name}"),
        "endpoint": f"https://{_hex(name, 32).upper()}.gr7.{_CURRENT_REGION[0]}.eks.amazonaws.com",
        "certificateAuthority": {"data": FAKE_CA},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{_CURRENT_REGION[0]}.amazonaws.com/id/{_hex(name, 32).upper()}"}]}],
        "vpcConfig": {**(args.inputs.get("vpcConfig") or {}), "clusterSecurityGroupId": f"sg-{_hex(name + 'csg')}"},
        "status": "ACTIVE",
    }


def _rds(args, rid):
    ident = args.inputs.get("identifier", args.name)
    return {
        "identifier": ident,
        "address": f"{ident}.c{_hex(ident, 11)}.{_CURRENT_REGION[0]}.rds.amazonaws.com",
        "endpoint": f"{ident}.c{_hex(ident, 11)}.{_CURRENT_REGION[0]}.rds.amazonaws.com:5432",
        "port": 5432,
        "arn": _arn("rds", f"db:{ident}"),
        "masterUserSecrets": [{"secretArn": _arn("secretsmanager", f"secret:rds!db-{_hex(ident, 8)}-AbCdEf"), "secretStatus": "active", "kmsKeyId": _arn("kms", "key/" + _hex(ident + 'k', 32))}],
        "resourceId": f"db-{_hex(ident, 26).upper()}",
    }


def _bucket_state(args) -> dict:
    bucket = args.inputs.get("bucket") or f"{args.name}-{_hex(args.name, 7)}"
    return {"bucket": bucket, "id": bucket, "arn": f"arn:aws:s3:::{bucket}", "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{_CURRENT_REGION[0]}.amazonaws.com", "region": _CURRENT_REGION[0], "hostedZoneId": "Z1BKCTXD74EZPE"}


def _bucket(args, rid):
    return _bucket_state(args)


def _s3_bucket(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    """An S3 bucket's id is its (global) name, as the real provider reports it."""
    state = {**args.inputs, **_bucket_state(args)}
    return state["bucket"], state


def _generated_name(args, name_key: str = "name", prefix_key: str = "namePrefix") -> str:
    """The name AWS ends up with: the given one, `<prefix><26-char suffix>` as the provider
    generates for a name prefix, or the logical name with a random-looking suffix."""
    if args.inputs.get(name_key):
        return args.inputs[name_key]
    if args.inputs.get(prefix_key):
        return args.inputs[prefix_key] + "2026" + _hex(args.name + "suffix", 22)
    return f"{args.name}-{_hex(args.name, 7)}"


def _named_arn(service: str, kind: str):
    def extra(args, rid):
        name = _generated_name(args)
        return {"name": name, "arn": _arn(service, f"{kind}{name}", "" if service == "iam" else None)}

    return extra


def _iam_role(args, rid):
    name = args.inputs.get("name") or f"{args.name}-{_hex(args.name, 7)}"
    return {"name": name, "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "uniqueId": "AROA" + _hex(name, 17).upper()}


def _iam_policy(args, rid):
    name = args.inputs.get("name") or f"{args.name}-{_hex(args.name, 7)}"
    return {"name": name, "arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}"}


def _kms(args, rid):
    key_id = f"{_hex(args.name, 8)}-{_hex(args.name + '1', 4)}-4{_hex(args.name + '2', 3)}-8{_hex(args.name + '3', 3)}-{_hex(args.name + '4', 12)}"
    return {"keyId": key_id, "id": key_id, "arn": _arn("kms", f"key/{key_id}")}


def _ecr(args, rid):
    name = args.inputs.get("name", args.name)
    return {"name": name, "arn": _arn("ecr", f"repository/{name}"), "repositoryUrl": f"{ACCOUNT}.dkr.ecr.{_CURRENT_REGION[0]}.amazonaws.com/{name}", "registryId": ACCOUNT}


def _secret(args, rid):
    name = args.inputs.get("name") or args.name
    return {"name": name, "arn": _arn("secretsmanager", f"secret:{name}-{_hex(name, 6)}")}


def _log_group(args, rid):
    name = args.inputs.get("name") or args.name
    return {"name": name, "arn": _arn("logs", f"log-group:{name}")}


def _oidc(args, rid):
    url = args.inputs.get("url", "https://oidc.example")
    return {"arn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{url.removeprefix('https://')}", "url": url}


def _node_group(args, rid):
    name = _generated_name(args, "nodeGroupName", "nodeGroupNamePrefix")
    return {"nodeGroupName": name, "arn": _arn("eks", f"nodegroup/{args.inputs.get('clusterName', 'cluster')}/{name}/{_hex(name, 8)}"), "status": "ACTIVE",
            "resources": [{"autoscalingGroups": [{"name": f"eks-{name}-{_hex(name, 8)}"}]}]}


def _eks_addon(args, rid):
    return {"arn": _arn("eks", f"addon/{args.inputs.get('clusterName', 'cluster')}/{args.inputs.get('addonName', args.name)}/{_hex(args.name, 8)}")}


def _nat(args, rid):
    return {"publicIp": "203.0.113." + str(int(_hex(args.name, 2), 16) % 250 + 1), "privateIp": "10.0.1." + str(int(_hex(args.name, 2), 16) % 250 + 4)}


def _eip(args, rid):
    return {"publicIp": "198.51.100." + str(int(_hex(args.name, 2), 16) % 250 + 1), "allocationId": rid}


def _sg(args, rid):
    return {"name": args.inputs.get("name") or f"{args.name}-{_hex(args.name, 7)}", "arn": _arn("ec2", f"security-group/{rid}")}


def _bucket_setting(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    """Per-bucket configuration resources (versioning, encryption, ...): the provider uses the
    bucket name as their id."""
    bucket = args.inputs.get("bucket", args.name)
    return bucket, {**args.inputs, "id": bucket}


BUCKET_SETTINGS = ("bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucketLogging:BucketLogging",
                   "bucketOwnershipControls:BucketOwnershipControls", "bucketPublicAccessBlock:BucketPublicAccessBlock",
                   "bucketReplicationConfig:BucketReplicationConfig",
                   "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                   "bucketVersioning:BucketVersioning")

def _secret_version(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    # Never echo `secretString` back: the plan shows the input as "[secret]" and nothing else.
    secret_id = args.inputs.get("secretId") or args.name
    version = f"{_hex(args.name, 8)}-0000-4000-8000-{_hex(args.name + 'v', 12)}"
    rid = f"{secret_id}|{version}"
    return rid, {"id": rid, "arn": secret_id, "secretId": secret_id, "versionId": version, "versionStages": ["AWSCURRENT"]}


GCP_PROJECT = "data-platform-prod"
GCP_REGION = "europe-west1"
GCP_PROJECT_NUMBER = "123456789012"


def _gcp(path: str, name_key: str = "name", extra: Callable[[pulumi.runtime.MockResourceArgs, str, str], dict] | None = None):
    """A GCP resource: id `projects/<p>/<path>/<name>` (the provider's format), a selfLink."""

    def new(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        name = args.inputs.get(name_key) or f"{args.name}-{_hex(args.name, 6)}"
        project = args.inputs.get("project", GCP_PROJECT)
        rid = f"projects/{project}/{path.format(region=args.inputs.get('region') or args.inputs.get('location') or GCP_REGION)}/{name}"
        state = {**args.inputs, "id": rid, "name": name, "project": project,
                 "selfLink": f"https://www.googleapis.com/compute/v1/{rid}"}
        if extra:
            state.update(extra(args, rid, name))
        return rid, state

    return new


def _gcp_binding(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    """IAM members: the provider's id is `<resource>/<role>/<member>`; an etag."""
    target = next((args.inputs.get(k) for k in ("secretId", "serviceAccountId", "repository", "bucket", "project") if args.inputs.get(k)), GCP_PROJECT)
    rid = f"{target}/{args.inputs.get('role')}/{args.inputs.get('member')}"
    return rid, {**args.inputs, "id": rid, "etag": "BwY" + _hex(args.name, 9)}


def _gsa(args, rid, name):
    account_id = args.inputs.get("accountId", args.name)
    email = f"{account_id}@{GCP_PROJECT}.iam.gserviceaccount.com"
    return {"email": email, "name": f"projects/{GCP_PROJECT}/serviceAccounts/{email}", "id": f"projects/{GCP_PROJECT}/serviceAccounts/{email}",
            "uniqueId": str(int(_hex(account_id, 15), 16))[:21], "member": f"serviceAccount:{email}"}


def _gke(args, rid, name):
    host = f"gke-{_hex(name, 32)}-{GCP_PROJECT_NUMBER}.{GCP_REGION}.gke.goog"
    endpoints = dict(args.inputs.get("controlPlaneEndpointsConfig") or {})
    endpoints["dnsEndpointConfig"] = {**(endpoints.get("dnsEndpointConfig") or {}), "endpoint": host}
    private = {**(args.inputs.get("privateClusterConfig") or {}), "privateEndpoint": "10.0.0.2", "publicEndpoint": ""}
    return {"endpoint": "10.0.0.2", "masterAuth": {"clusterCaCertificate": FAKE_CA, "clientCertificateConfig": {"issueClientCertificate": False}},
            "controlPlaneEndpointsConfig": endpoints, "privateClusterConfig": private, "selfLink": f"https://container.googleapis.com/v1/{rid}",
            "masterVersion": "1.33.5-gke.1201000", "labelFingerprint": _hex(name, 8), "operation": None}


def _node_pool(args, rid, name):
    return {"instanceGroupUrls": [f"https://www.googleapis.com/compute/v1/projects/{GCP_PROJECT}/zones/{GCP_REGION}-{z}/instanceGroupManagers/gke-{name}-{_hex(name + z, 8)}-grp" for z in "bcd"],
            "version": "1.33.5-gke.1201000"}


def _cloud_sql(args, rid, name):
    ip = "10.120.0." + str(int(_hex(name, 2), 16) % 250 + 3)
    return {"connectionName": f"{GCP_PROJECT}:{args.inputs.get('region', GCP_REGION)}:{name}", "privateIpAddress": ip, "publicIpAddress": "",
            "ipAddresses": [{"ipAddress": ip, "type": "PRIVATE"}], "serviceAccountEmailAddress": f"p{GCP_PROJECT_NUMBER}-{_hex(name, 6)}@gcp-sa-cloud-sql.iam.gserviceaccount.com",
            "dnsName": f"{_hex(name, 12)}.{args.inputs.get('region', GCP_REGION)}.sql.goog.", "serverCaCerts": [{"cert": "-----BEGIN CERTIFICATE-----(offline-plan)"}]}


def _secret_manager(args, rid, name):
    sid = args.inputs.get("secretId", args.name)
    full = f"projects/{GCP_PROJECT_NUMBER}/secrets/{sid}"
    return {"id": full, "name": full, "secretId": sid, "createTime": "2026-01-01T00:00:00Z"}


def _gcp_secret_version(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    # Never echo `secretData` back: the plan shows the input as "[secret]" and nothing else.
    secret = args.inputs.get("secret") or f"projects/{GCP_PROJECT_NUMBER}/secrets/{args.name}"
    rid = f"{secret}/versions/1"
    return rid, {"id": rid, "name": rid, "secret": secret, "version": "1", "enabled": True, "createTime": "2026-01-01T00:00:00Z"}


def _gcs_bucket(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    """A Cloud Storage bucket: the provider's id is the (global) name; the URL, the self link and
    the effective soft-delete time as the API reports them."""
    name = args.inputs.get("name") or f"{args.name}-{_hex(args.name, 6)}"
    soft = dict(args.inputs.get("softDeletePolicy") or {"retentionDurationSeconds": 604800})
    soft.setdefault("effectiveTime", "2026-01-01T00:00:00.000Z")
    return name, {**args.inputs, "id": name, "name": name, "project": args.inputs.get("project", GCP_PROJECT), "url": f"gs://{name}",
                  "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}", "softDeletePolicy": soft, "projectNumber": int(GCP_PROJECT_NUMBER)}


FAKE_GSA_KEY = base64.b64encode(json.dumps({
    "type": "service_account", "project_id": GCP_PROJECT, "private_key_id": "0" * 40,
    "private_key": "(offline-plan: not a key)",
    "client_email": "offline-plan@example.invalid", "client_id": "0", "token_uri": "https://oauth2.googleapis.com/token",
}).encode()).decode()
"""What `serviceaccount.Key.private_key` holds: a base64-encoded key file (here without a key)."""


def _gsa_key(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    account = args.inputs.get("serviceAccountId", f"projects/{GCP_PROJECT}/serviceAccounts/{args.name}")
    rid = f"{account}/keys/{_hex(args.name, 40)}"
    return rid, {**args.inputs, "id": rid, "name": rid, "privateKey": FAKE_GSA_KEY, "privateKeyType": "TYPE_GOOGLE_CREDENTIALS_FILE",
                 "keyAlgorithm": "KEY_ALG_RSA_2048", "validAfter": "2026-01-01T00:00:00Z", "validBefore": "9999-12-31T23:59:59Z",
                 "publicKey": base64.b64encode(b"(offline-plan public key)").decode()}


# Resource type token -> new_resource implementation.
RESOURCES: dict[str, Callable[[pulumi.runtime.MockResourceArgs], tuple[str, dict]]] = {
    "random:index/randomPassword:RandomPassword": _random_password,
    "kubernetes:helm.sh/v3:Release": _helm_release,
    **{f"aws:s3/{t}": _bucket_setting for t in BUCKET_SETTINGS},
    "aws:ec2/vpc:Vpc": _aws("vpc", "ec2", "vpc/", lambda a, r: {"defaultSecurityGroupId": f"sg-{_hex(a.name + 'default')}", "mainRouteTableId": f"rtb-{_hex(a.name + 'main')}", "defaultNetworkAclId": f"acl-{_hex(a.name + 'acl')}"}),
    "aws:ec2/subnet:Subnet": _aws("subnet", "ec2", "subnet/"),
    "aws:ec2/internetGateway:InternetGateway": _aws("igw", "ec2", "internet-gateway/"),
    "aws:ec2/natGateway:NatGateway": _aws("nat", "", "", _nat),
    "aws:ec2/eip:Eip": _aws("eipalloc", "", "", _eip),
    "aws:ec2/routeTable:RouteTable": _aws("rtb", "ec2", "route-table/"),
    "aws:ec2/route:Route": _aws("r-rtb"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _aws("rtbassoc"),
    "aws:ec2/securityGroup:SecurityGroup": _aws("sg", "", "", _sg),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _aws("sg", "", "", _sg),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _aws("sgr"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _aws("sgr"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _aws("vpce", "ec2", "vpc-endpoint/", lambda a, r: {"dnsEntries": [{"dnsName": f"{r}.{a.inputs.get('serviceName', 'svc')}"}]}),
    "aws:ec2/flowLog:FlowLog": _aws("fl", "ec2", "vpc-flow-log/"),
    "aws:ec2/launchTemplate:LaunchTemplate": _aws("lt", "ec2", "launch-template/", lambda a, r: {"latestVersion": 1, "name": _generated_name(a)}),
    "aws:eks/cluster:Cluster": _aws("", "", "", _eks_cluster),
    "aws:eks/nodeGroup:NodeGroup": _aws("", "", "", _node_group),
    "aws:eks/addon:Addon": _aws("", "", "", _eks_addon),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": _aws("a", "", "", lambda a, r: {"associationArn": _arn("eks", f"podidentityassociation/{r}"), "associationId": r}),
    "aws:eks/accessEntry:AccessEntry": _aws("ae"),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": _aws("apa"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _aws("", "", "", lambda a, r: {"registryId": ACCOUNT}),
    "aws:s3/bucketPolicy:BucketPolicy": _aws("", "", "", lambda a, r: {"id": a.inputs.get("bucket", a.name)}),
    "aws:iam/role:Role": _aws("", "", "", _iam_role),
    "aws:iam/policy:Policy": _aws("", "", "", _iam_policy),
    "aws:iam/rolePolicy:RolePolicy": _aws("rp"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _aws("rpa"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _aws("", "", "", _oidc),
    "aws:kms/key:Key": _aws("", "", "", _kms),
    "aws:kms/alias:Alias": _aws("", "", "", _named_arn("kms", "")),
    "aws:rds/instance:Instance": _aws("db", "", "", _rds),
    "aws:backup/vault:Vault": _aws("", "", "", _named_arn("backup", "backup-vault:")),
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": _aws("", "", "", lambda a, r: {"backupVaultArn": _arn("backup", f"backup-vault:{a.inputs.get('backupVaultName', r)}")}),
    "aws:backup/plan:Plan": _aws("", "", "", lambda a, r: {"id": _hex(a.name, 32), "arn": _arn("backup", f"backup-plan:{_hex(a.name, 32)}"), "version": _hex(a.name + "v", 32)}),
    "aws:backup/selection:Selection": _aws("", "", "", lambda a, r: {"id": _hex(a.name + "sel", 32)}),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": _aws(
        "", "", "", lambda a, r: {"id": _arn("rds", f"auto-backup:ab-{_hex(a.name, 26)}")}),
    "aws:rds/subnetGroup:SubnetGroup": _aws("", "", "", _named_arn("rds", "subgrp:")),
    "aws:rds/parameterGroup:ParameterGroup": _aws("", "", "", _named_arn("rds", "pg:")),
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:s3/bucketV2:BucketV2": _aws("", "", "", _bucket),
    "aws:ecr/repository:Repository": _aws("", "", "", _ecr),
    "aws:secretsmanager/secret:Secret": _aws("", "", "", _secret),
    "aws:secretsmanager/secretVersion:SecretVersion": _secret_version,
    "aws:cloudwatch/logGroup:LogGroup": _aws("", "", "", _log_group),
    "gcp:compute/network:Network": _gcp("global/networks"),
    "gcp:compute/subnetwork:Subnetwork": _gcp("regions/{region}/subnetworks", extra=lambda a, r, n: {"gatewayAddress": "10.0.0.1"}),
    "gcp:compute/router:Router": _gcp("regions/{region}/routers"),
    "gcp:compute/routerNat:RouterNat": _gcp("regions/{region}/routers/nat"),
    "gcp:compute/globalAddress:GlobalAddress": _gcp("global/addresses", extra=lambda a, r, n: {
        "address": "34.120.0." + str(int(_hex(n, 2), 16) % 250 + 1) if a.inputs.get("addressType") == "EXTERNAL" else "10.120.0.0"}),
    "gcp:compute/sSLPolicy:SSLPolicy": _gcp("global/sslPolicies", extra=lambda a, r, n: {
        "fingerprint": _hex(r, 12), "enabledFeatures": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]}),
    "gcp:servicenetworking/connection:Connection": _gcp("global/networks/peering", name_key="service", extra=lambda a, r, n: {"peering": "servicenetworking-googleapis-com"}),
    "gcp:serviceaccount/account:Account": _gcp("serviceAccounts", name_key="accountId", extra=_gsa),
    "gcp:serviceaccount/iAMMember:IAMMember": _gcp_binding,
    "gcp:projects/iAMMember:IAMMember": _gcp_binding,
    "gcp:container/cluster:Cluster": _gcp("locations/{region}/clusters", extra=_gke),
    "gcp:container/nodePool:NodePool": _gcp("locations/{region}/clusters/nodePools", extra=_node_pool),
    "gcp:sql/databaseInstance:DatabaseInstance": _gcp("instances", extra=_cloud_sql),
    "gcp:sql/user:User": _gcp("instances/users"),
    "gcp:secretmanager/secret:Secret": _gcp("secrets", name_key="secretId", extra=_secret_manager),
    "gcp:secretmanager/secretVersion:SecretVersion": _gcp_secret_version,
    "gcp:secretmanager/secretIamMember:SecretIamMember": _gcp_binding,
    "gcp:artifactregistry/repository:Repository": _gcp("locations/{region}/repositories", name_key="repositoryId",
                                                       extra=lambda a, r, n: {"name": n, "createTime": "2026-01-01T00:00:00Z"}),
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": _gcp_binding,
    "gcp:storage/bucket:Bucket": _gcs_bucket,
    "gcp:storage/bucketIAMMember:BucketIAMMember": _gcp_binding,
    "gcp:serviceaccount/key:Key": _gsa_key,
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": _gcp("locations/global/buckets", name_key="bucketId",
                                                              extra=lambda a, r, n: {"name": r, "lifecycleState": "ACTIVE"}),
}


VPC_CIDRS = {"eu-central-1": "10.1.0.0/16"}
"""The VPC a looked-up subnet of a region belongs to: eu-central-1's is the dr stack's (its
aws.vpcCidr in Pulumi.dr.yaml), where prod's cross-region read replica goes."""


def _vpc_id(region: str) -> str:
    return f"vpc-{_hex(region + '-vpc')}"


class InvokeFailure(Exception):
    """Raised by `call` (or a test's replacement) for an invoke the provider would fail: the
    engine returns it as a failure and the program's invoke raises, as against AWS."""

    def __init__(self, reason: str, property: str = ""):
        super().__init__(reason)
        self.reason, self.property = reason, property


class _Named:
    """The two attributes the resource mocks read, for an invoke answered like a resource."""

    def __init__(self, name: str, inputs: dict | None = None):
        self.name, self.inputs = name, inputs or {}


def call(token: str, args: dict) -> dict:
    """Invokes (data sources) the program makes."""
    region = _CURRENT_REGION[0]
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        if region != REGION:  # another stack's or provider's region: its own three zones
            return {"names": [f"{region}{z}" for z in "abc"], "zoneIds": [f"{region}-az{i}" for i in (1, 2, 3)], "state": "available", "id": region}
        return {"names": list(AZS), "zoneIds": ["euw1-az1", "euw1-az2", "euw1-az3"], "state": "available", "id": REGION}
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/offline-plan", "userId": "AIDAOFFLINEPLAN", "id": ACCOUNT}
    if token in ("aws:index/getRegion:getRegion",):
        return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com", "description": "Europe (Ireland)"}
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
    if token == "aws:kms/getKey:getKey":
        # An alias `alias/<name>` resolves to the key the program creates as `<name>` (kms_key), so a
        # dr stack's look-up of its primary's replica key finds the ARN the primary's plan shows.
        key_id = str(args.get("keyId", ""))
        name = key_id.removeprefix("alias/")
        state = _kms(_Named(name), "")
        return {**state, "keyId": state["keyId"], "arn": state["arn"], "keyState": "Enabled", "enabled": True, "keyManager": "CUSTOMER",
                "keyUsage": "ENCRYPT_DECRYPT", "keySpec": "SYMMETRIC_DEFAULT", "origin": "AWS_KMS", "multiRegion": False, "region": region}
    if token == "aws:s3/getBucket:getBucket":
        bucket = str(args.get("bucket", ""))
        return {**_bucket_state(_Named(bucket, {"bucket": bucket})), "region": region}
    if token == "aws:ec2/getSubnet:getSubnet":
        subnet = str(args.get("id", ""))
        cidr = VPC_CIDRS.get(region, "10.0.0.0/16")
        return {"id": subnet, "arn": _arn("ec2", f"subnet/{subnet}"), "vpcId": _vpc_id(region), "availabilityZone": f"{region}{'abc'[int(_hex(subnet, 2), 16) % 3]}",
                "cidrBlock": cidr, "state": "available", "ownerId": ACCOUNT}
    if token == "aws:ec2/getVpc:getVpc":
        vpc = str(args.get("id", ""))
        return {"id": vpc, "arn": _arn("ec2", f"vpc/{vpc}"), "cidrBlock": VPC_CIDRS.get(region, "10.0.0.0/16"), "state": "available", "ownerId": ACCOUNT,
                "default": False, "cidrBlockAssociations": [{"cidrBlock": VPC_CIDRS.get(region, "10.0.0.0/16"), "state": "associated", "associationId": f"vpc-cidr-assoc-{_hex(vpc)}"}]}
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return {"json": json.dumps({"Version": "2012-10-17", "Statement": args.get("statements", [])}), "id": "policy"}
    if token.startswith("azure-native:"):
        return azure_call(token, args) or {}
    return {}


def _provider_name(ref: str | None) -> str:
    """`urn:...::pulumi:providers:aws::<name>::<id>` -> `<name>`."""
    parts = (ref or "").split("::")
    return parts[-2] if len(parts) >= 3 else ""


class PlatformMocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        impl = RESOURCES.get(args.typ)
        if impl is None and args.typ.startswith("kubernetes:") and args.typ != "pulumi:providers:kubernetes":
            impl = _kubernetes
        if args.typ == "pulumi:providers:aws":
            _PROVIDER_REGIONS[args.name] = args.inputs.get("region", REGION)
        if impl is None:
            return f"{args.name}-{_hex(args.name, 8)}", dict(args.inputs)
        _CURRENT_REGION[0] = _PROVIDER_REGIONS.get(_provider_name(args.provider), REGION)
        try:
            return impl(args)
        finally:
            _CURRENT_REGION[0] = REGION

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        _CURRENT_REGION[0] = _PROVIDER_REGIONS.get(_provider_name(args.provider), REGION)
        try:
            return call(args.token, args.args), []
        except InvokeFailure as e:  # the provider's error, as the engine returns it (the program sees an InvokeError)
            return {}, [(e.property, e.reason)]
        finally:
            _CURRENT_REGION[0] = REGION


# --- Azure (azure-native) ---------------------------------------------------------------------

AZURE_SUBSCRIPTION = "00000000-0000-4000-8000-000000000001"
AZURE_TENANT = "00000000-0000-4000-8000-0000000000aa"
AZURE_DEPLOYER = "00000000-0000-4000-8000-0000000000d0"
AZURE_LOCATION = "westeurope"


def _uuid(name: str) -> str:
    h = _hex(name, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def _fake_kubeconfig(cluster: str, server: str) -> str:
    import yaml

    cfg = {"apiVersion": "v1", "kind": "Config", "current-context": cluster,
           "clusters": [{"name": cluster, "cluster": {"server": server, "certificate-authority-data": FAKE_CA}}],
           "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": f"clusterUser_{cluster}"}}],
           "users": [{"name": f"clusterUser_{cluster}", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "kubelogin",
                                                                          "args": ["get-token", "--login", "devicecode", "--server-id", "6dae42f8-4368-4678-94ff-3960e28e3630"]}}}]}
    return base64.b64encode(yaml.safe_dump(cfg).encode()).decode()


# type token -> (ARM path under the resource group, with {placeholders} from the inputs; the name input)
AZURE_PATHS: dict[str, tuple[str, str]] = {
    "resources:ResourceGroup": ("", "resourceGroupName"),
    "network:VirtualNetwork": ("Microsoft.Network/virtualNetworks/{name}", "virtualNetworkName"),
    "network:Subnet": ("Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{name}", "subnetName"),
    "network:NetworkSecurityGroup": ("Microsoft.Network/networkSecurityGroups/{name}", "networkSecurityGroupName"),
    "network:NatGateway": ("Microsoft.Network/natGateways/{name}", "natGatewayName"),
    "network:PublicIPAddress": ("Microsoft.Network/publicIPAddresses/{name}", "publicIpAddressName"),
    "network:PrivateEndpoint": ("Microsoft.Network/privateEndpoints/{name}", "privateEndpointName"),
    "network:PrivateDnsZoneGroup": ("Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{name}", "privateDnsZoneGroupName"),
    "privatedns:PrivateZone": ("Microsoft.Network/privateDnsZones/{name}", "privateZoneName"),
    "privatedns:VirtualNetworkLink": ("Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{name}", "virtualNetworkLinkName"),
    "containerservice:ManagedCluster": ("Microsoft.ContainerService/managedClusters/{name}", "resourceName"),
    "containerservice:AgentPool": ("Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{name}", "agentPoolName"),
    "containerservice:MaintenanceConfiguration": ("Microsoft.ContainerService/managedClusters/{resourceName}/maintenanceConfigurations/{name}", "configName"),
    "dbforpostgresql:Server": ("Microsoft.DBforPostgreSQL/flexibleServers/{name}", "serverName"),
    "dbforpostgresql:Configuration": ("Microsoft.DBforPostgreSQL/flexibleServers/{serverName}/configurations/{name}", "configurationName"),
    "storage:StorageAccount": ("Microsoft.Storage/storageAccounts/{name}", "accountName"),
    "storage:BlobServiceProperties": ("Microsoft.Storage/storageAccounts/{accountName}/blobServices/{name}", "blobServicesName"),
    "storage:BlobContainer": ("Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{name}", "containerName"),
    "storage:ManagementPolicy": ("Microsoft.Storage/storageAccounts/{accountName}/managementPolicies/{name}", "managementPolicyName"),
    "keyvault:Vault": ("Microsoft.KeyVault/vaults/{name}", "vaultName"),
    "keyvault:Secret": ("Microsoft.KeyVault/vaults/{vaultName}/secrets/{name}", "secretName"),
    "containerregistry:Registry": ("Microsoft.ContainerRegistry/registries/{name}", "registryName"),
    "managedidentity:UserAssignedIdentity": ("Microsoft.ManagedIdentity/userAssignedIdentities/{name}", "resourceName"),
    "managedidentity:FederatedIdentityCredential": ("Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{name}",
                                                   "federatedIdentityCredentialResourceName"),
    "operationalinsights:Workspace": ("Microsoft.OperationalInsights/workspaces/{name}", "workspaceName"),
    "monitor:DataCollectionRule": ("Microsoft.Insights/dataCollectionRules/{name}", "dataCollectionRuleName"),
    "network:ApplicationGateway": ("Microsoft.Network/applicationGateways/{name}", "applicationGatewayName"),
    "network:WebApplicationFirewallPolicy": ("Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies/{name}", "policyName"),
}
"""Resources addressed by scope rather than by resource group."""
AZURE_SCOPED = {"authorization:RoleAssignment": ("Microsoft.Authorization/roleAssignments", "roleAssignmentName"),
                "authorization:ManagementLockByScope": ("Microsoft.Authorization/locks", "lockName"),
                "monitor:DiagnosticSetting": ("Microsoft.Insights/diagnosticSettings", "name"),
                "monitor:DataCollectionRuleAssociation": ("Microsoft.Insights/dataCollectionRuleAssociations", "associationName")}


def _azure_extra(kind: str, name: str, rid: str, inputs: dict) -> dict:
    if kind == "containerservice:ManagedCluster":
        ids = (inputs.get("identity") or {}).get("userAssignedIdentities") or []
        dns = f"{name}-{_hex(name, 8)}"
        return {
            "identity": {**inputs.get("identity", {}), "userAssignedIdentities": {i: {"principalId": _uuid(i + "p"), "clientId": _uuid(i + "c")} for i in ids}},
            "oidcIssuerProfile": {"enabled": True, "issuerURL": f"https://{AZURE_LOCATION}.oic.prod-aks.azure.com/{AZURE_TENANT}/{_uuid(name + 'oidc')}/"},
            "identityProfile": {"kubeletidentity": {"objectId": _uuid(name + "kubelet-o"), "clientId": _uuid(name + "kubelet-c"),
                                                    "resourceId": f"/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/MC_{name}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}-agentpool"}},
            "privateFQDN": f"{dns}.{_uuid(name + 'dns')}.privatelink.{AZURE_LOCATION}.azmk8s.io",
            "fqdn": f"{dns}.hcp.{AZURE_LOCATION}.azmk8s.io",
            "nodeResourceGroup": f"MC_{name}_{AZURE_LOCATION}",
            "currentKubernetesVersion": f"{inputs.get('kubernetesVersion', '1.34')}.2",
            "provisioningState": "Succeeded",
        }
    if kind == "managedidentity:UserAssignedIdentity":
        return {"principalId": _uuid(rid + "principal"), "clientId": _uuid(rid + "client"), "tenantId": AZURE_TENANT}
    if kind == "keyvault:Vault":
        return {"properties": {**inputs.get("properties", {}), "vaultUri": f"https://{name}.vault.azure.net/"}}
    if kind == "keyvault:Secret":
        # Never echo the value back (the input is secret-wrapped): Key Vault's ARM API does not return it either.
        return {"properties": {"contentType": "application/json", "secretUri": f"https://{inputs.get('vaultName')}.vault.azure.net/secrets/{name}",
                               "secretUriWithVersion": f"https://{inputs.get('vaultName')}.vault.azure.net/secrets/{name}/{_hex(rid, 32)}"}}
    if kind == "storage:StorageAccount":
        return {"primaryEndpoints": {"blob": f"https://{name}.blob.core.windows.net/", "dfs": f"https://{name}.dfs.core.windows.net/"}}
    if kind == "dbforpostgresql:Server":
        return {"fullyQualifiedDomainName": f"{name}.postgres.database.azure.com", "state": "Ready"}
    if kind == "containerregistry:Registry":
        return {"loginServer": f"{name}.azurecr.io"}
    if kind == "operationalinsights:Workspace":
        return {"customerId": _uuid(rid)}
    if kind == "network:PublicIPAddress":
        return {"ipAddress": "20.103.0." + str(int(_hex(name, 2), 16) % 250 + 1)}
    if kind == "network:ApplicationGateway":
        ids = (inputs.get("identity") or {}).get("userAssignedIdentities") or []
        return {"identity": {**inputs.get("identity", {}), "userAssignedIdentities": {i: {"principalId": _uuid(i + "p"), "clientId": _uuid(i + "c")} for i in ids}},
                "operationalState": "Running", "provisioningState": "Succeeded", "resourceGuid": _uuid(rid)}
    if kind == "network:WebApplicationFirewallPolicy":
        return {"provisioningState": "Succeeded", "resourceState": "Enabled", "applicationGateways": []}
    return {}


def _azure(kind: str) -> Callable[[pulumi.runtime.MockResourceArgs], tuple[str, dict]]:
    def new(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        inputs = dict(args.inputs)
        if kind in AZURE_SCOPED:
            path, name_key = AZURE_SCOPED[kind]
            name = inputs.get(name_key) or _uuid(args.name)
            rid = f"{inputs.get('scope') or inputs.get('resourceUri')}/providers/{path}/{name}"
        else:
            path, name_key = AZURE_PATHS[kind]
            name = inputs.get(name_key) or f"{args.name}{_hex(args.name, 8)}"
            rg = f"/subscriptions/{AZURE_SUBSCRIPTION}/resourceGroups/{inputs.get('resourceGroupName', name)}"
            rid = rg if not path else f"{rg}/providers/" + path.format(name=name, **{k: v for k, v in inputs.items() if isinstance(v, str)})
        state = {**inputs, "id": rid, "name": name, "type": kind.split(":")[1]}
        state.update(_azure_extra(kind, name, rid, inputs))
        return rid, state

    return new


RESOURCES.update({f"azure-native:{k}": _azure(k) for k in (*AZURE_PATHS, *AZURE_SCOPED)})


def azure_call(token: str, args: dict) -> dict | None:
    if token == "azure-native:authorization:getClientConfig":
        return {"clientId": _uuid("offline-plan-client"), "objectId": AZURE_DEPLOYER, "subscriptionId": AZURE_SUBSCRIPTION, "tenantId": AZURE_TENANT}
    if token == "azure-native:containerservice:listManagedClusterUserCredentials":
        name = args.get("resourceName", "cluster")
        server = f"https://{name}-{_hex(name, 8)}.{_uuid(name + 'dns')}.privatelink.{AZURE_LOCATION}.azmk8s.io:443"
        return {"kubeconfigs": [{"name": "clusterUser", "value": _fake_kubeconfig(name, server)}]}
    if token == "azure-native:storage:listStorageAccountKeys":
        # Deterministic stand-ins shaped like Azure's 88-character base64 keys (not real credentials).
        name = args.get("accountName", "account")
        return {"keys": [{"keyName": k, "permissions": "FULL", "value": base64.b64encode(bytes.fromhex(_hex(f"{name}/{k}", 64) * 2)[:64]).decode(),
                          "creationTime": "2026-12-01T00:00:00Z"} for k in ("key1", "key2")]}
    return None


# --- Microsoft Graph (azuread) ----------------------------------------------------------------

AZUREAD_PASSWORD_PREFIX = "offline~plan."
"""Mocked application passwords start with this (40 characters like Entra's, not a credential):
tests look for it in manifests."""


def _azuread_application(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    oid = _uuid(args.name + "app")
    rid = f"/applications/{oid}"
    return rid, {**args.inputs, "id": rid, "objectId": oid, "clientId": _uuid(args.name + "client"), "publisherDomain": "example.onmicrosoft.com",
                 "signInAudience": args.inputs.get("signInAudience", "AzureADMyOrg"), "disabledByMicrosoft": ""}


def _azuread_service_principal(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    oid = _uuid(args.name + "sp")
    rid = f"/servicePrincipals/{oid}"
    return rid, {**args.inputs, "id": rid, "objectId": oid, "applicationTenantId": AZURE_TENANT, "type": "Application",
                 "servicePrincipalNames": [args.inputs.get("clientId", "")], "displayName": args.name}


def _azuread_password(args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
    key_id = _uuid(args.name + "key")
    app = args.inputs.get("applicationId", "/applications/unknown")
    rid = f"{app}/password/{key_id}"
    value = (AZUREAD_PASSWORD_PREFIX + _hex(args.name + "value", 40))[:40]
    return rid, {**args.inputs, "id": rid, "keyId": key_id, "value": value, "startDate": "2026-12-01T00:00:00Z",
                 "endDate": args.inputs.get("endDate") or "2028-12-01T00:00:00Z"}


RESOURCES.update({
    "azuread:index/application:Application": _azuread_application,
    "azuread:index/servicePrincipal:ServicePrincipal": _azuread_service_principal,
    "azuread:index/applicationPassword:ApplicationPassword": _azuread_password,
})
