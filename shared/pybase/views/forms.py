"""Forms: the schema of a form view and submissions that create one record through the records service.

Who may use a form:
- anyone, without signing in, when the form is shared publicly and the request carries its share
  token (`?share=<token>` or header `X-Share-Token`); the share token is in the form view's config,
  visible to editors, and changes whenever the form is shared again;
- otherwise a signed-in user: viewer or higher to read the form, editor or higher to submit.
Anonymous submissions never typecast (they cannot add select options), have no author, and are
rate limited per form and client address (PYBASE_FORM_SUBMISSIONS_PER_MINUTE, counted in Redis;
when Redis is unreachable the limit is skipped rather than refusing every submission).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.access.service import require_table
from pybase.bases.models import AppBase
from pybase.config import get_settings
from pybase.errors import NotFound, Unauthorized, ValidationFailed
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.ids import looks_like_id
from pybase.tables.models import Table
from pybase.views.models import View
from pybase.views.registry import known_view
from pybase.views.schemas import FormFieldOut, FormSchemaOut, FormSubmitted
from pybase.views.service import READ_ROLE, WRITE_ROLE, live_fields


def _load_form(session: Session, *, view_id: str) -> tuple[View, Table]:
    if not looks_like_id(view_id, "viw"):
        raise NotFound("Form not found", details={"id": view_id})
    row = session.execute(
        select(View, Table)
        .join(Table, Table.id == View.table_id)
        .where(View.id == view_id, View.type == "form", View.deleted_at.is_(None), Table.deleted_at.is_(None))
    ).first()
    if row is None:
        raise NotFound("Form not found", details={"id": view_id})
    return row[0], row[1]


def _token_ok(config: Mapping[str, Any], share_token: str | None) -> bool:
    expected = config.get("share_token")
    return bool(
        config.get("public")
        and expected
        and share_token
        and hmac.compare_digest(str(expected).encode(), share_token.encode())
    )


def _access(
    session: Session, *, view: View, table: Table, principal: Principal | None, share_token: str | None, role: str
) -> tuple[str, bool]:
    """(workspace_id, public): public when the share token opened it, else the caller's role did."""
    if _token_ok(view.config or {}, share_token):
        workspace_id = session.scalar(select(AppBase.workspace_id).where(AppBase.id == table.base_id))
        assert workspace_id is not None
        return workspace_id, True
    if principal is None:
        if (view.config or {}).get("public"):
            raise NotFound("Form not found", details={"id": view.id})
        raise Unauthorized("Sign in to use this form.", code="authentication_required")
    try:
        workspace_id = require_table(session, principal=principal, table_id=view.table_id, need=role).workspace_id
    except NotFound:
        raise NotFound("Form not found", details={"id": view.id}) from None
    return workspace_id, False


def _form_fields(view: View, fields: Mapping[str, Field]) -> tuple[dict[str, Any], list[tuple[dict[str, Any], Field]]]:
    cfg = known_view("form").sanitize(view.config or {}, fields=fields)
    items = [(item, fields[item["field_id"]]) for item in cfg.get("fields") or []]
    return cfg, items


def form_schema(
    session: Session, *, view_id: str, principal: Principal | None, share_token: str | None = None
) -> FormSchemaOut:
    view, table = _load_form(session, view_id=view_id)
    _access(session, view=view, table=table, principal=principal, share_token=share_token, role=READ_ROLE)
    cfg, items = _form_fields(view, live_fields(session, table_id=view.table_id))
    return FormSchemaOut(
        view_id=view.id,
        table_id=view.table_id,
        title=cfg.get("title") or view.name,
        description=cfg.get("description"),
        fields=[
            FormFieldOut(
                field_id=f.id,
                name=f.name,
                label=item.get("label") or f.name,
                type=f.type,
                options={k: v for k, v in (f.options or {}).items() if k != "indexed"},
                required=bool(item.get("required")),
                help=item.get("help"),
            )
            for item, f in items
        ],
        submit_message=cfg.get("submit_message"),
        redirect_url=cfg.get("redirect_url"),
    )


def _rate_limit(*, view_id: str, client: str | None) -> None:
    from pybase.ratelimit import fixed_window, too_many_requests

    limit = get_settings().form_submissions_per_minute
    wait = fixed_window("form-submissions", f"{view_id}:{client or 'unknown'}", limit=limit, seconds=60)
    if wait:
        raise too_many_requests(
            "Too many submissions to this form from your address; try again in a minute.",
            wait,
            details={"limit_per_minute": limit},
        )


def _empty(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == [] or value == {}


def submit(
    session: Session,
    *,
    view_id: str,
    principal: Principal | None,
    values: Mapping[str, Any],
    typecast: bool = False,
    share_token: str | None = None,
    client: str | None = None,
) -> FormSubmitted:
    """Create one record from a form submission (keys: field IDs, field names or form labels)."""
    view, table = _load_form(session, view_id=view_id)
    workspace_id, public = _access(
        session, view=view, table=table, principal=principal, share_token=share_token, role=WRITE_ROLE
    )
    if public:
        _rate_limit(view_id=view.id, client=client)
    cfg, items = _form_fields(view, live_fields(session, table_id=view.table_id))
    by_key: dict[str, str] = {}
    for item, f in items:
        by_key.setdefault(f.id, f.id)
        by_key.setdefault(f.name, f.id)
        if item.get("label"):
            by_key.setdefault(item["label"], f.id)
    problems: list[dict[str, Any]] = []
    cleaned: dict[str, Any] = {}
    for key, value in values.items():
        fid = by_key.get(key)
        if fid is None:
            problems.append({"loc": ["fields", key], "message": "this form has no such field"})
        elif fid in cleaned:
            problems.append({"loc": ["fields", key], "message": "given twice"})
        else:
            cleaned[fid] = value
    for item, f in items:
        if item.get("required") and _empty(cleaned.get(f.id)):
            problems.append({"loc": ["fields", f.id], "message": f"{item.get('label') or f.name} is required"})
    if problems:
        raise ValidationFailed("The form submission is not valid; nothing was saved.", details=problems)
    record = _create_record(
        session,
        table=table,
        workspace_id=workspace_id,
        principal=principal,
        public=public,
        values={k: v for k, v in cleaned.items() if v is not None},
        typecast=typecast and not public,
    )
    emit(
        session,
        type="form.submitted",
        workspace_id=workspace_id,
        base_id=table.base_id,
        table_id=table.id,
        actor_id=principal.user_id if principal else None,
        payload={"view_id": view.id, "record_id": record["id"], "public": public},
    )
    return FormSubmitted(
        record_id=record["id"], submit_message=cfg.get("submit_message"), redirect_url=cfg.get("redirect_url")
    )


def _create_record(
    session: Session,
    *,
    table: Table,
    workspace_id: str,
    principal: Principal | None,
    public: bool,
    values: dict[str, Any],
    typecast: bool,
) -> dict[str, Any]:
    from pybase.records import service as records

    if not public:
        assert principal is not None
        return records.create_records(
            session, principal=principal, table_id=table.id, records=[{"fields": values}], typecast=typecast
        )[0]
    # A public form opened by its share token writes without a role on the table: the records
    # engine's insert (validation by the field registry, history, event) runs with a context built
    # here instead of its access check. The author is the signed-in submitter, if any.
    return records.create_records_unchecked(
        session,
        table=table,
        workspace_id=workspace_id,
        records=[values],
        actor_id=principal.user_id if principal is not None else None,
        typecast=False,
    )[0]
