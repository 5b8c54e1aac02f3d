"""Build the Lambda layers: `layers/<name>/python/` from `layers/<name>/requirements.txt`.

Wheels are chosen for Lambda's platform (manylinux2014 x86_64, CPython 3.11), never for the machine
that builds, so a layer built on a laptop runs on Lambda. A stamp (hash of the requirements and the
target) skips the download when nothing changed. Usage: python layers/build.py [name ...]
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

LAYERS = Path(__file__).resolve().parent
PLATFORM = "manylinux2014_x86_64"
PYTHON_VERSION = "3.11"


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
    # Bytecode caches and tests would only grow the zip; Lambda compiles on import anyway.
    for cache in list(target.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    stamp_file.write_text(stamp + "\n")
    return target


def main(argv: list[str]) -> int:
    names = argv or sorted(p.parent.name for p in LAYERS.glob("*/requirements.txt"))
    for name in names:
        build(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
