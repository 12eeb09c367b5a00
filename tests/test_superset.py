"""Superset: replicas per env/config, init Job, probes/resources/security, no plaintext secret."""

from __future__ import annotations

import json
import sys
import types
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.apps.superset import config as cfg
from components.apps.superset import workloads as w
from tests.app_harness import plan, secret_results

DEP = "kubernetes:apps/v1:Deployment"
STS = "kubernetes:apps/v1:StatefulSet"
JOB = "kubernetes:batch/v1:Job"


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    def get(config):
        return plan(config, tmp_path_factory.mktemp("superset"))
    return get


def dep(p, name):
    return p.one(DEP, name).inputs


def pod(obj):
    return obj["spec"]["template"]["spec"]


@pytest.mark.parametrize("env,web,worker", [("dev", 1, 1), ("staging", 2, 1), ("prod", 2, 2)])
def test_replicas_per_environment(plans, env, web, worker):
    p = plans({"environment": env, **({"acmeEmail": "ops@example.com"} if env != "dev" else {})})
    assert dep(p, "superset-web")["spec"]["replicas"] == web
    assert dep(p, "superset-worker")["spec"]["replicas"] == worker
    assert dep(p, "superset-beat")["spec"]["replicas"] == 1


def test_web_replicas_reach_the_seeds_four_by_config(plans):
    p = plans({"environment": "prod", "acmeEmail": "ops@example.com", "superset": {"webReplicas": 4}})
    assert dep(p, "superset-web")["spec"]["replicas"] == 4
    pdb = p.one("kubernetes:policy/v1:PodDisruptionBudget", "superset-web-pdb").inputs
    assert pdb["spec"]["minAvailable"] == 1


def test_web_runs_gunicorn_never_the_dev_server(plans):
    p = plans({"environment": "dev"})
    c = pod(dep(p, "superset-web"))["containers"][0]
    assert c["command"][0] == "gunicorn" and c["command"][-1] == "superset.app:create_app()"
    blob = json.dumps([r.inputs for r in p.registrations])
    assert "superset run" not in blob and '"run", "-h"' not in blob


def test_image_is_the_configured_version(plans):
    p = plans({"environment": "dev"})
    assert pod(dep(p, "superset-web"))["containers"][0]["image"] == "apache/superset:3.0.0"
    p2 = plans({"environment": "dev", "superset": {"version": "4.1.1"}})
    spec = pod(dep(p2, "superset-web"))
    assert spec["containers"][0]["image"] == "apache/superset:4.1.1"
    # 4.1+ images ship no PostgreSQL driver: an init container installs it on PYTHONPATH.
    init = spec["initContainers"][0]
    assert cfg.PSYCOPG2 in init["command"]
    env = {e["name"]: e.get("value") for e in spec["containers"][0]["env"]}
    assert env["PYTHONPATH"].startswith(w.EXTRA_DIR)


