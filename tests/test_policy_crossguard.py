"""The pack as the Pulumi CLI runs it: `policy/__main__.py` started the way the CLI starts a Python
pack (`python -m pulumi.policy <engine> <pack dir>`), spoken to over the analyzer gRPC protocol.

There is no Pulumi CLI on the build machines; this drives the same process and protocol the
engine uses (GetAnalyzerInfo, Configure, Analyze, AnalyzeStack), with the prod plan's recorded
registrations as the engine would send them, and checks the CLI path finds exactly what the
offline plan finds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc

from conftest import ROOT
from policy import offline
from policy.rules import RULES
from policy.rules.model import UNKNOWN

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # the engine's unknown-string sentinel


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    # Under another directory name, as a published pack is unpacked: the pack must not depend on it.
    pack = tmp_path_factory.mktemp("packs") / "data-platform-0.1.0"
    shutil.copytree(ROOT / "policy", pack, ignore=shutil.ignore_patterns("venv", "__pycache__"))
    proc = subprocess.Popen([sys.executable, "-m", "pulumi.policy", "127.0.0.1:0", str(pack)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = proc.stdout.readline().strip()
        assert port.isdigit(), proc.stderr.read()
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        proc.kill()
        proc.wait()


def _struct(value: dict) -> struct_pb2.Struct:
    def engine(v):  # the plan's "[unknown]" marker back to the engine's sentinel
        if v == UNKNOWN:
            return UNKNOWN_STRING
        if isinstance(v, dict):
            return {k: engine(x) for k, x in v.items()}
        if isinstance(v, list):
            return [engine(x) for x in v]
        return v

    s = struct_pb2.Struct()
    s.update(engine(value))
    return s


def _request(reg, by_urn, cls=pb.AnalyzeRequest, **extra):
    provider = by_urn.get((reg.provider or "").rsplit("::", 1)[0])
    kw = {"type": reg.type, "name": reg.name, "urn": reg.urn, "properties": _struct(reg.inputs),
          "options": pb.AnalyzerResourceOptions(protect=reg.protect, parent=reg.parent), **extra}
    if provider:
        kw["provider"] = pb.AnalyzerProviderResource(type=provider.type, name=provider.name, urn=provider.urn, properties=_struct(provider.inputs))
    return cls(**kw)


def _findings(response) -> list[tuple[str, str, str]]:
    return sorted((d.policyName, d.urn, d.message.split("\n", 1)[1]) for d in response.diagnostics)


def _one(type_: str, props: dict, protect: bool = False):
    class Reg:  # the shape of a recorded registration
        pass

    r = Reg()
    r.type, r.name, r.urn, r.inputs, r.protect, r.parent, r.provider = type_, "x", f"urn:pulumi:s::p::{type_}::x", props, protect, "", ""
    return r


def test_the_pack_describes_every_policy_with_its_level_and_config_schema(analyzer):
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "data-platform" and info.supportsConfig
    described = {p.name: p for p in info.policies}
    assert set(described) == {r.name for r in RULES}
    for rule in RULES:
        p = described[rule.name]
        assert p.enforcementLevel == {"mandatory": pb.MANDATORY, "advisory": pb.ADVISORY}[rule.level]
        assert p.policy_type == (pb.POLICY_TYPE_STACK if rule.scope == "stack" else pb.POLICY_TYPE_RESOURCE)
        assert set(json_format.MessageToDict(p.configSchema).get("properties", {})) == set(rule.properties)


def test_a_public_database_is_a_mandatory_violation_and_config_can_downgrade_it(analyzer):
    bad = _request(_one("aws:rds/instance:Instance", {"publiclyAccessible": True, "storageEncrypted": True, "kmsKeyId": "k"}), {})
    diags = [d for d in analyzer.Analyze(bad).diagnostics if d.policyName == "no-public-database"]
    assert [d.enforcementLevel for d in diags] == [pb.MANDATORY]
    good = _request(_one("aws:rds/instance:Instance", {"publiclyAccessible": False, "storageEncrypted": True, "kmsKeyId": "k"}), {})
    assert [d for d in analyzer.Analyze(good).diagnostics if d.policyName == "no-public-database"] == []

    props = struct_pb2.Struct()
    analyzer.Configure(pb.ConfigureAnalyzerRequest(policyConfig={"no-public-database": pb.PolicyConfig(enforcementLevel=pb.ADVISORY, properties=props)}))
    try:
        diags = [d for d in analyzer.Analyze(bad).diagnostics if d.policyName == "no-public-database"]
        assert [d.enforcementLevel for d in diags] == [pb.ADVISORY]
    finally:
        analyzer.Configure(pb.ConfigureAnalyzerRequest(policyConfig={}))


def test_values_unknown_during_preview_are_not_errors(analyzer):
    """The SDK turns a read of an unknown into a "can't run policy during preview" diagnostic; the
    pack reads plain values, so an unknown image or key id neither errors nor violates."""
    deployment = {"spec": {"template": {"spec": {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "image": UNKNOWN, "readinessProbe": {"exec": {}}, "livenessProbe": {"exec": {}},
                        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}}]}}},
        "metadata": {"labels": {"app.kubernetes.io/part-of": "data-platform", "app.kubernetes.io/managed-by": "pulumi"}}}
    response = analyzer.Analyze(_request(_one("kubernetes:apps/v1:Deployment", deployment), {}))
    assert _findings(response) == []
    response = analyzer.Analyze(_request(_one("aws:rds/instance:Instance", {"publiclyAccessible": False, "storageEncrypted": True, "kmsKeyId": UNKNOWN,
                                                                                      "tags": UNKNOWN}), {}))
    assert _findings(response) == []


def test_the_cli_path_finds_exactly_what_the_offline_plan_finds_on_prod(analyzer, plan_stack):
    result = plan_stack("prod")
    regs = result.registrations
    by_urn = {r.urn: r for r in regs}
    cli = []
    for reg in regs:
        cli += _findings(analyzer.Analyze(_request(reg, by_urn)))
    stack = pb.AnalyzeStackRequest(resources=[
        _request(r, by_urn, pb.AnalyzerResource, dependencies=r.dependencies,
                 propertyDependencies={k: pb.AnalyzerPropertyDependencies(urns=v) for k, v in r.property_dependencies.items()})
        for r in regs])
    cli += _findings(analyzer.AnalyzeStack(stack))
    # Resource policies report against the analyzed resource (urn ""), so compare on messages.
    offline_findings = sorted((f.policy, f.message) for f in offline.evaluate(offline.from_registrations(regs)).findings)
    assert sorted((p, m) for p, _, m in cli) == offline_findings
    assert offline_findings  # the advisories: the comparison is not between two empty lists


def test_stack_policies_report_the_same_resources_over_grpc(analyzer, plan_stack):
    """prod with every `protect` dropped: the stack policy names the same URNs on both paths."""
    regs = [replace(r, protect=False) for r in plan_stack("prod").registrations]
    by_urn = {r.urn: r for r in regs}
    stack = pb.AnalyzeStackRequest(resources=[
        _request(r, by_urn, pb.AnalyzerResource,
                 propertyDependencies={k: pb.AnalyzerPropertyDependencies(urns=v) for k, v in r.property_dependencies.items()})
        for r in regs])
    cli = [f for f in _findings(analyzer.AnalyzeStack(stack)) if f[0] == "stateful-resources-protected"]
    expected = sorted((f.policy, f.urn, f.message) for f in offline.evaluate(offline.from_registrations(regs)).findings
                      if f.policy == "stateful-resources-protected")
    assert cli == expected
    assert len(expected) >= 14  # RDS, EKS, 6 buckets, 5 KMS keys and the Elasticsearch CR
