"""The Azure cloud: the seed's Azure architecture (VNet, AKS, PostgreSQL Flexible Server, Data
Lake Gen2, Key Vault, ACR, Azure Monitor, load balancing) as one ComponentResource per concern.

This module imports no SDK: `clouds.azure.subnets` is pure and read by the settings check, and
pulumi_azure_native is loaded only when a stack selects `cloud: azure` (`build`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from foundation import Foundation
    from settings import Settings


def build(settings: "Settings") -> "Foundation":
    from .stack import build_foundation

    return build_foundation(settings)
