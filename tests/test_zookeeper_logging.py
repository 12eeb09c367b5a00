"""ZooKeeper logs at INFO (issue 12 item 3): the writable emptyDir on /conf hides the official
image's conf/logback.xml, and logback without a configuration logs everything at DEBUG. The
ensemble gets its own logback.xml on /conf (found on the classpath, which zkEnv.sh starts
with $ZOOCFGDIR=/conf), while /conf stays writable for the zoo.cfg the entrypoint writes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

STS = "kubernetes:apps/v1:StatefulSet"
CM = "kubernetes:core/v1:ConfigMap"


@pytest.fixture(scope="module")
def staging(plan_config):
    return plan_config({"environment": "staging", "acmeEmail": "ops@example.com"})


def test_zookeeper_reads_an_info_console_logback_from_conf(staging):
    spec = staging.one(STS, "dremio-zk").inputs["spec"]["template"]["spec"]
    (zk,) = spec["containers"]
    mounts = {m["mountPath"]: m for m in zk["volumeMounts"]}
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert "emptyDir" in volumes[mounts["/conf"]["name"]]  # the entrypoint still writes zoo.cfg
    logback = mounts["/conf/logback.xml"]
    assert logback["subPath"] == "logback.xml" and logback["readOnly"] is True
    cm_name = volumes[logback["name"]]["configMap"]["name"]
    (cm,) = [r for r in staging.by_type(CM) if r.inputs["metadata"]["name"] == cm_name]
    root = ET.fromstring(cm.inputs["data"]["logback.xml"])
    assert root.find("root").get("level") == "INFO"
    appenders = {a.get("name"): a for a in root.findall("appender")}
    (ref,) = [r.get("ref") for r in root.find("root").findall("appender-ref")]
    assert appenders[ref].get("class") == "ch.qos.logback.core.ConsoleAppender"
    assert appenders[ref].find("filter/level").text == "INFO"


def test_a_new_logging_configuration_restarts_the_members(staging):
    annotations = staging.one(STS, "dremio-zk").inputs["spec"]["template"]["metadata"]["annotations"]
    assert len(annotations["data-platform/logging-checksum"]) == 16
