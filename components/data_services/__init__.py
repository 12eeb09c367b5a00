"""Data services (PostgreSQL, object store, Elasticsearch) and the typed result the apps use."""

from .component import DataServices, DataServicesArgs
from .result import DataServicesResult

__all__ = ["DataServices", "DataServicesArgs", "DataServicesResult"]
