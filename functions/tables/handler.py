"""Tables function: tables, table grants, fields, views and the trash.

Its routers are listed in pybase.routegroups (the docs function documents the same list).
"""

from pybase.app import lambda_handler_for
from pybase.routegroups import build_app

app = build_app("tables")
handler = lambda_handler_for(app)
