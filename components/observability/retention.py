"""Log retention: an index lifecycle policy and index template for the platform's log data stream.

Elasticsearch's built-in `logs` policy rolls over but never deletes, so logs would grow until
the data volumes hit the disk watermarks and indexing stops. The Job
`elasticsearch-log-lifecycle` (data-storage, the Elasticsearch image) installs, idempotently:

- ILM policy `logs-kubernetes`: roll over daily or at 10 GB per primary shard, delete
  `logRetentionDays` after rollover;
- index template `logs-kubernetes` (priority 250, above the built-in `logs-*-*` at 100) for
  `logs-kubernetes-*`: a data stream with that policy, `auto_expand_replicas: 0-1` (single-node
  dev stays green), and pod labels mapped as `flattened` (no mapping explosion).

It authenticates as ECK's `elastic` user (the only account allowed to manage policies and
templates; the Secret and ECK's public CA are in its own namespace) and verifies TLS with that
CA. Fluent Bit waits for it, so the data stream is created by this template, not the built-in one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

import kube

from ..data_services.elasticsearch import HTTP_PORT, HTTP_SERVICE, NAME
from .es_tls import PUBLIC_SECRET

JOB = "elasticsearch-log-lifecycle"
SELECTOR = kube.selector(JOB)
POLICY = "logs-kubernetes"
ELASTIC_SECRET = f"{NAME}-es-elastic-user"
UID = 1000


def ilm_policy(retention_days: int) -> dict:
    return {"policy": {"phases": {
        "hot": {"actions": {"rollover": {"max_age": "1d", "max_primary_shard_size": "10gb"}}},
        "delete": {"min_age": f"{retention_days}d", "actions": {"delete": {}}},
    }}}


def index_template() -> dict:
    return {
        "index_patterns": ["logs-kubernetes-*"],
        "data_stream": {},
        "priority": 250,
        "template": {
            "settings": {"index.lifecycle.name": POLICY, "index.auto_expand_replicas": "0-1"},
            "mappings": {"properties": {
                "@timestamp": {"type": "date"},
                "log": {"type": "text"},
                "kubernetes": {"properties": {"labels": {"type": "flattened"}}},
            }},
        },
        "_meta": {"managed_by": "data-platform"},
    }


def script(namespace: str, retention_days: int) -> str:
    base = f"https://{HTTP_SERVICE}.{namespace}.svc:{HTTP_PORT}"
    curl = 'curl -sSf --cacert /ca/ca.crt -u "elastic:${ELASTIC_PASSWORD}" -H "Content-Type: application/json"'
    return "\n".join([
        "set -eu",
        f"until {curl} '{base}/_cluster/health?wait_for_status=yellow&timeout=10s' > /dev/null; do",
        "  echo 'waiting for Elasticsearch'; sleep 10",
        "done",
        f"{curl} -X PUT '{base}/_ilm/policy/{POLICY}' -d '{json.dumps(ilm_policy(retention_days))}'",
        f"{curl} -X PUT '{base}/_index_template/{POLICY}' -d '{json.dumps(index_template())}'",
        f"echo 'log retention: {retention_days} days'",
    ])


def log_lifecycle_job(parent: pulumi.Resource, provider: k8s.Provider, *, namespace: str, image: str, retention_days: int,
                      depends_on: Sequence[pulumi.Resource]) -> k8s.batch.v1.Job:
    labels = kube.labels(JOB, "job")
    return k8s.batch.v1.Job(
        JOB,
        metadata={"namespace": namespace, "labels": labels},
        spec=kube.script_job_spec(
            labels=labels, container="lifecycle", image=image, script=script(namespace, retention_days), uid=UID,
            env=[kube.secret_env("ELASTIC_PASSWORD", ELASTIC_SECRET, "elastic")],
            resources=kube.resources("10m", "32Mi", "200m", "128Mi"), tmp=False,
            volumes=[{"name": "ca", "secret": {"secret_name": PUBLIC_SECRET, "items": [{"key": "ca.crt", "path": "ca.crt"}]}}],
            volume_mounts=[{"name": "ca", "mount_path": "/ca", "read_only": True}],
            deadline_seconds=2400,
        ),
        opts=kube.child(parent, provider, depends_on=depends_on),
    )
