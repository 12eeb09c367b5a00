"""Pure helpers of clouds/aws: names, partitions, kubeconfig, policy documents, RDS units."""

from __future__ import annotations

import json

import pytest

from clouds.aws.cluster_services import lbc_policy, nlb_annotations
from clouds.aws.database import postgres_parameters
from clouds.aws.datalake import bucket_name
from clouds.aws.eks import kubeconfig
from clouds.aws.stack import partition_of
from clouds.aws.versions import UnpinnedVersion, addon_versions


@pytest.mark.parametrize("region,partition", [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")])
def test_partition_of_region(region, partition):
    assert partition_of(region) == partition


def test_lbc_policy_follows_the_partition():
    doc = lbc_policy("aws-cn")
    assert "arn:aws:" not in doc and "arn:aws-cn:elasticloadbalancing" in doc
    json.loads(doc)


def test_bucket_names_are_unique_per_account_and_bounded():
    assert bucket_name("data-platform", "prod", "bronze", "123456789012") == "data-platform-prod-bronze-123456789012"
    with pytest.raises(ValueError, match="longer than 63"):
        bucket_name("data-platform", "a-very-long-stack-name-for-testing", "access-logs", "123456789012")


def test_kubeconfig_authenticates_with_the_aws_cli_and_holds_no_credential():
    cfg = json.loads(kubeconfig("prod-eks", "https://x.eks.amazonaws.com", "Q0E=", "eu-west-1"))
    user = cfg["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["args"] == ["eks", "get-token", "--cluster-name", "prod-eks", "--region", "eu-west-1", "--output", "json"]
    assert cfg["current-context"] == "prod-eks"


@pytest.mark.parametrize(
    "shared,cache,work,maint,pages_shared,pages_cache,kib_work,kib_maint",
    [("4Gi", "12Gi", "64Mi", "1Gi", 524288, 1572864, 65536, 1048576), ("1Gi", "3Gi", "16Mi", "256Mi", 131072, 393216, 16384, 262144)],
)
def test_postgres_parameters_in_rds_units(shared, cache, work, maint, pages_shared, pages_cache, kib_work, kib_maint):
    params = {p["name"]: p["value"] for p in postgres_parameters(shared, cache, work, maint, 200)}
    assert params["shared_buffers"] == str(pages_shared)
    assert params["effective_cache_size"] == str(pages_cache)
    assert params["work_mem"] == str(kib_work)
    assert params["maintenance_work_mem"] == str(kib_maint)


def test_nlb_annotations_scheme():
    assert nlb_annotations("internal")["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"


def test_unpinned_kubernetes_version_names_the_file():
    with pytest.raises(UnpinnedVersion, match="clouds/aws/versions.py"):
        addon_versions("1.29")
