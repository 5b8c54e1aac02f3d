# Adapted from pyairtable's tests/integration/conftest.py (https://github.com/gtalarico/pyairtable,
# commit 25f31b0; MIT license, notice in LICENSE-pyairtable next to this file). Only the endpoint and the
# IDs differ: requests for api.airtable.com go to PyBase's airtable handler in-process, and the base,
# tables, fields and view the suite expects are created in PyBase, their IDs read back.
#
# Copyright (c) 2017 Gui Talarico

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from pyairtable import Api, Base, Table

from tests.airtable_transport import LambdaAdapter
from tests.factories import make_api_token, make_base, make_user, make_workspace

AIRTABLE_URL = "https://api.airtable.com"

# Tests of the copied suite that fail against PyBase today, each with the reason (also in
# shared/pybase/airtable/README.md). strict=True: a fix makes the suite fail until the entry goes.
KNOWN_GAPS: dict[str, str] = {
    "test_integration_attachment": "the test downloads its github.com image itself (no internet on test machines) "
    "and reads the record 0.5 s later, while the attachfetch function fetches URL attachments after the write",
    "test_integration_upload_attachment": "the test downloads its github.com image itself (no internet on test "
    "machines); uploadAttachment goes to content.airtable.com, which this conftest does not route to PyBase",
    "test_attachments_upload": "upload() goes to content.airtable.com, which this conftest does not route to PyBase",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "integration: pyairtable's integration suite, run against PyBase")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "airtable_integration" in str(item.path) and item.originalname in KNOWN_GAPS:
            item.add_marker(pytest.mark.xfail(reason=KNOWN_GAPS[item.originalname], strict=True))


_original_init = Api.__init__


