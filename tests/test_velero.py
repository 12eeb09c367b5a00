"""Velero, the seed's 02:00 configuration/metadata backup: its Schedule and TTL per environment,
its bucket and least-privilege identity (MinIO policy, AWS IAM role), its NetworkPolicy and its
alerts (each with a runbook)."""

from __future__ import annotations

import json

import pytest

from components.backups.velero import ttl
from components.observability.alerts import velero_alerts
from components.observability.runbooks import RUNBOOKS
from offline_plan import crd_schemas, manifests

RELEASE = "kubernetes:helm.sh/v3:Release"
SNAPSHOT_CLASS = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass"


def velero_values(plan) -> dict:
    (release,) = [r for r in plan.by_type(RELEASE) if r.name == "velero"]
    return release.inputs["values"]


@pytest.mark.parametrize(("stack", "days"), [("dev", 7), ("staging", 14), ("prod", 30), ("prod-local", 30)])
def test_daily_02_00_schedule_of_the_platform_namespaces_kept_per_environment(plan_stack, stack, days):
    values = velero_values(plan_stack(stack))
    schedule = values["schedules"]["platform"]
    assert schedule["schedule"] == "0 2 * * *"
    assert schedule["template"]["ttl"] == values["configuration"]["defaultBackupTTL"] == f"{days * 24}h0m0s"
    assert {"data-platform", "data-storage"} <= set(schedule["template"]["includedNamespaces"])
    assert values["deployNodeAgent"] is False and values["upgradeCRDs"] is False


def test_schedule_and_retention_follow_the_config(plan_config):
    values = velero_values(plan_config({"backups": {"configSchedule": "30 3 * * 1-5", "configRetentionDays": 3}}))
    assert values["schedules"]["platform"]["schedule"] == "30 3 * * 1-5"
    assert values["schedules"]["platform"]["template"]["ttl"] == ttl(3) == "72h0m0s"


def test_velero_can_be_turned_off(plan_config):
    plan = plan_config({"backups": {"velero": False}})
    assert not [r for r in plan.by_type(RELEASE) if r.name == "velero"]
    alerts = {r["alert"] for rule in plan.by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
              for g in rule.inputs["spec"]["groups"] for r in g["rules"]}
    assert not {a for a in alerts if a.startswith("Velero")} and "DremioCatalogBackupFailed" in alerts


def test_minio_velero_user_may_only_use_its_bucket(plan_stack):
    plan = plan_stack("dev")
    (cm,) = [r for r in plan.by_type("kubernetes:core/v1:ConfigMap") if r.name == "minio-policies"]
    doc = json.loads(cm.inputs["data"]["velero.json"])
    resources = {res for stmt in doc["Statement"] for res in stmt["Resource"]}
    assert resources == {"arn:aws:s3:::velero", "arn:aws:s3:::velero/*"}
    assert not any(a.startswith("admin:") or a == "s3:*" for stmt in doc["Statement"] for a in stmt["Action"])
    values = velero_values(plan)
    (bsl,) = values["configuration"]["backupStorageLocation"]
    assert bsl["bucket"] == "velero" and bsl["config"]["s3Url"].startswith("http://minio.data-storage.svc")
    assert values["credentials"] == {"useSecret": True, "existingSecret": "velero-credentials"}
    assert values["snapshotsEnabled"] is False and values["configuration"]["volumeSnapshotLocation"] == []


