"""The platform's alerts (one PrometheusRule), on the metrics its exporters really publish.

The chart's default rules already cover Kubernetes itself (nodes, kubelet, KubePodCrashLooping
cluster-wide, KubePersistentVolumeFillingUp, ...); these are the day-two alerts of the data
platform, scoped to its namespaces where that matters, each with a runbook-style description.
Metric sources: CloudNativePG's exporter (`cnpg_*`, and the Barman Cloud plugin's `barman_cloud_cloudnative_pg_io_*`), MinIO v2 cluster metrics (`minio_cluster_*`; the `*_online_total` gauges compared with the
expected counts),
kube-state-metrics (`kube_*`), the kubelet (`kubelet_volume_stats_*`), cert-manager
(`certmanager_*`), Traefik (`traefik_*`), Fluent Bit (`fluentbit_*`), Velero (`velero_backup_*`, labelled
with the Schedule's name). Elasticsearch has no exporter here: its snapshots are watched through
the Jobs of a check CronJob (components/backups/elasticsearch_snapshots.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    for_: str
    severity: str
    summary: str
    description: str

    def rule(self) -> dict[str, Any]:
        return {"alert": self.name, "expr": self.expr, "for": self.for_, "labels": {"severity": self.severity},
                "annotations": {"summary": self.summary, "description": self.description}}


BARMAN_PLUGIN_METRICS = "barman_cloud_cloudnative_pg_io"
"""Backup metrics of the Barman Cloud plugin, served by the instances' exporter; they replace the
in-tree `cnpg_collector_last_*_backup_timestamp` (plugin-barman-cloud docs, "Observability")."""


def _ns(namespaces: Sequence[str]) -> str:
    return "|".join(namespaces)


def platform_alerts(*, platform_namespaces: Sequence[str], storage_namespace: str, postgres_cluster: str | None,
                    minio_servers: int, airbyte_namespace: str | None, logs: bool,
                    velero_namespace: str | None = None, velero_schedule: tuple[str, int] | None = None,
                    catalog_backup: tuple[str, str, int] | None = None,
                    snapshot_check: tuple[str, str, int] | None = None,
                    lake_mirror: tuple[str, str, int] | None = None) -> dict[str, list[Alert]]:
    """Group name -> alerts. PostgreSQL/MinIO groups only when they run in the cluster; Velero's
    when it runs (`velero_schedule`: its Schedule's name and the longest gap between two runs, in
    minutes, so "too old" follows the configured cron, not a fixed day; `catalog_backup`: the
    namespace, name and longest gap of Dremio's catalog backup CronJob; `snapshot_check`: the same
    of the CronJob that fails when Elasticsearch's snapshot lifecycle policy failed or is late;
    `lake_mirror`: the same of the MinIO lake mirror CronJob)."""
    ns = _ns(platform_namespaces)
    groups: dict[str, list[Alert]] = {}
    if postgres_cluster:
        sel = f'namespace="{storage_namespace}", cluster="{postgres_cluster}"'
        groups["postgresql"] = [
            Alert("PostgresInstanceDown", f'cnpg_collector_up{{{sel}}} == 0 or absent(cnpg_collector_up{{{sel}}})', "5m", "critical",
                  "A PostgreSQL instance is down",
                  "CloudNativePG reports PostgreSQL not running on {{ $labels.pod }} (or no instance is scraped at all). "
                  "Check `kubectl -n data-storage get cluster,pods` and the instance logs."),
            Alert("PostgresReplicationLag", f'max by (pod) (cnpg_pg_replication_lag{{{sel}}}) > 300', "10m", "warning",
                  "PostgreSQL replica lags behind",
                  "Replica {{ $labels.pod }} is {{ $value | humanizeDuration }} behind the primary."),
            Alert("PostgresBackupFailing",
                  f'{BARMAN_PLUGIN_METRICS}_last_failed_backup_timestamp{{{sel}}} > {BARMAN_PLUGIN_METRICS}_last_available_backup_timestamp{{{sel}}}',
                  "1h", "critical", "The last PostgreSQL backup failed",
                  "The latest backup attempt of cluster {{ $labels.cluster }} failed after the last good one. "
                  "Check `kubectl -n data-storage get backups` and the object store credentials."),
            Alert("PostgresBackupTooOld",
                  f'time() - {BARMAN_PLUGIN_METRICS}_last_available_backup_timestamp{{{sel}}} > 2 * 86400', "1h", "warning",
                  "No PostgreSQL backup for two days", "The newest base backup of {{ $labels.cluster }} is older than 48h."),
            Alert("PostgresWalArchivingFailing",
                  f'cnpg_pg_stat_archiver_last_failed_time{{{sel}}} > cnpg_pg_stat_archiver_last_archived_time{{{sel}}}', "15m", "critical",
                  "WAL archiving is failing", "Point-in-time recovery is at risk: {{ $labels.pod }} cannot archive WAL."),
            Alert("PostgresConnectionsNearLimit",
                  f'sum by (pod) (cnpg_backends_total{{{sel}}}) / on (pod) max by (pod) (cnpg_pg_settings_setting{{{sel}, name="max_connections"}}) > 0.85',
                  "10m", "warning", "PostgreSQL connections near max_connections",
                  "{{ $labels.pod }} uses {{ $value | humanizePercentage }} of max_connections."),
        ]
    if minio_servers:
        groups["minio"] = [
            Alert("MinioServersDown", f'max(minio_cluster_nodes_online_total{{namespace="{storage_namespace}"}}) < {minio_servers}', "5m", "critical",
                  "MinIO servers down",
                  f"Only {{{{ $value }}}} of {minio_servers} MinIO servers are up; erasure coding tolerates a limited number."),
            Alert("MinioDrivesDown",
                  f'max(minio_cluster_drive_total{{namespace="{storage_namespace}"}}) - max(minio_cluster_drive_online_total{{namespace="{storage_namespace}"}}) > 0',
                  "5m", "critical", "MinIO drives down", "{{ $value }} MinIO drive(s) are not online: replace the volume before parity runs out."),
            Alert("MinioCapacityLow",
                  f'max(minio_cluster_capacity_usable_free_bytes{{namespace="{storage_namespace}"}}) / max(minio_cluster_capacity_usable_total_bytes{{namespace="{storage_namespace}"}}) < 0.1',
                  "30m", "warning", "MinIO is almost full", "Less than 10% of MinIO's usable capacity is free."),
        ]
    workloads = [
        Alert("PlatformPodCrashLooping",
              f'max_over_time(kube_pod_container_status_waiting_reason{{namespace=~"{ns}", reason="CrashLoopBackOff"}}[5m]) >= 1',
              "10m", "critical", "A platform pod is crash-looping",
              "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) keeps restarting: `kubectl logs --previous`."),
        Alert("PlatformPodNotReady",
              f'sum by (namespace, pod) (kube_pod_status_phase{{namespace=~"{ns}", phase=~"Pending|Unknown"}}) > 0',
              "15m", "warning", "A platform pod is not running", "{{ $labels.namespace }}/{{ $labels.pod }} has not been running for 15 minutes."),
        Alert("PlatformVolumeAlmostFull",
              f'kubelet_volume_stats_available_bytes{{namespace=~"{ns}"}} / kubelet_volume_stats_capacity_bytes{{namespace=~"{ns}"}} < 0.10',
              "10m", "warning", "A platform volume is almost full",
              "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 10% free space."),
        Alert("PlatformVolumeFull",
              f'kubelet_volume_stats_available_bytes{{namespace=~"{ns}"}} / kubelet_volume_stats_capacity_bytes{{namespace=~"{ns}"}} < 0.03',
              "5m", "critical", "A platform volume is full",
              "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has less than 3% free space."),
    ]
    if airbyte_namespace:
        workloads.append(Alert(
            "AirbyteWorkersAtMaximum",
            f'kube_horizontalpodautoscaler_status_current_replicas{{namespace="{airbyte_namespace}", horizontalpodautoscaler=~".*worker.*"}}'
            f' >= kube_horizontalpodautoscaler_spec_max_replicas{{namespace="{airbyte_namespace}", horizontalpodautoscaler=~".*worker.*"}}',
            "30m", "warning", "Airbyte workers are at the HPA maximum",
            "Syncs may queue: the Airbyte worker HPA {{ $labels.horizontalpodautoscaler }} has been at its maximum for 30 minutes."))
    groups["workloads"] = workloads
    # Traefik's metrics (`traefik_*`, job = its pods' app.kubernetes.io/name): `service` is the
    # backend Service Traefik made for a route (`<namespace>-<service>-<port>@kubernetesgateway`).
    groups["edge"] = [
        Alert("EdgeHighErrorRatio",
              'sum by (service) (rate(traefik_service_requests_total{code=~"5.."}[5m]))'
              ' / sum by (service) (rate(traefik_service_requests_total[5m])) > 0.05', "10m", "warning",
              "More than 5% of a UI's requests fail with 5xx",
              "{{ $labels.service }} answers {{ $value | humanizePercentage }} of requests with 5xx through the Gateway: "
              "check the application's pods and logs (Traefik's JSON access logs in Elasticsearch show which paths)."),
        Alert("EdgeControllerDown", 'sum(up{job="traefik"}) == 0 or absent(up{job="traefik"})', "5m", "critical",
              "The Gateway's controller (Traefik) is down",
              "No Traefik pod is scraped: the UIs are unreachable. Check `kubectl -n edge get pods` and its events."),
    ]
    groups["certificates"] = [
        Alert("CertificateExpiringSoon", "certmanager_certificate_expiration_timestamp_seconds - time() < 14 * 86400", "1h", "warning",
              "A certificate expires in less than 14 days",
              "{{ $labels.namespace }}/{{ $labels.name }} was not renewed: check `kubectl describe certificate` and the issuer."),
        Alert("CertificateNotReady", 'max by (namespace, name) (certmanager_certificate_ready_status{condition="False"}) == 1', "30m", "critical",
              "A certificate is not ready", "cert-manager cannot issue {{ $labels.namespace }}/{{ $labels.name }}."),
    ]
    if velero_namespace and velero_schedule:
        groups["backups"] = velero_alerts(velero_namespace, *velero_schedule)
    if catalog_backup:
        groups.setdefault("backups", []).extend(cronjob_backup_alerts(*catalog_backup))
    if snapshot_check:
        groups.setdefault("backups", []).extend(cronjob_backup_alerts(
            *snapshot_check, alert="ElasticsearchSnapshot", what="the Elasticsearch snapshot", noun="Elasticsearch snapshot",
            failure="the snapshot lifecycle policy's last failure (or how long since its last success)"))
    if lake_mirror:
        groups.setdefault("backups", []).extend(cronjob_backup_alerts(
            *lake_mirror, alert="LakeMirror", what="the lake mirror", noun="lake mirror", failure="mc mirror's error (source or target)"))
    if logs:
        groups["logging"] = [
            # `name` is the output instance: es.0 (Elasticsearch), cloudwatch_logs.1 (a cloud log sink).
            Alert("FluentBitOutputErrors", "sum by (pod, name) (rate(fluentbit_output_errors_total[5m])) > 0", "15m", "warning",
                  "Fluent Bit cannot deliver logs",
                  "{{ $labels.pod }} fails to write to output {{ $labels.name }} (es: credentials, TLS, disk watermark?; "
                  "the cloud's log sink: its identity, destination, network?): see its logs."),
            Alert("FluentBitRecordsDropped", "sum by (pod, name) (increase(fluentbit_output_retries_failed_total[10m])) > 0", "5m", "critical",
                  "Fluent Bit dropped logs", "{{ $labels.pod }} gave up on chunks for output {{ $labels.name }} after exhausting retries: logs were lost."),
        ]
    return groups


def velero_alerts(namespace: str, schedule: str, max_gap_minutes: int) -> list[Alert]:
    """Failed, stale or missing configuration backups. A backup "too old" is one more than the
    schedule's longest gap plus an hour (the time a backup may take) behind."""
    sel = f'namespace="{namespace}", schedule="{schedule}"'
    stale = max_gap_minutes * 60 + 3600
    return [
        Alert("VeleroBackupFailed", f'increase(velero_backup_failure_total{{{sel}}}[1h]) > 0 or increase(velero_backup_partial_failure_total{{{sel}}}[1h]) > 0',
              "0m", "critical", "A configuration backup failed",
              "Velero's scheduled backup {{ $labels.schedule }} failed or partially failed in the last hour: "
              "`velero backup describe --details` the newest one and read `velero backup logs`."),
        Alert("VeleroBackupTooOld", f'time() - velero_backup_last_successful_timestamp{{{sel}}} > {stale}', "15m", "warning",
              "No recent configuration backup",
              f"The newest successful backup of {{{{ $labels.schedule }}}} is older than the schedule allows ({stale // 3600}h)."),
        Alert("VeleroDown", f'sum(up{{namespace="{namespace}"}}) == 0 or absent(up{{namespace="{namespace}"}})', "15m", "critical",
              "Velero is down", f"No Velero server is scraped in {namespace}: no configuration backup runs. Check `kubectl -n {namespace} get pods`."),
    ]


