"""Workspaces function: workspaces, members, invitations, bases and base grants.

Its routers are listed in pybase.routegroups (the docs function documents the same list).
"""

from pybase.app import lambda_handler_for
from pybase.routegroups import build_app

app = build_app("workspaces")
handler = lambda_handler_for(app)
