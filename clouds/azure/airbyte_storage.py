"""Airbyte's own storage account: the one application that cannot use Entra ID.

Airbyte chart V2's `global.storage.type: azure` reads only `AZURE_STORAGE_CONNECTION_STRING`, an
account key (charts/v2 `templates/config/_storage.tpl`). The lake refuses shared keys, so Airbyte's
logs and state go to a keyed account of their own (keyed_storage.py: private, TLS 1.2, soft
delete, protected and locked in prod; the key opens the `airbyte` container only). The platform
gives Airbyte the connection string (`foundation.KeyedContainer.connection_string`).
"""

from __future__ import annotations

from .keyed_storage import KeyedStorage

CONTAINER = "airbyte"


class AirbyteStorage(KeyedStorage):
    TYPE = "data-platform:azure:AirbyteStorage"
    PURPOSE = "airbyte"
    CONTAINER = CONTAINER
