"""Workspaces function: workspaces, members, invitations, bases and base grants.

Its routers are listed in pybase.routegroups (the docs function documents the same list).
"""

import gc

gc.disable()  # for the whole init: see pybase.startup.end_of_init

from pybase.app import lambda_handler_for  # noqa: E402
from pybase.routegroups import build_app  # noqa: E402
from pybase.startup import end_of_init  # noqa: E402

app = build_app("workspaces")
handler = lambda_handler_for(app)
end_of_init()
