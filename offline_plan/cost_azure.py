"""Azure prices of a plan (offline_plan/cost.py's estimate for cloud `azure`).

What it counts: the AKS control-plane tier, every node pool (the cluster's inline system pool
and each AgentPool, at its `count`, Spot pools at the assumed discount), managed OS disks of
pools that have them (ephemeral OS disks live on the VM's local disk: free), volumes on the
plan's Premium SSD v2 / Premium SSD classes, Flexible Server compute x HA, storage and backups
beyond the free allowance, blob storage at the account's redundancy, the NAT gateway and its
public IPs, the Standard Load Balancer's rules, the Application Gateway (fixed + capacity units), private endpoints and DNS zones, Log
Analytics ingestion and retention, Key Vault operations and the container registry's tier.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offline_plan.cost import Pricer


class AzurePricer(Pricer):
    def run(self) -> None:
        h, a = self.hours, self.a
        self.est.assumptions += [
            f"{h} hours a month; pay-as-you-go list prices of {self.t['region']} as of {self.t['asOf']} ({self.t['currency']})",
            "node pools at their `count`; volumes and Flexible Server storage as provisioned; Premium SSD approximated per GiB (it is billed per size tier)",
            f"Spot at {a['spotDiscount']:.0%} off pay-as-you-go; {a['objectStorageGbPerContainer']} GB per blob container; "
            f"{a['natGatewayGbPerMonth']} GB/month through the NAT gateway; {a['loadBalancerGbPerMonth']} GB/month per load balancer; "
            f"{a['logIngestGbPerWorkspaceMonth']} GB/month ingested per Log Analytics workspace; {a['keyVaultOperationsPerMonth']:,} Key Vault operations/month; "
            f"Flexible Server backups {a['dbBackupGbBeyondFreePerGbProvisioned']:g} GB beyond the free allowance per provisioned GB",
            "not counted: data transfer, storage transactions, Defender plans, support plans, taxes",
        ]
        for r in self.by_type("azure-native:containerservice:ManagedCluster"):
            i = r["inputs"]
            tier = (i.get("sku") or {}).get("tier", "Free")
            fee = self.priced("AKS tier", "aks.cluster.hour", tier)
            if fee is not None:
                self.add("control plane", f"AKS cluster ({tier} tier)", f"{h} h", fee * h)
            for pool in i.get("agentPoolProfiles") or []:
                self._pool(f"{r['name']}/{pool['name']}", pool)
        for r in self.by_type("azure-native:containerservice:AgentPool"):
            self._pool(r["name"], r["inputs"])
        self._volumes()
        self._database()
        self._storage()
        self._network()
        self._logs()
        self._other()
        self._off_hours()

    def _pool(self, name: str, p: Mapping[str, Any]) -> None:
        od = self.priced("VM", "vm.hour", p["vmSize"])
        if od is None:
            return
        n = int(p.get("count", p.get("minCount", 1)))
        lo = int(p["minCount"]) if p.get("enableAutoScaling") else n
        disk, disk_monthly = "", 0.0
        if p.get("osDiskType", "Managed") == "Managed":
            gb = int(p.get("osDiskSizeGB", 128))
            disk, disk_monthly = f"{gb} GiB Premium SSD", gb * self.rate("disk.gbMonth", "Premium_LRS")
        self.node_pool(name, p["vmSize"], n, lo, od, p.get("scaleSetPriority") == "Spot", disk, disk_monthly)

    def _volumes(self) -> None:
        for sc, (sku, gib) in self.volumes_by_class().items():
            per_gib = self.price("disk.gbMonth", sku) if sku else None
            if per_gib is None:
                self.est.not_estimated.append(f"{gib:.0f} GiB on StorageClass {sc or '(default)'}: not a managed-disk class of this plan's table")
                continue
            self.add("storage", f"managed disks, StorageClass {sc}", f"{gib:.0f} GiB {sku}", gib * per_gib)

    def _database(self) -> None:
        h, a = self.hours, self.a
        for r in self.by_type("azure-native:dbforpostgresql:Server"):
            i = r["inputs"]
            sku = (i.get("sku") or {}).get("name", "")
            ha = ((i.get("highAvailability") or {}).get("mode") or "Disabled") != "Disabled"
            factor = self.rate("postgres.flexible.haFactor") if ha else 1
            hourly = self.priced("Flexible Server", "postgres.flexible.hour", sku)
            if hourly is not None:
                self.add("database", f"Flexible Server {sku}{' HA' if ha else ''}", f"{h} h x {factor}", hourly * factor * h)
            gb = int((i.get("storage") or {}).get("storageSizeGB", 0))
            self.add("database", "Flexible Server storage (provisioned)", f"{gb} GiB x {factor}", gb * factor * self.rate("postgres.flexible.storage.gbMonth"))
            geo = (i.get("backup") or {}).get("geoRedundantBackup") == "Enabled"
            backup_gb = gb * a["dbBackupGbBeyondFreePerGbProvisioned"]
            self.add("database", f"Flexible Server backups beyond the free allowance ({'geo' if geo else 'local'}, assumed)", f"{backup_gb:.0f} GiB",
                     backup_gb * self.rate("postgres.flexible.backup.gbMonth", "geo" if geo else "local"))

    def _storage(self) -> None:
        # Each account's own containers, summed per redundancy (the lake and the keyed accounts: Airbyte's, Elasticsearch's snapshots').
        per_sku: dict[str, int] = {}
        for r in self.by_type("azure-native:storage:StorageAccount"):
            sku = (r["inputs"].get("sku") or {}).get("name", "")
            mine = [c for c in self.by_type("azure-native:storage:BlobContainer") if c["inputs"].get("accountName") == r["inputs"].get("accountName")]
            per_sku[sku] = per_sku.get(sku, 0) + len(mine)
        for sku, containers in per_sku.items():
            per_gb = self.priced("Storage account", "storage.blob.hot.gbMonth", sku)
            if per_gb is not None and containers:
                gb = self.a["objectStorageGbPerContainer"]
                self.add("storage", f"blob storage hot {sku} (assumed size)", f"{containers} containers x {gb} GB", containers * gb * per_gb)

    def _network(self) -> None:
        h, a = self.hours, self.a
        nats = self.by_type("azure-native:network:NatGateway")
        if nats:
            n = len(nats)
            self.add("network", "NAT gateway", f"{n} x {h} h", n * h * self.rate("natGateway.hour"))
            self.add("network", "NAT data processed (assumed)", f"{n} x {a['natGatewayGbPerMonth']} GB", n * a["natGatewayGbPerMonth"] * self.rate("natGateway.gb"))
        ips = self.by_type("azure-native:network:PublicIPAddress")
        if ips:
            self.add("network", "public IPv4 addresses (Standard)", f"{len(ips)} x {h} h", len(ips) * h * self.rate("publicIp.standard.hour"))
        if self.load_balancer_services():  # AKS puts every LoadBalancer Service's rules on the one cluster load balancer
            self.add("network", "Standard Load Balancer (first 5 rules) + data (assumed)", f"{h} h + {a['loadBalancerGbPerMonth']} GB",
                     h * self.rate("loadBalancer.standard.ruleHour") + a["loadBalancerGbPerMonth"] * self.rate("loadBalancer.standard.gb"))
        for r in self.by_type("azure-native:network:ApplicationGateway"):
            reserved = 10 * int((r["inputs"].get("autoscaleConfiguration") or {}).get("minCapacity") or 0)
            units = max(reserved, a["appGatewayCapacityUnits"])
            self.add("network", f"Application Gateway WAF_v2 {r['name']} + capacity units (assumed)", f"{h} h + {units} CU x {h} h",
                     h * (self.rate("appGateway.wafV2.hour") + units * self.rate("appGateway.wafV2.capacityUnitHour")))
        endpoints = self.by_type("azure-native:network:PrivateEndpoint")
        if endpoints:
            self.add("network", "private endpoints", f"{len(endpoints)} x {h} h", len(endpoints) * h * self.rate("privateEndpoint.hour"))
        zones = self.by_type("azure-native:privatedns:PrivateZone")
        if zones:
            self.add("network", "private DNS zones", f"{len(zones)} zones", len(zones) * self.rate("privateDns.zoneMonth"))

    def _logs(self) -> None:
        gb = self.a["logIngestGbPerWorkspaceMonth"]
        included = self.rate("logAnalytics.freeRetentionDays") if self.by_type("azure-native:operationalinsights:Workspace") else 0
        for r in self.by_type("azure-native:operationalinsights:Workspace"):
            days = int(r["inputs"].get("retentionInDays") or 30)
            self.add("logs", f"Log Analytics ingestion {r['name']} (assumed)", f"{gb} GB", gb * self.rate("logAnalytics.ingest.gb"))
            stored = gb * max(0, days - included) / 30
            if stored:
                self.add("logs", f"Log Analytics retention {r['name']} beyond {included:.0f} days", f"{stored:.0f} GB", stored * self.rate("logAnalytics.retention.gbMonth"))

    def _other(self) -> None:
        vaults = self.by_type("azure-native:keyvault:Vault")
        if vaults:
            ops = self.a["keyVaultOperationsPerMonth"]
            self.add("other", "Key Vault operations (assumed)", f"{len(vaults)} x {ops:,} ops", len(vaults) * ops / 10_000 * self.rate("keyVault.operations10k"))
        for r in self.by_type("azure-native:containerregistry:Registry"):
            sku = (r["inputs"].get("sku") or {}).get("name", "")
            daily = self.priced("Container registry", "acr.day", sku)
            if daily is not None:
                self.add("other", f"Container Registry {sku}", f"{self.hours / 24:.1f} days", daily * self.hours / 24)
