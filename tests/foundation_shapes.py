"""Hand-made Foundations shaped like each cloud's, for the contract tests (tests/test_contract.py).

Each fills every part of the contract a cloud can fill: the lake's buckets (an S3, a GCS or an
ADLS object store, the last with Airbyte's own key-based container), a managed PostgreSQL, a secret store whose remote names may not contain `/`
(Secret Manager and Key Vault), a log sink with its own Fluent Bit output, an L7 frontend, an
interruptible pool and a workload identity for every ServiceAccount of WORKLOAD_SERVICE_ACCOUNTS
(with pod labels in the Azure shape). Values are recognisable (`contract-*`), never a real
cloud's, so an assertion can only pass if the platform took the value from the Foundation.

`Shape.make` runs inside the mock runtime (a Foundation holds a Kubernetes provider and
Outputs); what the platform handed to the cloud (the written secrets, the L7 backend) is
recorded in `Shape.seen` for the tests to compare with the plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from foundation import (
    FLUENT_BIT_TAG,
    WORKLOAD_SERVICE_ACCOUNTS,
    AdlsAccount,
    EdgeBackend,
    EdgeFrontend,
    Foundation,
    InterruptiblePool,
    KeyedContainer,
    L7Frontend,
    LogSink,
    ManagedDatabase,
    OAuthClient,
    ObjectStore,
    SecretStore,
    StorageClasses,
    VolumeSnapshots,
    WorkloadIdentity,
    catch_all_ingress,
)

IDENTITY_ANNOTATION = "contract.example/identity"
SINK_OUTPUT = f"[OUTPUT]\n    Name null\n    Match {FLUENT_BIT_TAG}\n    Alias contract-sink\n    storage.total_limit_size 1G\n"
SNAPSHOTS = VolumeSnapshots("contract.csi.example", {"contract-parameter": "yes"})
POOL = InterruptiblePool(node_labels={"contract.example/pool": "reclaimable"}, taint_key="contract.example/reclaimable",
                         taint_value="yes", taint_effect="NoExecute")
L7_CLASS = "contract-l7"
BUCKET_ROLES = ("bronze", "silver", "gold", "backups", "airbyte", "dremio", "velero", "es-backups")


def no_slash(separator: str) -> Callable[[str], str]:
    """A secret manager's naming rule: no `/` (GCP Secret Manager: `--`, Key Vault: `-`)."""
    return lambda key: re.sub(r"[^A-Za-z0-9-]", "-", key.replace("/", separator))


