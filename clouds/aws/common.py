"""Small shared pieces: resource options, tags, and IAM policy documents as plain JSON.

Policies are built with `json.dumps` inside `Output.apply` rather than the
`iam.getPolicyDocument` invoke: what is registered is exactly the JSON AWS receives, and the
tests read it without a round trip through a data source.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi


@dataclass(frozen=True)
class Context:
    """What every AWS component needs: the explicit provider and naming/protection policy."""

    provider: pulumi.ProviderResource
    prefix: str
    """`<stack>`: names are `<stack>-<purpose>`."""
    region: str
    account_id: pulumi.Output[str]
    partition: str
    protect: bool
    environment: str
    logs_key_arn: Optional[pulumi.Input[str]] = None
    """The KMS key every CloudWatch log group is encrypted with (log_groups.LogsKey)."""

    def opts(self, parent: pulumi.Resource, *, stateful: bool = False, **kw: Any) -> pulumi.ResourceOptions:
        """Options for a child: the AWS provider, and protect for stateful resources."""
        if stateful:
            kw.setdefault("protect", self.protect)
        return pulumi.ResourceOptions(parent=parent, provider=self.provider, **kw)

    def arn(self, service: str, resource: str, *, region: Optional[str] = None) -> pulumi.Output[str]:
        reg = self.region if region is None else region
        return self.account_id.apply(lambda acct: f"arn:{self.partition}:{service}:{reg}:{acct}:{resource}")


def tags(component: str, name: str, extra: Optional[Mapping[str, str]] = None) -> dict[str, str]:
    """Per-resource tags; project/stack/environment/managed-by come from the provider's default tags."""
    return {"Name": name, "component": component, **(extra or {})}


def policy(statements: Sequence[Mapping[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document from statements that may contain Outputs."""
    return pulumi.Output.from_input(list(statements)).apply(lambda s: json.dumps({"Version": "2012-10-17", "Statement": s}, sort_keys=True))


def service_trust(*services: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": list(services)}, "Action": "sts:AssumeRole"}]},
        sort_keys=True,
    )


def irsa_trust(oidc_provider_arn: pulumi.Input[str], oidc_issuer: pulumi.Input[str], namespace: str, service_accounts: Sequence[str]) -> pulumi.Output[str]:
    """Trust policy letting only `system:serviceaccount:<namespace>:<sa>` assume the role (IRSA)."""

    def doc(args: list[str]) -> str:
        arn, issuer = args
        host = issuer.removeprefix("https://")
        subjects = [f"system:serviceaccount:{namespace}:{sa}" for sa in service_accounts]
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Federated": arn},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {f"{host}:aud": "sts.amazonaws.com", f"{host}:sub": subjects if len(subjects) > 1 else subjects[0]}},
                    }
                ],
            },
            sort_keys=True,
        )

    return pulumi.Output.all(oidc_provider_arn, oidc_issuer).apply(doc)


IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
