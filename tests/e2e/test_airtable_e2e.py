"""pyairtable against the Airtable-compatible API served by serverless offline (the /v0/{proxy+} route
of the real local HTTP API), plus a CSV import and export through the records function."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
import requests

from tests.e2e.conftest import E2EStack
from tests.factories import make_api_token, make_base, make_user, make_workspace

pytestmark = pytest.mark.e2e


def test_pyairtable_through_serverless_offline(stack: E2EStack) -> None:
    from pyairtable import Api

    owner = make_user(name="e2e-airtable")
    base_id = make_base(make_workspace(owner), by=owner)
    api = Api(make_api_token(owner, scope="admin"), endpoint_url=stack.http_url, timeout=(10, 120))
    assert api.whoami()["id"] == owner.id
    table = api.base(base_id).create_table(
        "Parts list",
        [{"name": "Part", "type": "singleLineText"}, {"name": "Qty", "type": "number", "options": {"precision": 0}}],
    )
    assert [f.type for f in table.schema(force=True).fields] == ["singleLineText", "number"]
    by_name = api.table(base_id, "Parts list")  # the name goes through the URL percent-encoded
    created = by_name.batch_create([{"Part": f"P{i}", "Qty": i} for i in range(12)])
    assert len(created) == 12
    assert [r["fields"]["Qty"] for r in by_name.all(formula="{Qty} >= 9", sort=["-Qty"], page_size=2)] == [11, 10, 9]
    result = by_name.batch_upsert([{"fields": {"Part": "P1", "Qty": 100}}, {"fields": {"Part": "New", "Qty": 1}}],
                                  key_fields=["Part"])  # fmt: skip
    assert len(result["updatedRecords"]) == 1 and len(result["createdRecords"]) == 1
    by_name.batch_delete([r["id"] for r in created[:3]])
    assert len(by_name.all()) == 10
    with pytest.raises(requests.HTTPError) as exc:
        by_name.create({"Nope": 1})
    assert exc.value.response.status_code == 422
    assert exc.value.response.json()["error"]["type"] == "UNKNOWN_FIELD_NAME"
    anonymous = requests.get(f"{stack.http_url}/v0/{base_id}/Parts%20list", timeout=60)
    assert anonymous.status_code == 401 and anonymous.json()["error"]["type"] == "AUTHENTICATION_REQUIRED"

    # CSV export of the same table and an import of it into a new one, through the records function.
    headers = {"authorization": f"Bearer {owner.token}"}
    exported = httpx.get(f"{stack.http_url}/tables/{table.id}/export.csv", headers=headers, timeout=120)
    assert exported.status_code == 200, exported.text + stack.logs()
    rows = list(csv.reader(io.StringIO(exported.text)))
    assert rows[0] == ["Part", "Qty"] and len(rows) == 11
    imported = httpx.post(
        f"{stack.http_url}/bases/{base_id}/tables/import", params={"name": "Copy"}, content=exported.content,
        headers={**headers, "content-type": "text/csv"}, timeout=120,
    )  # fmt: skip
    assert imported.status_code == 201, imported.text + stack.logs()
    assert imported.json()["imported_rows"] == 10
    progress = httpx.get(f"{stack.http_url}/bases/{base_id}/imports/{imported.json()['import_id']}", headers=headers,
                         timeout=60)  # fmt: skip
    assert progress.status_code == 200 and progress.json()["status"] == "done"
