"""ECR repositories (e.g. the dbt image the CronJob runs): scan on push, immutable tags, KMS,
and a lifecycle that expires untagged images after 14 days and keeps the last 50 tagged ones."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws.ecr as ecr

from .common import Context, tags

COMPONENT = "registry"

LIFECYCLE = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images after 14 days",
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": "Keep the last 50 tagged images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
                "action": {"type": "expire"},
            },
        ]
    },
    sort_keys=True,
)


@dataclass(frozen=True)
class RegistryArgs:
    ctx: Context
    repositories: tuple[str, ...] = ("dbt",)
    force_delete: bool = False


class Registry(pulumi.ComponentResource):
    repositories: dict[str, ecr.Repository]
    url: pulumi.Output[str]

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("data-platform:aws:Registry", name, None, opts)
        ctx = args.ctx
        self.repositories = {}
        for repo in args.repositories:
            rname = f"{ctx.prefix}/{repo}"
            r = ecr.Repository(
                f"{ctx.prefix}-{repo.replace('/', '-')}",
                name=rname,
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS"}],
                force_delete=args.force_delete,
                tags=tags(COMPONENT, rname),
                opts=ctx.opts(self),
            )
            ecr.LifecyclePolicy(f"{ctx.prefix}-{repo.replace('/', '-')}", repository=r.name, policy=LIFECYCLE, opts=ctx.opts(self))
            self.repositories[repo] = r
        # The registry host; images are <host>/<stack>/<repo>:<tag>.
        self.url = ctx.account_id.apply(lambda a: f"{a}.dkr.ecr.{ctx.region}.amazonaws.com/{ctx.prefix}")
        self.register_outputs({"url": self.url, "repositories": {k: v.repository_url for k, v in self.repositories.items()}})
