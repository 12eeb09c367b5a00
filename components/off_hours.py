"""Off-hours scale-down: the seed's "scale down off-hours" for non-prod stacks (`offhours`).

Two CronJobs in `data-platform`, `off-hours-down` and `off-hours-up`, run one shell script each
with kubectl, in the configured time zone (`spec.timeZone`):

- down: every Deployment and StatefulSet of the configured platform namespaces with replicas > 0
  gets its count recorded in the annotation `data-platform/off-hours-replicas`, then is scaled
  to 0. Objects an operator owns (ownerReferences: ECK's Elasticsearch StatefulSets, ...) are
  left alone, the operator would scale them back; `data-platform/off-hours: skip` opts one out.
- up: every object carrying the annotation and still at 0 goes back to the recorded count;
  the annotation is removed either way.

HPAs (Airbyte's worker): a target scaled to 0 switches its HPA off until the target is scaled
up again (Kubernetes' "implicit maintenance-mode deactivation"); nothing touches the HPA, whose
minReplicas stays as configured, and in the morning it resumes from the recorded count.

Least privilege: a ServiceAccount whose Role in each scaled namespace allows only get/list/patch
on deployments and statefulsets (list to find them, patch for the annotation) and get/patch on
their `scale` subresource (`kubectl scale` patches it); no access to pods, Secrets or HPAs.
Egress: the Kubernetes API server only (components/network_policies). With the nodes idle, the
cluster-autoscaler removes them: the saving the cost estimate shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

import kube
from kube.namespaces import APPS
from settings.sections.off_hours import OffHoursSettings

from .context import PlatformContext

APP = "off-hours-scaler"
REPLICAS_ANNOTATION = "data-platform/off-hours-replicas"
SKIP_ANNOTATION = "data-platform/off-hours"
UID = 65534  # nobody: kubectl needs no identity of its own, only a writable HOME (/tmp)
RULES = [
    {"api_groups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": ["get", "list", "patch"]},
    {"api_groups": ["apps"], "resources": ["deployments/scale", "statefulsets/scale"], "verbs": ["get", "patch"]},
]

_LIST = ("kubectl get deployments,statefulsets -n \"$ns\" -o go-template='{{range .items}}"
         "{{if not .metadata.ownerReferences}}{{.kind}} {{.metadata.name}} {{.spec.replicas}} "
         "{{with .metadata.annotations}}{{index . \"%s\"}}{{end}}{{\"\\n\"}}{{end}}{{end}}'")


def down_script(namespaces: Sequence[str]) -> str:
    """Record each scalable object's replicas, then scale it to 0."""
    return "\n".join([
        "set -eu",
        f"for ns in {' '.join(namespaces)}; do",
        f"  {_LIST % SKIP_ANNOTATION} | while read -r kind name replicas skip; do",
        '    [ "${skip:-}" = "skip" ] && continue',
        '    [ "$replicas" = "0" ] && continue',
        f'    kubectl -n "$ns" annotate --overwrite "$kind/$name" "{REPLICAS_ANNOTATION}=$replicas"',
        '    kubectl -n "$ns" scale "$kind/$name" --replicas=0',
        "  done",
        "done",
    ])


def up_script(namespaces: Sequence[str]) -> str:
    """Scale each object scaled down by `down_script` back to its recorded replicas."""
    return "\n".join([
        "set -eu",
        f"for ns in {' '.join(namespaces)}; do",
        f"  {_LIST % REPLICAS_ANNOTATION} | while read -r kind name replicas recorded; do",
        '    case "${recorded:-}" in ""|*[!0-9]*) continue ;; esac',
        '    [ "$replicas" = "0" ] && kubectl -n "$ns" scale "$kind/$name" --replicas="$recorded"',
        f'    kubectl -n "$ns" annotate "$kind/$name" "{REPLICAS_ANNOTATION}-"',
        "  done",
        "done",
    ])


@dataclass(frozen=True)
class OffHoursArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    settings: OffHoursSettings
    namespaces: Sequence[pulumi.Resource]
    """The Namespace resources the CronJobs live in and scale (they must exist first)."""


class OffHours(pulumi.ComponentResource):
    selector: dict[str, str]

    def __init__(self, name: str, args: OffHoursArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:platform:OffHours", name, None, opts)
        s, p = args.settings, args.ctx.provider
        self._k8s = p
        lbl = kube.labels(APP, "scaler")
        self.selector = kube.selector(APP, "scaler")
        deps = list(args.namespaces)
        sa = k8s.core.v1.ServiceAccount(APP, metadata={"name": APP, "namespace": APPS, "labels": lbl},
                                        automount_service_account_token=False, opts=kube.child(self, p, depends_on=deps))
        bindings: list[pulumi.Resource] = []
        for ns in s.namespaces:
            role = k8s.rbac.v1.Role(f"{APP}-{ns}", metadata={"name": APP, "namespace": ns, "labels": lbl}, rules=RULES,
                                    opts=kube.child(self, p, depends_on=deps))
            bindings.append(k8s.rbac.v1.RoleBinding(
                f"{APP}-{ns}", metadata={"name": APP, "namespace": ns, "labels": lbl},
                role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": APP},
                subjects=[{"kind": "ServiceAccount", "name": APP, "namespace": APPS}],
                opts=kube.child(self, p, depends_on=[role, sa])))
        self.cron_jobs = [
            self._cron_job(f"off-hours-{action}", schedule, script(s.namespaces), s, lbl, [sa, *bindings])
            for action, schedule, script in (("down", s.down_schedule, down_script), ("up", s.up_schedule, up_script))
        ]
        self.register_outputs({"downSchedule": s.down_schedule, "upSchedule": s.up_schedule, "timeZone": s.time_zone})

    def _cron_job(self, name: str, schedule: str, script: str, s: OffHoursSettings, lbl: dict, deps: list) -> k8s.batch.v1.CronJob:
        job = kube.script_job_spec(
            labels=lbl, container="kubectl", image=s.image, script=script, uid=UID,
            env=[{"name": "HOME", "value": "/tmp"}], resources=kube.resources("10m", "64Mi", "200m", "128Mi"),
            service_account=APP, backoff_limit=3, deadline_seconds=900,
        )
        return k8s.batch.v1.CronJob(
            name,
            metadata={"name": name, "namespace": APPS, "labels": lbl},
            spec={
                "schedule": schedule,
                "time_zone": s.time_zone,
                "concurrency_policy": "Forbid",
                # A run the controller missed (control-plane upgrade, ...) still happens within the hour.
                "starting_deadline_seconds": 3600,
                "successful_jobs_history_limit": 1,
                "failed_jobs_history_limit": 3,
                "job_template": {"metadata": {"labels": lbl}, "spec": job},
            },
            opts=kube.child(self, self._k8s, depends_on=deps),
        )
