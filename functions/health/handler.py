"""Health function: GET /health reports every dependency's state."""

from pybase.app import create_app, lambda_handler_for
from pybase.health import router

app = create_app("PyBase health", [router])
handler = lambda_handler_for(app)
