"""Pure rendering of Dremio's configuration: dremio.conf, core-site.xml and the JVM flags.

Nothing here touches Pulumi, so it is property-tested directly (tests/test_dremio_config.py).

Roles are *not* set in dremio.conf nor with the environment variables the seed shows
(`DREMIO_COORDINATOR`, `DREMIO_MASTER_HOST` do not exist): like Dremio's own dremio_v2 Helm
chart, every pod shares one dremio.conf and gets its role from `-D` system properties in
`DREMIO_JAVA_SERVER_EXTRA_OPTS`, which override the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Optional
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from settings.sections.dremio import S3_PROFILE_PROVIDER, MemoryPlan

from . import azure_storage, gcs, s3_identity

Role = Literal["master", "executor"]

WEB_PORT = 9047
CLIENT_PORT = 31010
FLIGHT_PORT = 32010
FABRIC_PORT = 45678
CONDUIT_PORT = 45679
ZK_CLIENT_PORT = 2181
ZK_PEER_PORT = 2888
ZK_ELECTION_PORT = 3888

S3A_SIMPLE = "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
ACCESS_KEY_ENV = "AWS_ACCESS_KEY_ID"
SECRET_KEY_ENV = "AWS_SECRET_ACCESS_KEY"


DIST_SCHEMES = ("dremioS3", gcs.SCHEME)


def dist_uri(bucket: str, path: str, scheme: str = "dremioS3") -> str:
    """`<scheme>:///<bucket>/<path>`: Dremio's S3 (`dremioS3`) or Cloud Storage (`dremiogcs`)
    filesystem scheme for distributed storage."""
    if not bucket or "/" in bucket:
        raise ValueError(f"bad bucket name {bucket!r}")
    if scheme not in DIST_SCHEMES:
        raise ValueError(f"unknown distributed storage scheme {scheme!r}")
    path = path.strip("/")
    return f"{scheme}:///{bucket}/{path}" if path else f"{scheme}:///{bucket}"


DIST_PREFIXES = (*(f"{scheme}:///" for scheme in DIST_SCHEMES), f"{azure_storage.SCHEME}://:///")


def render_dremio_conf(dist: str) -> str:
    """dremio.conf shared by every role (roles come from -D flags, see `role_flags`).

    Only keys Dremio knows: it refuses to start on unknown properties, which is why the seed's
    `services.*.heap_memory_mb` and `reflection.refresh.*` lines are not here (docs/dremio.md).
    """
    if not dist.startswith(DIST_PREFIXES):
        raise ValueError("dist must be a dremioS3:///, dremiogcs:/// or dremioAzureStorage://:/// URI")
    return (
        "# Rendered by data-platform (components/apps/dremio/config.py). Roles are set per pod with\n"
        "# -Dservices.* flags in DREMIO_JAVA_SERVER_EXTRA_OPTS, which override this file.\n"
        "paths: {\n"
        '  local: ${DREMIO_HOME}"/data"\n'
        f'  dist: "{dist}"\n'
        '  results: "pdfs://"${paths.local}"/results"\n'
        "}\n"
        "services: {\n"
        f"  coordinator.web.port: {WEB_PORT}\n"
        f"  coordinator.client-endpoint.port: {CLIENT_PORT}\n"
        f"  flight.port: {FLIGHT_PORT}\n"
        f"  fabric.port: {FABRIC_PORT}\n"
        "}\n"
    )


@dataclass(frozen=True)
class S3Access:
    """How Dremio reaches the bucket holding its distributed storage."""

    endpoint: Optional[str]
    """http(s)://host:port of an S3-compatible store (MinIO); None: AWS S3's regional endpoint."""
    path_style: bool
    region: Optional[str]
    static_keys: bool
    """True: keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the pod environment
    (mounted from the object store's credentials Secret). False: workload identity."""
    credentials_provider: str = S3_PROFILE_PROVIDER
    """Without keys: one of the providers Dremio's S3 file system accepts (s3_identity.py)."""


def _prop(name: str, value: str, doc: str) -> str:
    return (
        "  <property>\n"
        f"    <name>{escape(name)}</name>\n"
        f"    <value>{escape(value)}</value>\n"
        f"    <description>{escape(doc)}</description>\n"
        "  </property>\n"
    )


