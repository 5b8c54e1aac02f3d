"""Airtable function: /v0/{proxy+}, the Airtable-compatible Web API (records, meta, errors in Airtable's shapes)."""

from pybase.airtable import errors
from pybase.airtable.routes import router
from pybase.app import create_app, lambda_handler_for

app = create_app("PyBase Airtable-compatible API", [router])
errors.install(app)
handler = lambda_handler_for(app)