def test_restricted_pods_with_requests_and_limits(plan_stack):
    values = velero_values(plan_stack("dev"))
    pod = values["podSecurityContext"]
    assert pod["runAsNonRoot"] and pod["runAsUser"] != 0 and pod["seccompProfile"] == {"type": "RuntimeDefault"}
    for ctx in (values["containerSecurityContext"], *(c["securityContext"] for c in values["initContainers"])):
        assert ctx["allowPrivilegeEscalation"] is False and ctx["capabilities"] == {"drop": ["ALL"]} and ctx["readOnlyRootFilesystem"]
    for res in (values["resources"], *(c["resources"] for c in values["initContainers"])):
        assert set(res) == {"requests", "limits"}
    (ns,) = [r for r in plan_stack("dev").by_type("kubernetes:core/v1:Namespace") if r.name == "velero"]
    assert ns.inputs["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_aws_uses_its_own_bucket_irsa_and_ebs_snapshots(plan_stack):
    prod = plan_stack("prod")
    values = velero_values(prod)
    (bsl,) = values["configuration"]["backupStorageLocation"]
    assert bsl["bucket"].startswith("data-platform-prod-velero-") and "s3Url" not in bsl["config"]
    assert values["credentials"] == {"useSecret": False}
    assert values["snapshotsEnabled"] is True and values["schedules"]["platform"]["template"]["snapshotVolumes"] is True
    assert values["configuration"]["volumeSnapshotLocation"] == [{"name": "default", "provider": "aws", "config": {"region": "eu-west-1"}}]
    sa = values["serviceAccount"]["server"]
    assert sa["name"] == "velero" and sa["annotations"]["eks.amazonaws.com/role-arn"].endswith(":role/prod-velero")


@pytest.mark.parametrize(("stack", "driver", "parameters"), [
    ("azure-prod", "disk.csi.azure.com", {"incremental": "true"}),
    ("gcp-prod", "pd.csi.storage.gke.io", None),
])
def test_azure_and_gcp_snapshot_the_volumes_through_csi(plan_stack, stack, driver, parameters):
    """Dremio's catalog, ZooKeeper, Valkey and Elasticsearch volumes are CSI disks there: Velero's
    built-in CSI support snapshots them through the one VolumeSnapshotClass labelled for Velero."""
    plan = plan_stack(stack)
    values = velero_values(plan)
    assert values["configuration"]["features"] == "EnableCSI" and values["snapshotsEnabled"] is True
    template = values["schedules"]["platform"]["template"]
    assert template["snapshotVolumes"] is True and "volumeSnapshotLocations" not in template
    assert values["configuration"]["volumeSnapshotLocation"] == []  # CSI snapshots need no VolumeSnapshotLocation
    assert values["deployNodeAgent"] is False and "defaultSnapshotMoveData" not in values["configuration"]
    (vsc,) = [o for o in manifests.objects(plan) if o["kind"] == "VolumeSnapshotClass"]
    assert vsc["apiVersion"] == "snapshot.storage.k8s.io/v1" and vsc["driver"] == driver and vsc["deletionPolicy"] == "Retain"
    assert vsc["metadata"]["labels"]["velero.io/csi-volumesnapshot-class"] == "true"
    assert vsc.get("parameters") == parameters
    assert crd_schemas.validate(vsc) == []  # external-snapshotter v8.6.0's schema
    (release,) = [r for r in plan.by_type(RELEASE) if r.name == "velero"]
    assert plan.one(SNAPSHOT_CLASS, "velero-csi").urn in release.dependencies
    # What serves the snapshot API there: AKS's managed snapshot controller, GKE's PD CSI driver.
    if stack == "azure-prod":
        (aks,) = plan.by_type("azure-native:containerservice:ManagedCluster")
        assert aks.inputs["storageProfile"]["snapshotController"] == {"enabled": True}
        assert aks.inputs["storageProfile"]["diskCSIDriver"] == {"enabled": True}
    else:
        (gke,) = plan.by_type("gcp:container/cluster:Cluster")
        assert gke.inputs["addonsConfig"]["gcePersistentDiskCsiDriverConfig"] == {"enabled": True}


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_csi_snapshots_stay_off_where_the_foundation_offers_none(plan_stack, stack):
    """AWS keeps the EBS plugin's snapshots (EnableCSI would make Velero skip them for CSI volumes); local clusters have none."""
    plan = plan_stack(stack)
    assert "features" not in velero_values(plan)["configuration"]
    assert not plan.by_type(SNAPSHOT_CLASS)


def test_aws_velero_role_is_least_privilege(plan_stack):
    prod = plan_stack("prod")
    (role,) = [r for r in prod.by_type("aws:iam/role:Role") if r.inputs.get("name") == "prod-velero"]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert json.dumps(trust).count("system:serviceaccount:") == 1 and "system:serviceaccount:velero:velero" in json.dumps(trust)
    (inline,) = [p for p in prod.by_type("aws:iam/rolePolicy:RolePolicy") if p.name == "prod-velero"]
    statements = json.loads(inline.inputs["policy"])["Statement"]
    s3 = [s for s in statements if any(a.startswith("s3:") for a in s["Action"])]
    s3_resources = {r for s in s3 for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])}
    assert s3_resources and all("-velero-" in r for r in s3_resources), s3_resources
    assert "*" not in {a for s in statements for a in s["Action"]}
    ec2 = [s for s in statements if any(a.startswith("ec2:") for a in s["Action"])]
    assert {a for s in ec2 for a in s["Action"]} == {"ec2:CreateSnapshot", "ec2:CreateTags", "ec2:CreateVolume", "ec2:DeleteSnapshot",
                                                     "ec2:DescribeSnapshots", "ec2:DescribeVolumes"}
    assert all(s["Condition"] == {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}} for s in ec2)
    kms = [s for s in statements if any(a.startswith("kms:") for a in s["Action"]) and s.get("Sid", "").startswith("Ebs")]
    assert kms and all(s["Condition"]["StringEquals"] == {"kms:ViaService": "ec2.eu-west-1.amazonaws.com"} for s in kms)


def test_network_policy_api_server_and_object_store_only(plan_stack):
    plan = plan_stack("dev")
    pols = {r.name: r.inputs["spec"] for r in plan.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            if r.inputs["metadata"]["namespace"] == "velero"}
    assert {"velero-default-deny", "velero-allow-dns", "velero-velero"} <= set(pols)
    egress = pols["velero-velero"]["egress"]
    ports = sorted(p["port"] for rule in egress for p in rule["ports"])
    assert ports == [443, 6443, 9000]
    minio_rule = [r for r in egress if r["ports"][0]["port"] == 9000][0]
    assert minio_rule["to"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "data-storage"}
    (minio,) = [r.inputs["spec"] for r in plan.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy") if r.name == "data-storage-minio"]
    assert any(peer.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "velero"}
               for rule in minio["ingress"] for peer in rule["from"])
    ingress = pols["velero-velero"]["ingress"]
    assert [p["port"] for rule in ingress for p in rule["ports"]] == [8085]


def test_alerts_follow_the_schedule_and_have_runbooks(plan_stack):
    alerts = velero_alerts("velero", "velero-platform", 24 * 60)
    assert {a.name for a in alerts} == {"VeleroBackupFailed", "VeleroBackupTooOld", "VeleroDown"}
    assert all(RUNBOOKS[a.name] == "backups.md" for a in alerts)
    too_old = next(a for a in alerts if a.name == "VeleroBackupTooOld")
    assert "> 90000" in too_old.expr and 'schedule="velero-platform"' in too_old.expr
    weekly = next(a for a in velero_alerts("velero", "velero-platform", 7 * 24 * 60) if a.name == "VeleroBackupTooOld")
    assert f"> {7 * 86400 + 3600}" in weekly.expr
    (rule,) = plan_stack("dev").by_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    names = {r["alert"] for g in rule.inputs["spec"]["groups"] for r in g["rules"]}
    assert {"VeleroBackupFailed", "VeleroBackupTooOld", "VeleroDown"} <= names
