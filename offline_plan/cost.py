"""Monthly cost estimate of a plan: what the recorded resources cost at list price per month.

Reads plan.json's documented shape (so two plans of two configurations compare line by line)
and a pinned price table per cloud and region (tables/prices-<cloud>-<region>.json: dated,
with the source of every figure and whether it was verified). Assumptions, printed with the
estimate: 730 hours a month, node groups at their desired size, storage as provisioned (volumes
at their requested size, RDS at its allocated storage), usage-priced items at the table's
assumed volumes. Local stacks have no cloud bill: the estimate gives the resource totals only.
AWS is priced here; Azure and GCP in cost_azure.py / cost_gcp.py on the shared `Pricer`.

The levers: the Spot node group is priced at the assumed Spot discount (its saving is shown
against On-Demand); off-hours scale-down saves the node hours the cluster-autoscaler can free
while the platform is at 0 — each node group down to its minimum size, for the hours the
off-hours CronJobs keep it down in a week.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Optional

from .resource_budget import budget_of

TABLES = Path(__file__).parent / "tables"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


@cache
def price_table(cloud: str, region: str) -> Optional[dict[str, Any]]:
    path = TABLES / f"prices-{cloud}-{region}.json"
    return json.loads(path.read_text()) if path.exists() else None


def quantity_bytes(q: Any) -> float:
    """A Kubernetes quantity (`100Gi`, `512Mi`, `1G`) in bytes."""
    m = re.fullmatch(r"([0-9.]+)([KMGT]i?)?", str(q))
    if not m:
        raise ValueError(f"not a storage quantity: {q!r}")
    return float(m.group(1)) * _UNITS.get(m.group(2) or "", 1)


def cpu_cores(q: Any) -> float:
    s = str(q)
    return float(s[:-1]) / 1000 if s.endswith("m") else float(s)


# ------------------------------------------------------------------ cron: hours down per week

def _cron_field(spec: str, lo: int, hi: int) -> set[int]:
    out: set[int] = set()
    for part in spec.split(","):
        rng, _, step = part.partition("/")
        if rng == "*":
            a, b = lo, hi
        elif "-" in rng:
            a, b = (int(x) for x in rng.split("-"))
        else:
            a = b = int(rng)
        out.update(range(a, b + 1, int(step or 1)))
    return {v % 7 for v in out} if hi == 7 else out  # day of week: 7 is Sunday too


def _fires(schedule: str) -> set[int]:
    """Minutes of the week (0 = Sunday 00:00) at which a five-field cron fires; day-of-month and
    month are taken as `*` (every week alike)."""
    minute, hour, _dom, _month, dow = schedule.split()
    ms, hs, ds = _cron_field(minute, 0, 59), _cron_field(hour, 0, 23), _cron_field(dow, 0, 7)
    return {d * 1440 + h * 60 + m for d in ds for h in hs for m in ms}


def hours_down_per_week(down: str, up: str) -> float:
    """Hours a week between a `down` run and the next `up` run (steady state, same time zone)."""
    downs, ups = _fires(down), _fires(up)
    week = 7 * 1440
    state = False
    for minute in range(week):  # settle: find the state at the end of a week
        if minute in downs:
            state = True
        if minute in ups:
            state = False
    down_minutes = 0
    for minute in range(week):
        if minute in downs:
            state = True
        if minute in ups:
            state = False
        down_minutes += state
    return down_minutes / 60


# ------------------------------------------------------------------ the estimate

@dataclass(frozen=True)
class Line:
    category: str
    item: str
    quantity: str
    monthly: float


@dataclass(frozen=True)
class Lever:
    name: str
    saves_monthly: float
    how: str


@dataclass
class Estimate:
    cloud: str
    region: Optional[str]
    table: Optional[str]
    as_of: Optional[str]
    lines: list[Line] = field(default_factory=list)
    levers: list[Lever] = field(default_factory=list)
    not_estimated: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    unverified: int = 0
    priced: int = 0
    """Distinct table figures the estimate used, and how many of them are unverified."""

    @property
    def monthly(self) -> float:
        return round(sum(line.monthly for line in self.lines), 2)

    @property
    def monthly_with_levers(self) -> float:
        """Spot is already in the lines; off-hours is a saving on top."""
        return round(self.monthly - sum(lv.saves_monthly for lv in self.levers if lv.name == "off-hours"), 2)


def _by_type(resources: Sequence[Mapping[str, Any]], type_: str) -> list[Mapping[str, Any]]:
    return [r for r in resources if r["type"] == type_]


def volume_claims(resources: Sequence[Mapping[str, Any]]) -> list[tuple[str, Optional[str], float]]:
    """(owner, StorageClass or None for the default, GiB) of every volume the plan provisions:
    PVCs, StatefulSet volumeClaimTemplates x replicas, ECK nodeSets x count, CNPG instances,
    and volume claim templates inside Helm values (Prometheus, Alertmanager, ...)."""
    out: list[tuple[str, Optional[str], float]] = []

    def claim(owner: str, spec: Mapping[str, Any], times: int) -> None:
        size = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        if size:
            out.extend([(owner, spec.get("storageClassName"), quantity_bytes(size) / 2**30)] * times)

    for r in resources:
        i, t = r.get("inputs") or {}, r["type"]
        spec = i.get("spec") or {}
        if t == "kubernetes:core/v1:PersistentVolumeClaim":
            claim(r["name"], spec, 1)
        elif t == "kubernetes:apps/v1:StatefulSet":
            for vct in spec.get("volumeClaimTemplates") or []:
                claim(r["name"], vct.get("spec") or {}, int(spec.get("replicas", 1)))
        elif t == "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch":
            for ns in spec.get("nodeSets") or []:
                for vct in ns.get("volumeClaimTemplates") or []:
                    claim(f"{r['name']}/{ns.get('name')}", vct.get("spec") or {}, int(ns.get("count", 1)))
        elif t == "kubernetes:postgresql.cnpg.io/v1:Cluster":
            storage = spec.get("storage") or {}
            if storage.get("size"):
                out.extend([(r["name"], storage.get("storageClass"), quantity_bytes(storage["size"]) / 2**30)] * int(spec.get("instances", 1)))
        elif t == "kubernetes:helm.sh/v3:Release":
            for path, vct in _claim_templates(i.get("values") or {}, ""):
                claim(f"{i.get('name', r['name'])}:{path}", vct.get("spec") or {}, 1)
    return out


def _claim_templates(values: Any, path: str) -> list[tuple[str, Mapping[str, Any]]]:
    """Every `volumeClaimTemplate` in a chart's values (kube-prometheus-stack's storageSpec, ...)."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    if isinstance(values, dict):
        for k, sub in values.items():
            if k == "volumeClaimTemplate" and isinstance(sub, dict):
                out.append((path, sub))
            else:
                out += _claim_templates(sub, f"{path}.{k}" if path else k)
    return out


