"""Cold-start import cost of each API function, next to a bare `import fastapi, mangum`.

For every API function group, `functions/<group>/handler.py` is imported in a fresh Python process
(as Lambda's runtime does on a cold start), several times; the median wall time is compared with the
median of a bare `import fastapi, mangum` measured in the same run. Goal: ratio <= 1.5. The CPU time
of the same imports is shown beside it: on a shared, loaded machine it varies much less than the
wall time. Imports use bytecode caches, as the deployed layer and packages ship them, even where
PYTHONDONTWRITEBYTECODE is set.

It also asserts that API functions never import the heavy extraction libraries (ezdxf, pypdf), that
functions which do not need AWS calls do not import boto3, that none imports redis-py at its start
(it loads with the first Redis client) or pydantic.v1 (FastAPI's check for v1 models is answered
without it, see pybase.routegroups) and that the docs function loads no SQLAlchemy (checked in
sys.modules after import).
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
NEVER = ("ezdxf", "pypdf", "redis", "pydantic.v1")
# Functions whose routes never touch the database at all.
NO_DATABASE = {"docs"}
GOAL = 1.5

PROBE = r"""
import importlib.util, json, sys, time
started = time.perf_counter()
cpu_started = time.process_time()
target = sys.argv[1]
if target == "baseline":
    import fastapi, mangum  # noqa: F401
else:
    spec = importlib.util.spec_from_file_location("handler", target)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
elapsed = time.perf_counter() - started
cpu = time.process_time() - cpu_started
heavy = sorted(
    name for name in ("ezdxf", "pypdf", "boto3", "botocore", "numpy", "redis", "sqlalchemy", "pydantic.v1")
    if name in sys.modules
)
print(json.dumps({"seconds": elapsed, "cpu": cpu, "modules": len(sys.modules), "heavy": heavy}))
"""


def _once(target: str) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    # The packages carry bytecode (layers/build.py, infra/serverless-bytecode.js): let the warm-up
    # imports write it, or every run would time compiling PyBase from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYBASE_STAGE", "local")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, target], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"importing {target} failed:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure(target: str, runs: int) -> tuple[dict[str, object], dict[str, float]]:
    """Median import time (wall and CPU) of `target` and of the baseline, runs alternating so that a
    machine whose load changes during the benchmark skews both the same way."""
    samples: list[float] = []
    cpu: list[float] = []
    base: list[float] = []
    base_cpu: list[float] = []
    last: dict[str, object] = {}
    for _ in range(runs):
        baseline = _once("baseline")
        base.append(float(baseline["seconds"]))  # type: ignore[arg-type]
        base_cpu.append(float(baseline["cpu"]))  # type: ignore[arg-type]
        last = _once(target)
        samples.append(float(last["seconds"]))  # type: ignore[arg-type]
        cpu.append(float(last["cpu"]))  # type: ignore[arg-type]
    result = {"median": statistics.median(samples), "cpu_median": statistics.median(cpu), **last}
    return result, {"median": statistics.median(base), "cpu_median": statistics.median(base_cpu)}


def _load() -> str:
    """The machine's load average (1, 5, 15 min): figures from a busy machine are read with it."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not every system has one
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("groups", nargs="*", default=list(API_GROUPS))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--strict", action="store_true", help="fail when a ratio exceeds the goal")
    args = parser.parse_args(argv)

    # One warm-up so the first measurement does not pay for writing bytecode caches.
    _once("baseline")
    print(f"median of {args.runs} fresh-process imports; each function alternates with a bare")
    print("`import fastapi, mangum` (the baseline column), and the ratio compares the two;")
    print(f"CPU ms and CPU ratio: the same imports' CPU time; load average {_load()}\n")
    print(
        f"{'function':<12} {'median ms':>10} {'baseline':>9} {'ratio':>7} {'CPU ms':>7} {'CPU ratio':>9} "
        f"{'modules':>8}  heavy imports"
    )
    failures: list[str] = []
    slow: list[str] = []
    for group in args.groups:
        handler = ROOT / "functions" / group / "handler.py"
        if not handler.exists():
            dashes = f"{'-':>10} {'-':>9} {'-':>7} {'-':>7} {'-':>9} {'-':>8}"
            print(f"{group:<12} {dashes}  skipped: functions/{group}/handler.py does not exist yet")
            continue
        _once(str(handler))
        result, base = measure(str(handler), args.runs)
        median = float(result["median"])  # type: ignore[arg-type]
        ratio = median / base["median"]
        cpu = float(result["cpu_median"])  # type: ignore[arg-type]
        cpu_ratio = cpu / base["cpu_median"] if base["cpu_median"] else float("nan")
        heavy = list(result["heavy"])  # type: ignore[call-overload]
        flag = "" if ratio <= GOAL else f"  (above the {GOAL}x goal)"
        heavy_text = ", ".join(heavy) or "-"
        print(
            f"{group:<12} {median * 1000:>10.0f} {base['median'] * 1000:>9.0f} {ratio:>6.2f}x {cpu * 1000:>7.0f} "
            f"{cpu_ratio:>8.2f}x {result['modules']:>8}  {heavy_text}{flag}"
        )
        for name in NEVER:
            if name in heavy:
                failures.append(f"{group} imports {name}")
        if "boto3" in heavy and group not in BOTO3_ALLOWED:
            failures.append(f"{group} imports boto3 but makes no AWS calls")
        if "sqlalchemy" in heavy and group in NO_DATABASE:
            failures.append(f"{group} imports sqlalchemy but uses no database")
        if ratio > GOAL:
            slow.append(group)
    print(f"\nload average {_load()}")
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
