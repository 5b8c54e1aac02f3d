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

from concurrent.futures import ThreadPoolExecutor, as_completed

import pytest

pytestmark = [pytest.mark.integration]


@pytest.fixture
def table_name():
    return "EVERYTHING"


@pytest.mark.parametrize(
    "thread_count,records_per_thread",
    [
        # (1, 500),
        # (5, 100),
        (25, 20),
    ],
)
def test_high_volume_operations(table, thread_count, records_per_thread):
    """
    Test that we can perform hundreds of batch operations and our
    default retry strategy will catch any 429s (rate limiting).

    If retry_strategy=None, this test will fail.
    """

    def bulk_create(thread_number, record_count):
        created = table.batch_create(
            [
                {"Name": f"thread={thread_number} record={n}"}
                for n in range(record_count)
            ]
        )
        table.batch_delete([record["id"] for record in created])

    with ThreadPoolExecutor(max_workers=thread_count) as executor:
        futures = [
            executor.submit(bulk_create, thread_number, records_per_thread)
            for thread_number in range(thread_count)
        ]
        all(future.result() for future in as_completed(futures))
