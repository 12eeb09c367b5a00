"""Settings section `data-platform:offhours`: scale the platform down at night (non-prod).

The seed's "scale down off-hours": a CronJob pair in `data-platform` scales every Deployment
and StatefulSet of the platform namespaces that no operator owns to 0 at `downSchedule` and
back to the recorded replica count at `upSchedule` (components/off_hours.py). On in staging by
default, off in dev (a laptop cluster) and prod.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import checks
from ..schema import CrossFieldInvalid, Section, per_env, setting

_TZ = checks.text(r"[A-Za-z_]+(/[A-Za-z0-9_+-]+)*", "an IANA time zone such as Europe/Paris")


@dataclass(frozen=True)
class OffHoursSettings(Section):
    KEY = "offhours"
    POSITION = 8
    DOC = "Off-hours scale-down of the platform's Deployments and StatefulSets (non-prod)"

    enabled: bool = setting(checks.boolean, "Scale the platform to 0 at downSchedule and back at upSchedule (on by default in staging, off in dev and prod).", default=per_env(dev=False, staging=True, prod=False))
    down_schedule: str = setting(checks.cron, "When to scale down (five-field cron in timeZone), e.g. 20:00 on weekdays.", default="0 20 * * 1-5")
    up_schedule: str = setting(checks.cron, "When to scale back up (five-field cron in timeZone), e.g. 07:00 on weekdays: the weekend stays down.", default="0 7 * * 1-5")
    time_zone: str = setting(_TZ, "IANA time zone of both schedules (the CronJobs' spec.timeZone).", default="Europe/Paris")
    image: str = setting(checks.image, "Image with a POSIX shell and kubectl (the client within one minor of kubernetesVersion).", default="alpine/k8s:1.34.1")
    namespaces: tuple = setting(checks.string_list(checks.one_of("data-platform", "data-storage")), "Platform namespaces whose Deployments/StatefulSets are scaled (objects an operator owns are left to it).", default=("data-platform", "data-storage"))

    def cross_check(self) -> None:
        if self.enabled and not self.namespaces:
            raise CrossFieldInvalid("namespaces", [], "at least one platform namespace when enabled is true")
        if self.enabled and self.down_schedule == self.up_schedule:
            raise CrossFieldInvalid("upSchedule", self.up_schedule, "a schedule different from downSchedule")
