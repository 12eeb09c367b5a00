"""Backups of the platform's own Kubernetes state (Velero); the data services back up themselves."""

from .velero import Velero, VeleroArgs

__all__ = ["Velero", "VeleroArgs"]
