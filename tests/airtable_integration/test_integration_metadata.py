# ruff: noqa  (kept as pyairtable wrote it, so it can be compared with and updated from upstream)
# Copied from pyairtable (https://github.com/gtalarico/pyairtable, tests/integration/, commit 25f31b0),
# unchanged; PyBase runs it against its own API (see conftest.py for the endpoint and IDs).
#
# Copyright (c) 2017 Gui Talarico
#
# Permission is hereby granted, free of charge, to any person obtaining a copy of
# this software and associated documentation files (the "Software"), to deal in
# the Software without restriction, including without limitation the rights to
# use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
# of the Software, and to permit persons to whom the Software is furnished to do
# so, subject to the following conditions:
#
# The above copyright notice and this permission notice shall be included in all
# copies or substantial portions of the Software.
#
# THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
# AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
# LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
# OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
# SOFTWARE.

import pytest

from pyairtable import Api, Base
from pyairtable.models.schema import BaseCollaborators

pytestmark = [pytest.mark.integration]


def test_api_bases(api: Api, base_id: str, base_name: str, table_name: str):
    bases = {base.id: base for base in api.bases()}
    assert bases[base_id].name == base_name
    assert bases[base_id].table(table_name).name == table_name


def test_api_base(api: Api, base_id: str, base_name: str):
    base = api.base(base_id, validate=True)
    assert base.name == base_name


def test_base_info(base: Base):
    info = base.collaborators()
    assert isinstance(info, BaseCollaborators)
    assert info.id == base.id


def test_base_schema(base: Base, table_name: str):
    schema = base.schema()
    assert table_name in [t.name for t in schema.tables]
    assert schema.table(table_name).name == table_name


def test_table_schema(base: Base, table_name: str, cols):
    schema = base.table(table_name).schema()
    assert cols.TEXT in [f.name for f in schema.fields]
    assert schema.field(cols.TEXT).id == cols.TEXT_ID
    assert schema.field(cols.TEXT_ID).name == cols.TEXT
