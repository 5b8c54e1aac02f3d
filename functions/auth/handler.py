"""Auth function: register, login, refresh, logout, /me and personal API tokens."""

from pybase.app import create_app, lambda_handler_for
from pybase.auth.routes import router as auth_router

routers = [auth_router]

app = create_app("PyBase auth", routers)
handler = lambda_handler_for(app)