def core_site_properties(s3: S3Access) -> dict[str, str]:
    props = {"fs.dremioS3.impl": "com.dremio.plugins.s3.store.S3FileSystem"}
    if s3.static_keys:
        props["fs.s3a.aws.credentials.provider"] = S3A_SIMPLE
        # Hadoop's Configuration expands ${env.NAME}: the keys stay in the Secret, never in the ConfigMap.
        props["fs.s3a.access.key"] = "${env." + ACCESS_KEY_ENV + "}"
        props["fs.s3a.secret.key"] = "${env." + SECRET_KEY_ENV + "}"
    else:
        props.update(s3_identity.core_site(s3.credentials_provider))
    if s3.endpoint:
        parts = urlsplit(s3.endpoint if "://" in s3.endpoint else f"http://{s3.endpoint}")
        if not parts.hostname:
            raise ValueError(f"bad object store endpoint {s3.endpoint!r}")
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        props["fs.s3a.endpoint"] = f"{parts.hostname}:{port}"
        props["fs.s3a.connection.ssl.enabled"] = "true" if secure else "false"
        props["dremio.s3.compat"] = "true"
    if s3.path_style:
        props["fs.s3a.path.style.access"] = "true"
    if s3.region:
        props["fs.s3a.endpoint.region"] = s3.region
    return props


_DOCS = {
    "fs.dremioS3.impl": "Dremio's S3 filesystem for dremioS3:/// paths.",
    "fs.s3a.aws.credentials.provider": "Where S3 credentials come from.",
    "com.dremio.awsProfile": "AWS profile (web identity) written by the aws-profile init container.",
    "fs.s3a.access.key": "Access key, expanded from the pod environment (Secret).",
    "fs.s3a.secret.key": "Secret key, expanded from the pod environment (Secret).",
    "fs.s3a.endpoint": "S3-compatible endpoint (host:port).",
    "fs.s3a.connection.ssl.enabled": "TLS to the endpoint.",
    "dremio.s3.compat": "S3-compatible (non-AWS) store.",
    "fs.s3a.path.style.access": "Path-style bucket addressing (MinIO).",
    "fs.s3a.endpoint.region": "Bucket region.",
}


def render_core_site(access: S3Access | gcs.GcsAccess | azure_storage.AzureAccess) -> str:
    props = core_site_properties(access) if isinstance(access, S3Access) else access.properties()
    body = "".join(_prop(k, v, _DOCS.get(k) or gcs.DOCS.get(k) or azure_storage.DOCS.get(k, "")) for k, v in props.items())
    return '<?xml version="1.0"?>\n<configuration>\n' + body + "</configuration>\n"


def zookeeper_connect(hosts: Sequence[str], port: int = ZK_CLIENT_PORT) -> str:
    if not hosts:
        raise ValueError("at least one ZooKeeper host")
    return ",".join(f"{h}:{port}" for h in hosts)


def role_flags(role: Role, zookeeper: str, embedded_zookeeper: bool, memory: MemoryPlan) -> list[str]:
    """The -D flags (and -Xms) that make a pod a master coordinator or an executor."""
    if role not in ("master", "executor"):
        raise ValueError(f"unknown role {role!r}")
    master = role == "master"
    return [
        f"-Dzookeeper={zookeeper}",
        f"-Dservices.coordinator.enabled={'true' if master else 'false'}",
        f"-Dservices.coordinator.master.enabled={'true' if master else 'false'}",
        f"-Dservices.coordinator.master.embedded-zookeeper.enabled={'true' if master and embedded_zookeeper else 'false'}",
        f"-Dservices.executor.enabled={'false' if master else 'true'}",
        f"-Dservices.conduit.port={CONDUIT_PORT}",
        f"-Xms{memory.initial_heap_mb}m",
    ]


def heap_dump_flags(enabled: bool, data_dir: str) -> list[str]:
    """bin/dremio starts the JVM with `-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=$DREMIO_LOG_DIR`
    (an emptyDir here: a heap-sized dump gets the pod evicted and is lost with it), then appends
    DREMIO_JAVA_SERVER_EXTRA_OPTS, and the JVM keeps the last value of a flag. So: dumps go to
    the persistent data volume (`java_pid<pid>.hprof`; an existing file is never overwritten, so
    a crash loop writes one dump), or are turned off."""
    if not enabled:
        return ["-XX:-HeapDumpOnOutOfMemoryError"]
    return ["-XX:+HeapDumpOnOutOfMemoryError", f"-XX:HeapDumpPath={data_dir}"]


def memory_env(memory: MemoryPlan) -> dict[str, str]:
    """dremio-env variables the image's start script turns into -Xmx and -XX:MaxDirectMemorySize."""
    return {
        "DREMIO_MAX_HEAP_MEMORY_SIZE_MB": str(memory.heap_mb),
        "DREMIO_MAX_DIRECT_MEMORY_SIZE_MB": str(memory.direct_mb),
    }
