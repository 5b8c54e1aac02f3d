"""Upload-to-records latency through the local stack: presigned PUT to LocalStack S3 -> S3 notification
on SQS -> the SQS poller -> the extract function in serverless offline -> job done (the attachment
and its preview on the record), then the mapping call that creates the records.

Goal: under 3 s for a small file. Run it against temporary services:

    .venv/bin/python infra/stack.py run -- .venv/bin/python bench/upload_latency.py [--runs 10]

(`stack.py run` provides DATABASE_URL, REDIS_URL, AWS_ENDPOINT_URL and the bucket/queue names; this
script migrates, starts serverless offline and the poller, measures, and stops them.)
Prints per-run figures and the median / p90 / max, plus where the time goes (from the job's timings).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]
sys.path.insert(0, str(ROOT / "bench"))
from common import load_stack  # noqa: E402


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--file", choices=["dxf", "pdf"], default="dxf")
    args = parser.parse_args()
    for name in ("DATABASE_URL", "AWS_ENDPOINT_URL"):
        if not os.environ.get(name):
            print(f"{name} is not set: run through `infra/stack.py run -- ...` (see the docstring)", file=sys.stderr)
            return 2

    import httpx

    mod = load_stack()
    mod.migrate(os.environ["DATABASE_URL"])
    state = Path(tempfile.mkdtemp(prefix="pybase-bench-"))
    services = mod.Stack()
    try:
        ports = mod.OfflinePorts(http=mod.free_port(), websocket=mod.free_port(), lambda_=mod.free_port())
        env = mod.function_env(
            {
                **os.environ,
                "PYBASE_STAGE": os.environ.get("PYBASE_STAGE", "test"),
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_LOG_LEVEL": "WARNING",
            }
        )
        config = mod.service_config(env["PYBASE_STAGE"], env)
        config_file = state / "serverless-config.json"
        config_file.write_text(json.dumps(config))
        mod.bootstrap(config, env["AWS_ENDPOINT_URL"])
        mod.start_offline(services, stage=env["PYBASE_STAGE"], ports=ports, env=env, logfile=state / "offline.log")
        mod.start_poller(
            services,
            stage=env["PYBASE_STAGE"],
            config_file=config_file,
            lambda_port=ports.lambda_,
            env=env,
            logfile=state / "poller.log",
            extra=["--wait-seconds", "1"],
        )

        from tests.factories import make_world
        from tests.fixtures import make_cad
        from tests.test_files_support import add_record, make_sheet

        sheet = make_sheet(make_world())
        data, ctype = (
            (make_cad.make_dxf(), "image/vnd.dxf") if args.file == "dxf" else (make_cad.make_pdf(), "application/pdf")
        )
        http = httpx.Client(base_url=f"http://127.0.0.1:{ports.http}", timeout=120)
        editor = {"authorization": f"Bearer {sheet.world.users['editor'].token}"}
        target = sheet.table_id
        rows: list[dict[str, float]] = []
        # Run 0 warms the functions up (cold imports of FastAPI, ezdxf, pypdf): reported, not counted.
        for run in range(args.runs + 1):
            record_id = add_record(sheet)
            t0 = time.perf_counter()
            up = http.post(
                "/uploads",
                headers=editor,
                json={
                    "table_id": target,
                    "record_id": record_id,
                    "field_id": sheet.attachment_field_id,
                    "filename": f"bench-{run}.{args.file}",
                    "content_type": ctype,
                    "size": len(data),
                },
            ).json()
            t_presign = time.perf_counter()
            put = httpx.put(up["upload"]["url"], content=data, headers=up["upload"]["headers"], timeout=30)
            put.raise_for_status()
            t_put = time.perf_counter()
            job: dict[str, Any] | None = None
            while time.perf_counter() - t0 < 120:
                jobs = http.get("/extraction-jobs", headers=editor, params={"attachment_id": up["attachment_id"]})
                found = jobs.json()["jobs"]
                if found and found[0]["status"] in ("done", "failed"):
                    job = found[0]
                    break
                time.sleep(0.02)
            t_done = time.perf_counter()
            if job is None or job["status"] != "done":
                print(f"run {run}: job did not finish: {job}\n{mod.tail(state / 'offline.log')}", file=sys.stderr)
                return 1
            mapped = http.post(
                f"/extraction-jobs/{job['id']}/mapping",
                headers=editor,
                json={
                    "table_id": target,
                    "source": "dimensions" if args.file == "dxf" else "bom",
                    "columns": [{"source": "Value" if args.file == "dxf" else "ITEM", "field": "Size"}],
                },
            )
            t_records = time.perf_counter()
            if mapped.status_code != 201:
                print(f"run {run}: mapping failed: {mapped.text}", file=sys.stderr)
                return 1
            row = {
                "presign_ms": (t_presign - t0) * 1000,
                "put_ms": (t_put - t_presign) * 1000,
                "upload_to_job_done_ms": (t_done - t0) * 1000,
                "upload_to_records_ms": (t_records - t0) * 1000,
                "records": len(mapped.json()["record_ids"]),
                "queued_ms": float(job["timings"].get("queued_ms", 0)),
                "extract_ms": float(job["timings"].get("extract_ms", 0)),
                "job_total_ms": float(job["timings"].get("total_ms", 0)),
            }
            label = "warm-up" if run == 0 else f"run {run}"
            print(f"{label:>8}: " + "  ".join(f"{k}={v:.0f}" for k, v in row.items()), flush=True)
            if run:
                rows.append(row)
        print(f"\n{args.file.upper()} of {len(data)} bytes, {len(rows)} runs (after one warm-up run):")
        for key in (
            "upload_to_records_ms",
            "upload_to_job_done_ms",
            "queued_ms",
            "extract_ms",
            "job_total_ms",
            "put_ms",
            "presign_ms",
        ):
            values = [r[key] for r in rows]
            print(
                f"  {key:<24} median {statistics.median(values):7.0f}  p90 {_pct(values, 0.9):7.0f}  "
                f"max {max(values):7.0f}"
            )
        median = statistics.median(r["upload_to_records_ms"] for r in rows)
        print(f"\nupload-to-records median {median / 1000:.2f} s (goal < 3 s): {'OK' if median < 3000 else 'SLOW'}")
        return 0 if median < 3000 else 1
    finally:
        services.stop()


if __name__ == "__main__":
    raise SystemExit(main())
