"""What a stack asks the scheduler for: CPU and memory requests of every pod it runs, counted
the way kube-scheduler counts a pod (max of any init container vs the sum of the containers),
times its replicas (an HPA's minReplicas when higher).

Pods come from three places, all read from the offline plan:

1. the program's own manifests (Deployment, StatefulSet, DaemonSet on one node, Job, CronJob);
2. pods an operator renders from a custom resource: CloudNativePG `Cluster` (spec.instances x
   spec.resources, plus the Barman Cloud plugin's sidecar sized by the ObjectStore) and `Pooler` (spec.instances x its pod template), ECK `Elasticsearch`
   (nodeSets[].count x the `elasticsearch` container of the pod template; ECK's default is 2Gi
   when unset);
3. pods a Helm chart renders from its values: `CHART_PODS`, one entry per chart, listing the
   values paths of each workload's `resources` and replica count. Every path was checked with
   `helm template` at the pinned chart version over the dev stack's values (the workloads the
   chart renders, and that each reads exactly that path): airbyte (the charts/v2/airbyte
   chart of airbytehq/airbyte-platform; 2.3.0's package itself is not mirrored),
   kube-prometheus-stack 87.15.1 (with kube-state-metrics 7.8.1, prometheus-node-exporter
   4.56.0, grafana 12.7.2; the operator renders `Prometheus`/`Alertmanager` from
   prometheus.prometheusSpec/alertmanager.alertmanagerSpec, its config-reloader has requests 0),
   fluent-bit 0.50.0, cert-manager v1.16.2, cloudnative-pg 0.26.1, eck-operator 2.16.1,
   metrics-server 3.13.1, plugin-barman-cloud 0.7.0 and traefik 41.3.0 (values.yaml and the
   templates read at those tags). A chart that is added is one entry here.

Transient pods (Jobs, CronJob runs, Helm hook pods: Airbyte's bootloader, cert-manager's
startupapicheck, admission-webhook patch Jobs) are totalled apart: they do not run for long,
and they are what the scheduler needs room for on top of the steady state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

from settings.checks import cpu_millis, memory_bytes

RELEASE = "kubernetes:helm.sh/v3:Release"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"


@dataclass(frozen=True)
class ChartPod:
    """One workload of a chart: where its resources are in the values, and how many run."""

    name: str
    resources: str
    """Dotted values path of the container's `resources` (its requests are counted)."""
    replicas: Optional[str] = None
    """Dotted values path of the replica count; None: one (or one per node for a DaemonSet)."""
    default_replicas: int = 1
    enabled: Optional[str] = None
    """Dotted values path of the switch that renders it (missing: rendered)."""
    transient: bool = False
    deployment: Optional[str] = None
    """Name of the Deployment the chart renders, when an HPA of the program can target it."""


