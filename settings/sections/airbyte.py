"""Settings section `data-platform:airbyte`: Airbyte (official Helm chart, V2).

Sizing follows the seed: the worker's vertical table (2 CPU / 4 Go -> 4 CPU / 8 Go, i.e.
requests 2/4Gi and limits 4/8Gi in prod, as the seed's `kubectl set resources` line) and its
HorizontalPodAutoscaler (min 2, max 10, CPU 70 %, memory 80 %). Everything is reachable from
the stack file, e.g.

    data-platform:airbyte:
      workerCpuLimit: "8"
      workerMemoryLimit: 16Gi
      hpaMaxReplicas: 20
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import checks
from ..schema import CrossFieldInvalid, Section, per_env, setting


@dataclass(frozen=True)
class AirbyteSettings(Section):
    KEY = "airbyte"
    POSITION = 4
    DOC = "Airbyte (official Helm chart)"

    enabled: bool = setting(checks.boolean, "Deploy Airbyte.", default=True)
    chart_version: str = setting(checks.version, "Version of the `airbyte` chart from the airbyte-v2 repository (chart V2; its appVersion is the Airbyte version). Pinned; 2.2+ migrations are one-way, back up the database before raising it.", default="2.3.0")
    chart_repository: str = setting(checks.text(r"(https|oci)://\S+", "an https:// or oci:// chart repository URL"), "Helm repository serving the V2 chart.", default="https://airbytehq.github.io/charts")
    worker_replicas: int = setting(checks.integer(1, 50), "Worker replicas when the HPA is off (hpaEnabled false); with the HPA on, the chart starts the Deployment at hpaMinReplicas and the HPA owns the count.", default=per_env(dev=1, staging=2, prod=2))
    worker_cpu_request: str = setting(checks.cpu, "Worker CPU request (seed: 2 in prod).", default=per_env(dev="200m", staging="1", prod="2"))
    worker_memory_request: str = setting(checks.memory, "Worker memory request (seed: 4Gi in prod).", default=per_env(dev="512Mi", staging="2Gi", prod="4Gi"))
    worker_cpu_limit: str = setting(checks.cpu, "Worker CPU limit (seed: 4 in prod; raise to scale vertically).", default=per_env(dev="2", staging="2", prod="4"))
    worker_memory_limit: str = setting(checks.memory, "Worker memory limit (seed: 8Gi in prod).", default=per_env(dev="4Gi", staging="4Gi", prod="8Gi"))
    hpa_enabled: bool = setting(checks.boolean, "HorizontalPodAutoscaler on the worker Deployment (needs metrics-server in the cluster).", default=True)
    # dev: one host (README, "Sizing")
    hpa_min_replicas: int = setting(checks.integer(1, 100), "HPA minimum worker replicas (seed: 2).", default=per_env(dev=1, staging=2, prod=2))
    hpa_max_replicas: int = setting(checks.integer(1, 100), "HPA maximum worker replicas (seed: 10).", default=per_env(dev=2, staging=10, prod=10))
    hpa_cpu_utilization: int = setting(checks.integer(10, 100), "HPA target average CPU utilisation, percent of the request (seed: 70).", default=70)
    hpa_memory_utilization: int = setting(checks.integer(10, 100), "HPA target average memory utilisation, percent of the request (seed: 80).", default=80)
    server_replicas: int = setting(checks.integer(1, 10), "airbyte-server replicas (API and, since Airbyte 1.8, the web UI).", default=per_env(dev=1, staging=2, prod=2))
    workload_launcher_replicas: int = setting(checks.integer(1, 10), "workload-launcher replicas (starts the connector job pods).", default=per_env(dev=1, staging=1, prod=2))
    auth_enabled: bool = setting(checks.boolean, "Airbyte's built-in login. The bootloader generates the admin password into the Secret `airbyte-auth-secrets` (key `instance-admin-password`). Opt out only behind another authenticating proxy.", default=True)
    tracking_enabled: bool = setting(checks.boolean, "Send anonymous usage telemetry to Airbyte (segment). Off by default.", default=False)

    def cross_check(self) -> None:
        if self.hpa_min_replicas > self.hpa_max_replicas:
            raise CrossFieldInvalid("hpaMinReplicas", self.hpa_min_replicas, f"at most hpaMaxReplicas ({self.hpa_max_replicas})")
