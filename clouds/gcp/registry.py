"""Artifact Registry: one Docker repository for the platform's images (dbt projects, ...).

Immutable tags (a tag always names the same image), untagged images deleted after N days while
the 50 most recent versions are always kept (the ECR lifecycle's equivalent), vulnerability
scanning as the project has it, and pull access for the GKE node service account only, on this
repository rather than the project. Not public: no `allUsers` binding.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp.artifactregistry as artifactregistry

from .common import Context, labels

COMPONENT = "registry"


@dataclass(frozen=True)
class RegistryArgs:
    ctx: Context
    node_service_account: pulumi.Input[str]
    """Email of the GKE node service account (image pulls)."""
    untagged_days: int = 14


class Registry(pulumi.ComponentResource):
    repository: artifactregistry.Repository
    url: pulumi.Output[str]

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:gcp:Registry", name, None, opts)
        ctx = args.ctx
        repo_id = f"{ctx.prefix}-images"
        self.repository = artifactregistry.Repository(
            repo_id,
            repository_id=repo_id,
            location=ctx.region,
            format="DOCKER",
            description=f"{ctx.prefix}: data-platform images",
            docker_config={"immutable_tags": True},
            cleanup_policy_dry_run=False,
            cleanup_policies=[
                {"id": "delete-untagged", "action": "DELETE", "condition": {"tag_state": "UNTAGGED", "older_than": f"{args.untagged_days * 86400}s"}},
                {"id": "keep-recent", "action": "KEEP", "most_recent_versions": {"keep_count": 50}},
            ],
            vulnerability_scanning_config={"enablement_config": "INHERITED"},
            labels=labels(COMPONENT),
            opts=ctx.opts(self, stateful=True),
        )
        artifactregistry.RepositoryIamMember(
            f"{repo_id}-nodes-read",
            project=ctx.project,
            location=ctx.region,
            repository=self.repository.name,
            role="roles/artifactregistry.reader",
            member=pulumi.Output.from_input(args.node_service_account).apply(lambda e: f"serviceAccount:{e}"),
            opts=ctx.opts(self),
        )
        self.url = self.repository.repository_id.apply(lambda r: f"{ctx.region}-docker.pkg.dev/{ctx.project}/{r}")
        self.register_outputs({"url": self.url})
