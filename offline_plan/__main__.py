"""`python -m offline_plan [STACK]`: what `make plan STACK=...` runs.

Writes build/plan/<stack>/{plan.json,manifests/,architecture.md}, prints the preview, and
exits 1 with one line (no traceback) for bad configuration or invalid manifests.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import diagram, manifests, plan_json, preview, validate
from .runner import ROOT, PlanError, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline_plan", description=__doc__)
    parser.add_argument("stack", nargs="?", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--out", default=str(ROOT / "build" / "plan"), help="output root (default: build/plan)")
    parser.add_argument("--root", default=str(ROOT), help="directory with Pulumi.yaml and the stack files (default: the repository)")
    parser.add_argument("--quiet", action="store_true", help="print the summary only, not the resource tree")
    args = parser.parse_args(argv)

    try:
        result = run(args.stack, root=Path(args.root))
    except PlanError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    out = Path(args.out) / args.stack
    out.mkdir(parents=True, exist_ok=True)
    plan_json.write(result, out)
    written = manifests.write(result, out)
    diagram.write(result, out)

    import settings

    from .stack_config import load_stack_config

    k8s_version = settings.load(load_stack_config(Path(args.root), args.stack).values, args.stack).kubernetes_version
    report = validate.validate(manifests.objects(result), k8s_version)

    text = preview.render(result)
    print(preview.summary(result) if args.quiet else text)
    print(f"\nWrote {out}/plan.json, {len(written)} manifests in {out}/manifests/, {out}/architecture.md")
    print(f"Manifests: {report.validated} validated, unknown fields rejected (built-in kinds against Kubernetes "
          f"{validate.supported_version(k8s_version)}, cert-manager/Prometheus operator/Flux resources against their CRD models, Gateway API/Traefik resources against their CRDs' schemas), "
          f"{len(report.skipped)} custom resources without an offline schema (CloudNativePG, ECK, External Secrets), "
          f"{len(report.errors)} invalid")
    if summary_file := os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(summary_file, "a") as fh:
            fh.write(f"### Offline plan: `{args.stack}`\n\n```\n{preview.summary(result)}\n\n{preview.outputs(result)}\n```\n\n")
    for err in report.errors:
        print(f"error: invalid manifest: {err}", file=sys.stderr)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
