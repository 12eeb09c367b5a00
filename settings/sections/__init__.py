"""Structured settings, one section per platform component (`data-platform:<key>` objects).

The clouds' sections (`aws`, `azure`, `gcp`) live with their cloud (clouds/<name>/settings.py)
and reach `settings.load` from the composition root (`clouds.registry()`)."""

from collections.abc import Iterable

from ..schema import Section
from .airbyte import AirbyteSettings
from .backups import BackupSettings
from .cluster_network import ClusterNetworkSettings
from .dbt import DbtSettings
from .dremio import DremioSettings
from .elasticsearch import ElasticsearchSettings
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
    BackupSettings,
    ClusterNetworkSettings,
)

def ordered(sections: Iterable[type[Section]]) -> tuple[type[Section], ...]:
    """`sections` by their POSITION (each section, the clouds' included, says where it goes)."""
    return tuple(sorted(sections, key=lambda s: s.POSITION))


__all__ = [s.__name__ for s in SECTIONS] + ["SECTIONS", "ordered"]
