"""Elasticsearch's snapshot account: repository-azure at the pinned 8.15 takes a key, not Entra ID.

Elasticsearch 8.15's repository-azure builds its client from the secure settings
`azure.client.<name>.account` plus `key` or `sas_token` (AzureStorageSettings at v8.15.0);
workload and managed identity came in 8.16 (elastic/elasticsearch#111344). The lake refuses shared
keys, so the snapshots go to a keyed account of their own (keyed_storage.py: private, TLS 1.2,
soft delete, protected and locked in prod, replicated like the lake), one container `es-backups`:
the key opens the snapshots and nothing else. The platform puts the account name and key into
the Secret ECK adds to the keystore (`foundation.KeyedContainer.account`/`account_key`;
components/data_services/es_snapshot_store.py). The nodes reach it through the blob private
endpoint (`<account>.blob.core.windows.net` resolves to it inside the VNet) over HTTPS, which
their NetworkPolicy allows towards a cloud store.
"""

from __future__ import annotations

from .keyed_storage import KeyedStorage

CONTAINER = "es-backups"


class SnapshotStorage(KeyedStorage):
    TYPE = "data-platform:azure:SnapshotStorage"
    PURPOSE = "snapshots"
    CONTAINER = CONTAINER