CHART_PODS: Mapping[str, tuple[ChartPod, ...]] = {
    "airbyte": (
        ChartPod("airbyte-server", "server.resources", "server.replicaCount"),
        ChartPod("airbyte-worker", "worker.resources", "worker.replicaCount", deployment="airbyte-worker"),
        ChartPod("airbyte-workload-launcher", "workloadLauncher.resources", "workloadLauncher.replicaCount"),
        ChartPod("airbyte-workload-api-server", "workloadApiServer.resources", "workloadApiServer.replicaCount"),
        ChartPod("airbyte-cron", "cron.resources", "cron.replicaCount"),
        ChartPod("airbyte-temporal", "temporal.resources", "temporal.replicaCount"),
        ChartPod("airbyte-manifest-server", "manifestServer.resources", "manifestServer.replicaCount", enabled="manifestServer.enabled"),
        ChartPod("airbyte-bootloader", "airbyteBootloader.resources", transient=True),
    ),
    "kube-prometheus-stack": (
        ChartPod("prometheus", "prometheus.prometheusSpec.resources", "prometheus.prometheusSpec.replicas", enabled="prometheus.enabled"),
        ChartPod("alertmanager", "alertmanager.alertmanagerSpec.resources", "alertmanager.alertmanagerSpec.replicas", enabled="alertmanager.enabled"),
        ChartPod("prometheus-operator", "prometheusOperator.resources", enabled="prometheusOperator.enabled"),
        ChartPod("kube-state-metrics", "kube-state-metrics.resources", "kube-state-metrics.replicas", enabled="kubeStateMetrics.enabled"),
        ChartPod("node-exporter", "prometheus-node-exporter.resources", enabled="nodeExporter.enabled"),  # DaemonSet, one node
        ChartPod("grafana", "grafana.resources", "grafana.replicas", enabled="grafana.enabled"),
        ChartPod("admission-webhook-jobs", "prometheusOperator.admissionWebhooks.patch.resources", transient=True),
    ),
    "fluent-bit": (ChartPod("fluent-bit", "resources"),),  # DaemonSet, one node
    "cert-manager": (
        ChartPod("cert-manager", "resources", "replicaCount"),
        ChartPod("cert-manager-webhook", "webhook.resources", "webhook.replicaCount"),
        ChartPod("cert-manager-cainjector", "cainjector.resources", "cainjector.replicaCount", enabled="cainjector.enabled"),
        ChartPod("cert-manager-startupapicheck", "startupapicheck.resources", transient=True),
    ),
    "cloudnative-pg": (ChartPod("cnpg-operator", "resources", "replicaCount"),),
    "eck-operator": (ChartPod("elastic-operator", "resources", "replicaCount"),),
    "metrics-server": (ChartPod("metrics-server", "resources", "replicas"),),
    # plugin-barman-cloud 0.7.0: values.yaml `replicaCount`, `resources` (templates/deployment.yaml).
    "plugin-barman-cloud": (ChartPod("barman-cloud", "resources", "replicaCount"),),
    # velero 11.4.0: one server, `resources` (templates/deployment.yaml; node agent off). The AWS
    # plugin's init container (10m/32Mi) finishes before the server starts.
    "velero": (ChartPod("velero", "resources"),),
    # traefik 41.3.0: `deployment.replicas`, `resources` (templates/_podtemplate.tpl).
    "traefik": (ChartPod("traefik", "resources", "deployment.replicas"),),
}

ECK_DEFAULT_MEMORY = 2 * 2**30
"""ECK gives the elasticsearch container 2Gi (request = limit) when the pod template sets none."""


@dataclass
class Total:
    cpu_m: int = 0
    memory: int = 0
    pods: int = 0

    def add(self, req: Mapping[str, Any], count: int = 1) -> None:
        self.cpu_m += count * cpu_millis(str(req.get("cpu", "0")))
        self.memory += count * memory_bytes(str(req.get("memory", "0")))
        self.pods += count

    @property
    def gib(self) -> float:
        return self.memory / 2**30


def _get(values: Mapping[str, Any], path: str, default: Any = None) -> Any:
    node: Any = values
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def _requests(container: Mapping[str, Any]) -> Mapping[str, Any]:
    return ((container.get("resources") or {}).get("requests")) or {}


def pod_requests(spec: Mapping[str, Any]) -> dict[str, int]:
    """The scheduler's view of one pod: per resource, max(largest init container, sum of containers)."""
    out = {}
    for res, parse in (("cpu", cpu_millis), ("memory", memory_bytes)):
        main = sum(parse(str(_requests(c).get(res, "0"))) for c in spec.get("containers") or [])
        init = max((parse(str(_requests(c).get(res, "0"))) for c in spec.get("init_containers") or spec.get("initContainers") or []), default=0)
        out[res] = max(main, init)
    return out


def _add_pod(total: Total, spec: Mapping[str, Any], count: int) -> None:
    r = pod_requests(spec)
    total.cpu_m += count * r["cpu"]
    total.memory += count * r["memory"]
    total.pods += count


@dataclass
class Budget:
    steady: Total
    transient: Total
    lines: list[tuple[str, int, int, int]]
    """(what, pods, CPU millicores, memory bytes) per workload, for the failure message."""
    uncounted: list[str]
    """Charts without a CHART_PODS entry (only when not strict): their pods are not in the totals."""

    def describe(self) -> str:
        rows = [f"  {w:<40} x{n:<2} {c:>5}m {m / 2**20:>7.0f}Mi" for w, n, c, m in sorted(self.lines, key=lambda x: -x[3])]
        return "\n".join([f"steady: {self.steady.cpu_m}m, {self.steady.gib:.2f}GiB in {self.steady.pods} pods", *rows])


def budget(plan) -> Budget:
    """The budget of a PlanResult (the offline plan's recorded registrations)."""
    return budget_of([(r.type, r.name, r.inputs) for r in plan.registrations])


