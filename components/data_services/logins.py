"""Application database logins: one generated password per role, stored only in Secrets.

Each role's Secret exists twice under the same name: in `data-storage` (what CloudNativePG's
`managed.roles[].passwordSecret` or the bootstrap Job reads; `kubernetes.io/basic-auth`, and
labelled so CloudNativePG reloads a rotated password) and in `data-platform` (what the
application pods mount).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

import kube
from kube.namespaces import APPS, STORAGE

from ..context import PlatformContext
from ..secrets import platform_secret
from .databases import DATABASES, ROLES, role_secret_name
from .result import DatabaseLogin
from .secrets import generated


def create_logins(
    parent: pulumi.Resource, ctx: PlatformContext, depends_on: Sequence[pulumi.Resource]
) -> tuple[dict[str, DatabaseLogin], list[pulumi.Resource], dict[str, pulumi.Output[str]]]:
    """-> (login key -> DatabaseLogin, the data-storage Secrets the server side must wait for,
    role -> generated password for glue that must render it into another Secret)."""
    storage_secrets = []
    passwords = {}
    for role in ROLES:
        password = passwords[role.name] = generated(f"postgres-{role.name}-password", parent)
        data: dict[str, pulumi.Input[str]] = {"username": role.name, "password": password}
        name = role_secret_name(role.name)
        labels = {**kube.labels("postgres", "credentials"), "cnpg.io/reload": "true"}
        storage_secrets.append(platform_secret(name, STORAGE, data, ctx, parent=parent, labels=labels,
                                               type_="kubernetes.io/basic-auth", depends_on=tuple(depends_on)))
        platform_secret(name, APPS, data, ctx, parent=parent, labels=kube.labels("postgres", "credentials"),
                        depends_on=tuple(depends_on))
    logins = {d.key: DatabaseLogin(database=d.database, username=d.owner, secret_name=role_secret_name(d.owner)) for d in DATABASES}
    return logins, storage_secrets, passwords
