"""Plan the real program with a stand-in for the data-services result, when it is not built yet.

`DataPlatform` reads `self.data_services.result` (a `DataServicesResult`). Until the data
services layer sets that attribute, the application blocks are skipped; these helpers give the
class a stand-in attribute so the applications' real code runs under the mock runtime. As soon
as the data-services layer sets the instance attribute, it shadows the stand-in and the tests
exercise the real integration instead.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from components.data_services.result import (
    DatabaseLogin,
    DataServicesResult,
    ElasticsearchResult,
    ObjectStoreResult,
    PostgresResult,
)

STUB = DataServicesResult(
    postgres=PostgresResult(
        host="pg-pooler-rw.data-storage.svc.cluster.local",
        port=5432,
        direct_host="pg-rw.data-storage.svc.cluster.local",
        direct_port=5432,
        sslmode="require",
        logins={
            k: DatabaseLogin(database=k, username=k, secret_name=f"pg-login-{k.replace('_', '-')}")
            for k in ("airbyte", "temporal", "temporal_visibility", "superset", "dremio")
        },
    ),
    object_store=ObjectStoreResult(
        kind="minio",
        endpoint="http://minio.data-storage.svc.cluster.local:9000",
        region="us-east-1",
        path_style=True,
        buckets={"bronze": "bronze", "silver": "silver", "gold": "gold", "backups": "backups"},
        credentials_secret="minio-apps-credentials",
    ),
    elasticsearch=ElasticsearchResult(
        url="https://es-es-http.data-storage.svc:9200", user_secret="es-elastic-user", ca_secret="es-http-certs-public",
    ),
)

_CACHE: dict[Any, Any] = {}


def plan(config: dict[str, Any], tmp: Path, stack: str = "test"):
    """Plan `config` (as `plan_config` does), with the stand-in data-services result if the
    data-services layer is not built; `result.ds` is the DataServicesResult the apps got."""
    import yaml

    from components.platform import DataPlatform
    from tests.conftest import _qualify, run_config

    key = (stack, yaml.safe_dump(_qualify(config), sort_keys=True))
    if key in _CACHE:
        return _CACHE[key]
    captured: dict[str, Any] = {}
    original = DataPlatform.__init__

    def capture(self, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        captured["ds"] = getattr(getattr(self, "data_services", None), "result", None)

    with pytest.MonkeyPatch.context() as mp:
        if not hasattr(DataPlatform, "data_services"):
            mp.setattr(DataPlatform, "data_services", SimpleNamespace(result=STUB), raising=False)
        mp.setattr(DataPlatform, "__init__", capture)
        result = run_config(config, tmp, stack)
    # The DataServicesResult the applications were given (the real one once it exists).
    result.ds = captured["ds"]
    _CACHE[key] = result
    return result


def secret_results(registrations) -> list[str]:
    """Every RandomPassword result the mocks produced (they start with `offline`)."""
    import hashlib

    out = []
    for r in registrations:
        if r.type == "random:index/randomPassword:RandomPassword":
            length = int(r.inputs.get("length", 32))
            out.append(("offline" + hashlib.sha256(r.name.encode()).hexdigest()[:64])[:length])
    return out


def resolve(value: Any) -> Any:
    """The plain value of a pulumi Input after the run (the runner resolves outputs the same way)."""
    import pulumi
    from pulumi.runtime.sync_await import _sync_await

    return _sync_await(pulumi.Output.from_input(value).future())
