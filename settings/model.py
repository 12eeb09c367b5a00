"""The typed, frozen settings the whole program reads, and the one function that builds them.

`load(raw, stack)` is pure: it takes the stack's config as a `{"data-platform:key": value}`
map (values as YAML gives them or as strings from the engine) and either returns `Settings`
or raises `SettingsError` before any resource exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from .checks import Invalid, one_of
from .environments import PROFILES, EnvironmentProfile
from .errors import MISSING, PROJECT, SettingsError
from .project import SCALARS
from .schema import CrossFieldInvalid, Section, read_section
from .sections import (
    SECTIONS,
    AirbyteSettings,
    BackupSettings,
    ClusterNetworkSettings,
    DbtSettings,
    DremioSettings,
    ElasticsearchSettings,
    MinioSettings,
    ObservabilitySettings,
    OffHoursSettings,
    PostgresSettings,
    SupersetSettings,
    ordered,
)


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    stack_file: str
    cloud: str
    environment: str
    profile: EnvironmentProfile
    domain: str
    kubernetes_version: str
    protect: bool
    object_store: str
    database: str
    tls_issuer: str
    acme_email: Optional[str]
    gateway_class: str
    network_policies: bool
    kube_context: Optional[str]
    ingress_service_type: str
    fast_ssd_storage_class: Optional[str]
    standard_storage_class: Optional[str]
    postgres: PostgresSettings
    minio: MinioSettings
    elasticsearch: ElasticsearchSettings
    dremio: DremioSettings
    airbyte: AirbyteSettings
    superset: SupersetSettings
    dbt: DbtSettings
    observability: ObservabilitySettings
    offhours: OffHoursSettings
    backups: BackupSettings
    cluster_network: ClusterNetworkSettings
    clouds: Mapping[str, Section]
    """Every built cloud's section by key (`aws`, `azure`, `gcp`), read with its defaults whichever
    cloud is selected; `settings.aws` is `settings.clouds["aws"]`. Their classes live with each
    cloud (clouds/<name>/settings.py) and come in through `load(..., clouds)`."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["clouds"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def prefix(self) -> str:
        """`<stack>`: the conventional name prefix of cloud resources (`<stack>-<purpose>`)."""
        return self.stack

    @property
    def highly_available(self) -> bool:
        return self.profile.highly_available


_SCALAR_FIELDS = {
    "kubernetesVersion": "kubernetes_version",
    "objectStore": "object_store",
    "tlsIssuer": "tls_issuer",
    "acmeEmail": "acme_email",
    "gatewayClass": "gateway_class",
    "networkPolicies": "network_policies",
    "kubeContext": "kube_context",
    "ingressServiceType": "ingress_service_type",
    "fastSsdStorageClass": "fast_ssd_storage_class",
    "standardStorageClass": "standard_storage_class",
}


def stack_file_name(stack: str) -> str:
    return f"Pulumi.{stack}.yaml"


