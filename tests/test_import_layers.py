"""The import layers stated in .importlinter (import-linter contracts) hold."""

from __future__ import annotations

import os

from importlinter.cli import lint_imports

from tests.lambda_events import ROOT


def test_import_contracts_are_kept() -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)  # the contracts name packages; the config sits at the root
    try:
        code = lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True, no_logo=True)
    finally:
        os.chdir(cwd)
    assert code == 0, "an import contract is broken: run `.venv/bin/lint-imports` for the report"
