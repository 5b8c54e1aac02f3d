"""Autonumber, created by, last modified by, collaborator (user) and attachment fields."""

from __future__ import annotations

import json
from typing import Any

from pybase.fields.registry import register
from pybase.fields.types.base import (
    FieldLike,
    FieldType,
    FieldValueError,
    Params,
    RowLike,
    WriteContext,
    WrittenCell,
    data_json,
    keep_common,
    like_escape,
)
from pybase.fields.types.ops import (
    NUMBER_OPERATORS,
    compare,
    op_distinct,
    op_is_any_of,
    op_is_empty,
    op_is_none_of,
    op_is_not_empty,
)
from pybase.ids import looks_like_id, new_id


class Computed(FieldType):
    read_only = True

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        raise FieldValueError("This field is computed and cannot be written.")


@register
class Autonumber(Computed):
    """The record's creation sequence number in its table (1, 2, 3, ...)."""

    name = "autonumber"
    sql_type = "bigint"
    operators = NUMBER_OPERATORS
    index_kinds = {}

    def index_expression(self, field: FieldLike, kind: str) -> str | None:
        return None  # served by the (table_id, seq) index every table has

    def value_expr(self, field: FieldLike) -> str:
        return "r.seq"

    def read(self, row: RowLike, field: FieldLike) -> Any:
        return row.seq

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        if isinstance(value, bool):
            raise FieldValueError("Expected a whole number.")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise FieldValueError(f"Expected a whole number, got {value!r}.") from None


USER_OPERATORS = {
    "is": compare("="),
    "=": compare("="),
    "is_not": op_distinct,
    "!=": op_distinct,
    "is_any_of": op_is_any_of,
    "is_none_of": op_is_none_of,
    "is_empty": op_is_empty,
    "is_not_empty": op_is_not_empty,
}


def user_id(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str) or not looks_like_id(value, "usr"):
        raise FieldValueError(f"Expected a user ID (usr...), got {value!r}.")
    return value


class SystemUser(Computed):
    sql_type = "text"
    column = ""
    operators = USER_OPERATORS
    index_kinds = {"is": "btree", "=": "btree", "is_any_of": "btree"}

    def value_expr(self, field: FieldLike) -> str:
        return f"r.{self.column}"

    def read(self, row: RowLike, field: FieldLike) -> Any:
        return getattr(row, self.column)

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return user_id(value)


@register
class CreatedBy(SystemUser):
    name = "created_by"
    column = "created_by"


@register
class LastModifiedBy(SystemUser):
    name = "last_modified_by"
    column = "updated_by"