def cronjob_backup_alerts(namespace: str, cronjob: str, max_gap_minutes: int, *, alert: str = "DremioCatalogBackup",
                          what: str = "Dremio's catalog backup", noun: str = "Dremio catalog backup",
                          failure: str = "Dremio's answer to POST /apiv2/backup") -> list[Alert]:
    """A backup (or backup check) CronJob, through kube-state-metrics: `<alert>Failed` on a failed
    run, `<alert>TooOld` when nothing succeeded for longer than the schedule's longest gap plus an hour."""
    stale = max_gap_minutes * 60 + 3600
    jobs = f'namespace="{namespace}", job_name=~"{cronjob}-.*"'
    return [
        # Only runs started within one schedule gap: failed Jobs stay listed (failedJobsHistoryLimit).
        Alert(f"{alert}Failed",
              f'kube_job_status_failed{{{jobs}}} > 0 and on (namespace, job_name) (time() - kube_job_status_start_time{{{jobs}}}) < {stale}',
              "0m", "critical",
              f"{what[0].upper()}{what[1:]} failed",
              f"A {cronjob} Job failed: `kubectl -n {namespace} logs job/<job>` shows {failure}."),
        Alert(f"{alert}TooOld",
              f'time() - kube_cronjob_status_last_successful_time{{namespace="{namespace}", cronjob="{cronjob}"}} > {stale}', "15m", "warning",
              f"No recent {noun}", f"The last successful {cronjob} run is older than the schedule allows ({stale // 3600}h)."),
    ]


def rule_spec(groups: dict[str, list[Alert]]) -> dict[str, Any]:
    return {"groups": [{"name": f"data-platform.{name}", "rules": [a.rule() for a in alerts]} for name, alerts in groups.items()]}
