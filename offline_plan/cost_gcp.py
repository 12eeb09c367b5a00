"""Google Cloud prices of a plan (offline_plan/cost.py's estimate for cloud `gcp`).

What it counts: the GKE cluster management fee, every node pool (initial nodes per zone x the
pool's zones; Spot pools at the assumed discount) with its boot disks, volumes on the plan's
pd-ssd / pd-balanced classes, Cloud SQL Enterprise vCPU and memory of the custom tier (x2 when
REGIONAL), its SSD storage and backups, Cloud NAT per VM and data, forwarding rules of the
LoadBalancer Services, the global Application Load Balancer of a `gce` Ingress (two forwarding
rules and data processed), Cloud Storage (Standard, at an assumed size per bucket), Artifact Registry storage, Cloud Logging ingestion beyond the free
allowance and retention beyond 30 days, Secret Manager versions.
"""

from __future__ import annotations

import re

from offline_plan.cost import Pricer

_CUSTOM_TIER = re.compile(r"db-custom-(\d+)-(\d+)")


class GcpPricer(Pricer):
    def run(self) -> None:
        h, a = self.hours, self.a
        self.est.assumptions += [
            f"{h} hours a month; on-demand list prices of {self.t['region']} as of {self.t['asOf']} ({self.t['currency']}), no sustained-use or committed-use discount",
            "node pools at their initial size (initial_node_count per zone x the pool's zones); volumes and Cloud SQL storage as provisioned",
            f"Spot at {a['spotDiscount']:.0%} off on-demand; {a['natGatewayGbPerMonth']} GB/month per Cloud NAT gateway; "
            f"{a['objectStorageGbPerBucket']} GB per Cloud Storage bucket; "
            f"{a['registryGb']} GB per Artifact Registry repository; {a['logIngestGibPerMonth']} GiB/month into Cloud Logging; "
            f"Cloud SQL backups {a['dbBackupGbPerGbProvisioned']:g} GB per provisioned GB",
            "not counted: data transfer, load balancer data processing, Cloud Monitoring metrics, support plans, taxes",
        ]
        for _ in self.by_type("gcp:container/cluster:Cluster"):
            self.add("control plane", "GKE cluster (regional, Standard)", f"{h} h", self.rate("gke.cluster.hour") * h)
        zones = self.rate("gke.zonesPerRegionalPool")
        for r in self.by_type("gcp:container/nodePool:NodePool"):
            i = r["inputs"]
            cfg = i.get("nodeConfig") or {}
            od = self.priced("Compute Engine", "gce.instance.hour", cfg.get("machineType", ""))
            if od is None:
                continue
            per_zone = len(i.get("nodeLocations") or []) or zones
            n = int(i.get("initialNodeCount", 1)) * int(per_zone)
            lo = int((i.get("autoscaling") or {}).get("totalMinNodeCount", n))
            gb, kind = int(cfg.get("diskSizeGb", 100)), cfg.get("diskType", "pd-balanced")
            disk_price = self.price("pd.gbMonth", kind) or 0
            self.node_pool(r["name"], cfg["machineType"], n, min(lo, n), od, bool(cfg.get("spot") or cfg.get("preemptible")),
                           f"{gb} GiB {kind}", gb * disk_price)
        self._volumes()
        self._database()
        self._network()
        self._other()
        self._off_hours()

    def _volumes(self) -> None:
        for sc, (kind, gib) in self.volumes_by_class().items():
            per_gib = self.price("pd.gbMonth", kind) if kind else None
            if per_gib is None:
                self.est.not_estimated.append(f"{gib:.0f} GiB on StorageClass {sc or '(default)'}: not a persistent-disk class of this plan's table")
                continue
            self.add("storage", f"persistent disks, StorageClass {sc}", f"{gib:.0f} GiB {kind}", gib * per_gib)

    def _database(self) -> None:
        h = self.hours
        for r in self.by_type("gcp:sql/databaseInstance:DatabaseInstance"):
            s = r["inputs"].get("settings") or {}
            tier = s.get("tier", "")
            m = _CUSTOM_TIER.fullmatch(tier)
            if s.get("edition", "ENTERPRISE") != "ENTERPRISE" or not m:
                self.est.not_estimated.append(f"Cloud SQL {s.get('edition')} {tier}: only ENTERPRISE db-custom-<vCPU>-<MiB> tiers are priced")
                continue
            vcpu, gib = int(m.group(1)), int(m.group(2)) / 1024
            regional = s.get("availabilityType") == "REGIONAL"
            factor = self.rate("sql.regional.factor") if regional else 1
            compute = vcpu * self.rate("sql.enterprise.vcpu.hour") + gib * self.rate("sql.enterprise.memory.gibHour")
            self.add("database", f"Cloud SQL {tier}{' REGIONAL' if regional else ''}", f"{vcpu} vCPU + {gib:g} GiB x {h} h x {factor}", compute * factor * h)
            disk = int(s.get("diskSize", 10))
            self.add("database", "Cloud SQL SSD storage (provisioned)", f"{disk} GB x {factor}", disk * factor * self.rate("sql.ssd.gbMonth"))
            backup = disk * self.a["dbBackupGbPerGbProvisioned"]
            self.add("database", "Cloud SQL backups (assumed)", f"{backup:.0f} GB", backup * self.rate("sql.backup.gbMonth"))

    def _network(self) -> None:
        h, a = self.hours, self.a
        nats = self.by_type("gcp:compute/routerNat:RouterNat")
        if nats:
            vms = sum(n for _name, n, _lo, _h, _d in self.groups)
            per_vm = self.rate("nat.vm.hour")
            self.add("network", "Cloud NAT gateways (per VM)", f"{len(nats)} x {min(vms, 32)} VMs x {h} h", len(nats) * min(vms, 32) * per_vm * h)
            self.add("network", "Cloud NAT data processed (assumed)", f"{len(nats)} x {a['natGatewayGbPerMonth']} GB", len(nats) * a["natGatewayGbPerMonth"] * self.rate("nat.gb"))
            self.add("network", "Cloud NAT external IPs (AUTO_ONLY, one assumed)", f"{len(nats)} x {h} h", len(nats) * h * self.rate("externalIp.hour"))
        lbs = self.load_balancer_services()
        if lbs:
            self.add("network", "forwarding rules (LoadBalancer Services)", f"{lbs} x {h} h", lbs * h * self.rate("forwardingRule.hour"))
        albs = self.gce_ingresses()
        if albs:  # ingress-gce: one HTTP and one HTTPS forwarding rule per Ingress
            self.add("network", "global Application Load Balancer: forwarding rules + data (assumed)",
                     f"{2 * albs} x {h} h + {albs} x {a['albGbPerMonth']} GB",
                     2 * albs * h * self.rate("forwardingRule.hour") + albs * a["albGbPerMonth"] * self.rate("alb.gb"))

    def gce_ingresses(self) -> int:
        """Ingresses GKE turns into a global external Application Load Balancer (class annotation `gce`)."""
        return sum(1 for r in self.by_type("kubernetes:networking.k8s.io/v1:Ingress")
                   if ((r["inputs"].get("metadata") or {}).get("annotations") or {}).get("kubernetes.io/ingress.class") == "gce")

    def _other(self) -> None:
        buckets = self.by_type("gcp:storage/bucket:Bucket")
        if buckets:
            gb = self.a["objectStorageGbPerBucket"]
            self.add("storage", "Cloud Storage Standard (assumed size)", f"{len(buckets)} buckets x {gb} GB", len(buckets) * gb * self.rate("gcs.standard.gbMonth"))
        repos = self.by_type("gcp:artifactregistry/repository:Repository")
        if repos:
            gb = self.a["registryGb"]
            self.add("other", "Artifact Registry storage (assumed)", f"{len(repos)} x {gb} GB", len(repos) * gb * self.rate("artifactRegistry.gbMonth"))
        versions = self.by_type("gcp:secretmanager/secretVersion:SecretVersion")
        if versions:
            self.add("other", "Secret Manager active versions", f"{len(versions)} versions", len(versions) * self.rate("secretManager.versionMonth"))
        ingest = self.a["logIngestGibPerMonth"]
        free = self.rate("logging.freeGibPerMonth")
        self.add("logs", "Cloud Logging ingestion beyond the free allowance (assumed)", f"{ingest} - {free:g} GiB", max(0, ingest - free) * self.rate("logging.ingest.gib"))
        for r in self.by_type("gcp:logging/projectBucketConfig:ProjectBucketConfig"):
            days = int(r["inputs"].get("retentionDays") or 30)
            stored = ingest * max(0, days - 30) / 30
            if stored:
                self.add("logs", f"Cloud Logging retention beyond 30 days ({r['inputs'].get('bucketId')})", f"{stored:.0f} GiB", stored * self.rate("logging.retention.gibMonth"))
