"""NetworkPolicies: default-deny in both namespaces and the edge's, then one allow policy per workload.

The policy set is computed by a pure function (`plan_policies`) from a `Topology` made of the
typed results of the other layers (pod selectors and ports, never literals), then rendered as
`networking.k8s.io/v1` NetworkPolicies. `permits()` evaluates a policy set the way the API
defines it (a pod isolated by any policy only accepts what some policy allows, on both ends),
so tests check real flows (superset web -> dremio:32010) rather than the shape of the YAML.

What each workload may do (docs/network-policies.md has the table):

- every pod in both namespaces: DNS to kube-system/kube-dns (UDP and TCP 53);
- Dremio (the seed's policy): in from Superset and Airbyte on 9047/32010, from the ingress
  controller, dbt and its bootstrap Job on 9047; between its own pods on 45678/45679 and to
  ZooKeeper on 2181 (2888/3888 inside the ensemble); out to MinIO 9000, or HTTPS when the
  lake is a cloud bucket (no PostgreSQL: its catalog is its own KV store);
- Superset -> PostgreSQL, Redis, Dremio; Redis <- Superset only; ingress -> Superset web;
- Airbyte chart pods talk among themselves, to PostgreSQL, the object store, the API server
  (workload launcher) and HTTPS (connector registry); connector job pods go anywhere outside the cluster's pod and Service ranges
  (sources are external by nature) and to the object store;
- CloudNativePG instances <- pooler/apps on 5432, <- the operator on 8000, between instances,
  -> API server and the backup store; pooler -> instances, API server;
- MinIO <- apps, PostgreSQL instances (WAL archive) and the bucket Job, between pods;
- Elasticsearch <- ECK operator and log shippers (Fluent Bit, namespace logging) on 9200,
  between nodes on 9300;
- the edge (namespace `edge`): the Gateway's controller (Traefik) <- anywhere on HTTP 8000,
  HTTPS 8443 and its health port 8080 (clients, load balancers), <- Prometheus on 9100; it
  reaches exactly the three UIs (Dremio 9047, Superset web, Airbyte's UI Services' pods), the
  ACME HTTP-01 solver pods cert-manager starts next to the Certificates (8089) and the API server;
- Prometheus (namespace monitoring) -> the metrics ports of what it scrapes in these
  namespaces: CloudNativePG instances 9187, PgBouncer 9127, MinIO 9000 (bearer token); the
  MinIO metrics-user Job -> MinIO 9000; the Elasticsearch CA publisher Job -> API server only.
  The monitoring and logging namespaces themselves have
  no default-deny (host-level agents and the Prometheus stack reach the whole cluster).

Egress to the Kubernetes API server is by port (443, 6443) to any address: its IP is not known
before the cluster exists and NetworkPolicies cannot select it by name.
"""

from .component import NetworkPolicies, NetworkPoliciesArgs
from .evaluate import Endpoint, permits
from .model import (
    DremioPeers,
    Peer,
    Policy,
    Port,
    Rule,
    Topology,
    Workload,
    tcp,
)
from .plan import plan_policies
from .render import manifest_spec, policy_from_manifest
from .wiring import topology_from

__all__ = [
    "DremioPeers", "Endpoint", "NetworkPolicies", "NetworkPoliciesArgs", "Peer", "Policy", "Port", "Rule", "Topology",
    "Workload", "manifest_spec", "permits", "plan_policies", "policy_from_manifest", "tcp", "topology_from",
]
