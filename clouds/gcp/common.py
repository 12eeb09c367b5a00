"""What every GCP component shares: the explicit provider, naming, labels, protection, and the
one rule turning the platform's secret keys into Secret Manager ids."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Optional

import pulumi

WORKLOAD_IDENTITY_ANNOTATION = "iam.gke.io/gcp-service-account"
_SECRET_ID_BAD = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Context:
    provider: pulumi.ProviderResource
    prefix: str
    """`<stack>`: names are `<stack>-<purpose>`."""
    project: str
    region: str
    protect: bool
    environment: str

    @property
    def workload_pool(self) -> str:
        return f"{self.project}.svc.id.goog"

    def opts(self, parent: pulumi.Resource, *, stateful: bool = False, **kw: Any) -> pulumi.ResourceOptions:
        """Options for a child: the GCP provider, and protect for stateful resources."""
        if stateful:
            kw.setdefault("protect", self.protect)
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, **kw)


def labels(component: str, extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    """Per-resource labels; project/stack/environment/managed-by are the provider's default labels."""
    return {"component": component, **(extra or {})}


def secret_id(name: str) -> str:
    """A Secret Manager id for a platform key such as `prod/data-platform/airbyte/db`: ids allow
    only letters, digits, `-` and `_` (1 to 255), so `/` becomes `--` and anything else `_`."""
    out = _SECRET_ID_BAD.sub("_", name.replace("/", "--"))
    if not 1 <= len(out) <= 255:
        raise ValueError(f"Secret Manager id {out!r} must be 1 to 255 characters")
    return out


def gsa_account_id(prefix: str, app: str) -> str:
    """A service-account id (6 to 30 characters, lower-case letter first, [a-z0-9-])."""
    raw = re.sub(r"[^a-z0-9-]", "-", f"{prefix}-{app}".lower()).strip("-")
    if not raw[:1].isalpha():
        raw = "sa-" + raw
    raw = raw[:30].rstrip("-")
    return raw if len(raw) >= 6 else (raw + "-gsa")[:30]
