"""Records function: /tables/{tableId}/records... (CRUD, batch, upsert, query, history), comments, forms,
CSV import/export, search.

Its routers are listed in pybase.routegroups (the docs function documents the same list).
"""

from pybase.app import lambda_handler_for
from pybase.routegroups import build_app

app = build_app("records")
handler = lambda_handler_for(app)
