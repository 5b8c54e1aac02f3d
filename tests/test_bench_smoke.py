"""Every benchmark in bench/ runs on a tiny size against the test services, so none rots unnoticed.

They print figures, not verdicts: this checks only that each one runs to the end after the project's
own set-up (no tool outside it, e.g. a redis-server on PATH) and prints something. A new benchmark
without a tiny size here fails test_every_benchmark_has_a_tiny_size.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WEB_DIST = os.environ.get("PYBASE_WEB_DIST", "")
DIST = ["--dist", WEB_DIST] if WEB_DIST and Path(WEB_DIST, "index.html").exists() else []

# Arguments that make each benchmark small: seconds, not minutes.
TINY: dict[str, list[str]] = {
    "airtable_bench.py": ["--rows", "300", "--runs", "2"],
    "cold_start.py": ["records", "health", "--runs", "1"],
    "extract_bench.py": ["--runs", "1", "--entities", "300", "--pages", "2"],
    "extract_memory.py": ["--sizes", "1"],
    "extract_quality.py": ["--drawings", "2"],
    "formula_bench.py": ["--rows", "500"],
    "http_bench.py": ["--rows", "200", "--runs", "2", "--rounds", "1", "--no-peer", "--no-index-builds"],
    "links_bench.py": ["--rows", "500", "--runs", "2"],
    "poster_bench.py": ["--posts", "100"],
    "realtime_bench.py": [
        "--clients",
        "3",
        "--latency-writes",
        "5",
        "--latency-rate",
        "20",
        "--rate",
        "20",
        "--seconds",
        "1",
        "--client-processes",
        "1",
        "--writers",
        "1",
        "--writer-threads",
        "1",
    ],
    "records_bench.py": ["--rows", "2000", "--runs", "2", "--batch-records", "2000", "--patches", "20"],
    "scale_bench.py": ["--tables", "20", "--rows", "500", "--runs", "2"],
    "search_bench.py": ["--rows", "2000", "--runs", "2", "--vocabulary", "500", "--latency-runs", "2"],
    "upload_latency.py": ["--runs", "1"],
    "web_bench.py": ["--records", "500", "--loads", "1", "--edits", "2", "--scroll-steps", "10", *DIST],
    # > 100 cards a stack: "Show more"; the other way of drawing than the grid's run (bench/browser_args.mjs).
    "web_views_bench.py": ["--cards", "600", "--events", "100", "--rendering", "swiftshader", *DIST],
    "wire_bench.py": ["--rows", "200", "--runs", "5", "--baseline"],
}
NOT_BENCHMARKS = {"common.py"}
BROWSER = {"web_bench.py", "web_views_bench.py"}
# Started without these, so they start their own server the way a fresh machine would.
OWN_SERVICES = {"realtime_bench.py": ("REDIS_URL",)}


def _benchmarks() -> list[str]:
    return sorted(p.name for p in BENCH.glob("*.py") if p.name not in NOT_BENCHMARKS)


def test_every_benchmark_has_a_tiny_size() -> None:
    assert set(_benchmarks()) == set(TINY), "give each benchmark in bench/ a tiny size in TINY"


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_on_a_tiny_size(script: str) -> None:
    if not (BENCH / script).exists():
        pytest.fail(f"bench/{script} is listed in TINY but does not exist")
    env = {k: v for k, v in os.environ.items() if k not in OWN_SERVICES.get(script, ())}
    env["PYTHONPATH"] = str(ROOT / "shared")
    # The browser benchmarks' first page load can exceed a local function's timeout on a loaded machine
    # (serverless offline kills the worker); they get a second run, a rotted one fails both.
    for _attempt in range(2 if script in BROWSER else 1):
        try:
            done = subprocess.run(
                [sys.executable, str(BENCH / script), *TINY[script]],
                cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"bench/{script} did not finish in {exc.timeout} s:\n{(exc.stdout or '')[-3000:]}")
        if done.returncode == 0:
            break
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"bench/{script} failed ({done.returncode}):\n{output[-4000:]}"
    assert done.stdout.strip(), f"bench/{script} printed nothing"
