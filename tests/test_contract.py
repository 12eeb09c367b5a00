"""The platform's side of the Foundation contract, proven on hand-made Foundations shaped like
AWS's, GCP's and Azure's (tests/foundation_shapes.py), with no cloud built: whatever a cloud puts
in the Foundation reaches the workloads, and nothing the platform needs comes from elsewhere.

Where the consumers do not support a shape fully, the tables say what happens today
(LAKE_READERS, IDENTIFIED): on ADLS Dremio reads the lake as the store's OAuth client and
Elasticsearch's snapshots have no home; no shape runs MinIO.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from components.apps import airbyte
from components.data_services.object_store import native_result
from components.secrets import SECRET_KEYS_ANNOTATION
from foundation import WORKLOAD_SERVICE_ACCOUNTS, ObjectStore
from offline_plan import manifests
from tests.foundation_shapes import BUCKET_ROLES, IDENTITY_ANNOTATION, L7_CLASS, POOL, SHAPES, SINK_OUTPUT, SNAPSHOTS, Shape
from tests.test_workload_identity_azure import pod_templates, service_account_annotations

RELEASE = "kubernetes:helm.sh/v3:Release"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
LAKE_READERS = {
    "s3": {"bronze", "silver", "gold", "dremio", "airbyte", "velero", "es-backups"},
    # Dremio reads bronze/silver/gold and keeps its distributed store in `dremio` with the store's
    # OAuth client; Airbyte writes to its own keyed container, Velero to the lake's `velero`
    # container; Elasticsearch's snapshots to their own keyed container (repository-azure at the
    # pinned version takes a key only: docs/azure.md).
    "adls": {"bronze", "silver", "gold", "dremio", "airbyte-keyed", "velero", "elasticsearch-keyed"},
    "gcs": {"bronze", "silver", "gold", "dremio", "airbyte", "velero", "es-backups"},
}
"""Shape -> the Foundation's bucket roles the plan references (the managed database leaves
`backups` unused: only an in-cluster PostgreSQL archives there)."""
IDENTIFIED = {
    "s3": {"dremio", "airbyte", "fluent-bit", "velero", "elasticsearch"},
    # Elasticsearch's snapshots go to a cloud store with its identity on S3 and GCS only (on ADLS
    # with its keyed container's key). Dremio's ServiceAccount carries the shape's identity, which
    # it does not need on ADLS (its OAuth client reads the lake).
    "adls": {"dremio", "airbyte", "fluent-bit", "velero"},
    "gcs": {"dremio", "airbyte", "fluent-bit", "velero", "elasticsearch"},
}
"""Shape -> the WORKLOAD_SERVICE_ACCOUNTS that run with the Foundation's identity (`postgres`
never here: CloudNativePG's ServiceAccount exists only without a managed database)."""


@pytest.fixture(scope="module", params=list(SHAPES))
def shaped(request, plan_foundation) -> tuple[Shape, Any]:
    shape = SHAPES[request.param]
    return shape, plan_foundation(shape.make, dict(shape.config))


def objects(plan, kind: str) -> Iterator[dict[str, Any]]:
    return (o for o in manifests.objects(plan) if o["kind"] == kind)


def mentions(plan, text: str) -> bool:
    return text in json.dumps([r.inputs for r in plan.registrations], default=str)


def test_no_minio_when_the_cloud_provides_the_lake(shaped):
    shape, plan = shaped
    minio = [o["metadata"]["name"] for o in objects(plan, "StatefulSet") if o["metadata"]["name"].startswith("minio")]
    roles = "|".join(sorted(BUCKET_ROLES, key=len, reverse=True))
    referenced = set(re.findall(rf"contract-{shape.name}-([a-z]+-keyed|{roles})\b", json.dumps([r.inputs for r in plan.registrations], default=str)))
    assert referenced == LAKE_READERS[shape.name]
    assert minio == [] and plan.outputs["objectStore"]["kind"] == shape.kind


