"""View type registry: one class per view type (grid, kanban, gallery, calendar, form).

Each class validates its saved config against the table's live fields and says how listing records
through the view works (a `ViewQuerySpec` the records listing applies). Config stays JSONB keyed by
field ID; references to fields that were deleted later are dropped when the config is read
(`sanitize`), so a trashed field never breaks a view, and restoring the field brings it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pybase.errors import NotFound, ValidationFailed
from pybase.registry import Registry, UnknownName


class FieldLike(Protocol):
    id: str
    type: str
    name: str


# Field type names as the records engine registers them. Kept in one place so view types agree.
SELECT_TYPES = frozenset({"single_select"})
USER_TYPES = frozenset({"user", "collaborator", "created_by", "last_modified_by"})
DATE_TYPES = frozenset({"date", "datetime", "date_time", "created_time", "last_modified_time"})
ATTACHMENT_TYPES = frozenset({"attachment", "attachments", "multiple_attachments"})
# Computed fields cannot be typed into a form.
READ_ONLY_TYPES = frozenset(
    {
        "autonumber",
        "created_time",
        "last_modified_time",
        "created_by",
        "last_modified_by",
        "formula",
        "rollup",
        "lookup",
        "count",
    }
)


class SortSpec(BaseModel):
    """{"field_id", "direction"}; saved with "field" too, the key the records listing reads."""

    model_config = ConfigDict(extra="forbid")

    field_id: str = Field(min_length=1, max_length=40)
    direction: Literal["asc", "desc"] = "asc"

    @model_validator(mode="before")
    @classmethod
    def _field_alias(cls, value: Any) -> Any:
        if isinstance(value, dict) and "field" in value:
            value = dict(value)
            alias = value.pop("field")
            if value.setdefault("field_id", alias) != alias:
                raise ValueError("field and field_id differ")
        return value


class FormFieldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field_id: str = Field(min_length=1, max_length=40)
    required: bool = False
    label: str | None = Field(default=None, max_length=200)
    help: str | None = Field(default=None, max_length=2000)


class ViewConfig(BaseModel):
    """Keys every view saves. Type-specific configs extend it; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    filters: dict[str, Any] | None = None
    sorts: list[SortSpec] = Field(default_factory=list, max_length=20)
    group_by: list[SortSpec] = Field(default_factory=list, max_length=3)
    hidden_fields: list[str] = Field(default_factory=list, max_length=500)
    field_order: list[str] = Field(default_factory=list, max_length=500)
    column_widths: dict[str, int] = Field(default_factory=dict, max_length=500)
    row_height: Literal["short", "medium", "tall", "extra_tall"] = "short"

    @field_validator("group_by", mode="before")
    @classmethod
    def _group_by_ids(cls, value: Any) -> Any:
        # Accept a bare list of field IDs as shorthand for ascending groups.
        if isinstance(value, list):
            return [{"field_id": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("column_widths")
    @classmethod
    def _widths(cls, value: dict[str, int]) -> dict[str, int]:
        for key, width in value.items():
            if not 30 <= width <= 2000:
                raise ValueError(f"column width for {key} must be between 30 and 2000 pixels")
        return value


@dataclass(frozen=True)
class FieldRef:
    """A field ID a config refers to, where it is (for error locations) and the types it accepts."""

    loc: tuple[str | int, ...]
    field_id: str
    allowed_types: frozenset[str] | None = None
    what: str = "field"


@dataclass
class ViewQuerySpec:
    """How to list records through a view; the records listing applies this.

    - filters: the saved filter tree (records/query.py format: {"and"|"or": [...]}, {"not": node},
      {"field": id, "op": ..., "value": ...}) or None;
    - extra_filters: conditions the view type adds (calendar: date is not empty), to AND with
      `filters`; `filter_tree()` gives both combined;
    - sorts: [{"field": id, "field_id": id, "direction"}], group keys first (records come out grouped);
    - group_by: the grouping keys (kanban: its stack field), for callers that label groups;
    - visible_field_ids: fields to return, in display order (hidden ones removed).
    """

    view_id: str
    table_id: str
    type: str
    filters: dict[str, Any] | None
    extra_filters: list[dict[str, Any]]
    sorts: list[dict[str, str]]
    group_by: list[dict[str, str]]
    visible_field_ids: list[str]
    hidden_field_ids: list[str]
    layout: dict[str, Any] = field(default_factory=dict)

    def filter_tree(self) -> dict[str, Any] | None:
        parts = ([self.filters] if self.filters else []) + list(self.extra_filters)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"and": parts}

    def as_dict(self) -> dict[str, Any]:
        return {
            "view_id": self.view_id,
            "table_id": self.table_id,
            "type": self.type,
            "filters": self.filters,
            "extra_filters": self.extra_filters,
            "sorts": self.sorts,
            "group_by": self.group_by,
            "visible_field_ids": self.visible_field_ids,
            "hidden_field_ids": self.hidden_field_ids,
            "layout": self.layout,
        }


FilterFieldWalker = Callable[[Any], Iterable[tuple[tuple[str | int, ...], str]]]
FilterPruner = Callable[[Any, Callable[[str], bool]], Any]


def _default_filter_fields(tree: Any, loc: tuple[str | int, ...] = ()) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """Field IDs a filter tree refers to: any dict with a string "field_id" (or "field") key, at any depth."""
    if isinstance(tree, dict):
        for key in ("field_id", "field"):
            value = tree.get(key)
            if isinstance(value, str):
                yield (*loc, key), value
        for key, value in tree.items():
            if isinstance(value, dict | list):
                yield from _default_filter_fields(value, (*loc, key))
    elif isinstance(tree, list):
        for index, item in enumerate(tree):
            yield from _default_filter_fields(item, (*loc, index))


def _names_to_ids(raw: Mapping[str, Any], fields: Mapping[str, FieldLike]) -> dict[str, Any]:
    """Configs may name fields; they are saved by ID so that renaming a field never breaks a view."""
    by_name = {f.name: f.id for f in fields.values()}

    def one(value: Any) -> Any:
        return by_name[value] if isinstance(value, str) and value not in fields and value in by_name else value

    cfg = dict(raw)
    for key in ("sorts", "group_by"):
        items = cfg.get(key)
        if isinstance(items, list):
            cfg[key] = [
                {k: one(v) if k in ("field", "field_id") else v for k, v in item.items()}
                if isinstance(item, dict)
                else one(item)
                for item in items
            ]
    for key in ("hidden_fields", "field_order"):
        if isinstance(cfg.get(key), list):
            cfg[key] = [one(v) for v in cfg[key]]
    for key in ("stack_field_id", "cover_field_id", "date_field_id", "end_date_field_id"):
        if key in cfg:
            cfg[key] = one(cfg[key])
    if isinstance(cfg.get("fields"), list):
        cfg["fields"] = [
            {**item, "field_id": one(item.get("field_id"))} if isinstance(item, dict) else item
            for item in cfg["fields"]
        ]
    if cfg.get("filters") is not None:
        tree = _filter_names_to_ids(cfg["filters"], fields)
        if isinstance(tree, dict) and ("field" in tree or "field_id" in tree):
            # Saved as a group, the form whose conditions the listing drops when their field is deleted.
            tree = {"and": [tree]}
        cfg["filters"] = tree
    return cfg


def _filter_names_to_ids(tree: Any, fields: Mapping[str, FieldLike]) -> Any:
    """Saved filters refer to fields by ID (so renames never break a view); names given are converted."""
    by_name = {f.name: f.id for f in fields.values()}
    if isinstance(tree, list):
        return [_filter_names_to_ids(item, fields) for item in tree]
    if not isinstance(tree, dict):
        return tree
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if key in ("field", "field_id") and isinstance(value, str) and value not in fields and value in by_name:
            out[key] = by_name[value]
        elif isinstance(value, dict | list):
            out[key] = _filter_names_to_ids(value, fields)
        else:
            out[key] = value
    return out


def _compile_check(tree: Any, fields: Mapping[str, FieldLike]) -> None:
    """Compile the filter with the records engine's compiler: operators and values per field type."""
    from pybase.fields.types.base import Params
    from pybase.records.query import FieldSet, compile_filter

    try:
        compile_filter(tree, FieldSet(list(fields.values())), Params(), [])
    except ValidationFailed as exc:
        raise ValidationFailed(
            f"The view's filters are not valid: {exc.message}",
            details=[{"loc": ["config", "filters"], "message": exc.message, "details": exc.details}],
        ) from None


def _default_filter_prune(tree: Any, alive: Callable[[str], bool]) -> Any:
    """Drop conditions on fields that are gone; groups (and "not"s) left empty disappear too."""
    if isinstance(tree, list):
        kept = [_default_filter_prune(item, alive) for item in tree]
        return [item for item in kept if item is not None]
    if not isinstance(tree, dict):
        return tree
    refs = [tree[key] for key in ("field", "field_id") if isinstance(tree.get(key), str)]
    if refs:
        # A condition: kept whole while its field lives.
        return tree if all(alive(ref) for ref in refs) else None
    pruned: dict[str, Any] = {}
    structural = False
    for key, value in tree.items():
        if isinstance(value, dict) or (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
            structural = True
            kept = _default_filter_prune(value, alive)
            if kept:
                pruned[key] = kept
        else:
            pruned[key] = value
    if structural and not any(isinstance(v, dict | list) and v for v in pruned.values()):
        return None
    return pruned


class ViewType:
    """Base class for a view type. Subclasses set `name`, `config_model` and override hooks."""

    name: ClassVar[str]
    config_model: ClassVar[type[ViewConfig]] = ViewConfig
    # Keys that must be set when a view of this type is created (e.g. kanban's stack field).
    required_on_create: ClassVar[tuple[str, ...]] = ()

    # -- validation ---------------------------------------------------------------------------
    def parse(self, raw: Mapping[str, Any]) -> ViewConfig:
        try:
            return self.config_model.model_validate(dict(raw))
        except ValidationError as exc:
            details = [
                {"loc": ["config", *[str(p) for p in err["loc"]]], "message": err["msg"], "type": err["type"]}
                for err in exc.errors()
            ]
            raise ValidationFailed("The view's settings are not valid.", details=details) from None

    def field_refs(self, config: ViewConfig) -> list[FieldRef]:
        refs: list[FieldRef] = []
        for i, sort in enumerate(config.sorts):
            refs.append(FieldRef(("sorts", i, "field_id"), sort.field_id))
        for i, group in enumerate(config.group_by):
            refs.append(FieldRef(("group_by", i, "field_id"), group.field_id))
        for i, fid in enumerate(config.hidden_fields):
            refs.append(FieldRef(("hidden_fields", i), fid))
        for i, fid in enumerate(config.field_order):
            refs.append(FieldRef(("field_order", i), fid))
        for fid in config.column_widths:
            refs.append(FieldRef(("column_widths", fid), fid))
        if config.filters is not None:
            for loc, fid in filter_field_walker(config.filters):
                refs.append(FieldRef(("filters", *loc), fid))
        return refs

    def validate(
        self, raw: Mapping[str, Any], *, fields: Mapping[str, FieldLike], creating: bool = False
    ) -> dict[str, Any]:
        """Validate a whole config against the table's live fields; returns the normalized config."""
        config = self.parse(_names_to_ids(raw, fields))
        problems: list[dict[str, Any]] = []
        if creating:
            for key in self.required_on_create:
                if getattr(config, key, None) in (None, "", []):
                    problems.append({"loc": ["config", key], "message": f"{key} is required for a {self.name} view"})
        for ref in self.field_refs(config):
            found = fields.get(ref.field_id)
            if found is None:
                problems.append(
                    {
                        "loc": ["config", *[str(p) for p in ref.loc]],
                        "message": f"field {ref.field_id} does not exist in this table",
                    }
                )
            elif ref.allowed_types is not None and found.type not in ref.allowed_types:
                problems.append(
                    {
                        "loc": ["config", *[str(p) for p in ref.loc]],
                        "message": f"{ref.what} must be one of: {', '.join(sorted(ref.allowed_types))}; "
                        f"field {ref.field_id} is {found.type}",
                    }
                )
        problems.extend(self.check(config, fields=fields))
        if problems:
            raise ValidationFailed("The view's settings are not valid.", details=problems)
        if config.filters is not None and filter_validator is not None:
            filter_validator(config.filters, fields)
        dumped = config.model_dump(mode="json")
        for key in ("sorts", "group_by"):
            dumped[key] = [{"field": item["field_id"], **item} for item in dumped[key]]
        return dumped

    def check(self, config: ViewConfig, *, fields: Mapping[str, FieldLike]) -> list[dict[str, Any]]:
        """Type-specific rules beyond field existence and type (override)."""
        return []

    # -- reading ------------------------------------------------------------------------------
    def sanitize(self, stored: Mapping[str, Any], *, fields: Mapping[str, FieldLike]) -> dict[str, Any]:
        """The stored config minus references to fields that no longer exist (or changed type)."""
        cfg = dict(stored)

        def alive(fid: str) -> bool:
            return fid in fields

        cfg["sorts"] = [s for s in cfg.get("sorts") or [] if isinstance(s, dict) and alive(s.get("field_id", ""))]
        cfg["group_by"] = [g for g in cfg.get("group_by") or [] if isinstance(g, dict) and alive(g.get("field_id", ""))]
        cfg["hidden_fields"] = [f for f in cfg.get("hidden_fields") or [] if alive(f)]
        cfg["field_order"] = [f for f in cfg.get("field_order") or [] if alive(f)]
        cfg["column_widths"] = {k: v for k, v in (cfg.get("column_widths") or {}).items() if alive(k)}
        if cfg.get("filters") is not None:
            cfg["filters"] = filter_pruner(cfg["filters"], alive)
        for key, allowed in self.typed_field_keys().items():
            fid = cfg.get(key)
            if fid is not None and (fid not in fields or fields[fid].type not in allowed):
                cfg[key] = None
        # Configs saved before a key existed (or written by other services as {}) read with defaults.
        return {**self.defaults(), **self.sanitize_extra(cfg, fields=fields)}

    def defaults(self) -> dict[str, Any]:
        return self.config_model().model_dump(mode="json")

    def finalize(self, cfg: dict[str, Any], *, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        """Server-managed keys, set after validation (form: its share token). `previous` is the stored config."""
        return cfg

    def typed_field_keys(self) -> dict[str, frozenset[str]]:
        """Config keys holding one field ID of a required type (kanban stack, calendar date, ...)."""
        return {}

    def sanitize_extra(self, cfg: dict[str, Any], *, fields: Mapping[str, FieldLike]) -> dict[str, Any]:
        return cfg

    def visible_fields(self, cfg: Mapping[str, Any], *, fields: Mapping[str, FieldLike]) -> list[str]:
        """Field IDs shown, in order: field_order first, then the rest by field position."""
        hidden = set(cfg.get("hidden_fields") or [])
        ordered = [f for f in cfg.get("field_order") or [] if f in fields]
        seen = set(ordered)
        ordered += [f for f in fields if f not in seen]
        return [f for f in ordered if f not in hidden]

    def query_spec(
        self, *, view_id: str, table_id: str, cfg: Mapping[str, Any], fields: Mapping[str, FieldLike]
    ) -> ViewQuerySpec:
        group_by = [{"field": g["field_id"], **g} for g in cfg.get("group_by") or []]
        sorts = [dict(s) for s in cfg.get("sorts") or []]
        visible = self.visible_fields(cfg, fields=fields)
        return ViewQuerySpec(
            view_id=view_id,
            table_id=table_id,
            type=self.name,
            filters=cfg.get("filters"),
            extra_filters=[],
            # Grouped views list group keys first so each group's records come out together.
            sorts=_merge_sorts(group_by, sorts),
            group_by=group_by,
            visible_field_ids=visible,
            hidden_field_ids=[f for f in fields if f not in set(visible)],
            layout=self.layout(cfg),
        )

    def layout(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        return {"row_height": cfg.get("row_height", "short")}


def _merge_sorts(first: list[dict[str, str]], then: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: set[str] = set()
    merged: list[dict[str, str]] = []
    for item in [*first, *then]:
        fid = item.get("field_id")
        if fid and fid not in seen:
            seen.add(fid)
            merged.append({"field": fid, "field_id": fid, "direction": item.get("direction", "asc")})
    return merged


# Filter-tree handling: the records engine owns the format (records/query.py); views find, validate
# (with the engine's own compiler) and prune the field references in it.
filter_field_walker: FilterFieldWalker = _default_filter_fields
filter_pruner: FilterPruner = _default_filter_prune
filter_validator: Callable[[Any, Mapping[str, FieldLike]], None] | None = _compile_check


# pybase.views.types registers every type when imported.
VIEW_TYPES: Registry[ViewType] = Registry("view type", load="pybase.views.types")


def register(cls: type[ViewType]) -> type[ViewType]:
    VIEW_TYPES.add(cls.name, cls())
    return cls


def get_view_type(name: str) -> ViewType:
    try:
        return VIEW_TYPES.get(name)
    except UnknownName as e:
        raise ValidationFailed(
            f"Unknown view type {name!r}.",
            details=[{"loc": ["type"], "message": f"one of: {', '.join(e.known)}"}],
        ) from None


def known_view(name: str) -> ViewType:
    """Like get_view_type for stored views (a stored unknown type is a server-side inconsistency)."""
    found = VIEW_TYPES.find(name)
    if found is None:
        raise NotFound(f"View type {name!r} is not available.")
    return found


def view_types() -> list[str]:
    return VIEW_TYPES.names()
