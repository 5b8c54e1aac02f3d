"""Public IDs in Airtable's shape: a three-letter type prefix and 14 alphanumerics."""

from __future__ import annotations

import re
import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 17
_ID_RE = re.compile(r"^[a-z]{3}[A-Za-z0-9]{14}$")

PREFIXES = {
    "workspace": "wsp",
    "base": "app",
    "table": "tbl",
    "field": "fld",
    "view": "viw",
    "record": "rec",
    "user": "usr",
    "attachment": "att",
}


def new_id(prefix: str) -> str:
    if len(prefix) != 3:
        raise ValueError("ID prefixes have three letters")
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(14))


def looks_like_id(value: str, prefix: str | None = None) -> bool:
    """True when `value` has the shape of a PyBase ID (optionally with the given prefix)."""
    if not _ID_RE.match(value):
        return False
    return prefix is None or value.startswith(prefix)
