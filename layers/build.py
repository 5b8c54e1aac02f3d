"""Build the Lambda layers: `layers/<name>/python/` from `layers/<name>/requirements.txt`.

Wheels are chosen for Lambda's platform (manylinux2014 x86_64, CPython 3.11), never for the machine
that builds, so a layer built on a laptop runs on Lambda. A stamp (hash of the requirements and the
target) skips the download when nothing changed. Usage: python layers/build.py [name ...]

The deps layer ships compiled bytecode: /opt is read-only on Lambda, so without it every cold start
compiles each module of FastAPI, pydantic and SQLAlchemy from source again.
"""

from __future__ import annotations

import compileall
import hashlib
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

LAYERS = Path(__file__).resolve().parent
PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.11"
# Layers whose bytecode ships. Not extraction: its pycs would take the extract function (both layers)
# close to Lambda's 250 MB unzipped limit, and its libraries load per job, not per cold start.
BYTECODE = {"deps"}


def _stamp(requirements: Path) -> str:
    digest = hashlib.sha256(requirements.read_bytes())
    digest.update(f"{PLATFORM}/{PYTHON_VERSION}".encode())
    return digest.hexdigest()


def build(name: str) -> Path:
    folder = LAYERS / name
    requirements = folder / "requirements.txt"
    target = folder / "python"
    stamp_file = folder / ".build-stamp"
    stamp = _stamp(requirements)
    if target.is_dir() and stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        print(f"layer {name}: up to date")
        _compile(name, target)
        return target
    shutil.rmtree(target, ignore_errors=True)
    stamp_file.unlink(missing_ok=True)
    print(f"layer {name}: installing {requirements.name} for {PLATFORM} / CPython {PYTHON_VERSION}")
    subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--platform", PLATFORM, "--implementation", "cp", "--python-version", PYTHON_VERSION,
            "--only-binary=:all:", "--target", str(target), "-r", str(requirements),
        ],
        check=True,
    )  # fmt: skip
    # pip's caches are timestamp-checked and only where it could compile; _compile writes them anew.
    for cache in list(target.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    _compile(name, target)
    stamp_file.write_text(stamp + "\n")
    return target


def _compile(name: str, target: Path) -> None:
    """Bytecode for CPython 3.11 (Lambda's runtime) next to each module of the layer.

    Unchecked hash-based pycs: Python loads them without reading or stat-ing the source (a layer never
    changes once built; a rebuild deletes the folder), and they stay valid whatever timestamps the zip
    keeps. Only a 3.11 interpreter writes 3.11 bytecode, so another one leaves the layer as it is.
    """
    if name not in BYTECODE:
        return
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if running != PYTHON_VERSION:
        print(f"layer {name}: no bytecode (this is Python {running}, not {PYTHON_VERSION})")
        return
    ok = compileall.compile_dir(
        str(target), quiet=2, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    if not ok:
        # A module that does not compile (a test file of some package, for another Python) never imports.
        print(f"layer {name}: some files did not compile (they are not importable on {PYTHON_VERSION} either)")


def main(argv: list[str]) -> int:
    names = argv or sorted(p.parent.name for p in LAYERS.glob("*/requirements.txt"))
    for name in names:
        build(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
