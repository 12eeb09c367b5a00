"""Every policy of the pack, as pure rules (see model.py); `RULES` is the pack, in report order."""

from __future__ import annotations

from . import aws_encryption, aws_exposure, helm, kubernetes_pods, l7_exposure, network_policies, plaintext_secrets, protection, tags
from .model import Rule

RULES: tuple[Rule, ...] = tuple(
    value
    for module in (aws_exposure, l7_exposure, aws_encryption, protection, kubernetes_pods, plaintext_secrets, network_policies, tags, helm)
    for value in vars(module).values()
    if isinstance(value, Rule)
)
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
assert len(BY_NAME) == len(RULES), "two policies share a name"
