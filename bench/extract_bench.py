"""Extraction benchmark: full extraction vs the parser alone.

    python bench/extract_bench.py [--runs 5] [--entities 8600] [--pages 200]

Generates a ~1 MB DXF (about 8,600 entities) and a 200-page text PDF in a temporary folder, then
prints the medians (wall and CPU time, the two sides run alternately) of `--runs` runs of:
  - ezdxf.readfile alone vs pybase's full DXF extraction including to_dict() (goal: ratio < 2)
  - pypdf's own text extraction of every page vs pybase's full PDF extraction (goal: ratio < 2)
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]


def paired_medians(a: Callable[[], object], b: Callable[[], object], runs: int) -> dict[str, float]:
    """Run a and b alternately (the machine's load then hits both alike); medians of wall and CPU time."""
    wall: dict[str, list[float]] = {"a": [], "b": []}
    cpu: dict[str, list[float]] = {"a": [], "b": []}
    for _ in range(runs):
        for key, fn in (("a", a), ("b", b)):
            gc.collect()
            w, c = time.perf_counter(), time.process_time()
            fn()
            wall[key].append(time.perf_counter() - w)
            cpu[key].append(time.process_time() - c)
    return {
        "a_wall": statistics.median(wall["a"]),
        "b_wall": statistics.median(wall["b"]),
        "a_cpu": statistics.median(cpu["a"]),
        "b_cpu": statistics.median(cpu["b"]),
    }


def report(label_a: str, label_b: str, m: dict[str, float]) -> None:
    print(f"  {label_a:<28} wall {m['a_wall'] * 1000:7.0f} ms   cpu {m['a_cpu'] * 1000:7.0f} ms")
    print(f"  {label_b:<28} wall {m['b_wall'] * 1000:7.0f} ms   cpu {m['b_cpu'] * 1000:7.0f} ms")
    print(
        f"  ratio {label_b} / {label_a}: wall {m['b_wall'] / m['a_wall']:.2f}x, "
        f"cpu {m['b_cpu'] / m['a_cpu']:.2f}x (goal < 2x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--entities", type=int, default=8600)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()

    import ezdxf
    from pypdf import PdfReader

    from pybase.extraction import extract
    from tests.fixtures.make_cad import make_big_dxf, make_big_pdf

    with tempfile.TemporaryDirectory() as tmp:
        dxf_path = Path(tmp) / "big.dxf"
        dxf_path.write_bytes(make_big_dxf(args.entities))
        pdf_bytes = make_big_pdf(args.pages)
        pdf_path = Path(tmp) / "big.pdf"
        pdf_path.write_bytes(pdf_bytes)

        doc = ezdxf.readfile(dxf_path)
        n_entities = len(doc.modelspace())
        result = extract(dxf_path)
        print(
            f"DXF: {dxf_path.stat().st_size / 1e6:.2f} MB, {n_entities} entities; result: "
            f"{len(result.texts)} texts, {len(result.dimensions)} dimensions, {len(result.inserts)} inserts, "
            f"{len(result.to_dict()['entity_counts'])} entity types, truncated={result.truncated}"
        )
        extract(dxf_path)  # warm imports and caches before timing either side
        report(
            "ezdxf.readfile alone",
            "full DXF extraction",
            paired_medians(lambda: ezdxf.readfile(dxf_path), lambda: extract(dxf_path).to_dict(), args.runs),
        )

        def pypdf_text() -> None:
            reader = PdfReader(io.BytesIO(pdf_bytes))
            for page in reader.pages:
                page.extract_text()

        result = extract(pdf_path)
        print(
            f"PDF: {len(pdf_bytes) / 1e6:.2f} MB, {result.page_count} pages; result: {len(result.dimensions)} "
            f"dimensions, {len(result.tables)} tables, truncated={result.truncated}"
        )
        report(
            "pypdf text of all pages",
            "full PDF extraction",
            paired_medians(pypdf_text, lambda: extract(pdf_path).to_dict(), args.runs),
        )


if __name__ == "__main__":
    main()
