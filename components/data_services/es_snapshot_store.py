"""Where Elasticsearch writes its snapshots, and what its nodes need to reach it.

The repository-s3 module (bundled since Elasticsearch 8.0) reads its client from node settings:
`s3.client.<name>.endpoint`/`protocol`/`path_style_access` in elasticsearch.yml (the nodeSets'
`config`), and the keys from the keystore only (`s3.client.<name>.access_key`/`secret_key`
are secure settings), which ECK fills from the Secrets listed in `spec.secureSettings`: so the
MinIO user's keys never appear in a manifest, only the Secret's name.

On AWS there are no keys: repository-s3 supports IAM roles for service accounts since 8.1
(elastic/elasticsearch#81255). It does not read `AWS_WEB_IDENTITY_TOKEN_FILE` itself (the
plugin may only read its own config directory), but a token projected at
`config/repository-s3/aws-web-identity-token-file`, with the role from `AWS_ROLE_ARN` (which
the EKS pod-identity webhook injects from the ServiceAccount's annotation): ECK's documented
IRSA setup (docs/.../elasticsearch/snapshots.asciidoc at 2.16.1).

On GKE (kind `gcs`) there is neither key nor token file: with no `gcs.client.<name>.credentials_file`
in the keystore, repository-gcs builds its client from `GoogleCredentials.getApplicationDefault()`
(GoogleCloudStorageService.createStorageOptions, since 7.13: elastic/elasticsearch#71239), which on
a Workload Identity node pool asks the GKE metadata server for the token of the Google service
account named by the pod's ServiceAccount annotation (ECK 2.16.1's "Use GKE Workload Identity").
The repository uses the `default` client, which always exists: a named client needs at least one
`gcs.client.<name>.*` node setting or the repository is refused ("Unknown client name").

On Azure (kind `azure`) the pinned 8.15 has no workload identity (it came in 8.16,
elastic/elasticsearch#111344): repository-azure builds its client from the secure settings
`azure.client.<name>.account` and `azure.client.<name>.key` (AzureStorageSettings: both
`SecureSetting`s, so keystore only; the client is created from the namespaces that have an
`account`, so `default` exists once it is set), reaching `https://<account>.blob.core.windows.net`
(`endpoint_suffix` defaults to core.windows.net, which the blob private endpoint's DNS zone
answers inside the VNet). The cloud gives the account name and key of a keyed account of its own
(foundation.KeyedContainer); they reach the keystore through `spec.secureSettings` like MinIO's keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi

from foundation import NO_IDENTITY, WorkloadIdentity

CLIENT = "snapshots"
"""The repository-s3 client name: every `s3.client.snapshots.*` setting and the repository's `client`."""
BUCKET_ROLE = "es-backups"
"""The object store's bucket of Elasticsearch's snapshots (MinIO bucket name; AWS bucket role): at most
11 characters, like `access-logs`, so the longest AWS stack name still fits S3's 63 (clouds/aws/settings.py)."""
SECURE_KEYS = (f"s3.client.{CLIENT}.access_key", f"s3.client.{CLIENT}.secret_key")
"""Keys of the Secret ECK adds to the keystore (the MinIO user's access and secret key)."""
AZURE_CLIENT = "default"
"""The repository-azure client: the repository names none, so `default` (repository-azure's default)."""
AZURE_ACCOUNT_KEY, AZURE_KEY_KEY = f"azure.client.{AZURE_CLIENT}.account", f"azure.client.{AZURE_CLIENT}.key"
"""Keys of the Secret ECK adds to the keystore on Azure (the keyed account's name and key)."""
AZURE_CREDENTIALS_SECRET = "elasticsearch-azure-client"
"""The Secret (data-storage) holding AZURE_ACCOUNT_KEY and AZURE_KEY_KEY, synced by External Secrets."""
SERVICE_ACCOUNT = "elasticsearch"
TOKEN_DIR = "/usr/share/elasticsearch/config/repository-s3"
TOKEN_FILE = "aws-web-identity-token-file"
TOKEN_AUDIENCE = "sts.amazonaws.com"


@dataclass(frozen=True)
class SnapshotStore:
    """A bucket reachable with an S3 client: MinIO (`endpoint`, plain HTTP, path style, keys in
    `credentials_secret`) or S3 (regional endpoint, HTTPS, the ServiceAccount's identity); or a
    Cloud Storage bucket (`kind` gcs: repository-gcs, Workload Identity, no endpoint); or an Azure
    Blob container (`kind` azure: repository-azure, account and key in `credentials_secret`)."""

    bucket: pulumi.Input[str]
    endpoint: str = ""
    """host[:port], no scheme (repository-s3's `endpoint`); unused for gcs (Google's default)."""
    kind: str = "s3"
    """The repository type: `s3` (repository-s3), `gcs` (repository-gcs) or `azure` (repository-azure:
    `bucket` is the container)."""
    protocol: str = "https"
    path_style: bool = False
    credentials_secret: Optional[str] = None
    """Secret (data-storage, keys SECURE_KEYS) for ECK's secureSettings; None: workload identity."""
    identity: WorkloadIdentity = NO_IDENTITY
    """The nodes' ServiceAccount annotations and pod labels when `credentials_secret` is None."""
    ready: Sequence[pulumi.Resource] = ()
    """What must exist before Elasticsearch uses it (MinIO's users)."""

    @property
    def web_identity(self) -> bool:
        return self.credentials_secret is None


def client_settings(store: SnapshotStore) -> dict[str, Any]:
    """The node settings (elasticsearch.yml) of the `snapshots` client: no credential in them
    (none for gcs and azure: their `default` client reaches storage.googleapis.com, or the
    account's blob endpoint named by its keystore `account`, as it is)."""
    if store.kind in ("gcs", "azure"):
        return {}
    out: dict[str, Any] = {f"s3.client.{CLIENT}.endpoint": store.endpoint, f"s3.client.{CLIENT}.protocol": store.protocol}
    if store.path_style:
        out[f"s3.client.{CLIENT}.path_style_access"] = True
    return out


def secure_settings(store: SnapshotStore) -> list[dict[str, str]]:
    """`spec.secureSettings` of the Elasticsearch resource (empty with workload identity)."""
    return [{"secretName": store.credentials_secret}] if store.credentials_secret else []


def pod_identity(store: SnapshotStore) -> tuple[dict[str, Any], dict[str, Any]]:
    """(pod spec additions, container additions) for IRSA: the ServiceAccount and the token
    projected where repository-s3 reads it. Nothing with keys (MinIO). The identity's pod labels
    go on the pod template's metadata (Elasticsearch._node_set). On GKE the ServiceAccount alone:
    the metadata server answers for the pod's ServiceAccount, no token is mounted."""
    if not store.web_identity:
        return {}, {}
    if store.kind == "gcs":
        return {"serviceAccountName": SERVICE_ACCOUNT}, {}
    volume = {"name": "repository-s3-token", "projected": {"sources": [{"serviceAccountToken": {
        "audience": TOKEN_AUDIENCE, "expirationSeconds": 86400, "path": TOKEN_FILE}}]}}
    return ({"serviceAccountName": SERVICE_ACCOUNT, "volumes": [volume]},
            {"volumeMounts": [{"name": "repository-s3-token", "mountPath": TOKEN_DIR, "readOnly": True}]})
