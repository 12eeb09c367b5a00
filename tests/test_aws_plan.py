"""The AWS stacks as the engine would receive them (Pulumi mocks): the seed's numbers, nothing
public that should not be, encryption everywhere, protection in prod only, scoped IAM."""

from __future__ import annotations

import json

import pytest

from clouds.aws.versions import ADDONS, CLUSTER_AUTOSCALER_IMAGE
from foundation import SECRET_NAMESPACES
from kube.charts import chart

STATEFUL = ("aws:eks/cluster:Cluster", "aws:rds/instance:Instance", "aws:s3/bucket:Bucket", "aws:kms/key:Key")
BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"


@pytest.fixture(scope="module")
def prod(plan_stack):
    return plan_stack("prod")


@pytest.fixture(scope="module")
def staging(plan_stack):
    return plan_stack("staging")


def one(plan, type_, name):
    return plan.one(type_, name).inputs


def aws_provider(plan):
    """The stack's own region's provider (prod also has one for aws.drRegion)."""
    (p,) = [p for p in plan.by_type("pulumi:providers:aws") if p.name == f"{plan.stack}-aws"]
    return p


def by_urn(plan):
    return {r.urn: r for r in plan.registrations}


def policies(plan):
    """Role name -> list of statements of its inline policies."""
    out: dict[str, list] = {}
    for r in plan.by_type("aws:iam/rolePolicy:RolePolicy"):
        out.setdefault(r.inputs["role"], []).extend(json.loads(r.inputs["policy"])["Statement"])
    return out


def as_list(v):
    return v if isinstance(v, list) else [v]


def key_arn(plan, name):
    """A KMS key's ARN, from its alias (which targets the key id the engine returned)."""
    alias = plan.one("aws:kms/alias:Alias", name).inputs
    assert alias["name"] == f"alias/{name}"
    return f"arn:aws:kms:eu-west-1:123456789012:key/{alias['targetKeyId']}"