def test_init_job_migrates_creates_admin_from_secret_and_inits(plans):
    p = plans({"environment": "dev"})
    jobs = [r for r in p.by_type(JOB) if r.name == "superset-init"]
    job = jobs[0].inputs
    assert job["metadata"]["name"] == "superset-init-3-0-0"
    c = pod(job)["containers"][0]
    script = c["command"][-1]
    order = [script.index("superset db upgrade"), script.index("superset fab create-admin"), script.index("superset init")]
    assert order == sorted(order)
    assert '--password "$ADMIN_PASSWORD"' in script
    env = {e["name"]: e for e in c["env"]}
    assert env["ADMIN_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "superset-secrets", "key": "admin-password"}
    assert "value" not in env["ADMIN_PASSWORD"]
    # Migrations bypass the pooler.
    web_env = {e["name"]: e.get("value") for e in pod(dep(p, "superset-web"))["containers"][0]["env"]}
    assert env["DATABASE_HOST"]["value"] != web_env["DATABASE_HOST"]
    assert pod(job)["restartPolicy"] == "OnFailure"
    # Web, worker and beat wait for the Job.
    for name in ("superset-web", "superset-worker", "superset-beat"):
        assert jobs[0].urn in p.one(DEP, name).dependencies


def _containers(p):
    for r in p.registrations:
        if r.type in (DEP, STS, JOB) and r.inputs.get("metadata", {}).get("name", "").startswith("superset"):
            spec = pod(r.inputs)
            for c in spec.get("initContainers", []) + spec["containers"]:
                yield r, spec, c


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_container_has_resources_security_and_probes(plans, env):
    p = plans({"environment": env, **({"acmeEmail": "ops@example.com"} if env != "dev" else {}), "superset": {"version": "4.1.1"}})
    seen = 0
    for r, spec, c in _containers(p):
        seen += 1
        where = f"{r.name}/{c['name']}"
        res = c["resources"]
        assert {"cpu", "memory"} <= set(res["requests"]) and {"cpu", "memory"} <= set(res["limits"]), where
        sec = c["securityContext"]
        assert sec["allowPrivilegeEscalation"] is False and sec["capabilities"] == {"drop": ["ALL"]}, where
        assert sec["readOnlyRootFilesystem"] is True and sec["runAsNonRoot"] is True, where
        assert sec["seccompProfile"] == {"type": "RuntimeDefault"}, where
        psec = spec["securityContext"]
        assert psec["runAsNonRoot"] is True and psec["runAsUser"] != 0, where
        is_init = c in spec.get("initContainers", [])
        if r.type != JOB and not is_init:
            assert "livenessProbe" in c and "readinessProbe" in c, where
    assert seen >= 6


def test_web_probes_hit_health_on_8088(plans):
    c = pod(dep(plans({"environment": "dev"}), "superset-web"))["containers"][0]
    ports = {pt["name"]: pt["containerPort"] for pt in c["ports"]}
    assert ports == {"http": 8088}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert c[probe]["httpGet"] == {"path": "/health", "port": "http"}


def test_redis_is_persistent_only_in_prod(plans):
    prod = plans({"environment": "prod", "acmeEmail": "ops@example.com"}).one(STS, "superset-redis-sts").inputs
    claims = prod["spec"]["volumeClaimTemplates"]
    assert claims[0]["metadata"]["name"] == "data" and claims[0]["spec"]["resources"]["requests"]["storage"] == "8Gi"
    dev = plans({"environment": "dev"}).one(STS, "superset-redis-sts").inputs
    assert not dev["spec"].get("volumeClaimTemplates")
    assert any(v["name"] == "data" and "emptyDir" in v for v in pod(dev)["volumes"])
    c = pod(dev)["containers"][0]
    assert c["image"] == "valkey/valkey:8.0.2"
    assert "requirepass" in c["command"][-1] and "$REDIS_PASSWORD" in c["command"][-1]


def test_secrets_are_generated_and_never_in_plaintext(plans):
    p = plans({"environment": "prod", "acmeEmail": "ops@example.com"})
    secret = p.one("kubernetes:core/v1:Secret", "superset-secrets").inputs
    assert secret["stringData"] == "[secret]"
    cm = p.one("kubernetes:core/v1:ConfigMap", "superset-config").inputs
    assert "SECRET_KEY = _env(\"SUPERSET_SECRET_KEY\")" in cm["data"]["superset_config.py"]
    fakes = secret_results(p.registrations)
    assert len([r for r in p.registrations if r.name.startswith("superset-") and r.type.startswith("random:")]) == 3
    blob = json.dumps([r.inputs for r in p.registrations]) + json.dumps(p.outputs)
    for fake in fakes:
        assert fake not in blob
    # Every credential variable comes from a Secret reference.
    for _, _, c in _containers(p):
        for e in c.get("env", []):
            if any(w_ in e["name"] for w_ in ("PASSWORD", "SECRET_KEY", "AUTH")):
                assert "valueFrom" in e and "value" not in e, e["name"]


def _load_config(env: dict[str, str]) -> dict:
    """Execute superset_config.py with stand-ins for the modules only the image has."""
    fake_cachelib = types.ModuleType("cachelib.redis")
    fake_cachelib.RedisCache = lambda **kw: ("RedisCache", kw)
    fake_celery = types.ModuleType("celery.schedules")
    fake_celery.crontab = lambda **kw: ("crontab", kw)
    mods = {"cachelib": types.ModuleType("cachelib"), "cachelib.redis": fake_cachelib,
            "celery": types.ModuleType("celery"), "celery.schedules": fake_celery}
    saved = {k: sys.modules.get(k) for k in mods}
    import os
    old_env = dict(os.environ)
    try:
        sys.modules.update(mods)
        os.environ.update(env)
        ns: dict = {}
        exec(compile(cfg.SUPERSET_CONFIG, "superset_config.py", "exec"), ns)
        return ns
    finally:
        os.environ.clear()
        os.environ.update(old_env)
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


@settings(max_examples=60, deadline=None)
@given(user=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=20),
       password=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40))
