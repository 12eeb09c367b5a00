"""`python -m offline_plan [STACK]`: what `make plan STACK=...` runs.

Writes build/plan/<stack>/{plan.json,manifests/,architecture.md}, prints the preview, and
exits 1 with one line (no traceback) for bad configuration or invalid manifests.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from policy.offline import PolicyConfigError, load_config

from . import cost, deploy_time, diagram, manifests, plan_json, preview, validate
from .runner import ROOT, PlanError, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline_plan", description=__doc__)
    parser.add_argument("stack", nargs="?", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--out", default=str(ROOT / "build" / "plan"), help="output root (default: build/plan)")
    parser.add_argument("--root", default=str(ROOT), help="directory with Pulumi.yaml and the stack files (default: the repository)")
    parser.add_argument("--quiet", action="store_true", help="print the summary only, not the resource tree")
    parser.add_argument("--policy-config", help="policy pack config, the JSON file `pulumi preview --policy-pack-config` takes (docs/policies.md)")
    args = parser.parse_args(argv)

    try:
        policy_config = load_config(args.policy_config) if args.policy_config else None
        result = run(args.stack, root=Path(args.root), policy_config=policy_config)
    except (PlanError, PolicyConfigError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    out = Path(args.out) / args.stack
    out.mkdir(parents=True, exist_ok=True)
    plan_json.write(result, out)
    written = manifests.write(result, out)
    diagram.write(result, out)

    import program

    from .stack_config import load_stack_config

    k8s_version = program.load_settings(load_stack_config(Path(args.root), args.stack).values, args.stack).kubernetes_version
    report = validate.validate(manifests.objects(result), k8s_version)

    text = preview.render(result)
    print(preview.summary(result) if args.quiet else text)
    print(f"\nWrote {out}/plan.json, {len(written)} manifests in {out}/manifests/, {out}/architecture.md")
    print(f"Manifests: {report.validated} validated, unknown fields rejected (built-in kinds against Kubernetes "
          f"{validate.supported_version(k8s_version)}, cert-manager/Prometheus operator/Flux resources against their CRD models, Gateway API/Traefik/Barman Cloud/GKE Ingress/VolumeSnapshotClass resources against their CRDs' schemas), "
          f"{len(report.skipped)} custom resources without an offline schema (CloudNativePG, ECK, External Secrets), "
          f"{len(report.errors)} invalid")
    policy_lines, policy_errors = preview.policies(result)
    print("\n".join(policy_lines))
    if summary_file := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary_file, "a") as fh:
            fh.write(f"### Offline plan: `{args.stack}`\n\n```\n{preview.summary(result)}\n\n{preview.outputs(result)}\n\n"
                     + "\n".join(policy_lines + policy_errors) + "\n```\n\n")
    doc = plan_json.document(result)
    estimates = cost.render(cost.estimate(doc)) + "\n\n" + deploy_time.render(deploy_time.estimate(doc["resources"]))
    print("\n" + estimates)
    if summary_file:
        with open(summary_file, "a") as fh:
            fh.write(f"```\n{estimates}\n```\n\n")
    for err in report.errors:
        print(f"error: invalid manifest: {err}", file=sys.stderr)
    for err in policy_errors:
        print(err, file=sys.stderr)
    return 1 if report.errors or policy_errors else 0


if __name__ == "__main__":
    sys.exit(main())
