"""Settings section `data-platform:elasticsearch`: Elasticsearch (ECK) for logs and search.

`masterNodes: 0` gives nodes with every role (dev, staging); prod has the seed's 3 dedicated
masters and 3+ data nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import checks
from ..schema import CrossFieldInvalid, Section, per_env, setting


@dataclass(frozen=True)
class ElasticsearchSettings(Section):
    KEY = "elasticsearch"
    POSITION = 2
    DOC = "Elasticsearch (ECK) for logs and search"

    version: str = setting(checks.text(r"[78]\.\d+\.\d+", "an Elasticsearch 7.x or 8.x version such as 8.15.0"), "Elasticsearch version ECK deploys (seed: 8.15.0).", default="8.15.0")
    master_nodes: int = setting(checks.integer(0, 9), "Dedicated master nodes: 0 (data nodes are also masters) or an odd number (seed prod: 3).", default=per_env(dev=0, staging=0, prod=3))
    data_nodes: int = setting(checks.integer(1, 50), "Data/ingest nodes (seed prod: 3+).", default=per_env(dev=1, staging=3, prod=3))
    master_cpu: str = setting(checks.cpu, "CPU request of each dedicated master (limit: twice the request).", default="500m")
    master_memory: str = setting(checks.memory, "Memory request and limit of each dedicated master; heap is half of it.", default=per_env(dev="2Gi", staging="2Gi", prod="4Gi"))
    master_storage_size: str = setting(checks.memory, "Volume of each dedicated master (fast-ssd role).", default="10Gi")
    data_cpu: str = setting(checks.cpu, "CPU request of each data node (limit: twice the request).", default=per_env(dev="500m", staging="1", prod="2"))
    data_memory: str = setting(checks.memory, "Memory request and limit of each data node; heap is half of it (seed dev: -Xms1g -Xmx1g).", default=per_env(dev="2Gi", staging="4Gi", prod="8Gi"))
    data_storage_size: str = setting(checks.memory, "Volume of each data node (fast-ssd role).", default=per_env(dev="10Gi", staging="50Gi", prod="200Gi"))
    anti_affinity: str = setting(checks.one_of("preferred", "required"), "Spread nodes of a node set over Kubernetes nodes: required in prod.", default=per_env(dev="preferred", staging="preferred", prod="required"))

    def cross_check(self) -> None:
        if self.master_nodes and self.master_nodes % 2 == 0:
            raise CrossFieldInvalid("masterNodes", self.master_nodes, "0 or an odd number of dedicated masters (a quorum needs a majority)")
        if not self.master_nodes and self.data_nodes == 2:
            raise CrossFieldInvalid("dataNodes", self.data_nodes, "1 or 3+ when data nodes are also the masters (two masters cannot survive losing one)")
