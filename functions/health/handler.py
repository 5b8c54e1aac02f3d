"""Health function: GET /health reports every dependency's state.

Its routers are listed in pybase.routegroups (the docs function documents the same list).
"""

from pybase.app import lambda_handler_for
from pybase.routegroups import build_app

app = build_app("health")
handler = lambda_handler_for(app)