def bucket_names(plan):
    """Logical name -> real bucket name (as the bucket's child resources received it)."""
    return {r.name: r.inputs["bucket"] for r in plan.by_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")}


# --- provider, tags ---------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_one_explicit_aws_provider_with_region_and_default_tags(plan_stack, stack):
    plan = plan_stack(stack)
    p = aws_provider(plan)
    assert p.inputs["region"] == "eu-west-1"
    tags = json.loads(p.inputs["defaultTags"])["tags"]
    assert tags == {"project": "data-platform", "stack": stack, "environment": stack, "component": "foundation", "managed-by": "pulumi"}
    prefix = f"{p.urn}::"
    aws_resources = [r for r in plan.registrations if r.type.startswith("aws:")]
    assert len(aws_resources) > 100
    # Only the backup copies and the lake's replica buckets in the DR region go through another
    # provider (the DR region's).
    dr = [p for p in plan.by_type("pulumi:providers:aws") if p.name == f"{stack}-aws-dr"]
    elsewhere = [r for r in aws_resources if not r.provider.startswith(prefix)]
    assert all(r.provider.startswith(f"{d.urn}::") for r in elsewhere for d in dr) and (bool(elsewhere) == bool(dr))
    replicas = [r for r in elsewhere if r.type.startswith("aws:s3/")]
    assert all(r.inputs["bucket"].endswith("-replica") for r in replicas)
    assert {r.type for r in elsewhere if r not in replicas} <= {"aws:kms/key:Key", "aws:kms/alias:Alias", BACKUP_REPLICATION,
                                           "aws:backup/vault:Vault", "aws:backup/vaultLockConfiguration:VaultLockConfiguration"}


def test_taggable_resources_name_their_component(prod):
    for t in ("aws:ec2/vpc:Vpc", "aws:eks/cluster:Cluster", "aws:rds/instance:Instance", "aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:ecr/repository:Repository"):
        for r in prod.by_type(t):
            assert r.inputs["tags"]["component"] and r.inputs["tags"]["Name"], (t, r.name)


# --- network ----------------------------------------------------------------------------------


def subnets(plan, tier):
    return sorted((r.inputs for r in plan.by_type("aws:ec2/subnet:Subnet") if r.inputs["tags"]["tier"] == tier), key=lambda s: s["availabilityZone"])


def test_vpc_and_the_seeds_subnet_blocks(prod):
    (vpc,) = prod.by_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True
    expect = {"public": "10.0.{}.0/24", "nodes": "10.0.{}.0/24", "database": "10.0.{}.0/24", "endpoints": "10.0.{}.0/24"}
    first = {"public": 1, "nodes": 10, "database": 20, "endpoints": 30}
    for tier, fmt in expect.items():
        got = subnets(prod, tier)
        assert [s["cidrBlock"] for s in got] == [fmt.format(first[tier] + i) for i in range(3)]
        assert [s["availabilityZone"] for s in got] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        assert all(s["mapPublicIpOnLaunch"] is False for s in got)


def test_load_balancer_subnet_tags(prod):
    assert all(s["tags"].get("kubernetes.io/role/elb") == "1" for s in subnets(prod, "public"))
    assert all(s["tags"].get("kubernetes.io/role/internal-elb") == "1" for s in subnets(prod, "nodes"))
    assert not any("kubernetes.io/role/elb" in s["tags"] for tier in ("nodes", "database", "endpoints") for s in subnets(prod, tier))


@pytest.mark.parametrize("stack,nats", [("prod", 3), ("staging", 1)])
def test_nat_gateways_one_per_az_in_prod_single_in_staging(plan_stack, stack, nats):
    plan = plan_stack(stack)
    assert len(plan.by_type("aws:ec2/natGateway:NatGateway")) == nats
    private_routes = [r.inputs for r in plan.by_type("aws:ec2/route:Route") if "natGatewayId" in r.inputs]
    assert len(private_routes) == 3
    assert len({r["natGatewayId"] for r in private_routes}) == nats


def test_only_the_public_route_table_reaches_the_internet_gateway_and_database_has_no_route_out(prod):
    routes = [r.inputs for r in prod.by_type("aws:ec2/route:Route")]
    igw_routes = [r for r in routes if "gatewayId" in r]
    assert len(igw_routes) == 1
    db_rt = prod.one("aws:ec2/routeTable:RouteTable", "prod-database-rt")
    db_rt_id = db_rt.state.get("id") if db_rt.state else None
    route_tables_with_routes = {r["routeTableId"] for r in routes}
    assoc = [r.inputs for r in prod.by_type("aws:ec2/routeTableAssociation:RouteTableAssociation") if r.name.startswith("prod-database-")]
    assert len(assoc) == 3
    db_rt_ids = {a["routeTableId"] for a in assoc}
    assert len(db_rt_ids) == 1
    assert not (db_rt_ids & route_tables_with_routes), "database subnets must have no route out of the VPC"
    if db_rt_id:
        assert db_rt_ids == {db_rt_id}


def test_s3_gateway_and_interface_endpoints(prod):
    eps = {r.inputs["serviceName"]: r.inputs for r in prod.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert eps["com.amazonaws.eu-west-1.s3"]["vpcEndpointType"] == "Gateway"
    assert len(eps["com.amazonaws.eu-west-1.s3"]["routeTableIds"]) == 3
    for svc in ("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager"):
        ep = eps[f"com.amazonaws.eu-west-1.{svc}"]
        assert ep["vpcEndpointType"] == "Interface" and ep["privateDnsEnabled"] is True
        assert len(ep["subnetIds"]) == 3


def test_endpoint_security_group_allows_https_from_the_vpc_only(prod):
    rules = [r.inputs for r in prod.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if "cidrIpv4" in r.inputs]
    assert rules == [{**rules[0], "cidrIpv4": "10.0.0.0/16", "fromPort": 443, "toPort": 443, "ipProtocol": "tcp"}]
    assert not any(r.inputs.get("cidrIpv4") == "0.0.0.0/0" for r in prod.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"))


def test_default_security_group_has_no_rules(prod):
    (sg,) = prod.by_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert sg.inputs.get("ingress", []) == [] and sg.inputs.get("egress", []) == []


def test_flow_logs_to_cloudwatch_with_retention(prod):
    (fl,) = prod.by_type("aws:ec2/flowLog:FlowLog")
    assert fl.inputs["trafficType"] == "ALL" and fl.inputs["logDestinationType"] == "cloud-watch-logs"
    group = one(prod, "aws:cloudwatch/logGroup:LogGroup", "prod-flow-logs")
    assert group["retentionInDays"] == 365
    assert fl.inputs["logDestination"].endswith(":log-group:/aws/vpc/prod-flow-logs")


def test_every_log_group_has_a_retention(plan_stack):
    for stack, days in (("prod", 365), ("staging", 30)):
        groups = plan_stack(stack).by_type("aws:cloudwatch/logGroup:LogGroup")
        assert len(groups) >= 4
        assert {g.inputs["retentionInDays"] for g in groups} == {days}


# --- EKS --------------------------------------------------------------------------------------


def test_eks_version_from_config_private_endpoint_kms_and_logs(prod):
    c = one(prod, "aws:eks/cluster:Cluster", "prod-eks")
    assert c["version"] == "1.34"
    assert c["vpcConfig"]["endpointPrivateAccess"] is True
    assert c["vpcConfig"]["endpointPublicAccess"] is False
    assert c["accessConfig"]["authenticationMode"] == "API"
    assert c["encryptionConfig"]["resources"] == ["secrets"]
    assert c["encryptionConfig"]["provider"]["keyArn"] == key_arn(prod, "prod-eks-secrets")
    assert set(c["enabledClusterLogTypes"]) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert one(prod, "aws:cloudwatch/logGroup:LogGroup", "prod-eks-control-plane")["name"] == "/aws/eks/prod-eks/cluster"
    assert prod.one("aws:kms/key:Key", "prod-eks-secrets").inputs["enableKeyRotation"] is True
    assert c["deletionProtection"] is True


def test_cluster_waits_for_its_role_permissions(prod):
    c = prod.one("aws:eks/cluster:Cluster", "prod-eks")
    for name in ("prod-eks-cluster-policy",):
        assert prod.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name).urn in c.dependencies
    assert prod.one("aws:iam/rolePolicy:RolePolicy", "prod-eks-cluster-kms").urn in c.dependencies


def test_extra_cluster_admins_through_access_entries(plan_config):
    arn = "arn:aws:iam::123456789012:role/platform-admins"
    plan = plan_config({"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "aws": {"adminPrincipalArns": [arn]}}, stack="admins")
    (entry,) = plan.by_type("aws:eks/accessEntry:AccessEntry")
    (assoc,) = plan.by_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert entry.inputs["principalArn"] == arn == assoc.inputs["principalArn"]
    assert assoc.inputs["policyArn"].endswith(":cluster-access-policy/AmazonEKSClusterAdminPolicy")
    assert assoc.inputs["accessScope"] == {"type": "cluster"}


def test_staging_public_endpoint_is_cidr_limited(staging):
    c = one(staging, "aws:eks/cluster:Cluster", "staging-eks")
    assert c["vpcConfig"]["endpointPublicAccess"] is True
    assert c["vpcConfig"]["publicAccessCidrs"] and "0.0.0.0/0" not in c["vpcConfig"]["publicAccessCidrs"]
    assert c["deletionProtection"] is False


def test_node_group_seed_sizes_imdsv2_and_autoscaler_owns_desired_size(prod):
    ng = prod.one("aws:eks/nodeGroup:NodeGroup", "prod-eks-general")
    assert ng.inputs["instanceTypes"] == ["m5.2xlarge"]
    assert ng.inputs["scalingConfig"] == {"minSize": 3, "maxSize": 10, "desiredSize": 5}
    assert ng.inputs["capacityType"] == "ON_DEMAND"
    assert "scalingConfig.desiredSize" in ng.ignore_changes
    assert ng.inputs["tags"]["k8s.io/cluster-autoscaler/enabled"] == "true"
    assert ng.inputs["tags"]["k8s.io/cluster-autoscaler/prod-eks"] == "owned"
    lt = one(prod, "aws:ec2/launchTemplate:LaunchTemplate", "prod-eks-nodes")
    assert lt["metadataOptions"]["httpTokens"] == "required"
    assert lt["metadataOptions"]["httpPutResponseHopLimit"] == 2
    (bdm,) = lt["blockDeviceMappings"]
    assert bdm["ebs"]["encrypted"] == "true" and bdm["ebs"]["volumeType"] == "gp3"
    assert ng.inputs["launchTemplate"]["id"].startswith("lt-")


def test_staging_nodes_are_smaller(staging):
    ng = one(staging, "aws:eks/nodeGroup:NodeGroup", "staging-eks-general")
    assert ng["scalingConfig"] == {"minSize": 2, "maxSize": 5, "desiredSize": 3}
    assert ng["instanceTypes"] == ["m5.xlarge"]


def test_core_addons_pinned_for_the_kubernetes_version(prod):
    addons = {r.inputs["addonName"]: r.inputs for r in prod.by_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"}
    for name, a in addons.items():
        assert a["addonVersion"] == ADDONS["1.34"][name]
    assert addons["kube-proxy"]["addonVersion"].startswith("v1.34.")
    assert addons["aws-ebs-csi-driver"]["serviceAccountRoleArn"].startswith("arn:aws:iam::")
    assert addons["vpc-cni"]["serviceAccountRoleArn"].startswith("arn:aws:iam::")


def test_node_role_is_minimal(prod):
    """Pods can reach the node role through IMDS (hop limit 2): it holds no CNI or data access."""
    node_role = prod.one("aws:iam/role:Role", "prod-eks-nodes")
    attached = {r.inputs["policyArn"].rsplit("/", 1)[-1] for r in prod.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                if node_role.urn in r.property_dependencies.get("role", [])}
    assert attached == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonSSMManagedInstanceCore"}
    assert not [r for r in prod.by_type("aws:iam/rolePolicy:RolePolicy") if node_role.urn in r.property_dependencies.get("role", [])]
    cni = prod.one("aws:iam/role:Role", "prod-eks-vpc-cni")
    cni_attached = [r.inputs["policyArn"] for r in prod.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if cni.urn in r.property_dependencies.get("role", [])]
    assert cni_attached == ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]
    trust = json.loads(cni.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert [v for k, v in trust.items() if k.endswith(":sub")] == ["system:serviceaccount:kube-system:aws-node"]


def test_vpc_cni_enforces_network_policies(prod, plan_config):
    """EKS ignores NetworkPolicies unless the VPC CNI's policy agent is on."""
    cni = prod.one("aws:eks/addon:Addon", "prod-eks-vpc-cni").inputs
    assert json.loads(cni["configurationValues"]) == {"enableNetworkPolicy": "true"}
    off = plan_config({"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "networkPolicies": False}, stack="nonp")
    assert json.loads(off.one("aws:eks/addon:Addon", "nonp-eks-vpc-cni").inputs["configurationValues"]) == {"enableNetworkPolicy": "false"}


def test_irsa_oidc_provider_for_the_cluster_issuer(prod):
    (oidc,) = prod.by_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert oidc.inputs["url"].startswith("https://oidc.eks.eu-west-1.amazonaws.com/id/")
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_storage_classes_are_the_seeds_on_encrypted_ebs_csi(prod):
    scs = {r.name: r.inputs for r in prod.by_type("kubernetes:storage.k8s.io/v1:StorageClass")}
    fast, std = scs["fast-ssd"], scs["standard"]
    assert fast["parameters"]["type"] == "gp3" and fast["parameters"]["iops"] == "3000" and fast["parameters"]["throughput"] == "125"
    ebs_key = key_arn(prod, "prod-ebs")
    for sc in (fast, std):
        assert sc["provisioner"] == "ebs.csi.aws.com"
        assert sc["volumeBindingMode"] == "WaitForFirstConsumer"
        assert sc["allowVolumeExpansion"] is True
        assert sc["parameters"]["encrypted"] == "true"
        assert sc["parameters"]["kmsKeyId"] == ebs_key
    assert std["parameters"]["type"] in ("gp3", "gp2")


def test_kubernetes_provider_from_cluster_outputs_with_aws_token(prod):
    (p,) = prod.by_type("pulumi:providers:kubernetes")
    cfg = json.loads(p.inputs["kubeconfig"])
    assert cfg["clusters"][0]["cluster"]["server"].endswith(".eks.amazonaws.com")
    exec_ = cfg["users"][0]["user"]["exec"]
    assert exec_["command"] == "aws" and exec_["args"][:4] == ["eks", "get-token", "--cluster-name", "prod-eks"]
    # Every Kubernetes object (the foundation's and the platform's) goes to the EKS cluster.
    k8s = [r for r in prod.registrations if r.type.startswith("kubernetes:")]
    assert k8s and all(r.provider.startswith(p.urn + "::") for r in k8s)


# --- RDS --------------------------------------------------------------------------------------


def test_rds_seed_settings(prod):
    db = one(prod, "aws:rds/instance:Instance", "prod-postgres")
    assert db["engine"] == "postgres" and db["engineVersion"].split(".")[0] == "16"
    assert db["instanceClass"] == "db.r6g.xlarge"
    assert (db["allocatedStorage"], db["maxAllocatedStorage"]) == (100, 1000)
    assert db["multiAz"] is True
    assert db["backupRetentionPeriod"] == 30
    assert db["backupWindow"] == "00:00-01:00" and db["maintenanceWindow"] == "sun:04:00-sun:05:00"
    assert db["performanceInsightsEnabled"] is True
    assert set(db["enabledCloudwatchLogsExports"]) >= {"postgresql"}
    assert db["deletionProtection"] is True and db["skipFinalSnapshot"] is False and db["finalSnapshotIdentifier"]


def test_rds_minor_upgrades_by_aws_do_not_fight_the_pinned_version(prod, plan_config):
    db = prod.one("aws:rds/instance:Instance", "prod-postgres")
    assert db.inputs["autoMinorVersionUpgrade"] is True and db.ignore_changes == ["engineVersion"]
    pinned = plan_config(
        {"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "aws": {"dbAutoMinorVersionUpgrade": False, "dbEngineVersion": "16.11"}},
        stack="pinned",
    ).one("aws:rds/instance:Instance", "pinned-postgres")
    assert pinned.inputs["autoMinorVersionUpgrade"] is False and pinned.ignore_changes == []
    assert pinned.inputs["engineVersion"] == "16.11"


def test_rds_enhanced_monitoring_in_prod(prod, staging):
    db = prod.one("aws:rds/instance:Instance", "prod-postgres")
    role = prod.one("aws:iam/role:Role", "prod-postgres-monitoring")
    assert db.inputs["monitoringInterval"] == 60
    assert db.property_dependencies["monitoringRoleArn"] == [role.urn]
    assert json.loads(prod.one("aws:iam/role:Role", "prod-postgres-monitoring").inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": ["monitoring.rds.amazonaws.com"]}
    assert "monitoringInterval" not in one(staging, "aws:rds/instance:Instance", "staging-postgres")


def test_allowed_account_ids_pin_the_provider(plan_config, prod):
    assert "allowedAccountIds" not in aws_provider(prod).inputs
    plan = plan_config({"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "aws": {"allowedAccountIds": ["123456789012"]}}, stack="pinacct")
    assert json.loads(aws_provider(plan).inputs["allowedAccountIds"]) == ["123456789012"]


def test_rds_private_encrypted_and_aws_managed_password(prod):
    db = one(prod, "aws:rds/instance:Instance", "prod-postgres")
    assert db["publiclyAccessible"] is False
    assert db["storageEncrypted"] is True and db["kmsKeyId"].startswith("arn:aws:kms:")
    assert db["manageMasterUserPassword"] is True
    assert "password" not in db and "passwordWo" not in db


def test_rds_reachable_only_from_the_cluster_security_group(prod):
    sg_rules = [r.inputs for r in prod.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if r.inputs.get("fromPort") == 5432]
    assert len(sg_rules) == 1
    (rule,) = [r for r in prod.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if r.inputs.get("fromPort") == 5432]
    cluster = prod.one("aws:eks/cluster:Cluster", "prod-eks")
    # The referenced group is the cluster's own security group (an output of the cluster).
    assert rule.property_dependencies["referencedSecurityGroupId"] == [cluster.urn]
    assert rule.inputs["referencedSecurityGroupId"].startswith("sg-")
    assert "cidrIpv4" not in rule.inputs
    sg = prod.one("aws:ec2/securityGroup:SecurityGroup", "prod-postgres")
    db = prod.one("aws:rds/instance:Instance", "prod-postgres")
    assert rule.property_dependencies["securityGroupId"] == [sg.urn]
    assert db.property_dependencies["vpcSecurityGroupIds"] == [sg.urn] and len(db.inputs["vpcSecurityGroupIds"]) == 1


def test_rds_parameter_group_has_the_seeds_tuning_in_rds_units(prod):
    pg = one(prod, "aws:rds/parameterGroup:ParameterGroup", "prod-postgres")
    assert pg["family"] == "postgres16"
    params = {p["name"]: p for p in pg["parameters"]}
    assert params["shared_buffers"]["value"] == str(4 * 1024 * 1024 // 8)  # 4GB in 8 KiB pages
    assert params["effective_cache_size"]["value"] == str(12 * 1024 * 1024 // 8)
    assert params["work_mem"]["value"] == str(64 * 1024)  # KiB
    assert params["maintenance_work_mem"]["value"] == str(1024 * 1024)
    assert params["max_connections"]["value"] == "200"
    assert params["shared_buffers"]["applyMethod"] == "pending-reboot"
    assert params["rds.force_ssl"]["value"] == "1"


def test_staging_database_is_destroyable(staging):
    db = staging.one("aws:rds/instance:Instance", "staging-postgres")
    assert db.inputs["deletionProtection"] is False and db.inputs["skipFinalSnapshot"] is True
    assert db.inputs["multiAz"] is False and db.inputs["instanceClass"] == "db.r6g.large"
    assert db.protect is False


# --- S3 ---------------------------------------------------------------------------------------


def bucket_children(plan, type_):
    return {r.name: r.inputs for r in plan.by_type(type_)}


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_bucket_is_private_versioned_owner_enforced_and_tls_only(plan_stack, stack):
    plan = plan_stack(stack)
    # The DR replicas (prod) are checked in test_aws_replication.py.
    buckets = [b for b in plan.by_type("aws:s3/bucket:Bucket") if not b.name.endswith("-replica")]
    assert sorted(b.name for b in buckets) == sorted(f"{stack}-{r}" for r in ("bronze", "silver", "gold", "backups", "airbyte", "dremio", "velero", "es-backups", "access-logs"))
    pabs = bucket_children(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    vers = bucket_children(plan, "aws:s3/bucketVersioning:BucketVersioning")
    owns = bucket_children(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    pols = bucket_children(plan, "aws:s3/bucketPolicy:BucketPolicy")
    names = bucket_names(plan)
    for b in buckets:
        name = names[b.name]
        assert name == f"data-platform-{b.name}-123456789012"
        assert pabs[b.name] == {"bucket": name, "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True, "restrictPublicBuckets": True}
        assert vers[b.name]["versioningConfiguration"]["status"] == "Enabled"
        assert owns[b.name]["rule"]["objectOwnership"] == "BucketOwnerEnforced"
        stmts = json.loads(pols[b.name]["policy"])["Statement"]
        deny = [s for s in stmts if s["Effect"] == "Deny"]
        assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and deny[0]["Principal"] == "*"
        assert not [s for s in stmts if s["Effect"] == "Allow" and s.get("Principal") == "*"]


def test_data_buckets_use_sse_kms_with_bucket_key_and_log_access(prod):
    sse = bucket_children(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    logging = bucket_children(prod, "aws:s3/bucketLogging:BucketLogging")
    s3_key = key_arn(prod, "prod-s3")
    logs_bucket = bucket_names(prod)["prod-access-logs"]
    for role in ("bronze", "silver", "gold", "backups", "airbyte", "dremio"):
        (rule,) = sse[f"prod-{role}"]["rules"]
        assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": s3_key}
        assert rule["bucketKeyEnabled"] is True
        assert logging[f"prod-{role}"]["targetBucket"] == logs_bucket
    # S3 access-log delivery cannot write to an SSE-KMS bucket: SSE-S3 there.
    assert sse["prod-access-logs"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"


def test_seed_lifecycle_bronze_to_glacier_at_90_days_and_noncurrent_expiry(prod):
    lcs = bucket_children(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    bronze = {r["id"]: r for r in lcs["prod-bronze"]["rules"]}
    assert bronze["bronze-to-glacier"]["transitions"] == [{"days": 90, "storageClass": "GLACIER"}]
    assert bronze["bronze-to-glacier"]["status"] == "Enabled"
    for name, lc in lcs.items():
        rules = {r["id"]: r for r in lc["rules"]}
        assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"]["noncurrentDays"] == 90, name
        if name != "prod-bronze":
            assert "bronze-to-glacier" not in rules


def test_force_destroy_only_outside_prod(prod, staging):
    assert {b.inputs["forceDestroy"] for b in prod.by_type("aws:s3/bucket:Bucket")} == {False}
    assert {b.inputs["forceDestroy"] for b in staging.by_type("aws:s3/bucket:Bucket")} == {True}


# --- protection -------------------------------------------------------------------------------


def test_stateful_resources_protected_in_prod_only(prod, staging):
    for t in STATEFUL:
        assert prod.by_type(t) and all(r.protect for r in prod.by_type(t)), t
        assert staging.by_type(t) and not any(r.protect for r in staging.by_type(t)), t
    # Nothing else is protected (a protected subnet would only block a legitimate change).
    assert {r.type for r in prod.registrations if r.protect and r.type.startswith("aws:")} == {*STATEFUL, BACKUP_REPLICATION, "aws:backup/vault:Vault"}


def test_kms_keys_rotate_and_wait_longer_before_deletion_in_prod(prod, staging):
    assert {k.inputs["deletionWindowInDays"] for k in prod.by_type("aws:kms/key:Key")} == {30}
    assert {k.inputs["deletionWindowInDays"] for k in staging.by_type("aws:kms/key:Key")} == {7}
    assert all(k.inputs["enableKeyRotation"] for k in prod.by_type("aws:kms/key:Key"))


# --- IAM --------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_no_s3_action_on_a_wildcard_resource(plan_stack, stack):
    for role, stmts in policies(plan_stack(stack)).items():
        for s in stmts:
            if s["Effect"] == "Allow" and any(a.startswith("s3:") for a in as_list(s["Action"])):
                assert "*" not in as_list(s["Resource"]), (role, s)
                assert all(r.startswith("arn:aws:s3:::") for r in as_list(s["Resource"])), (role, s)


def _s3_resources(stmts):
    return {r for s in stmts if any(a.startswith("s3:") for a in as_list(s["Action"])) for r in as_list(s["Resource"])}


def test_dremio_and_airbyte_roles_are_scoped_to_their_buckets(prod):
    pol = policies(prod)
    names = {k.removeprefix("prod-"): v for k, v in bucket_names(prod).items()}
    dremio = _s3_resources(pol["prod-dremio"])
    airbyte = _s3_resources(pol["prod-airbyte"])
    for role in ("bronze", "silver", "gold"):
        assert f"arn:aws:s3:::{names[role]}/*" in dremio
    # Dremio's distributed storage is its own bucket; nothing of PostgreSQL's backups bucket.
    assert f"arn:aws:s3:::{names['dremio']}/*" in dremio and not any(names["backups"] in x for x in dremio)
    assert airbyte == {f"arn:aws:s3:::{names[b]}{sfx}" for b in ("bronze", "airbyte") for sfx in ("", "/*")}
    assert not any(names["access-logs"] in x or names["airbyte"] in x for x in dremio)


def test_irsa_trust_is_one_service_account(prod):
    roles = {r.inputs["name"]: json.loads(r.inputs["assumeRolePolicy"]) for r in prod.by_type("aws:iam/role:Role") if "name" in r.inputs}
    expect = {
        "prod-dremio": "system:serviceaccount:data-platform:dremio",
        "prod-airbyte": "system:serviceaccount:data-platform:airbyte-admin",
        "prod-external-secrets": "system:serviceaccount:external-secrets:external-secrets",
        "prod-aws-load-balancer-controller": "system:serviceaccount:kube-system:aws-load-balancer-controller",
        "prod-cluster-autoscaler": "system:serviceaccount:kube-system:cluster-autoscaler",
    }
    for name, sub in expect.items():
        (stmt,) = roles[name]["Statement"]
        assert stmt["Action"] == "sts:AssumeRoleWithWebIdentity"
        cond = stmt["Condition"]["StringEquals"]
        assert [v for k, v in cond.items() if k.endswith(":sub")] == [sub]
        assert [v for k, v in cond.items() if k.endswith(":aud")] == ["sts.amazonaws.com"]


def test_external_secrets_reads_only_the_platform_prefix_and_the_db_master_secret(prod):
    stmts = policies(prod)["prod-external-secrets"]
    secrets = {r for s in stmts if any(a.startswith("secretsmanager:") for a in as_list(s["Action"])) for r in as_list(s["Resource"])}
    ext = prod.one("kubernetes:external-secrets.io/v1:ClusterExternalSecret", "postgres-admin").inputs
    master_arn = ext["spec"]["externalSecretSpec"]["data"][0]["remoteRef"]["key"]
    assert master_arn.startswith("arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!")
    assert secrets == {"arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/data-platform/*", master_arn}
    kms = [s for s in stmts if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    # the RDS key for the master secret, the platform secrets' key for everything under the prefix
    assert sorted(s["Resource"] for s in kms) == sorted([key_arn(prod, "prod-rds"), key_arn(prod, "prod-platform-secrets")])


def test_cluster_autoscaler_may_scale_only_its_own_groups(prod):
    stmts = policies(prod)["prod-cluster-autoscaler"]
    scale = [s for s in stmts if "autoscaling:SetDesiredCapacity" in as_list(s["Action"])]
    assert scale and scale[0]["Condition"] == {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/prod-eks": "owned"}}


# --- cluster services, Foundation contract ----------------------------------------------------


def test_pinned_helm_releases_with_irsa(prod):
    rel = {r.name: r.inputs for r in prod.by_type("kubernetes:helm.sh/v3:Release")}
    for name in ("external-secrets", "aws-load-balancer-controller", "cluster-autoscaler"):
        pin = chart(name)
        assert rel[name]["chart"] == pin.name and rel[name]["version"] == pin.version and rel[name]["repositoryOpts"]["repo"] == pin.repo
    assert rel["cluster-autoscaler"]["values"]["image"]["tag"] == CLUSTER_AUTOSCALER_IMAGE["1.34"]
    assert rel["cluster-autoscaler"]["values"]["autoDiscovery"]["clusterName"] == "prod-eks"
    assert rel["aws-load-balancer-controller"]["values"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/prod-aws-load-balancer-controller")
    assert rel["external-secrets"]["values"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/prod-external-secrets")


def test_db_admin_secret_synced_from_the_rds_master_secret(prod):
    store = prod.one("kubernetes:external-secrets.io/v1:ClusterSecretStore", "aws-secrets-manager").inputs
    assert store["spec"]["provider"]["aws"] == {"service": "SecretsManager", "region": "eu-west-1"}
    assert store["spec"]["conditions"] == [{"namespaces": list(SECRET_NAMESPACES)}]  # the platform's secret namespaces, nothing else
    ext_reg = prod.one("kubernetes:external-secrets.io/v1:ClusterExternalSecret", "postgres-admin")
    spec = ext_reg.inputs["spec"]
    # Cluster-scoped: ESO creates the ExternalSecret in data-storage once the platform made it.
    assert "namespace" not in ext_reg.inputs["metadata"]
    assert spec["namespaceSelectors"] == [{"matchLabels": {"kubernetes.io/metadata.name": "data-storage"}}]
    assert spec["externalSecretName"] == "postgres-admin"
    rds = prod.one("aws:rds/instance:Instance", "prod-postgres")
    assert rds.urn in ext_reg.property_dependencies["spec"], "the remote key is the RDS instance's master secret"
    ext = spec["externalSecretSpec"]
    assert ext["target"]["name"] == "postgres-admin"
    master_arn = ext["data"][0]["remoteRef"]["key"]
    assert master_arn.startswith("arn:aws:secretsmanager:")
    assert {d["secretKey"]: d["remoteRef"] for d in ext["data"]} == {
        "username": {"key": master_arn, "property": "username"},
        "password": {"key": master_arn, "property": "password"},
    }
    assert ext["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}


def test_foundation_contract(prod):
    """What the platform receives: the stack outputs and the edge Service annotations it applied."""
    out = prod.outputs
    assert out["cloud"] == "aws" and out["eksClusterName"] == "prod-eks"
    assert set(out["dataLakeBuckets"]) == {"bronze", "silver", "gold", "backups", "airbyte", "dremio", "velero", "es-backups"}
    assert out["rdsAddress"].endswith(".rds.amazonaws.com")
    edge = [r.inputs for r in prod.by_type("kubernetes:helm.sh/v3:Release") if r.inputs.get("chart") == "traefik"]
    # The platform's Traefik puts the Foundation's NLB annotations on its Service.
    (values,) = [i["values"] for i in edge]
    ann = values["service"]["annotations"]
    assert ann["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
    assert ann["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert ann["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    assert values["service"]["spec"]["type"] == "LoadBalancer"


def test_ecr_repositories_scan_on_push_immutable_with_untagged_lifecycle(prod):
    (repo,) = prod.by_type("aws:ecr/repository:Repository")
    assert repo.inputs["name"] == "prod/dbt"
    assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
    assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
    (lc,) = prod.by_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    rules = json.loads(lc.inputs["policy"])["rules"]
    assert any(r["selection"]["tagStatus"] == "untagged" and r["action"]["type"] == "expire" for r in rules)


def test_nothing_in_a_stack_file_is_a_secret_or_password():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for stack in ("staging", "prod"):
        text = (root / f"Pulumi.{stack}.yaml").read_text().lower()
        assert "password" not in text and "secret" not in text and "secure:" not in text


def test_in_cluster_postgres_on_aws_gets_a_backup_role_for_its_bucket_only(plan_config):
    plan = plan_config({"cloud": "aws", "environment": "staging", "acmeEmail": "ops@example.com", "database": "in-cluster"}, stack="cnpg")
    assert plan.by_type("aws:rds/instance:Instance") == []
    role = json.loads(plan.one("aws:iam/role:Role", "cnpg-postgres").inputs["assumeRolePolicy"])["Statement"][0]
    assert [v for k, v in role["Condition"]["StringEquals"].items() if k.endswith(":sub")] == ["system:serviceaccount:data-storage:postgres"]
    backups = bucket_names(plan)["cnpg-backups"]
    res = _s3_resources(policies(plan)["cnpg-postgres"])
    assert res == {f"arn:aws:s3:::{backups}", f"arn:aws:s3:::{backups}/*"}


def test_managed_database_stacks_have_no_cnpg_role(prod):
    assert not [r for r in prod.by_type("aws:iam/role:Role") if r.name == "prod-postgres"]
