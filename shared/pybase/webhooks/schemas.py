"""Webhook specifications in Airtable's shape, checked on create.

`{"options": {"filters": {...}, "includes": {...}}}`; every key is Airtable's. What PyBase does with
each is in the README (webhooks section); values it cannot honour are refused rather than ignored.
"""

from __future__ import annotations

from typing import Any

from pybase.airtable.errors import AirtableError
from pybase.ids import looks_like_id

DATA_TYPES = ("tableData", "tableFields", "tableMetadata")
CHANGE_TYPES = ("add", "remove", "update")
SOURCES = (
    "client", "publicApi", "formSubmission", "formPageSubmission", "automation", "system", "sync",
    "anonymousUser", "unknown",
)  # fmt: skip
FILTER_KEYS = {
    "dataTypes", "recordChangeScope", "changeTypes", "fromSources", "sourceOptions", "watchDataInFieldIds",
    "watchSchemasOfFieldIds",
}  # fmt: skip
INCLUDE_KEYS = {"includeCellValuesInFieldIds", "includePreviousCellValues", "includePreviousFieldDefinitions"}


def invalid(message: str) -> AirtableError:
    return AirtableError(422, "INVALID_WEBHOOK_SPECIFICATION", message)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(f"{where} must be an object")
    return value


def _list_of(value: Any, where: str, allowed: tuple[str, ...] | None = None, prefix: str | None = None) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"{where} must be a list of strings")
    for item in value:
        if allowed is not None and item not in allowed:
            raise invalid(f"{where}: {item!r} is not one of {', '.join(allowed)}")
        if prefix is not None and not looks_like_id(item, prefix):
            raise invalid(f"{where}: {item!r} is not a {prefix}… ID")
    return list(dict.fromkeys(value))


def normalize_specification(spec: Any) -> dict[str, Any]:
    """The specification as stored: known keys only, lists deduplicated; 422 for anything else."""
    spec = _object(spec, "specification")
    if set(spec) - {"options"}:
        raise invalid(f"specification: unknown key {sorted(set(spec) - {'options'})[0]!r}")
    options = _object(spec.get("options"), "specification.options")
    if set(options) - {"filters", "includes"}:
        raise invalid(f"specification.options: unknown key {sorted(set(options) - {'filters', 'includes'})[0]!r}")
    filters = _object(options.get("filters"), "specification.options.filters")
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise invalid(f"specification.options.filters: unknown key {sorted(unknown)[0]!r}")
    out: dict[str, Any] = {}
    data_types = _list_of(filters.get("dataTypes"), "filters.dataTypes", DATA_TYPES)
    if not data_types:
        raise invalid("filters.dataTypes must name at least one of " + ", ".join(DATA_TYPES))
    out["dataTypes"] = data_types
    scope = filters.get("recordChangeScope")
    if scope is not None:
        if not isinstance(scope, str) or not (looks_like_id(scope, "tbl") or looks_like_id(scope, "viw")):
            raise invalid("filters.recordChangeScope must be a table ID (tbl…) or a view ID (viw…)")
        out["recordChangeScope"] = scope
    if "changeTypes" in filters:
        out["changeTypes"] = _list_of(filters["changeTypes"], "filters.changeTypes", CHANGE_TYPES)
    if "fromSources" in filters:
        out["fromSources"] = _list_of(filters["fromSources"], "filters.fromSources", SOURCES)
    if "sourceOptions" in filters:
        # Form filters name a form view or page; PyBase does not tell form submissions apart by form.
        raise invalid("filters.sourceOptions is not supported")
    for key in ("watchDataInFieldIds", "watchSchemasOfFieldIds"):
        if key in filters:
            if scope is None:
                raise invalid(f"filters.{key} needs filters.recordChangeScope")
            out[key] = _list_of(filters[key], f"filters.{key}", prefix="fld")
    result: dict[str, Any] = {"options": {"filters": out}}
    if "includes" in options and options["includes"] is not None:
        includes = _object(options["includes"], "specification.options.includes")
        unknown = set(includes) - INCLUDE_KEYS
        if unknown:
            raise invalid(f"specification.options.includes: unknown key {sorted(unknown)[0]!r}")
        inc: dict[str, Any] = {}
        cells = includes.get("includeCellValuesInFieldIds")
        if cells is not None:
            inc["includeCellValuesInFieldIds"] = (
                "all" if cells == "all" else _list_of(cells, "includes.includeCellValuesInFieldIds", prefix="fld")
            )
        for key in ("includePreviousCellValues", "includePreviousFieldDefinitions"):
            if key in includes:
                if not isinstance(includes[key], bool):
                    raise invalid(f"includes.{key} must be true or false")
                inc[key] = includes[key]
        result["options"]["includes"] = inc
    return result
