"""The README's Configuration table and `pybase.config.Settings` list the same variables, and the
table's numeric and on/off defaults are the ones Settings uses; every module reads its settings
through Settings, none from os.environ."""

from __future__ import annotations

import re
import subprocess

from pybase.config import Settings, variables
from tests.lambda_events import ROOT


def _config_rows() -> list[tuple[list[str], list[str]]]:
    """(variables, defaults) of each row of the first table under '## Configuration'."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows: list[tuple[list[str], list[str]]] = []
    for line in section.splitlines():
        if not line.startswith("|"):
            if rows:
                break  # the end of the first table
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] in ("variable", "---"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[0])
        rows.append((names, [part.strip() for part in cells[1].split(" / ")]))
    return rows


def test_every_setting_is_in_the_readme_table_and_nothing_else() -> None:
    documented = [name for names, _ in _config_rows() for name in names]
    assert len(documented) == len(set(documented)), "a variable is listed twice"
    read = {name for names in variables().values() for name in names.split(" / ")}
    assert set(documented) - read == set(), "in the README's Configuration table but not in Settings"
    assert read - set(documented) == set(), "in Settings but not in the README's Configuration table"


def test_readme_defaults_of_numbers_and_switches_match_settings() -> None:
    by_variable = {alias: name for name, aliases in variables().items() for alias in aliases.split(" / ")}
    checked = 0
    for names, defaults in _config_rows():
        if len(names) != len(defaults):
            continue  # one default for several variables (region): nothing positional to compare
        for name, documented in zip(names, defaults, strict=True):
            default = Settings.model_fields[by_variable[name]].default
            if isinstance(default, bool):
                expected = "true" if default else "false"
            elif isinstance(default, int | float):
                expected = str(default)
            else:
                continue
            assert f"`{expected}`" in documented, f"{name}: README says {documented!r}, Settings {expected!r}"
            checked += 1
    assert checked >= 15  # the table has 19 such defaults today


def test_no_module_reads_the_environment_itself() -> None:
    found = subprocess.run(
        ["git", "grep", "-n", "-E", r"os\.environ|getenv", "--", "shared/pybase", "functions"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    ).stdout.splitlines()  # fmt: skip
    assert [line for line in found if not line.startswith("shared/pybase/config.py:")] == []
