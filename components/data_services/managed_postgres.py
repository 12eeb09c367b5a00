"""Glue in front of a cloud-managed PostgreSQL (RDS, Flexible Server, Cloud SQL): a bootstrap Job
that creates each application's role and database with the admin Secret, and a PgBouncer
Deployment with the seed's pooler settings, so applications see the same result shape as with
CloudNativePG.

PgBouncer authenticates clients itself (SCRAM, from a userlist generated into a Secret) and
connects to the server over TLS (`server_tls_sslmode = require`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_kubernetes as k8s

import kube
from foundation import ManagedDatabase
from kube.namespaces import STORAGE
from settings.sections import PostgresSettings

from ..context import PlatformContext
from ..secrets import platform_secret
from .databases import DATABASES, ROLES, role_secret_name
from .logins import create_logins
from .result import PostgresResult

PGBOUNCER = "pgbouncer"
PGBOUNCER_PORT = 5432
PGBOUNCER_IMAGE = "ghcr.io/cloudnative-pg/pgbouncer:1.24.1"
PSQL_IMAGE = "postgres:16.10-alpine"
PSQL_UID = 70  # `postgres` in the alpine image
PGBOUNCER_UID, PGBOUNCER_GID = 998, 996  # `pgbouncer` in the image


def bootstrap_sql() -> str:
    """Idempotent SQL (psql variables :'pw_<role>' carry the passwords, never the manifest)."""
    out = []
    for r in ROLES:
        out.append(f"SELECT 'CREATE ROLE {r.name} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r.name}')\\gexec")
        out.append(f"ALTER ROLE {r.name} WITH LOGIN {'CREATEDB' if r.createdb else 'NOCREATEDB'} PASSWORD :'pw_{r.name}';")
        # Managed admins are not superusers: membership lets them create databases owned by the role.
        out.append(f"GRANT {r.name} TO CURRENT_USER;")
    for d in DATABASES:
        out.append(f"SELECT 'CREATE DATABASE {d.database} OWNER {d.owner}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{d.database}')\\gexec")
        out.append(f"REVOKE ALL ON DATABASE {d.database} FROM PUBLIC;")
    return "\n".join(out) + "\n"


def pgbouncer_ini(host: str, port: int, s: PostgresSettings) -> str:
    return "\n".join([
        "[databases]",
        f"* = host={host} port={port}",
        "[pgbouncer]",
        "listen_addr = 0.0.0.0",
        f"listen_port = {PGBOUNCER_PORT}",
        "auth_type = scram-sha-256",
        "auth_file = /etc/pgbouncer/secret/userlist.txt",
        f"pool_mode = {s.pool_mode}",
        f"max_client_conn = {s.max_client_conn}",
        f"default_pool_size = {s.default_pool_size}",
        "server_tls_sslmode = require",
        "ignore_startup_parameters = extra_float_digits,options",
        "unix_socket_dir =",
        "",
    ])


@dataclass(frozen=True)
class ManagedPostgresArgs:
    ctx: PlatformContext
    """The stack's shared values (provider, environment, protect, storage roles, ...)."""
    settings: PostgresSettings
    database: ManagedDatabase
    depends_on: Sequence[pulumi.Resource] = ()