def test_an_oauth_consumer_reads_its_client_from_the_foundation_and_its_secret_from_the_secret_store(shaped):
    """ObjectStore.oauth_clients (the ADLS shape's Dremio): the client id and token endpoint reach
    its configuration as the cloud gave them, the secret only through the cloud's secret store."""
    shape, plan = shaped
    if not shape.oauth:
        return
    for app in shape.oauth:
        client = f"contract-{shape.name}-{app}-client"
        assert mentions(plan, client) and mentions(plan, f"contract-{shape.name}-tenant/oauth2/token")
        assert shape.seen["written"][f"data-platform/{app}-oauth"] == ["clientSecret"]
        assert f"contract-{shape.name}-{app}-not-a-secret" not in json.dumps(list(manifests.objects(plan)))


def test_a_keyed_snapshot_container_reaches_the_keystore_through_the_secret_store(shaped):
    """ObjectStore.keyed["elasticsearch"] (the ADLS shape): the account name and key go to the
    cloud's secret store under the keystore names of repository-azure's `default` client, and
    ECK's secureSettings names the synced Secret; the key itself is in no manifest."""
    shape, plan = shaped
    spec = plan.one("kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", "elasticsearch").inputs["spec"]
    if "elasticsearch" not in shape.keyed:
        assert "elasticsearch-azure-client" not in json.dumps(spec)
        return
    assert shape.seen["written"]["data-storage/elasticsearch-azure-client"] == ["azure.client.default.account", "azure.client.default.key"]
    assert spec["secureSettings"] == [{"secretName": "elasticsearch-azure-client"}]
    script = plan.one("kubernetes:batch/v1:Job", "elasticsearch-snapshots").inputs["spec"]["template"]["spec"]["containers"][0]["command"][-1]
    assert '{"type": "azure", "settings": {"container": "contract-adls-elasticsearch-keyed"' in script
    assert "not-a-key" not in json.dumps(list(manifests.objects(plan)))


@pytest.mark.parametrize("store, error", [
    (ObjectStore(kind="gcs", buckets={"airbyte": "b"}, region="r"), "Airbyte's GCS storage needs a key file"),
    (ObjectStore(kind="adls", buckets={"airbyte": "b"}, region="r"), "object store kind 'adls' is not wired for Airbyte yet"),
], ids=["gcs-without-a-key-file", "adls-without-a-keyed-container"])
def test_airbyte_refuses_a_store_it_cannot_read_yet(store, error):
    """A GCS lake without Airbyte's key file, or an ADLS lake without Airbyte's own keyed
    container: Airbyte stops the plan with its error rather than misconfigure the chart."""
    with pytest.raises(ValueError, match=error):
        airbyte.storage_values(native_result(store), "b")