@register
class Collaborator(FieldType):
    """Workspace members. Stored as a list of user IDs; the API shows one ID unless `multiple`."""

    name = "user"
    sql_type = "jsonb"
    sort_type = "text"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        out["multiple"] = bool(options.get("multiple", False))
        return out

    def value_expr(self, field: FieldLike) -> str:
        return data_json(field.id)

    def sort_expr(self, field: FieldLike) -> str | None:
        return f"({data_json(field.id)} ->> 0)"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        items = value if isinstance(value, list) else [value]
        if len(items) > 1 and not field.options.get("multiple"):
            raise FieldValueError("This field holds one user; set the option multiple to allow more.")
        ids: list[str] = []
        for item in items:
            uid = user_id(item)
            if ctx.workspace_members is not None and uid not in ctx.workspace_members:
                raise FieldValueError(f"{uid} is not a member of this workspace.")
            if uid not in ids:
                ids.append(uid)
        return ids

    def serialize(self, stored: Any, field: FieldLike) -> Any:
        if field.options.get("multiple"):
            return list(stored)
        return stored[0] if stored else None

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        return None if not stored else ", ".join(stored)

    def ids(self, value: Any) -> str:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise FieldValueError("Expected a user ID or a list of them.")
        return json.dumps([user_id(item) for item in items])

    @staticmethod
    def _has_all(t: Collaborator, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"({t.value_expr(f)} @> {ps.add(t.ids(value), 'jsonb')})"

    @staticmethod
    def _has_any(t: Collaborator, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        ids = json.loads(t.ids(value))
        return f"({t.value_expr(f)} ?| {ps.add(ids, 'text[]')})"

    @staticmethod
    def _has_none(t: Collaborator, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        ids = json.loads(t.ids(value))
        return f"(NOT coalesce({t.value_expr(f)} ?| {ps.add(ids, 'text[]')}, false))"

    operators = {
        "is": _has_all,
        "has_all_of": _has_all,
        "has_any_of": _has_any,
        "is_any_of": _has_any,
        "is_not": _has_none,
        "has_none_of": _has_none,
        "is_none_of": _has_none,
        "is_empty": op_is_empty,
        "is_not_empty": op_is_not_empty,
    }


# "key" and "version" are the stable reference to an uploaded file; URLs are signed on each read.
# "status" and "error" belong to files given by URL: pending until fetched, failed with the reason.
_ATTACHMENT_KEYS = {
    "id", "url", "filename", "size", "type", "width", "height", "thumbnails", "key", "version", "status", "error",
}  # fmt: skip


@register
class Attachment(FieldType):
    """A list of file objects ({id, url, filename, size, type}); uploads attach `att…` IDs."""

    name = "attachment"
    sql_type = "jsonb"

    def value_expr(self, field: FieldLike) -> str:
        return data_json(field.id)

    def sort_expr(self, field: FieldLike) -> str | None:
        return f"jsonb_array_length({data_json(field.id)})"

    sort_type = "integer"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str):
            if not ctx.typecast:
                raise FieldValueError("Expected a list of file objects.")
            value = [{"url": part.strip()} for part in value.split(",") if part.strip()]
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list) or len(value) > 100:
            raise FieldValueError("Expected a list of at most 100 file objects.")
        out = []
        for item in value:
            if isinstance(item, str) and ctx.typecast:
                item = {"url": item}
            if not isinstance(item, dict):
                raise FieldValueError("Each attachment is an object with an id or a url.")
            unknown = set(item) - _ATTACHMENT_KEYS
            if unknown:
                raise FieldValueError(f"Unknown attachment keys: {sorted(unknown)}.")
            if "id" in item and not (isinstance(item["id"], str) and looks_like_id(item["id"], "att")):
                raise FieldValueError("An attachment id looks like att followed by 14 letters and digits.")
            url = item.get("url")
            if url is not None and (not isinstance(url, str) or not url.startswith(("http://", "https://", "s3://"))):
                raise FieldValueError("An attachment url must be http(s) or s3.")
            if "id" not in item and url is None:
                raise FieldValueError("Each attachment needs an id or a url.")
            size = item.get("size")
            if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
                raise FieldValueError("An attachment size is a whole number of bytes.")
            for key in ("filename", "type"):
                if key in item and not isinstance(item[key], str):
                    raise FieldValueError(f"An attachment {key} is text.")
            entry = dict(item)
            if "filename" not in entry and url:
                entry["filename"] = url.rstrip("/").split("?", 1)[0].rsplit("/", 1)[-1] or url
            if "id" not in entry and "key" not in entry and url and url.startswith(("http://", "https://")):
                # A file given by URL gets its ID now and is fetched into storage after the write.
                entry["id"] = new_id("att")
                entry["status"] = "pending"
                entry.pop("error", None)
                ctx.followups.setdefault(field.id, set()).add(entry["id"])
            out.append(entry)
        return out

    def after_write(self, session: Any, field: FieldLike, written: WrittenCell) -> None:
        from pybase.files.fetch import register_url_attachments

        register_url_attachments(session, field_id=field.id, written=written)

    def serialize(self, stored: Any, field: FieldLike) -> Any:
        if not stored or not isinstance(stored, list) or not any(isinstance(i, dict) and "key" in i for i in stored):
            return stored
        from pybase.files.urls import signed_entry

        return [signed_entry(item, str(getattr(field, "table_id", ""))) for item in stored]

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        if not stored:
            return None
        # Uploaded files by name: their URLs are signed per read and would be stale as text.
        names = ((None if "key" in i else i.get("url")) or i.get("filename") or i.get("id", "") for i in stored)
        return ", ".join(names)

    @staticmethod
    def _filename(t: Attachment, f: FieldLike, op: str, value: Any, ps: Params, negate: bool = False) -> str:
        if not isinstance(value, str) or not value:
            raise FieldValueError("Expected a non-empty text.")
        pattern = ps.add("%" + like_escape(value) + "%", "text")
        files = f"jsonb_array_elements({t.value_expr(f)})"
        sql = f"EXISTS (SELECT 1 FROM {files} AS a WHERE a ->> 'filename' ILIKE {pattern})"
        return f"(NOT {sql})" if negate else f"({sql})"

    operators = {
        "is_empty": op_is_empty,
        "is_not_empty": op_is_not_empty,
        "contains": _filename,
        "not_contains": lambda t, f, op, v, ps: Attachment._filename(t, f, op, v, ps, negate=True),
    }
    index_kinds = {}
