"""Dremio: master coordinator and executor StatefulSets, ZooKeeper, config, services, bootstrap."""

from .component import Dremio, DremioArgs, DremioResult

__all__ = ["Dremio", "DremioArgs", "DremioResult"]