def test_every_external_secret_reads_the_key_the_cloud_wrote_spelled_by_remote_name(shaped):
    shape, plan = shaped
    prefix = f"{shape.name}/data-platform/"
    written = shape.seen["written"]
    externals = plan.by_type(EXTERNAL_SECRET)
    assert externals
    read = {}
    for r in externals:
        meta = r.inputs["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        (extract,) = r.inputs["spec"]["dataFrom"]
        assert extract["extract"]["key"] == shape.remote_name(prefix + key)
        if shape.remote_name("a/b") != "a/b":
            assert "/" not in extract["extract"]["key"]
        read[key] = meta["annotations"][SECRET_KEYS_ANNOTATION].split(",")
    # The platform writes exactly what it reads, with the keys it reads.
    assert read == written


def test_every_workload_service_account_gets_its_identity(shaped):
    shape, plan = shaped
    for app, sa in WORKLOAD_SERVICE_ACCOUNTS.items():
        if app not in IDENTIFIED[shape.name]:
            continue
        assert service_account_annotations(plan, app, sa).get(IDENTITY_ANNOTATION) == f"{shape.name}-{app}", app
        if shape.pod_labels:
            pods = list(pod_templates(plan, sa))
            assert pods, app
            for what, labels in pods:
                assert dict(shape.pod_labels).items() <= dict(labels).items(), f"{app}: {what}"
    unused = [o["metadata"]["name"] for o in objects(plan, "ServiceAccount") if IDENTITY_ANNOTATION in (o["metadata"].get("annotations") or {})
              and not any(o["metadata"]["name"] == WORKLOAD_SERVICE_ACCOUNTS[a].name for a in IDENTIFIED[shape.name])]
    assert unused == []


def test_the_log_shipper_appends_the_sinks_output_and_runs_with_its_identity(shaped):
    shape, plan = shaped
    values = plan.one(RELEASE, "fluent-bit").inputs["values"]
    outputs = values["config"]["outputs"]
    assert outputs.startswith("[OUTPUT]\n    Name es\n") and outputs.endswith(SINK_OUTPUT)
    assert outputs.count("[OUTPUT]") == 2
    assert values["serviceAccount"]["annotations"] == {IDENTITY_ANNOTATION: f"{shape.name}-fluent-bit"}
    assert plan.outputs["logs"]["cloudLogGroup"] == f"contract-{shape.name}-logs"


def test_the_l7_frontend_is_built_for_the_gateways_hosts_and_the_controller_behind_it(shaped):
    shape, plan = shaped
    backend = shape.seen["l7_backend"]
    assert list(backend.hosts) == plan.outputs["ingressHosts"]
    (ingress,) = [o for o in objects(plan, "Ingress") if o["spec"].get("ingressClassName") == L7_CLASS]
    assert ingress["metadata"]["namespace"] == backend.namespace
    target = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert (target["name"], target["port"]["number"]) == (backend.service, backend.https_port)
    traefik = plan.one(RELEASE, "edge-traefik").inputs["values"]
    assert traefik["service"]["spec"]["type"] == "ClusterIP"  # EdgeFrontend.service_type


def test_the_managed_database_replaces_cloudnative_pg(shaped):
    _, plan = shaped
    assert not [o for o in manifests.objects(plan) if o["apiVersion"].startswith("postgresql.cnpg.io/")]
    assert plan.outputs["postgresHost"].startswith("pgbouncer.")
    (job,) = [o for o in objects(plan, "Job") if o["metadata"]["name"].startswith("postgres-bootstrap")]
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "contract-db-admin"


def test_connector_jobs_land_on_the_interruptible_pool_and_volumes_on_the_foundations_classes(shaped):
    _, plan = shaped
    kube = plan.one(RELEASE, "airbyte-release").inputs["values"]["global"]["jobs"]["kube"]
    assert kube["nodeSelector"] == dict(POOL.node_labels)
    assert {"key": POOL.taint_key, "operator": "Equal", "value": POOL.taint_value, "effect": POOL.taint_effect} in kube["tolerations"]
    blob = json.dumps(list(manifests.objects(plan)), default=str)
    classes = {part.split('"')[0] for part in blob.split('"storageClassName": "')[1:]}
    assert classes == {"contract-fast", "contract-standard"}


def test_velero_snapshots_volumes_through_the_foundations_csi_driver(shaped):
    """Whatever the store, the Foundation's CSI snapshots replace a plugin's: EnableCSI, the
    Schedule snapshots volumes, one VolumeSnapshotClass of its driver labelled for Velero, no
    VolumeSnapshotLocation (not even on an S3 store, whose AWS plugin would otherwise snapshot)."""
    _, plan = shaped
    values = plan.one(RELEASE, "velero").inputs["values"]
    assert values["configuration"]["features"] == "EnableCSI" and values["schedules"]["platform"]["template"]["snapshotVolumes"] is True
    assert values["configuration"]["volumeSnapshotLocation"] == []
    (vsc,) = objects(plan, "VolumeSnapshotClass")
    assert (vsc["driver"], vsc["parameters"], vsc["deletionPolicy"]) == (SNAPSHOTS.driver, dict(SNAPSHOTS.parameters), "Retain")
    assert vsc["metadata"]["labels"]["velero.io/csi-volumesnapshot-class"] == "true"
