"""Dremio on Azure Storage (ADLS Gen2): the distributed store's `dremioAzureStorage://` core-site
and the `lake` source of type AZURE_STORAGE, both as an Entra application (client credentials).

Read in dremio-oss 25.2.0 (the newest tag mirrored; the image is 26.0), plugins/azure:

- `AzureStorageFileSystem.setup` reads `dremio.azure.account`, `dremio.azure.mode`
  (`STORAGE_V2`: the DFS endpoint, `AzureAsyncContainerProvider`), `dremio.azure.secure`,
  `dremio.azure.credentialsType` (`ACCESS_KEY` | `AZURE_ACTIVE_DIRECTORY`) and
  `dremio.azure.container_list`; with `AZURE_ACTIVE_DIRECTORY`,
  `ClientCredentialsBasedTokenProviderImpl` reads `dremio.azure.clientId`,
  `dremio.azure.tokenEndpoint` (it must be exactly `https://<host>/<tenant>/oauth2/token`, the v1
  endpoint) and `conf.getPassword("dremio.azure.clientSecret")`. Hadoop's `getPassword` falls back
  to `get`, which expands `${env.NAME}`: the secret stays in the Secret (pod environment), as the
  MinIO keys do (config.py).
- With a container list, setup checks only those containers (a path listing on each); without
  one it lists the account's containers, which a role on the containers alone does not allow.
  So both the distributed store and the source name their containers.
- `AbstractAzureStorageConf` (the source's `config`): `accountKind` STORAGE_V2, `accountName`,
  `credentialsType` AZURE_ACTIVE_DIRECTORY, `clientId`, `tokenEndpoint`, `clientSecret` (a
  SecretRef; the REST API takes the plain value, which the bootstrap Job adds from its
  environment), `containers`, `rootPath`, `enableSSL`, `propertyList`, `defaultCtasFormat`.
- `paths.dist` is `dremioAzureStorage://:///<container>/<path>` (Dremio's dist-store docs; the
  scheme is `FileSystemConf.CloudFileSystemScheme.AZURE_STORAGE_FILE_SYSTEM_SCHEME`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SCHEME = "dremioAzureStorage"
FILE_SYSTEM = "com.dremio.plugins.azure.AzureStorageFileSystem"
CREDENTIALS_TYPE = "AZURE_ACTIVE_DIRECTORY"
CLIENT_SECRET_ENV = "DREMIO_AZURE_CLIENT_SECRET"
"""The pod environment variable holding the client secret (secretKeyRef on the synced Secret)."""
SOURCE_TYPE = "AZURE_STORAGE"
DOCS = {
    f"fs.{SCHEME}.impl": "Dremio's Azure Storage filesystem for dremioAzureStorage:// paths.",
    "dremio.azure.account": "Storage account of the distributed store.",
    "dremio.azure.mode": "STORAGE_V2: ADLS Gen2 (DFS endpoint).",
    "dremio.azure.secure": "HTTPS to the account.",
    "dremio.azure.credentialsType": "AZURE_ACTIVE_DIRECTORY: an Entra application (client credentials), no account key.",
    "dremio.azure.clientId": "The Entra application's client id.",
    "dremio.azure.tokenEndpoint": "Entra ID's OAuth 2.0 v1 token endpoint of the tenant.",
    "dremio.azure.clientSecret": "The client secret, expanded from the pod environment (Secret).",
    "dremio.azure.container_list": "The only containers Dremio checks (no account-wide listing).",
}


def dist_uri(container: str, path: str) -> str:
    """`dremioAzureStorage://:///<container>/<path>`."""
    if not container or "/" in container:
        raise ValueError(f"bad container name {container!r}")
    path = path.strip("/")
    return f"{SCHEME}://:///{container}/{path}" if path else f"{SCHEME}://:///{container}"


def _check_endpoint(token_endpoint: str) -> None:
    """What `ClientCredentialsBasedTokenProviderImpl.validateOAuthURL` accepts: it rebuilds
    `https://<host lower-cased>/<tenant lower-cased>/oauth2/token` and compares."""
    parts = token_endpoint.split("/")
    if (len(parts) != 6 or parts[0] != "https:" or parts[1] or not parts[2] or not parts[3] or parts[4:] != ["oauth2", "token"]
            or token_endpoint != token_endpoint.lower()):
        raise ValueError(f"Dremio takes a v1 token endpoint https://<host>/<tenant>/oauth2/token, not {token_endpoint!r}")


@dataclass(frozen=True)
class AzureAccess:
    """How Dremio reaches the container holding its distributed storage on Azure Storage."""

    account: str
    containers: tuple[str, ...]
    client_id: str
    token_endpoint: str

    def properties(self) -> dict[str, str]:
        if not self.account or not self.client_id or not self.containers:
            raise ValueError("Dremio's Azure Storage file system needs the account, the client id and its containers")
        _check_endpoint(self.token_endpoint)
        return {
            f"fs.{SCHEME}.impl": FILE_SYSTEM,
            "dremio.azure.account": self.account,
            "dremio.azure.mode": "STORAGE_V2",
            "dremio.azure.secure": "true",
            "dremio.azure.credentialsType": CREDENTIALS_TYPE,
            "dremio.azure.clientId": self.client_id,
            "dremio.azure.tokenEndpoint": self.token_endpoint,
            # Hadoop's Configuration expands ${env.NAME}: the secret stays in the Secret, never in the ConfigMap.
            "dremio.azure.clientSecret": "${env." + CLIENT_SECRET_ENV + "}",
            "dremio.azure.container_list": ",".join(self.containers),
        }


def source_config(*, account: str, containers: Sequence[str], client_id: str, token_endpoint: str) -> dict[str, Any]:
    """The AZURE_STORAGE source's `config` for the lake containers, without the client secret
    (the bootstrap Job adds `clientSecret` from its environment)."""
    if not containers:
        raise ValueError("the lake source needs at least one container")
    if not account or not client_id:
        raise ValueError("an Azure Storage source needs the account and the client id")
    _check_endpoint(token_endpoint)
    return {
        "accountKind": "STORAGE_V2",
        "accountName": account,
        "credentialsType": CREDENTIALS_TYPE,
        "clientId": client_id,
        "tokenEndpoint": token_endpoint,
        "enableSSL": True,
        "rootPath": "/",
        # No allowCreateDrop: the Azure conf ignores it (@JsonIgnore) and always allows CTAS
        # (`getSchemaMutability` is USER_TABLE), which dbt needs.
        "containers": list(containers),
        "propertyList": [],
        "defaultCtasFormat": "ICEBERG",
    }
