"""The seed's two storage roles (`fast-ssd`, `standard`) resolved to this cloud's StorageClass.

Workloads ask for a role; the Foundation says which class backs it. None means the cluster's
default class, so the claim leaves `storageClassName` out instead of naming a class that may
not exist (kind's `standard`, k3d's `local-path`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from foundation import StorageClasses


@dataclass(frozen=True)
class StorageRoles:
    fast_ssd: Optional[str]
    standard: Optional[str]

    @classmethod
    def from_foundation(cls, classes: StorageClasses) -> StorageRoles:
        return cls(fast_ssd=classes.fast_ssd, standard=classes.standard)

    def claim(self, role: str, size: str) -> dict:
        """A PVC spec (camelCase, for custom resources and claim templates) for `role`."""
        spec: dict = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
        name = self.fast_ssd if role == "fast-ssd" else self.standard
        if name:
            spec["storageClassName"] = name
        return spec

    def class_name(self, role: str) -> Optional[str]:
        return self.fast_ssd if role == "fast-ssd" else self.standard
