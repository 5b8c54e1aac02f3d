"""Form routes: GET /forms/{viewId} (the form's schema) and POST /forms/{viewId} (a submission).

Served by the records function. Anonymous callers need the form to be shared publicly and its
share token (`?share=` or `X-Share-Token`); see pybase.views.forms for the rules.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query, Request

from pybase.api import PUBLIC, DbSession, OptionalPrincipal, ViewId, errors
from pybase.views import forms
from pybase.views.schemas import FormSchemaOut, FormSubmission, FormSubmitted

# 401: a form that is not shared publicly needs a sign-in; a bearer token sent must be valid.
router = APIRouter(tags=["forms"], responses=errors(*PUBLIC, 401, 404, 429))


def _share_token(
    share: str | None = Query(
        default=None, max_length=100, description="The form's share token, for anonymous callers of a public form."
    ),
    x_share_token: str | None = Header(
        default=None, max_length=100, description="The share token as a header instead of `?share=`."
    ),
) -> str | None:
    return share or x_share_token


@router.get("/forms/{view_id}", response_model=FormSchemaOut)
def get_form(
    *,
    view_id: ViewId,
    share_token: str | None = Depends(_share_token),
    principal: OptionalPrincipal,
    session: DbSession,
) -> FormSchemaOut:
    """A form view's definition (title, fields, required ones) for filling in; a shared form needs its share token."""
    return forms.form_schema(session, view_id=view_id, principal=principal, share_token=share_token)


@router.post("/forms/{view_id}", response_model=FormSubmitted, status_code=201)
def submit_form(
    *,
    view_id: ViewId,
    body: FormSubmission,
    request: Request,
    share_token: str | None = Depends(_share_token),
    principal: OptionalPrincipal,
    session: DbSession,
) -> FormSubmitted:
    """Submit a form: creates one record with the form's fields (hidden and read-only fields are refused)."""
    return forms.submit(
        session,
        view_id=view_id,
        principal=principal,
        values=body.fields,
        typecast=body.typecast,
        share_token=share_token,
        client=request.client.host if request.client else None,
    )