def budget_of(resources: Iterable[tuple[str, str, Mapping[str, Any]]], strict: bool = True) -> Budget:
    """The budget of (type token, logical name, inputs) triples: a PlanResult's registrations or
    plan.json's resources (the cost estimate's resource totals). `strict`: a chart without a
    CHART_PODS entry is an error (the tests); otherwise it is listed in `uncounted` (the plan)."""
    resources = list(resources)
    steady, transient, lines, uncounted = Total(), Total(), [], []

    def count(what: str, total: Total, spec: Mapping[str, Any], n: int) -> None:
        before = (total.cpu_m, total.memory)
        _add_pod(total, spec, n)
        lines.append((what, n, total.cpu_m - before[0], total.memory - before[1]))

    # The Barman Cloud plugin injects a sidecar into every instance pod of a Cluster that names
    # its ObjectStore (spec.plugins[].parameters.barmanObjectName), sized by the ObjectStore.
    sidecars = {(inputs.get("metadata") or {}).get("name"): ((inputs.get("spec") or {}).get("instanceSidecarConfiguration") or {}).get("resources") or {}
                for type_, _, inputs in resources if type_ == "kubernetes:barmancloud.cnpg.io/v1:ObjectStore"}
    hpa_min = {inputs["spec"]["scaleTargetRef"]["name"]: inputs["spec"].get("minReplicas", 1) for type_, _, inputs in resources if type_ == HPA}
    for type_, logical, inputs in resources:
        kind = type_.rsplit(":", 1)[-1]
        spec = inputs.get("spec") or {}
        name = (inputs.get("metadata") or {}).get("name", logical)
        if kind in ("Deployment", "StatefulSet"):
            n = max(spec.get("replicas", 1), hpa_min.get(name, 0))
            count(f"{kind} {name}", steady, spec["template"]["spec"], n)
        elif kind == "DaemonSet":
            count(f"DaemonSet {name}", steady, spec["template"]["spec"], 1)
        elif kind == "Job":
            count(f"Job {name}", transient, spec["template"]["spec"], 1)
        elif kind == "CronJob":
            count(f"CronJob {name}", transient, spec["jobTemplate"]["spec"]["template"]["spec"], 1)
        elif type_ == "kubernetes:postgresql.cnpg.io/v1:Cluster":
            plugin_sidecars = [{"resources": sidecars[p["parameters"]["barmanObjectName"]]} for p in spec.get("plugins") or []
                               if (p.get("parameters") or {}).get("barmanObjectName") in sidecars]
            count(f"CNPG Cluster {name}", steady, {"containers": [{"resources": spec.get("resources") or {}}, *plugin_sidecars]}, spec.get("instances", 1))
        elif type_ == "kubernetes:postgresql.cnpg.io/v1:Pooler":
            count(f"CNPG Pooler {name}", steady, ((spec.get("template") or {}).get("spec")) or {"containers": []}, spec.get("instances", 1))
        elif type_ == "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch":
            for ns in spec.get("nodeSets") or []:
                pod = ((ns.get("podTemplate") or {}).get("spec")) or {}
                es = [c for c in pod.get("containers") or [] if c.get("name") == "elasticsearch"]
                if not es or "memory" not in _requests(es[0]):
                    pod = {**pod, "containers": [{"resources": {"requests": {"memory": str(ECK_DEFAULT_MEMORY)}}}]}
                count(f"Elasticsearch {name}/{ns['name']}", steady, pod, ns.get("count", 1))
        elif type_ == RELEASE:
            chart = str(inputs.get("chart", ""))
            if chart not in CHART_PODS and not strict:
                uncounted.append(chart)
                continue
            if chart not in CHART_PODS:
                raise KeyError(f"chart {chart!r} has no entry in offline_plan/resource_budget.CHART_PODS: add its workloads' values paths")
            values = inputs.get("values") or {}
            for cp in CHART_PODS[chart]:
                if cp.enabled and _get(values, cp.enabled, True) is False:
                    continue
                n = int(_get(values, cp.replicas, cp.default_replicas)) if cp.replicas else cp.default_replicas
                if cp.deployment:
                    n = max(n, hpa_min.get(cp.deployment, 0))
                res = _get(values, cp.resources) or {}
                count(f"{chart}: {cp.name}", transient if cp.transient else steady, {"containers": [{"resources": res}]}, n)
    return Budget(steady, transient, lines, uncounted)


def gib(quantity: str) -> float:
    return memory_bytes(quantity) / 2**30


def names(lines: Iterable[tuple[str, int, int, int]]) -> set[str]:
    return {w for w, *_ in lines}
