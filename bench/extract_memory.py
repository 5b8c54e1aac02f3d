"""Peak memory of the extract function's work against DXF file size.

    python bench/extract_memory.py [--sizes 1,5,10,20,40,60,95] [--keep DIR]

Generates DXFs of growing size (streamed as text, so making a 95 MB file costs little memory: lines,
circles, arcs, polylines, texts, points and block references in the mix of `make_big_dxf`), then
runs each file in a fresh Python process doing what the worker does with a downloaded object:
hold its bytes, `extract()`, `to_dict()`, serialise the result as JSON. The child reports
`resource.getrusage(RUSAGE_SELF).ru_maxrss` (peak RSS, KiB on Linux) after the imports and at the
end, and the wall time. Prints one row per size and the fitted MB of RSS per MB of file, which is
what sizes `PYBASE_MAX_EXTRACT_BYTES` against the function's `memorySize`.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024

CHILD = r"""
import json, resource, sys, time
sys.path[:0] = [sys.argv[2]]
from pybase.extraction import extract
from pybase.extraction.results import Limits
import ezdxf  # the extract function has it loaded before the first file
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
data = open(sys.argv[1], "rb").read()
result = extract(data, filename="bench.dxf", limits=Limits(max_bytes=1 << 40)).to_dict()
body = json.dumps(result, separators=(",", ":"), default=str)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"base_kib": base, "peak_kib": peak, "seconds": time.perf_counter() - t,
                  "entities": sum(result["entity_counts"].values()), "json_bytes": len(body)}))
"""


def _template() -> tuple[str, str, str]:
    """A real R2010 drawing (header, tables, a block) split around its ENTITIES section."""
    import io

    import ezdxf

    doc = ezdxf.new("R2010", setup=False, units=4)
    for i in range(10):
        doc.layers.add(f"L{i}", color=i + 1)
    doc.blocks.new("PART").add_circle((0, 0), 2)
    stream = io.StringIO()
    doc.write(stream)
    text = stream.getvalue()
    start = text.index("ENTITIES\n") + len("ENTITIES\n")
    end = text.index("  0\nENDSEC", start)
    return text[:start], text[end:], doc.modelspace().layout_key


def write_dxf(path: Path, target_bytes: int, seed: int = 7) -> int:
    """Write about `target_bytes` of DXF; returns the number of entities."""
    head, tail, owner = _template()
    rnd = random.Random(seed)
    handle = 0x100000
    written = len(head) + len(tail)
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(head)
        chunk: list[str] = []
        while written < target_bytes:
            handle += 1
            r = count % 100
            x, y = round(rnd.uniform(0, 1000), 2), round(rnd.uniform(0, 700), 2)
            common = f"  5\n{handle:X}\n330\n{owner}\n100\nAcDbEntity\n  8\nL{count % 10}\n"
            if r < 60:
                x2, y2 = round(x + rnd.uniform(-50, 50), 2), round(y + rnd.uniform(-50, 50), 2)
                body = (f"  0\nLINE\n{common}100\nAcDbLine\n 10\n{x}\n 20\n{y}\n 30\n0.0\n"
                        f" 11\n{x2}\n 21\n{y2}\n 31\n0.0\n")  # fmt: skip
            elif r < 75:
                body = (f"  0\nCIRCLE\n{common}100\nAcDbCircle\n 10\n{x}\n 20\n{y}\n 30\n0.0\n"
                        f" 40\n{round(rnd.uniform(1, 20), 2)}\n")  # fmt: skip
            elif r < 83:
                radius, end = round(rnd.uniform(1, 20), 2), round(rnd.uniform(10, 350), 2)
                body = (f"  0\nARC\n{common}100\nAcDbCircle\n 10\n{x}\n 20\n{y}\n 30\n0.0\n"
                        f" 40\n{radius}\n100\nAcDbArc\n 50\n0.0\n 51\n{end}\n")  # fmt: skip
            elif r < 88:
                pts = "".join(
                    f" 10\n{round(x + rnd.uniform(-20, 20), 2)}\n 20\n{round(y + rnd.uniform(-20, 20), 2)}\n"
                    for _ in range(4)
                )
                body = f"  0\nLWPOLYLINE\n{common}100\nAcDbPolyline\n 90\n4\n 70\n0\n{pts}"
            elif r < 95:
                body = (f"  0\nTEXT\n{common}100\nAcDbText\n 10\n{x}\n 20\n{y}\n 30\n0.0\n 40\n2.5\n"
                        f"  1\nNOTE {count} Ø{rnd.randint(2, 40)} H7\n100\nAcDbText\n")  # fmt: skip
            elif r < 97:
                body = f"  0\nINSERT\n{common}100\nAcDbBlockReference\n  2\nPART\n 10\n{x}\n 20\n{y}\n 30\n0.0\n"
            else:
                body = f"  0\nPOINT\n{common}100\nAcDbPoint\n 10\n{x}\n 20\n{y}\n 30\n0.0\n"
            chunk.append(body)
            written += len(body.encode())
            count += 1
            if len(chunk) >= 10_000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
        out.write(tail)
    return count


def measure(path: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(ROOT / "shared")], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed for {path.name}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,10,20,40,60,95", help="file sizes in MB, comma-separated")
    parser.add_argument("--keep", help="write the generated files here (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        columns = ("file MB", "entities", "base MB", "peak MB", "peak-base", "x file", "seconds")
        print(" ".join(f"{c:>{w}}" for c, w in zip(columns, (8, 9, 8, 8, 10, 7, 8), strict=True)))
        rows = []
        for size in sizes:
            path = folder / f"mem-{size:g}mb.dxf"
            if not path.exists():
                write_dxf(path, int(size * MB))
            file_mb = path.stat().st_size / MB
            m = measure(path)
            base, peak = m["base_kib"] / 1024, m["peak_kib"] / 1024
            rows.append((file_mb, peak))
            print(f"{file_mb:8.1f} {m['entities']:9d} {base:8.0f} {peak:8.0f} {peak - base:10.0f} "
                  f"{(peak - base) / file_mb:7.1f} {m['seconds']:8.1f}", flush=True)  # fmt: skip
        if len(rows) >= 2:
            # Least squares line peak = a + b * size: b is the RSS each MB of file costs.
            n = len(rows)
            mx = sum(r[0] for r in rows) / n
            my = sum(r[1] for r in rows) / n
            b = sum((r[0] - mx) * (r[1] - my) for r in rows) / sum((r[0] - mx) ** 2 for r in rows)
            a = my - b * mx
            print(f"fit: peak RSS ~ {a:.0f} MB + {b:.1f} x file MB")
            # The function also imports boto3, SQLAlchemy, psycopg and Powertools (125 MB RSS in all, about 65 MB
            # more than this child), and keeps 10% of its memory free (pybase.jobs.worker.MEMORY_HEADROOM).
            for memory in (1024, 1536, 2048, 2560, 3008):
                fits = (memory * 0.9 - a - 65) / b
                print(f"  memorySize {memory} MB: files up to ~{fits:.0f} MB fit")


if __name__ == "__main__":
    main()