def load(raw: Mapping[str, Any], stack: str, clouds: Mapping[str, Optional[type[Section]]]) -> Settings:
    """Validate the whole stack config and return typed settings (or raise SettingsError).

    `clouds`: every built cloud and its settings section (None: configured by top-level keys,
    like local), from the composition root (`clouds.registry()`); settings/ imports no cloud."""
    stack_file = stack_file_name(stack)
    cloud_sections = [c for c in clouds.values() if c is not None]
    all_sections = ordered((*SECTIONS, *cloud_sections))
    known = {f"{PROJECT}:{s.key}" for s in SCALARS} | {f"{PROJECT}:{s.KEY}" for s in all_sections}
    for key in sorted(raw):
        if key.startswith(f"{PROJECT}:") and key not in known:
            short = sorted(k.split(":", 1)[1] for k in known)
            raise SettingsError(stack_file, key, raw[key], "a known setting: " + ", ".join(short))

    scalars: dict[str, Any] = {}
    for s in SCALARS:
        key = f"{PROJECT}:{s.key}"
        value = raw.get(key, s.default)
        if value is None:
            scalars[s.key] = None
            continue
        try:
            scalars[s.key] = (s.check or one_of(*clouds))(value)  # no check of its own: the cloud, one of the built ones
        except Invalid as e:
            raise SettingsError(stack_file, key, value, str(e)) from None

    cloud, env = scalars["cloud"], scalars["environment"]
    profile = PROFILES[env]
    selected = clouds[cloud]
    if selected is not None:
        try:
            selected.check_stack(stack)
        except Invalid as e:
            raise SettingsError(stack_file, "stack name", stack, str(e)) from None
    # Defaults that depend on the cloud (what its section says it has) or the environment. A cloud
    # without a section (local: a cluster that is already there) has no managed service and may
    # not be reachable by a public CA.
    on_local = selected is None
    native_lake = selected is not None and selected.HAS_NATIVE_LAKE
    managed_database = selected is not None and selected.HAS_MANAGED_DATABASE
    if scalars["protect"] is None:
        scalars["protect"] = profile.protect
    if scalars["objectStore"] is None:
        scalars["objectStore"] = "native" if native_lake else "minio"
    if scalars["database"] is None:
        scalars["database"] = "managed" if managed_database else "in-cluster"
    sections: dict[str, Any] = {s.field_name(): read_section(s, raw.get(f"{PROJECT}:{s.KEY}"), stack_file, env) for s in all_sections}
    # An L7 load balancer in front of the Gateway may dictate the issuer (the cloud's section says
    # which and why: e.g. one that serves its own certificate needs selfsigned).
    front = sections[selected.field_name()].front_tls() if selected is not None else None
    if scalars["tlsIssuer"] is None:
        scalars["tlsIssuer"] = (
            "selfsigned" if on_local or env == "dev" or (front is not None and front.issuer == "selfsigned")
            else front.issuer if front is not None
            else {"staging": "letsencrypt-staging"}.get(env, "letsencrypt-prod")
        )
    elif front is not None and scalars["tlsIssuer"] != front.issuer:
        raise SettingsError(stack_file, f"{PROJECT}:tlsIssuer", scalars["tlsIssuer"], front.allowed)
    if not native_lake and scalars["objectStore"] == "native":
        raise SettingsError(stack_file, f"{PROJECT}:objectStore", "native",
                            "minio on the local cloud (it has no native buckets)" if on_local else
                            f"minio on the {cloud} cloud for now (Dremio and Airbyte are not wired to its buckets yet; see docs/{cloud}.md)")
    if selected is not None:
        try:
            selected.check_names(stack, raw, scalars["objectStore"])
        except CrossFieldInvalid as e:
            raise SettingsError(stack_file, e.field, e.value, str(e)) from None
    if not managed_database and scalars["database"] == "managed":
        raise SettingsError(stack_file, f"{PROJECT}:database", "managed", f"in-cluster on the {cloud} cloud (it has no managed database)")
    if scalars["tlsIssuer"].startswith("letsencrypt") and not scalars["acmeEmail"]:
        raise SettingsError(stack_file, f"{PROJECT}:acmeEmail", raw.get(f"{PROJECT}:acmeEmail", MISSING),
                            f"an e-mail address: tlsIssuer {scalars['tlsIssuer']} needs an ACME account contact")

    settings = Settings(
        project=PROJECT,
        stack=stack,
        stack_file=stack_file,
        profile=profile,
        **{_SCALAR_FIELDS.get(k, k): v for k, v in scalars.items()},
        **{k: v for k, v in sections.items() if k not in {c.field_name() for c in cloud_sections}},
        clouds={c.KEY: sections[c.field_name()] for c in cloud_sections},
    )
    from . import recovery  # after the sections: its rules span several of them

    recovery.check(settings)
    return settings
