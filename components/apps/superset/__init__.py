"""Superset as typed manifests: gunicorn web, Celery worker and beat, init Job, Valkey.

- component.py: the `Superset` ComponentResource (Secret, ConfigMap, Job, Deployments, PDB).
- workloads.py: commands, probes, volumes, pod templates.
- config.py: `superset_config.py` (reads the environment) and the container environment.
- redis.py: the password-protected Valkey StatefulSet and its Service.
"""

from .component import Superset, SupersetArgs

__all__ = ["Superset", "SupersetArgs"]