def pod_requests(resources: Sequence[Mapping[str, Any]]) -> tuple[float, float, list[str]]:
    """(CPU cores, memory GiB, charts not counted) that the stack's pods request at rest, counted
    as the scheduler counts them (resource_budget: the program's workloads, operator-made pods,
    chart pods from their values)."""
    b = budget_of([(r["type"], r["name"], r.get("inputs") or {}) for r in resources], strict=False)
    return round(b.steady.cpu_m / 1000, 2), round(b.steady.gib, 1), sorted(set(b.uncounted))


def _default_class(resources: Sequence[Mapping[str, Any]]) -> Optional[str]:
    for r in _by_type(resources, "kubernetes:storage.k8s.io/v1:StorageClass"):
        meta = (r.get("inputs") or {}).get("metadata") or {}
        if (meta.get("annotations") or {}).get("storageclass.kubernetes.io/is-default-class") == "true":
            return meta.get("name")
    return None


def _storage_totals(resources: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    default = _default_class(resources)
    by_class: dict[str, float] = defaultdict(float)
    for _owner, sc, gib in volume_claims(resources):
        by_class[sc or default or "(cluster default)"] += gib
    return {k: round(v, 1) for k, v in sorted(by_class.items())}


def estimate(doc: Mapping[str, Any]) -> Estimate:
    resources = doc["resources"]
    cloud = doc["cloud"]
    cpu, mem, uncounted = pod_requests(resources)
    note = "pods at rest: HPA minimums, operator-made and chart pods included" + (
        f"; charts not counted: {', '.join(uncounted)}" if uncounted else "")
    totals = {"podRequests": {"cpu": cpu, "memoryGiB": mem, "note": note},
              "volumesGiB": _storage_totals(resources)}
    if cloud == "local":
        est = Estimate(cloud, None, None, None, totals=totals)
        est.assumptions.append("local cluster: no cloud bill; resource totals only")
        return est
    region = (doc.get("outputs") or {}).get({"aws": "awsRegion", "azure": "azureLocation", "gcp": "gcpRegion"}.get(cloud, ""))
    table = price_table(cloud, region) if region else None
    est = Estimate(cloud, region, f"offline_plan/tables/prices-{cloud}-{region}.json" if table else None,
                   table["asOf"] if table else None, totals=totals)
    if table is None:
        est.not_estimated.append(f"no price table for {cloud} {region}: add offline_plan/tables/prices-{cloud}-{region}.json")
        return est
    _pricer(cloud)(table, resources, est).run()
    return est


def _pricer(cloud: str) -> type["Pricer"]:
    if cloud == "azure":
        from offline_plan.cost_azure import AzurePricer
        return AzurePricer
    if cloud == "gcp":
        from offline_plan.cost_gcp import GcpPricer
        return GcpPricer
    return _AwsPricer


class Pricer:
    """What every cloud's pricer shares: table look-ups that count verified figures, lines, the
    node-pool line with its Spot lever, and the off-hours lever over the node pools."""

    def __init__(self, table: Mapping[str, Any], resources: Sequence[Mapping[str, Any]], est: Estimate):
        self.t, self.res, self.est = table, resources, est
        self.hours = table["hoursPerMonth"]
        self.a = {k: v["value"] for k, v in table["assumptions"].items()}
        self.used: dict[tuple[str, Optional[str]], bool] = {}
        self.groups: list[tuple[str, int, int, float, float]] = []

    def run(self) -> None:
        """Price every resource of the plan into `est` (each cloud's pricer)."""
        raise NotImplementedError

    def price(self, key: str, sub: Optional[str] = None, table: Optional[Mapping[str, Any]] = None) -> Optional[float]:
        """A figure from the stack's price table, or from `table` (another region's)."""
        entry = (table or self.t)["prices"].get(key)
        if sub is not None:
            entry = (entry or {}).get(sub)
        if entry is None:
            return None
        self.used[(key, sub)] = bool(entry.get("verified"))
        self.est.priced = len(self.used)
        self.est.unverified = sum(not v for v in self.used.values())
        return entry["usd"]

    def rate(self, key: str, sub: Optional[str] = None) -> float:
        """A figure the estimate cannot go without (a fixed key, not a per-SKU look-up): a table
        that lacks it is broken, which `tests/test_cost_tables.py` catches, not a SKU to report."""
        p = self.price(key, sub)
        if p is None:
            raise KeyError(f"the price table of {self.t.get('region', 'this region')} has no {key}{'/' + sub if sub else ''} (offline_plan/tables/)")
        return p

    def add(self, category: str, item: str, quantity: str, monthly: float) -> None:
        self.est.lines.append(Line(category, item, quantity, round(monthly, 2)))

    def by_type(self, type_: str) -> list[Mapping[str, Any]]:
        return _by_type(self.res, type_)

    def priced(self, what: str, key: str, sub: str) -> Optional[float]:
        """A per-SKU figure, or None with a `not estimated` note naming the missing SKU."""
        p = self.price(key, sub)
        if p is None:
            self.est.not_estimated.append(f"{what} {sub}: not in the price table")
        return p

    def node_pool(self, name: str, size: str, n: int, minimum: int, od_hourly: float, spot: bool,
                  disk: str = "", disk_monthly: float = 0.0) -> None:
        """A node pool's compute (and per-node disk) line; a Spot pool at the assumed discount with
        its saving as the spot lever; the pool remembered for the off-hours lever."""
        a = self.a
        hourly = od_hourly * (1 - a["spotDiscount"]) if spot else od_hourly
        if spot and n == 0 and "spotPoolAverageNodes" in a:  # a pool that starts at 0: priced at its assumed average
            n, size = a["spotPoolAverageNodes"], f"{size} (assumed average)"
        self.add("compute", f"node group {name} ({'Spot' if spot else 'On-Demand'})", f"{n} x {size}", n * hourly * self.hours)
        if disk_monthly:
            self.add("storage", f"node root volumes {name}", f"{n} x {disk}", n * disk_monthly)
        if spot:
            self.est.levers.append(Lever("spot", round(n * od_hourly * a["spotDiscount"] * self.hours, 2),
                                         f"{name}: {n} Spot node(s) instead of On-Demand at {a['spotDiscount']:.0%} off"))
        self.groups.append((name, n, minimum, hourly, disk_monthly / self.hours))

    def load_balancer_services(self) -> int:
        """Services of type LoadBalancer, plain or in Helm values (the ingress controller's)."""
        n = 0

        def walk(v: Any) -> None:
            nonlocal n
            if isinstance(v, dict):
                n += v.get("type") == "LoadBalancer"
                for sub in v.values():
                    walk(sub)
            elif isinstance(v, list):
                for sub in v:
                    walk(sub)

        for r in self.by_type("kubernetes:helm.sh/v3:Release"):
            walk(r["inputs"].get("values") or {})
        n += sum(1 for r in self.by_type("kubernetes:core/v1:Service") if ((r["inputs"].get("spec") or {}).get("type")) == "LoadBalancer")
        return n

    def volumes_by_class(self) -> dict[str, tuple[Optional[str], float]]:
        """StorageClass -> (its disk type parameter, GiB the plan's volumes claim on it)."""
        kinds = {}
        for r in self.by_type("kubernetes:storage.k8s.io/v1:StorageClass"):
            i = r["inputs"]
            params = i.get("parameters") or {}
            kinds[(i.get("metadata") or {}).get("name")] = params.get("type") or params.get("skuName")
        default = _default_class(self.res)
        by_class: dict[str, float] = defaultdict(float)
        for _owner, sc, gib in volume_claims(self.res):
            by_class[sc or default or ""] += gib
        return {sc: (kinds.get(sc), gib) for sc, gib in sorted(by_class.items())}

    def _off_hours(self, groups: Optional[list[tuple[str, int, int, float, float]]] = None) -> None:
        groups = self.groups if groups is None else groups
        crons = {r["name"]: (r["inputs"].get("spec") or {}) for r in _by_type(self.res, "kubernetes:batch/v1:CronJob")}
        down, up = crons.get("off-hours-down"), crons.get("off-hours-up")
        if not (down and up):
            return
        week_hours = hours_down_per_week(down["schedule"], up["schedule"])
        month_hours = week_hours * self.hours / 168
        saved = sum((n - lo) * (hourly + disk_hourly) * month_hours for _name, n, lo, hourly, disk_hourly in groups if n > lo)
        freed = ", ".join(f"{name} {n}->{lo}" for name, n, lo, _h, _d in groups if n > lo)
        self.est.levers.append(Lever("off-hours", round(saved, 2),
                                     f"{week_hours:.0f} h/week at 0 ({down['schedule']} -> {up['schedule']} {down.get('timeZone', '')}); "
                                     f"the cluster-autoscaler frees the idle nodes down to each group's minimum ({freed or 'nothing above the minimum'})"))


class _AwsPricer(Pricer):

    def instance_hour(self, types: Sequence[str]) -> Optional[float]:
        prices = [self.price("ec2.instance.hour", t) for t in types]
        known = [p for p in prices if p is not None]
        if len(known) < len(prices):
            self.est.not_estimated.append(f"EC2 {', '.join(t for t, p in zip(types, prices) if p is None)}: not in the price table")
            return None
        return sum(known) / len(known)  # Spot spreads over the types: their mean

    def run(self) -> None:
        h, a, est = self.hours, self.a, self.est
        est.assumptions += [
            f"{h} hours a month; list prices of {self.t['region']} as of {self.t['asOf']} ({self.t['currency']})",
            "node groups at their desired size; volumes and RDS storage as provisioned",
            f"Spot at {a['spotDiscount']:.0%} off On-Demand; {a['objectStorageGbPerBucket']} GB per S3 bucket; "
            f"{a['natGatewayGbPerMonth']} GB/month per NAT gateway; {a['logIngestGbPerGroupMonth']} GB/month ingested per log group; "
            f"{a['loadBalancerCapacityUnits']} LCU per load balancer",
            "not counted: data transfer, API requests, ECR storage, snapshots/backups beyond the free allowance, support plans, taxes",
        ]
        for _ in _by_type(self.res, "aws:eks/cluster:Cluster"):
            self.add("control plane", "EKS cluster", f"{h} h", self.rate("eks.cluster.hour") * h)
        disk = self._node_disk_gb()
        ebs = self.rate("ebs.gp3.gbMonth")
        groups = []
        for r in _by_type(self.res, NODE_GROUP):
            i = r["inputs"]
            sc = i["scalingConfig"]
            od = self.instance_hour(i["instanceTypes"])
            if od is None:
                continue
            spot = i.get("capacityType") == "SPOT"
            hourly = od * (1 - a["spotDiscount"]) if spot else od
            n = sc["desiredSize"]
            self.add("compute", f"node group {r['name']} ({'Spot' if spot else 'On-Demand'})", f"{n} x {'/'.join(i['instanceTypes'])}", n * hourly * h)
            if disk:
                self.add("storage", f"node root volumes {r['name']}", f"{n} x {disk} GB gp3", n * disk * ebs)
            if spot:
                est.levers.append(Lever("spot", round(n * od * a["spotDiscount"] * h, 2),
                                        f"{r['name']}: {n} Spot node(s) instead of On-Demand at {a['spotDiscount']:.0%} off"))
            groups.append((r["name"], n, sc["minSize"], hourly, disk * ebs / h if disk else 0))
        self._database()
        self._volumes(ebs)
        self._network()
        self._logs()
        self._other()
        self._off_hours(groups)

    def _node_disk_gb(self) -> int:
        for r in _by_type(self.res, "aws:ec2/launchTemplate:LaunchTemplate"):
            for bdm in r["inputs"].get("blockDeviceMappings") or []:
                return int((bdm.get("ebs") or {}).get("volumeSize", 0))
        return 0

    def _region_of(self, r: Mapping[str, Any]) -> Optional[str]:
        """The region of the aws provider a resource is created through (None: the stack's)."""
        ref = r.get("provider") or ""
        for p in _by_type(self.res, "pulumi:providers:aws"):
            if ref.startswith(p["urn"] + "::"):
                return p["inputs"].get("region")
        return None

    def _priced_in(self, region: Optional[str], key: str, sub: Optional[str] = None) -> Optional[float]:
        """A figure from the table of `region` (another region's resources, e.g. the DR region's)."""
        table = price_table("aws", region) if region and region != self.t["region"] else self.t
        if table is None:
            self.est.not_estimated.append(f"{key} {sub or ''} in {region}: no price table for aws {region}")
            return None
        return self.price(key, sub, table)

    def _read_replica(self, r: Mapping[str, Any], instances: Sequence[Mapping[str, Any]]) -> None:
        """A cross-region read replica (`replicateSourceDb`): its own instance hours, Single-AZ,
        and storage as large as its source's (RDS gives a replica the source's allocated
        storage), at the list prices of its own region."""
        h, i = self.hours, r["inputs"]
        region = self._region_of(r)
        where = f" in {region}" if region and region != self.t["region"] else ""
        source = str(i.get("replicateSourceDb", "")).rsplit(":", 1)[-1]
        src: Mapping[str, Any] = next((s["inputs"] for s in instances if s["inputs"].get("identifier") == source), {})
        hourly = self._priced_in(region, "rds.postgres.instance.hour", i["instanceClass"])
        if hourly is None:
            self.est.not_estimated.append(f"RDS read replica {i['instanceClass']}{where}: not in the price table")
        else:
            self.add("database", f"RDS read replica {i['instanceClass']}{' Multi-AZ' if i.get('multiAz') else ''}{where}", f"{h} h", hourly * h)
        gb = int(i.get("allocatedStorage") or src.get("allocatedStorage") or 0)
        gb_month = self._priced_in(region, "rds.gp3.gbMonth")
        if gb_month is not None:
            self.add("database", f"RDS read replica storage gp3{where}", f"{gb} GB (its source's)", gb * gb_month)

    def _database(self) -> None:
        h = self.hours
        instances = _by_type(self.res, "aws:rds/instance:Instance")
        for r in instances:
            i = r["inputs"]
            if i.get("replicateSourceDb"):
                self._read_replica(r, instances)
                continue
            hourly = self.price("rds.postgres.instance.hour", i["instanceClass"])
            factor = self.rate("rds.multiAz.factor") if i.get("multiAz") else 1
            if hourly is None:
                self.est.not_estimated.append(f"RDS {i['instanceClass']}: not in the price table")
            else:
                self.add("database", f"RDS {i['instanceClass']}{' Multi-AZ' if i.get('multiAz') else ''}", f"{h} h x {factor}", hourly * factor * h)
            gb = int(i.get("allocatedStorage", 0))
            self.add("database", "RDS storage gp3 (allocated)", f"{gb} GB x {factor}", gb * factor * self.rate("rds.gp3.gbMonth"))
            free = self.rate("rds.performanceInsights.freeRetentionDays")
            if i.get("performanceInsightsEnabled") and int(i.get("performanceInsightsRetentionPeriod", 7)) > free:
                self.est.not_estimated.append(f"Performance Insights retention {i['performanceInsightsRetentionPeriod']} days (beyond the free {free})")

    def _volumes(self, ebs: float) -> None:
        types = {}
        for r in _by_type(self.res, "kubernetes:storage.k8s.io/v1:StorageClass"):
            i = r["inputs"]
            types[(i.get("metadata") or {}).get("name")] = (i.get("parameters") or {}).get("type")
        default = _default_class(self.res)
        by_class: dict[str, float] = defaultdict(float)
        for _owner, sc, gib in volume_claims(self.res):
            by_class[sc or default or ""] += gib
        for sc, gib in sorted(by_class.items()):
            if types.get(sc) != "gp3":
                self.est.not_estimated.append(f"{gib:.0f} GiB on StorageClass {sc or '(default)'}: not an EBS gp3 class of this plan")
                continue
            self.add("storage", f"EBS volumes, StorageClass {sc}", f"{gib:.0f} GiB gp3", gib * ebs)
        buckets = _by_type(self.res, "aws:s3/bucket:Bucket")
        if buckets:
            gb = self.a["objectStorageGbPerBucket"]
            self.add("storage", "S3 Standard (assumed size)", f"{len(buckets)} buckets x {gb} GB", len(buckets) * gb * self.rate("s3.standard.gbMonth"))

    def _network(self) -> None:
        h, a = self.hours, self.a
        nats = _by_type(self.res, "aws:ec2/natGateway:NatGateway")
        if nats:
            n = len(nats)
            self.add("network", "NAT gateways", f"{n} x {h} h", n * h * self.rate("vpc.natGateway.hour"))
            self.add("network", "NAT data processed (assumed)", f"{n} x {a['natGatewayGbPerMonth']} GB", n * a["natGatewayGbPerMonth"] * self.rate("vpc.natGateway.gb"))
        eips = _by_type(self.res, "aws:ec2/eip:Eip")
        if eips:
            self.add("network", "public IPv4 addresses", f"{len(eips)} x {h} h", len(eips) * h * self.rate("vpc.publicIpv4.hour"))
        az_hours = sum(len(r["inputs"].get("subnetIds") or []) for r in _by_type(self.res, "aws:ec2/vpcEndpoint:VpcEndpoint")
                       if r["inputs"].get("vpcEndpointType") == "Interface")
        if az_hours:
            self.add("network", "interface VPC endpoints", f"{az_hours} endpoint-AZs x {h} h", az_hours * h * self.rate("vpc.interfaceEndpoint.azHour"))
        nlbs, albs = self._load_balancers()
        lcu = a["loadBalancerCapacityUnits"]
        if nlbs:
            self.add("network", "Network Load Balancer", f"{nlbs} x {h} h + {lcu} NLCU", nlbs * h * (self.rate("elb.nlb.hour") + lcu * self.rate("elb.nlcu.hour")))
        if albs:
            self.add("network", "Application Load Balancer", f"{albs} x {h} h + {lcu} LCU", albs * h * (self.rate("elb.alb.hour") + lcu * self.rate("elb.lcu.hour")))

    def _load_balancers(self) -> tuple[int, int]:
        """NLBs: LoadBalancer Services (plain or in Helm values) the AWS Load Balancer Controller
        fronts (its `aws-load-balancer-type` annotation); ALBs: Ingresses of class alb."""
        nlbs = 0

        def walk(v: Any) -> None:
            nonlocal nlbs
            if isinstance(v, dict):
                ann = v.get("annotations") or {}
                if v.get("type") == "LoadBalancer" and isinstance(ann, dict) and "service.beta.kubernetes.io/aws-load-balancer-type" in ann:
                    nlbs += 1
                for sub in v.values():
                    walk(sub)
            elif isinstance(v, list):
                for sub in v:
                    walk(sub)

        for r in _by_type(self.res, "kubernetes:helm.sh/v3:Release"):
            walk(r["inputs"].get("values") or {})
        for r in _by_type(self.res, "kubernetes:core/v1:Service"):
            i = r["inputs"]
            if (i.get("spec") or {}).get("type") == "LoadBalancer" and "service.beta.kubernetes.io/aws-load-balancer-type" in ((i.get("metadata") or {}).get("annotations") or {}):
                nlbs += 1
        albs = sum(1 for r in _by_type(self.res, "kubernetes:networking.k8s.io/v1:Ingress") if ((r["inputs"].get("spec") or {}).get("ingressClassName")) == "alb")
        return nlbs, albs

    def _logs(self) -> None:
        groups = _by_type(self.res, "aws:cloudwatch/logGroup:LogGroup")
        if not groups:
            return
        gb = self.a["logIngestGbPerGroupMonth"]
        stored = sum(gb * int(r["inputs"].get("retentionInDays") or 3653) / 30 for r in groups)
        self.add("logs", "CloudWatch Logs ingestion (assumed)", f"{len(groups)} groups x {gb} GB", len(groups) * gb * self.rate("logs.ingest.gb"))
        self.add("logs", "CloudWatch Logs storage at retention", f"{stored:.0f} GB", stored * self.rate("logs.storage.gbMonth"))

    def _other(self) -> None:
        keys = _by_type(self.res, "aws:kms/key:Key")
        if keys:
            self.add("other", "KMS customer keys", f"{len(keys)} keys", len(keys) * self.rate("kms.key.month"))
        secrets = _by_type(self.res, "aws:secretsmanager/secret:Secret")
        if secrets:
            self.add("other", "Secrets Manager secrets", f"{len(secrets)} secrets", len(secrets) * self.rate("secretsmanager.secret.month"))


def document(est: Estimate) -> dict[str, Any]:
    """The estimate as plan.json records it."""
    return {
        "cloud": est.cloud, "region": est.region, "priceTable": est.table, "pricesAsOf": est.as_of,
        "monthlyTotal": est.monthly if est.lines else None,
        "monthlyWithLevers": est.monthly_with_levers if est.lines else None,
        "lines": [{"category": ln.category, "item": ln.item, "quantity": ln.quantity, "monthly": ln.monthly} for ln in est.lines],
        "levers": [{"name": lv.name, "savesMonthly": lv.saves_monthly, "how": lv.how} for lv in est.levers],
        "assumptions": est.assumptions, "notEstimated": est.not_estimated, "totals": est.totals,
        "unverifiedPrices": est.unverified, "pricesUsed": est.priced,
    }


def render(est: Estimate) -> str:
    t = est.totals
    totals = (f"  resource totals: pod requests {t['podRequests']['cpu']} CPU / {t['podRequests']['memoryGiB']} GiB "
              f"({t['podRequests']['note']}); volumes "
              + (", ".join(f"{gib} GiB {sc}" for sc, gib in t["volumesGiB"].items()) or "none"))
    if est.cloud == "local":
        return "Monthly cost: no cloud cost (local cluster)\n" + totals
    if not est.lines:
        return "Monthly cost: not estimated (" + "; ".join(est.not_estimated) + ")\n" + totals
    lines = [f"Monthly cost (estimate, list prices, {est.region}, as of {est.as_of}): ${est.monthly:,.2f}"
             + (f"; ${est.monthly_with_levers:,.2f} with off-hours" if any(lv.name == "off-hours" for lv in est.levers) else "")]
    by_cat: dict[str, float] = defaultdict(float)
    for ln in est.lines:
        by_cat[ln.category] += ln.monthly
    lines += [f"  {cat:<14} ${v:>10,.2f}" for cat, v in sorted(by_cat.items(), key=lambda kv: -kv[1])]
    lines += [f"  lever {lv.name}: saves ${lv.saves_monthly:,.2f}/month — {lv.how}" for lv in est.levers]
    lines += [f"  assumes: {a}" for a in est.assumptions]
    lines.append(f"  prices: {est.unverified} of {est.priced} figures used are unverified list prices (see {est.table}); details in plan.json")
    lines += [f"  not estimated: {n}" for n in est.not_estimated]
    return "\n".join(lines + [totals])


def compare(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """Two plan.json documents' estimates side by side, per category (`python -m offline_plan.cost A B`)."""
    ea, eb = a["estimates"]["monthlyCost"], b["estimates"]["monthlyCost"]

    def cats(e: Mapping[str, Any]) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for ln in e["lines"]:
            out[ln["category"]] += ln["monthly"]
        for lv in e["levers"]:
            if lv["name"] == "off-hours":
                out["off-hours lever"] -= lv["savesMonthly"]
        return out

    ca, cb = cats(ea), cats(eb)
    rows = [f"{'':<16}{a['stack']:>14}{b['stack']:>14}{'difference':>14}"]
    for cat in sorted(set(ca) | set(cb), key=lambda c: -max(abs(ca.get(c, 0)), abs(cb.get(c, 0)))):
        rows.append(f"{cat:<16}{ca.get(cat, 0):>14,.2f}{cb.get(cat, 0):>14,.2f}{cb.get(cat, 0) - ca.get(cat, 0):>+14,.2f}")
    ta, tb = sum(ca.values()), sum(cb.values())
    rows.append(f"{'total/month':<16}{ta:>14,.2f}{tb:>14,.2f}{tb - ta:>+14,.2f}")
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 3:
        sys.exit("usage: python -m offline_plan.cost build/plan/<a>/plan.json build/plan/<b>/plan.json")
    print(compare(*(json.loads(Path(p).read_text()) for p in sys.argv[1:])))
