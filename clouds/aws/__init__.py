"""The AWS cloud: the seed's "Architecture AWS" (VPC, EKS, RDS PostgreSQL, S3, ECR, CloudWatch,
Secrets Manager, load balancing) as one ComponentResource per concern.

This module imports no SDK: `clouds.aws.subnets` is pure and read by the settings check, and
the AWS SDK is loaded only when a stack selects `cloud: aws` (`build`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from foundation import Foundation
    from settings import Settings


def build(settings: "Settings") -> "Foundation":
    from .stack import build_foundation

    return build_foundation(settings)
