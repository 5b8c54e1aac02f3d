"""The formula function library. Each module registers its functions (Python + SQL) in the registry."""

from __future__ import annotations


def load_all() -> None:
    from pybase.formulas.functions import (  # noqa: F401 - imported for their registrations
        arrays,
        calendar,
        dates,
        logic,
        numeric,
        records,
        regex,
        text,
    )
