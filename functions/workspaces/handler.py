"""Workspaces function: workspaces, members, invitations, bases and base grants."""

from pybase.access.routes import base_grants_router
from pybase.app import create_app, lambda_handler_for
from pybase.bases.routes import router as bases_router
from pybase.workspaces.routes import router as workspaces_router

routers = [workspaces_router, bases_router, base_grants_router]

app = create_app("PyBase workspaces", routers)
handler = lambda_handler_for(app)
