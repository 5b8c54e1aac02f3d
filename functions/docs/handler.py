"""Docs function: GET /openapi.json (every route group in one document) and GET /docs (Swagger UI).

The document is built by pybase.apidocs on the first request, so this function's cold start imports
no route group.
"""

from pybase.apidocs import combined_openapi, router
from pybase.app import create_app, lambda_handler_for

__all__ = ["app", "combined_openapi", "handler"]

# The docs routes read no database: the document's first build imports the groups it describes.
app = create_app("PyBase docs", [router], database=False)
handler = lambda_handler_for(app)
