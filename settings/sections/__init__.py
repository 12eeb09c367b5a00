"""Structured settings, one section per component (`data-platform:<key>` objects)."""

from .airbyte import AirbyteSettings
from .aws import AwsSettings
from .azure import AzureSettings
from .backups import BackupSettings
from .cluster_network import ClusterNetworkSettings
from .dbt import DbtSettings
from .dremio import DremioSettings
from .elasticsearch import ElasticsearchSettings
from .gcp import GcpSettings
from .minio import MinioSettings
from .observability import ObservabilitySettings
from .off_hours import OffHoursSettings
from .postgres import PostgresSettings
from .superset import SupersetSettings

SECTIONS = (
    PostgresSettings,
    MinioSettings,
    ElasticsearchSettings,
    DremioSettings,
    AirbyteSettings,
    SupersetSettings,
    DbtSettings,
    ObservabilitySettings,
    OffHoursSettings,
    AwsSettings,
    GcpSettings,
    BackupSettings,
    ClusterNetworkSettings,
    AzureSettings,
)

__all__ = [s.__name__ for s in SECTIONS] + ["SECTIONS"]