def test_database_uri_round_trips_any_credentials(user, password):
    ns = _load_config({
        "SUPERSET_SECRET_KEY": "k", "DATABASE_USER": user, "DATABASE_PASSWORD": password,
        "DATABASE_HOST": "db.example", "DATABASE_PORT": "6432", "DATABASE_DB": "superset",
        "DATABASE_SSLMODE": "require", "REDIS_HOST": "r", "REDIS_PASSWORD": password,
    })
    u = urlsplit(ns["SQLALCHEMY_DATABASE_URI"])
    assert u.scheme == "postgresql+psycopg2" and u.hostname == "db.example" and u.port == 6432
    assert unquote(u.username) == user and unquote(u.password) == password
    assert u.path == "/superset" and u.query == "sslmode=require"
    assert ns["CeleryConfig"].broker_url.endswith("@r:6379/0")
    assert ns["SESSION_COOKIE_SECURE"] is True and ns["ENABLE_PROXY_FIX"] is True


@given(st.tuples(st.integers(0, 9), st.integers(0, 20), st.integers(0, 20)))
def test_psycopg2_is_added_exactly_from_4_1(v):
    version = ".".join(map(str, v))
    pkgs = cfg.effective_pip_packages(version, ())
    assert (cfg.PSYCOPG2 in pkgs) == (v[:2] >= (4, 1))
    assert cfg.effective_pip_packages(version, ("psycopg2-binary==2.9.9",)).count("psycopg2-binary==2.9.9") == 1
    assert cfg.PSYCOPG2 not in cfg.effective_pip_packages(version, ("psycopg2-binary==2.9.9",))


def test_bad_sizing_is_rejected_with_the_key(tmp_path):
    from offline_plan.runner import PlanError
    from tests.conftest import run_config

    with pytest.raises(PlanError, match=r"superset\.webCpuRequest"):
        run_config({"superset": {"webCpuRequest": "4", "webCpuLimit": "2"}}, tmp_path)
    with pytest.raises(PlanError, match=r"superset\.version"):
        run_config({"superset": {"version": "latest"}}, tmp_path)


@pytest.mark.parametrize("config", [
    {"environment": "prod", "acmeEmail": "ops@example.com", "tlsIssuer": "letsencrypt-prod", "domain": "data.example.com",
     "superset": {"version": "4.1.1", "webReplicas": 4}},
    {"environment": "dev"},
])
def test_my_manifests_validate_against_the_kubernetes_schema(plans, config):
    from offline_plan import manifests
    from offline_plan.validate import validate

    p = plans(config)
    mine = [o for o in manifests.objects(p)
            if str(o.get("metadata", {}).get("name", "")).startswith(("superset", "airbyte", "data-platform", "traefik", "cert-manager"))]
    assert len(mine) >= 12
    report = validate(mine, "1.34")
    assert report.errors == []
    assert report.validated >= 8  # Deployments, StatefulSet, Job, Services, Secret, ConfigMap, HPA, HTTPRoutes, Gateway, Namespaces