def _init_against_pybase(self: Api, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    # The ORM builds its own Api from Meta.api_key, so the endpoint is swapped for every Api.
    self.session.mount(AIRTABLE_URL, LambdaAdapter("airtable"))


@pytest.fixture(scope="session", autouse=True)
def pybase_endpoint() -> Iterator[None]:
    from pybase.config import get_settings

    previous = os.environ.get("PYBASE_AIRTABLE_REQUESTS_PER_SECOND")
    # The suite fires requests faster than a client would; the rate limit has tests of its own.
    os.environ["PYBASE_AIRTABLE_REQUESTS_PER_SECOND"] = "0"
    get_settings.cache_clear()
    Api.__init__ = _init_against_pybase  # type: ignore[method-assign]
    yield
    Api.__init__ = _original_init  # type: ignore[method-assign]
    if previous is None:
        os.environ.pop("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", None)
    else:
        os.environ["PYBASE_AIRTABLE_REQUESTS_PER_SECOND"] = previous
    get_settings.cache_clear()


def _create_views(table_id: str, owner: Any, names: list[str]) -> None:
    from pybase.db import session_scope
    from pybase.views import service as views

    with session_scope() as session:
        for name in names:
            views.create_view(session, principal=owner.principal, table_id=table_id, name=name)


@pytest.fixture(scope="session")
def pybase_base(pybase_endpoint: None) -> dict[str, Any]:
    """The base "Test Wrapper" with the tables the suite expects, created through the meta API."""
    owner = make_user(name="integration")
    workspace_id = make_workspace(owner, name="Integration")
    base_id = make_base(workspace_id, name="Test Wrapper", by=owner)
    token = make_api_token(owner, scope="admin")
    base = Api(token).base(base_id)
    test_table = base.create_table(
        "TEST_TABLE",
        [
            {"name": "text", "type": "singleLineText"},
            {"name": "number", "type": "number", "options": {"precision": 0}},
            {"name": "boolean", "type": "checkbox", "options": {"icon": "check", "color": "greenBright"}},
            {"name": "datetime", "type": "dateTime", "options": {
                "timeZone": "utc", "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}},
            {"name": "attachment", "type": "multipleAttachments"},
        ],
    )  # fmt: skip
    _create_views(test_table.id, owner, ["view"])
    address = base.create_table(
        "Address", [{"name": "Street", "type": "singleLineText"},
                    {"name": "Number", "type": "number", "options": {"precision": 0}}]
    )  # fmt: skip
    contact = base.create_table(
        "Contact",
        [
            {"name": "First Name", "type": "singleLineText"},
            {"name": "Last Name", "type": "singleLineText"},
            {"name": "Email", "type": "email"},
            {"name": "Registered", "type": "checkbox", "options": {"icon": "check", "color": "greenBright"}},
            {"name": "Birthday", "type": "date", "options": {"dateFormat": {"name": "iso"}}},
            {"name": "Last Access", "type": "dateTime", "options": {
                "timeZone": "utc", "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}},
        ],
    )  # fmt: skip
    link = contact.create_field("Address", "multipleRecordLinks", options={"linkedTableId": address.id})
    inverse_id = link.options.inverse_link_field_id
    address.schema(force=True).field(inverse_id).name = "Contact"
    address.schema().field(inverse_id).save()
    _create_everything(base, address.id)
    schema = test_table.schema(force=True)
    return {
        "token": token,
        "base_id": base_id,
        "table_id": test_table.id,
        "ids": {f.name: f.id for f in schema.fields},
    }


def _create_everything(base: Base, address_table_id: str) -> None:
    """The EVERYTHING table with one field of each type that test_every_field's model declares."""
    number = {"type": "number", "options": {"precision": 0}}
    stamp = {"timeZone": "utc", "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}
    table = base.create_table(
        "EVERYTHING",
        [
            {"name": "Name", "type": "singleLineText"},
            {"name": "Notes", "type": "richText"},
            {"name": "Assignee", "type": "singleCollaborator"},
            {"name": "Watchers", "type": "multipleCollaborators"},
            {"name": "Status", "type": "singleSelect", "options": {"choices": [{"name": "Todo"}, {"name": "Done"}]}},
            {"name": "Attachments", "type": "multipleAttachments"},
            {"name": "Done", "type": "checkbox", "options": {"icon": "check", "color": "greenBright"}},
            {"name": "Tags", "type": "multipleSelects", "options": {"choices": [{"name": "a"}, {"name": "b"}]}},
            {"name": "Date", "type": "date", "options": {"dateFormat": {"name": "iso"}}},
            {"name": "DateTime", "type": "dateTime", "options": stamp},
            {"name": "Duration (h:mm)", "type": "duration", "options": {"durationFormat": "h:mm"}},
            {"name": "Duration (h:mm:ss.s)", "type": "duration", "options": {"durationFormat": "h:mm:ss.S"}},
            {"name": "Phone", "type": "phoneNumber"},
            {"name": "Email", "type": "email"},
            {"name": "URL", "type": "url"},
            {"name": "Integer", **number},
            {"name": "Decimal 1", "type": "number", "options": {"precision": 1}},
            {"name": "Decimal 2", "type": "number", "options": {"precision": 2}},
            {"name": "Number", "type": "number", "options": {"precision": 2}},
            {"name": "Autonumber", "type": "autoNumber"},
            {"name": "Dollars", "type": "currency", "options": {"precision": 2, "symbol": "$"}},
            {"name": "Percent", "type": "percent", "options": {"precision": 0}},
            {"name": "Stars", "type": "rating", "options": {"max": 5}},
            {"name": "Barcode", "type": "barcode"},
            {"name": "Created", "type": "createdTime"},
            {"name": "Created By", "type": "createdBy"},
            {"name": "Last Modified", "type": "lastModifiedTime"},
            {"name": "Last Modified By", "type": "lastModifiedBy"},
        ],
    )  # fmt: skip
    table.create_field("Open URL", "button", options={"label": "Open", "urlFormula": "'https://example.com/' & {Name}"})
    for name, formula in (("Formula Int", "1 + 2"), ("Formula Float", "1.5 * 3"), ("Formula Text", "'text'"),
                          ("Formula Error", "SQRT(-1)"), ("Formula NaN", "'text' * 1")):  # fmt: skip
        table.create_field(name, "formula", options={"formula": formula})
    table.create_field("Address", "multipleRecordLinks", options={"linkedTableId": address_table_id})
    link = table.create_field(
        "Link to Self", "multipleRecordLinks", options={"linkedTableId": table.id, "prefersSingleRecordLink": True}
    )
    ids = {f.name: f.id for f in table.schema(force=True).fields}
    table.create_field("Link to Self (Count)", "count", options={"recordLinkFieldId": link.id})
    table.create_field("Count", "count", options={"recordLinkFieldId": ids["Address"]})
    for name, target in (("Lookup Int", "Formula Int"), ("Lookup Error", "Formula Error")):
        table.create_field(
            name, "multipleLookupValues", options={"recordLinkFieldId": link.id, "fieldIdInLinkedTable": ids[target]}
        )
    for name, target in (("Rollup Int", "Integer"), ("Rollup Error", "Formula Error")):
        table.create_field(name, "rollup", options={
            "recordLinkFieldId": link.id, "fieldIdInLinkedTable": ids[target], "formula": "SUM(values)"})  # fmt: skip


@pytest.fixture
def valid_img_url() -> str:
    return "https://github.com/gtalarico/pyairtable/raw/9f243cb0935ad7112859f990434612efdaf49c67/docs/source/_static/logo.png"


class Columns:
    # Table should have these Columns
    TEXT = "text"  # Text
    TEXT_ID = ""  # for returnFieldsByFieldId
    NUM = "number"  # Number, float
    NUM_ID = ""  # for returnFieldsByFieldId
    BOOL = "boolean"  # Boolean
    DATETIME = "datetime"  # Datetime
    ATTACHMENT = "attachment"  # attachment
    ATTACHMENT_ID = ""  # for upload_attachment


@pytest.fixture
def cols(pybase_base: dict[str, Any]) -> Columns:
    columns = Columns()
    ids = pybase_base["ids"]
    columns.TEXT_ID, columns.NUM_ID, columns.ATTACHMENT_ID = ids["text"], ids["number"], ids["attachment"]
    return columns


@pytest.fixture
def api_key(pybase_base: dict[str, Any]) -> str:
    return str(pybase_base["token"])


@pytest.fixture
def api(api_key: str) -> Api:
    return Api(api_key)


@pytest.fixture
def base_id(pybase_base: dict[str, Any]) -> str:
    return str(pybase_base["base_id"])


@pytest.fixture
def base(api: Api, base_id: str) -> Base:
    return api.base(base_id)


@pytest.fixture
def base_name() -> str:
    return "Test Wrapper"


@pytest.fixture
def table_name() -> str:
    return "TEST_TABLE"


@pytest.fixture
def table_id(pybase_base: dict[str, Any]) -> str:
    return str(pybase_base["table_id"])


@pytest.fixture
def table(base: Base, table_name: str) -> Iterator[Table]:
    table = base.table(table_name)
    yield table
    records = table.all()
    table.batch_delete([r["id"] for r in records])


@pytest.fixture
def make_meta(api_key: str, base_id: str) -> Any:
    def _make_meta(table_name: str) -> type:
        dct = {
            "api_key": api_key,
            "base_id": base_id,
            "table_name": table_name,
        }
        return type("Meta", (), dct)

    return _make_meta
