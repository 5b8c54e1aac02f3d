"""Airtable function: /v0/{proxy+}, the Airtable-compatible Web API (records, meta, errors in Airtable's shapes).

Its routers are listed in pybase.routegroups (the docs function documents the same list).
"""

from pybase.app import lambda_handler_for
from pybase.routegroups import build_app

app = build_app("airtable")
handler = lambda_handler_for(app)