class ManagedPostgres(pulumi.ComponentResource):
    result: PostgresResult

    def __init__(self, name: str, args: ManagedPostgresArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("data-platform:data:ManagedPostgres", name, None, opts)
        s, p, db = args.settings, args.ctx.provider, args.database
        # Only what connects as the master user (the bootstrap Job) waits for its Secret
        # (`db.ready`); the generated logins and PgBouncer's config need just the namespace.
        deps = [*args.depends_on, *db.ready]
        logins, role_secrets, passwords = create_logins(self, args.ctx, list(args.depends_on))
        admin = db.admin_secret
        labels = kube.labels("postgres", "bootstrap")

        env: list[dict[str, Any]] = [
            {"name": "HOME", "value": "/tmp"},
            {"name": "PGHOST", "value": db.host},
            {"name": "PGPORT", "value": str(db.port)},
            {"name": "PGDATABASE", "value": "postgres"},
            {"name": "PGSSLMODE", "value": db.sslmode},
            {"name": "PGUSER", "value_from": {"secret_key_ref": {"name": admin, "key": "username"}}},
            {"name": "PGPASSWORD", "value_from": {"secret_key_ref": {"name": admin, "key": "password"}}},
            *({"name": f"PW_{r.name.upper()}", "value_from": {"secret_key_ref": {"name": role_secret_name(r.name), "key": "password"}}} for r in ROLES),
        ]
        variables = " ".join(f'-v pw_{r.name}="$PW_{r.name.upper()}"' for r in ROLES)
        script = f"set -e\nuntil pg_isready -t 5; do sleep 5; done\npsql -v ON_ERROR_STOP=1 {variables} <<'SQL'\n{bootstrap_sql()}SQL\n"
        self.bootstrap = k8s.batch.v1.Job(
            "postgres-bootstrap",
            metadata={"namespace": STORAGE, "labels": labels},
            spec=kube.script_job_spec(
                labels=labels, container="psql", image=PSQL_IMAGE, script=script, uid=PSQL_UID, env=env,
                resources=kube.resources("50m", "64Mi", "500m", "128Mi"), backoff_limit=10,
            ),
            opts=kube.child(self, p, depends_on=[*role_secrets, *deps]),
        )

        # PgBouncer: config in a ConfigMap, client credentials in a Secret built from the generated passwords.
        userlist = pulumi.Output.all(*[passwords[r.name] for r in ROLES]).apply(
            lambda pws: "".join(f'"{r.name}" "{pw}"\n' for r, pw in zip(ROLES, pws))
        )
        users = platform_secret("pgbouncer-userlist", STORAGE, {"userlist.txt": pulumi.Output.secret(userlist)}, args.ctx,
                                parent=self, labels=kube.labels("postgres", "pooler"), depends_on=tuple(args.depends_on))
        config = k8s.core.v1.ConfigMap(
            "pgbouncer-config",
            metadata={"name": "pgbouncer", "namespace": STORAGE, "labels": kube.labels("postgres", "pooler")},
            data={"pgbouncer.ini": pulumi.Output.from_input(db.host).apply(lambda h: pgbouncer_ini(h, db.port, s))},
            opts=kube.child(self, p, depends_on=list(args.depends_on)),
        )
        select = kube.selector("postgres", "pooler")
        tcp = {"tcp_socket": {"port": "pgbouncer"}, "period_seconds": 10, "timeout_seconds": 3}
        deployment = k8s.apps.v1.Deployment(
            "pgbouncer",
            metadata={"name": PGBOUNCER, "namespace": STORAGE, "labels": kube.labels("postgres", "pooler")},
            spec={
                "replicas": s.pooler_instances,
                "selector": {"match_labels": select},
                "template": {"metadata": {"labels": kube.labels("postgres", "pooler")}, "spec": {
                    "automount_service_account_token": False,
                    "security_context": kube.pod_security(run_as_user=PGBOUNCER_UID, run_as_group=PGBOUNCER_GID),
                    "containers": [{
                        "name": "pgbouncer", "image": PGBOUNCER_IMAGE,
                        "command": ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"],
                        "ports": [{"name": "pgbouncer", "container_port": PGBOUNCER_PORT}],
                        "liveness_probe": {**tcp, "failure_threshold": 6},
                        "readiness_probe": {**tcp, "failure_threshold": 3},
                        "resources": kube.resources("100m", "128Mi", "1", "256Mi"),
                        "security_context": kube.container_security(read_only_root=True),
                        "volume_mounts": [
                            {"name": "config", "mount_path": "/etc/pgbouncer/pgbouncer.ini", "sub_path": "pgbouncer.ini", "read_only": True},
                            {"name": "users", "mount_path": "/etc/pgbouncer/secret", "read_only": True},
                        ],
                    }],
                    "volumes": [
                        {"name": "config", "config_map": {"name": config.metadata["name"]}},
                        {"name": "users", "secret": {"secret_name": users.metadata["name"], "default_mode": 0o440}},
                    ],
                }},
            },
            opts=kube.child(self, p, depends_on=[self.bootstrap, config, users]),
        )
        if s.pooler_instances > 1:
            k8s.policy.v1.PodDisruptionBudget(
                "pgbouncer-pdb",
                metadata={"name": PGBOUNCER, "namespace": STORAGE, "labels": kube.labels("postgres", "pooler")},
                spec={"max_unavailable": 1, "selector": {"match_labels": select}},
                opts=kube.child(self, p, depends_on=[deployment]),
            )
        service = k8s.core.v1.Service(
            "pgbouncer-service",
            metadata={"name": PGBOUNCER, "namespace": STORAGE, "labels": kube.labels("postgres", "pooler")},
            spec={"selector": select, "ports": [{"name": "postgres", "port": PGBOUNCER_PORT, "target_port": "pgbouncer"}]},
            opts=kube.child(self, p, depends_on=[deployment]),
        )
        self.result = PostgresResult(
            host=service.metadata.apply(lambda m: f"{m['name']}.{STORAGE}.svc.cluster.local"),
            port=PGBOUNCER_PORT,
            direct_host=db.host,
            direct_port=db.port,
            # PgBouncer serves no TLS (traffic stays in-cluster behind NetworkPolicies; PgBouncer ->
            # server is TLS); `prefer` also gets TLS on direct_host, which managed servers require.
            sslmode="prefer",
            logins=logins,
            pooler_selector=select,
            operator_namespace=None,  # no operator runs next to a managed server: nothing probes PgBouncer's status port
        )
        self.register_outputs({"host": self.result.host, "directHost": db.host})