@dataclass(frozen=True, eq=False)
class Shape:
    name: str
    kind: str
    """The object store's kind."""
    config: Mapping[str, Any]
    """The platform's settings (plan_config keys) planned with it."""
    remote_name: Callable[[str], str]
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    endpoint: str | None = None
    adls: AdlsAccount | None = None
    keyed: Mapping[str, str] = field(default_factory=dict)
    """App -> the container of its own key-based store (KeyedContainer)."""
    oauth: tuple[str, ...] = ()
    """Apps the store hands an OAuth client (OAuthClient)."""
    seen: dict[str, Any] = field(default_factory=dict)

    def identity(self, app: str) -> WorkloadIdentity:
        return WorkloadIdentity(service_account_annotations={IDENTITY_ANNOTATION: f"{self.name}-{app}"}, pod_labels=dict(self.pod_labels))

    def oauth_client(self, app: str) -> OAuthClient:
        return OAuthClient(client_id=f"contract-{self.name}-{app}-client", token_endpoint=f"https://login.contract.example/contract-{self.name}-tenant/oauth2/token",
                           client_secret=pulumi.Output.secret(f"contract-{self.name}-{app}-not-a-secret"), secret_version=f"contract-{self.name}-{app}-v1")

    def _gcs_extras(self) -> dict[str, Any]:
        """What a GCS lake adds: its project, Airbyte's key file (its client takes no workload
        identity) and the account Velero's plugin signs URLs as."""
        return {"project": "contract-project",
                "velero_account": f"contract-{self.name}-velero@contract-project.iam.gserviceaccount.com"}

    def _gcs_keyed(self) -> dict[str, KeyedContainer]:
        return {"airbyte": KeyedContainer(container=f"contract-{self.name}-airbyte", key_file=pulumi.Output.secret('{"type": "service_account"}'))}

    def make(self) -> Foundation:
        written: dict[str, list[str]] = self.seen.setdefault("written", {})

        def write(key: str, values: Mapping[str, pulumi.Input[str]], opts: pulumi.ResourceOptions) -> pulumi.Resource:
            written[key] = sorted(values)
            return pulumi.CustomResource("contract:secrets:Entry", f"contract-secret-{no_slash('-')(key)}",
                                         {"name": self.remote_name(prefix + key), "values": dict(values)}, opts)

        def l7(name: str, backend: EdgeBackend, opts: pulumi.ResourceOptions) -> Mapping[str, pulumi.Resource]:
            self.seen["l7_backend"] = backend
            return {"ingress": catch_all_ingress(name, backend, opts, annotations={"contract.example/l7": "yes"}, class_name=L7_CLASS)}

        prefix = f"{self.name}/data-platform/"
        provider = k8s.Provider("contract-k8s")
        return Foundation(
            cloud=f"contract-{self.name}",
            provider=provider,
            storage_classes=StorageClasses(fast_ssd="contract-fast", standard="contract-standard"),
            edge=EdgeFrontend(service_type="ClusterIP", l7=L7Frontend(build=l7)),
            object_store=ObjectStore(kind=self.kind, region="contract-region-1", endpoint=self.endpoint, adls=self.adls,
                                     buckets={r: pulumi.Output.from_input(f"contract-{self.name}-{r}") for r in BUCKET_ROLES},
                                     keyed={app: KeyedContainer(container, connection_string=pulumi.Output.secret(f"AccountName=contract{app};AccountKey=not-a-key"),
                                                               account=f"contract{app}", account_key=pulumi.Output.secret("not-a-key"))
                                            for app, container in self.keyed.items()} if self.kind != "gcs" else self._gcs_keyed(),
                                     oauth_clients={app: self.oauth_client(app) for app in self.oauth},
                                     **(self._gcs_extras() if self.kind == "gcs" else {})),
            database=ManagedDatabase(host=pulumi.Output.from_input(f"db.contract-{self.name}.example"), port=5432,
                                     engine_version="16.4", admin_secret="contract-db-admin"),
            secret_store=SecretStore(name="contract-store", key_prefix=prefix, write=write, remote_name=self.remote_name),
            log_sink=LogSink(name="contract", fluent_bit_output=pulumi.Output.from_input(SINK_OUTPUT),
                             destination=pulumi.Output.from_input(f"contract-{self.name}-logs")),
            workload_identity={app: self.identity(app) for app in WORKLOAD_SERVICE_ACCOUNTS},
            pod_cidrs=("10.244.0.0/16",), service_cidrs=("10.96.0.0/12",),
            interruptible=POOL,
            volume_snapshots=SNAPSHOTS,
        )


PROD = {"environment": "prod", "acmeEmail": "ops@example.com"}
SHAPES = {
    "s3": Shape("s3", "s3", {**PROD, "cloud": "aws", "aws": {"drRegion": "eu-central-1"}}, remote_name=lambda key: key),
    # Dremio, Airbyte (its key file), Velero, CloudNativePG and Elasticsearch (snapshots) read the GCS lake: no MinIO.
    "gcs": Shape("gcs", "gcs", {**PROD, "cloud": "gcp"}, remote_name=no_slash("--")),
    # Dremio reads the ADLS lake as an OAuth client (an Entra application's secret), Airbyte
    # and Elasticsearch's snapshots write to key-based containers of their own and the backups
    # go to the lake: no MinIO.
    "adls": Shape("adls", "adls", {**PROD, "cloud": "azure"}, remote_name=no_slash("-"),
                  pod_labels={"contract.example/use-identity": "true"},
                  adls=AdlsAccount(name="contractlake", blob_endpoint="https://contractlake.blob.core.windows.net/",
                                   dfs_endpoint="https://contractlake.dfs.core.windows.net/"),
                  keyed={"airbyte": "contract-adls-airbyte-keyed", "elasticsearch": "contract-adls-elasticsearch-keyed"}, oauth=("dremio",)),
}
