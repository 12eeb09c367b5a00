"""The data lake (bronze, silver, gold) as a Dremio S3 source, registered by the bootstrap Job.

`source_config` is the source's `config` without keys (pure, tested); with keys (MinIO) the Job
adds them from its environment (secretKeyRef on the object store's credentials Secret) inside
the pod, so no key is in a manifest. Without keys (workload identity, `keyless_provider`) the
source uses the same identity as Dremio's distributed store: `credentialType: AWS_PROFILE` on the
profile the Dremio pods write (s3_identity.py), or `EC2_METADATA`. Field names are Dremio's S3 plugin configuration
(`AbstractS3PluginConfig` / `S3PluginConfig` in dremio-oss): `credentialType`
`ACCESS_KEY` with `accessKey`/`accessSecret`, `secure`, `rootPath`, `compatibilityMode` (an
S3-compatible store such as MinIO: no STS `GetCallerIdentity` check), `whitelistedBuckets`
(only these buckets are listed, not every bucket the keys could see) and `propertyList`
(`fs.s3a.*` overrides: endpoint, path-style addressing).

REGISTER_SCRIPT runs in the Job (python image, standard library only): log in as the admin,
`GET /api/v3/catalog/by-path/<name>`; absent -> `POST /api/v3/catalog`; present -> `PUT
/api/v3/catalog/<id>` with its `tag` (so a changed endpoint or bucket list is applied on the
next run). Idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional
from urllib.parse import urlsplit

from . import s3_identity

SOURCE_NAME = "lake"
LAKE_BUCKETS = ("bronze", "silver", "gold")


def source_config(*, endpoint: Optional[str], path_style: bool, region: Optional[str], buckets: Sequence[str],
                  keyless_provider: Optional[str] = None) -> dict[str, Any]:
    """The S3 source's `config` for the lake buckets: `ACCESS_KEY` (the Job adds the keys), or
    with `keyless_provider` (dremio.s3CredentialsProvider) the matching keyless credential type."""
    if not buckets:
        raise ValueError("the lake source needs at least one bucket")
    props: list[dict[str, str]] = []
    secure = True
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"http://{endpoint}")
        if not parts.hostname:
            raise ValueError(f"bad object store endpoint {endpoint!r}")
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        props.append({"name": "fs.s3a.endpoint", "value": f"{parts.hostname}:{port}"})
    if path_style:
        props.append({"name": "fs.s3a.path.style.access", "value": "true"})
    if region:
        props.append({"name": "fs.s3a.endpoint.region", "value": region})
    credentials = s3_identity.source_credentials(keyless_provider) if keyless_provider else {"credentialType": "ACCESS_KEY"}
    return {
        **credentials,
        "secure": secure,
        "rootPath": "/",
        # dbt materialises tables into the lake (CTAS); Dremio OSS has no per-user grants.
        "allowCreateDrop": True,
        # An S3-compatible endpoint has no STS: compatibility mode skips the credentials check.
        "compatibilityMode": bool(endpoint),
        "whitelistedBuckets": list(buckets),
        "propertyList": props,
        "defaultCtasFormat": "ICEBERG",
    }


def source_body(config: dict[str, Any], name: str = SOURCE_NAME, source_type: str = "S3") -> dict[str, Any]:
    """The `POST /api/v3/catalog` body (with keys, the Job adds `accessKey`/`accessSecret` to
    `config`; with an Entra application (azure_storage.py) it adds `clientSecret`; a GCS source
    (gcs.py) has none)."""
    return {"entityType": "source", "name": name, "type": source_type, "config": config}


REGISTER_SCRIPT = r'''
import json, os, sys, time, urllib.error, urllib.request

API = "http://%s:%s" % (os.environ["DREMIO_HOST"], os.environ["DREMIO_PORT"])


def call(method, path, body=None, token=None):
    req = urllib.request.Request(API + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "_dremio" + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


while True:
    try:
        if call("GET", "/apiv2/server_status")[0] == 200:
            break
    except OSError:
        pass
    print("waiting for Dremio at " + API, flush=True)
    time.sleep(10)
code, login = call("POST", "/apiv2/login", {"userName": os.environ["ADMIN_USER"], "password": os.environ["ADMIN_PASSWORD"]})
if code != 200:
    sys.exit("admin login answered HTTP %d (the first-user step runs before this one)" % code)
token = login["token"]
body = json.loads(os.environ["LAKE_SOURCE"])
config = body["config"]
if config.get("credentialType") == "ACCESS_KEY":  # a GCS source (authMode AUTO) has no key
    body["config"]["accessKey"] = os.environ["LAKE_ACCESS_KEY"]
    body["config"]["accessSecret"] = os.environ["LAKE_SECRET_KEY"]
code, found = call("GET", "/api/v3/catalog/by-path/" + body["name"], token=token)
if code == 200:
    body.update({"id": found["id"], "tag": found["tag"]})
    code, answer = call("PUT", "/api/v3/catalog/" + found["id"], body, token)
    verb = "updated"
elif code == 404:
    code, answer = call("POST", "/api/v3/catalog", body, token)
    verb = "created"
else:
    sys.exit("looking up source %s answered HTTP %d" % (body["name"], code))
if code != 200:
    sys.exit("registering source %s answered HTTP %d: %s" % (body["name"], code, answer.get("errorMessage", "")))
print("source %s %s (buckets: %s; credentials: %s)" % (body["name"], verb, ", ".join(config.get("whitelistedBuckets") or config.get("bucketWhitelist") or []),
                                                       config.get("credentialType") or config.get("authMode")))
'''
"""Run with `python -c`. Never prints a key: only the source name, buckets and HTTP codes."""

_KEY_STEP = '''    body["config"]["accessSecret"] = os.environ["LAKE_SECRET_KEY"]
'''
_CLIENT_SECRET_STEP = '''elif config.get("credentialsType") == "AZURE_ACTIVE_DIRECTORY":  # an Entra application (azure_storage.py)
    body["config"]["clientSecret"] = os.environ["LAKE_CLIENT_SECRET"]
'''
_REPORT = 'config.get("whitelistedBuckets") or config.get("bucketWhitelist") or []'


def register_script(client_secret: bool = False) -> str:
    """REGISTER_SCRIPT; with `client_secret` (an Azure Storage source) it also adds `clientSecret`
    from LAKE_CLIENT_SECRET and reports the source's `containers` and `credentialsType`. The S3
    and GCS script stays as it was, so their Jobs do not change."""
    if not client_secret:
        return REGISTER_SCRIPT
    assert _KEY_STEP in REGISTER_SCRIPT and _REPORT in REGISTER_SCRIPT
    return (REGISTER_SCRIPT.replace(_KEY_STEP, _KEY_STEP + _CLIENT_SECRET_STEP)
            .replace(_REPORT, 'config.get("containers") or []')
            .replace('config.get("credentialType") or config.get("authMode")', 'config.get("credentialsType")'))
