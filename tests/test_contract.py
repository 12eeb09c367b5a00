"""The platform's side of the Foundation contract, proven on hand-made Foundations shaped like
AWS's, GCP's and Azure's (tests/foundation_shapes.py), with no cloud built: whatever a cloud puts
in the Foundation reaches the workloads, and nothing the platform needs comes from elsewhere.

Where the consumers do not support a shape yet, the test states what happens today and is named
so: the GCS and Azure lakes are not read by Dremio and Airbyte yet (the gcplake/azlake work), so
those shapes run MinIO; when that lands, these tests are the ones to turn into "no MinIO".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from components.apps import airbyte
from components.data_services.object_store import native_result
from components.secrets import SECRET_KEYS_ANNOTATION
from foundation import WORKLOAD_SERVICE_ACCOUNTS, ObjectStore
from offline_plan import manifests
from tests.foundation_shapes import IDENTITY_ANNOTATION, L7_CLASS, POOL, SHAPES, SINK_OUTPUT, Shape
from tests.test_workload_identity_azure import pod_templates, service_account_annotations

RELEASE = "kubernetes:helm.sh/v3:Release"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
NATIVE_LAKE = ("s3",)
"""The shapes whose lake the consumers read today."""


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
    if shape.kind in NATIVE_LAKE:
        assert minio == [] and plan.outputs["objectStore"]["kind"] == shape.kind
        # Each consumer reads its own bucket from the Foundation (Dremio's distributed store,
        # Airbyte's logs and state, Velero's backups).
        for role in ("dremio", "airbyte", "velero"):
            assert mentions(plan, f"contract-{shape.name}-{role}"), role
    else:
        # Today: the GCS/Azure lake is not read by Dremio and Airbyte, so MinIO serves it and the
        # Foundation's buckets are referenced by nothing.
        assert minio and plan.outputs["objectStore"]["kind"] == "minio"
        assert not mentions(plan, f"contract-{shape.name}-")


@pytest.mark.parametrize("kind", ["gcs", "azure"])
def test_airbyte_refuses_a_lake_it_cannot_read_yet(kind):
    """What `objectStore: native` on a GCS or Azure lake does today: Airbyte stops the plan with
    its error (the settings refuse native on gcp already) rather than misconfigure the chart."""
    store = native_result(ObjectStore(kind=kind, buckets={"airbyte": "b"}, region="r"))
    with pytest.raises(ValueError, match=f"object store kind '{kind}' is not wired for Airbyte yet"):
        airbyte.storage_values(store, "b")


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
    expected = {app: sa for app, sa in WORKLOAD_SERVICE_ACCOUNTS.items()
                # CloudNativePG's ServiceAccount exists only without a managed database.
                if app != "postgres"}
    for app, sa in expected.items():
        annotations = service_account_annotations(plan, app, sa)
        if app == "velero" and shape.kind not in NATIVE_LAKE:
            # Today: Velero backs up to MinIO with MinIO's keys, so it runs without the identity.
            assert IDENTITY_ANNOTATION not in annotations
            continue
        assert annotations.get(IDENTITY_ANNOTATION) == f"{shape.name}-{app}", app
        if shape.pod_labels:
            pods = list(pod_templates(plan, sa))
            assert pods, app
            for what, labels in pods:
                assert dict(shape.pod_labels).items() <= dict(labels).items(), f"{app}: {what}"


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
