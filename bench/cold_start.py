"""Cold-start import cost of each API function, next to a bare `import fastapi, mangum`.

For every API function group, `functions/<group>/handler.py` is imported in a fresh Python process
(as Lambda's runtime does on a cold start), several times; the median wall time is compared with the
median of a bare `import fastapi, mangum` measured in the same run. Goal: ratio <= 1.5.

It also asserts that API functions never import the heavy extraction libraries (ezdxf, pypdf) and
that functions which do not need AWS calls do not import boto3 (checked in sys.modules after import).
Exit status 1 when an import check fails; with --strict also when a ratio exceeds the goal.

Usage: python bench/cold_start.py [--runs 7] [--strict] [group ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
API_GROUPS = ("health", "docs", "auth", "workspaces", "tables", "records", "files", "airtable")
# Groups whose requests call AWS (S3 presigning, SQS, WebSocket management API) may import boto3.
BOTO3_ALLOWED = {"health", "files"}
NEVER = ("ezdxf", "pypdf")
GOAL = 1.5

PROBE = r"""
import importlib.util, json, sys, time
started = time.perf_counter()
target = sys.argv[1]
if target == "baseline":
    import fastapi, mangum  # noqa: F401
else:
    spec = importlib.util.spec_from_file_location("handler", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
elapsed = time.perf_counter() - started
heavy = sorted(name for name in ("ezdxf", "pypdf", "boto3", "botocore", "numpy") if name in sys.modules)
print(json.dumps({"seconds": elapsed, "modules": len(sys.modules), "heavy": heavy}))
"""


def measure(target: str, runs: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared"), "PYTHONDONTWRITEBYTECODE": "0"}
    env.setdefault("PYBASE_STAGE", "local")
    samples = []
    last: dict[str, object] = {}
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", PROBE, target], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"importing {target} failed:\n{result.stderr[-2000:]}")
        last = json.loads(result.stdout.strip().splitlines()[-1])
        samples.append(float(last["seconds"]))  # type: ignore[arg-type]
    return {"median": statistics.median(samples), "min": min(samples), **last}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("groups", nargs="*", default=list(API_GROUPS))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--strict", action="store_true", help="fail when a ratio exceeds the goal")
    args = parser.parse_args(argv)

    # One warm-up so the first measurement does not pay for writing bytecode caches.
    measure("baseline", 1)
    baseline = measure("baseline", args.runs)
    base = float(baseline["median"])  # type: ignore[arg-type]
    print(f"bare `import fastapi, mangum`: median {base * 1000:.0f} ms over {args.runs} runs\n")
    print(f"{'function':<12} {'median ms':>10} {'ratio':>7} {'modules':>8}  heavy imports")
    failures: list[str] = []
    slow: list[str] = []
    for group in args.groups:
        handler = ROOT / "functions" / group / "handler.py"
        if not handler.exists():
            print(f"{group:<12} {'-':>10} {'-':>7} {'-':>8}  skipped: functions/{group}/handler.py does not exist yet")
            continue
        measure(str(handler), 1)
        result = measure(str(handler), args.runs)
        median = float(result["median"])  # type: ignore[arg-type]
        ratio = median / base
        heavy = list(result["heavy"])  # type: ignore[call-overload]
        flag = "" if ratio <= GOAL else f"  (above the {GOAL}x goal)"
        heavy_text = ", ".join(heavy) or "-"
        print(f"{group:<12} {median * 1000:>10.0f} {ratio:>6.2f}x {result['modules']:>8}  {heavy_text}{flag}")
        for name in NEVER:
            if name in heavy:
                failures.append(f"{group} imports {name}")
        if "boto3" in heavy and group not in BOTO3_ALLOWED:
            failures.append(f"{group} imports boto3 but makes no AWS calls")
        if ratio > GOAL:
            slow.append(group)
    print()
    for failure in failures:
        print(f"FAIL: {failure}")
    if slow:
        print(f"above the {GOAL}x goal: {', '.join(slow)}")
    if failures or (args.strict and slow):
        return 1
    print("import checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
