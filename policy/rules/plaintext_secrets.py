"""No credential in plaintext where Kubernetes doesn't treat it as a secret: a container's `env`
literal or a ConfigMap. Heuristics (names and shapes of credentials), documented in
docs/policies.md: a reference (`valueFrom`, `${env.X}`, `os.environ[...]`, a file path) passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .kubernetes_pods import containers, pod_spec
from .model import MANDATORY, Context, Resource, resource_rule

CREDENTIAL_NAME = re.compile(r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)", re.IGNORECASE)
REFERENCE_SUFFIX = re.compile(r"(_FILE|_PATH|_DIR|_REF|_NAME|_ARN|_ID)$|[-_.](file|path|dir|ref|name|arn|id)$", re.IGNORECASE)
# Booleans, numbers, UPPER_CASE constants/variable names, paths, and template/code references.
NOT_A_SECRET_VALUE = re.compile(r"^(?:(?i:true|false|yes|no|on|off|none|null)|\d*|[A-Z][A-Z0-9_]*|/.*|\$.*|\{.*|%\(.*|<.*|.*\(.*)$")
# Shapes that are credentials whatever they are called.
SHAPES = {
    "a private key": re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    "an AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a URL with an inline password": re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@'\"{}()]+:[^/\s@'\"{}()$]+@"),
}
# `name = "literal"` / `name: literal` (an optional trailing ` # comment`) in a config file, where name says credential.
ASSIGNMENT = re.compile(r"""(?im)^\s*["']?([\w.-]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key)[\w.-]*)["']?\s*[:=]\s*(["']?)([^\s"']+?)\2\s*,?\s*(?:\s[#;].*)?$""")


def credential_name(name: str) -> bool:
    return bool(CREDENTIAL_NAME.search(name)) and not REFERENCE_SUFFIX.search(name)


def looks_secret(value: str) -> bool:
    return not NOT_A_SECRET_VALUE.match(value.strip())


def config_findings(key: str, value: str) -> Iterator[str]:
    if credential_name(key) and looks_secret(value):
        yield f"key {key} holds a literal credential"
    for what, shape in SHAPES.items():
        if shape.search(value):
            yield f"key {key} contains {what}"
    for m in ASSIGNMENT.finditer(value):
        name, literal = m.group(1), m.group(3)
        if not REFERENCE_SUFFIX.search(name) and looks_secret(literal):
            yield f"key {key}: {name} is set to a literal"


@resource_rule(
    "no-plaintext-secrets", "No credential as a literal container env value or in a ConfigMap.", MANDATORY,
    "Env literals and ConfigMaps are readable by anyone who can read the workload, and land in manifests, "
    "Git and logs; credentials belong in Secrets (here synced from the cloud secret store by External Secrets).",
)
def no_plaintext_secrets(r: Resource, ctx: Context) -> Iterator[str]:
    if r.type == "kubernetes:core/v1:ConfigMap":
        for key, value in sorted((r.props.get("data") or {}).items()):
            if isinstance(value, str):
                for finding in config_findings(key, value):
                    yield f"{r.name}: {finding}; move it to a Secret"
        return
    spec = pod_spec(r)
    if spec is None:
        return
    for c in containers(spec):
        for env in c.get("env") or []:
            name, value = (env or {}).get("name", ""), (env or {}).get("value")
            if isinstance(value, str) and credential_name(name) and looks_secret(value):
                yield f"{r.name}/{c.get('name')}: env {name} has a literal value; use valueFrom.secretKeyRef"
