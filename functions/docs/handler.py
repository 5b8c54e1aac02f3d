"""Docs function: GET /openapi.json (every route group in one document) and GET /docs (Swagger UI).

The document is built by pybase.apidocs on the first request, so this function's cold start imports
no route group.
"""

import gc

gc.disable()  # for the whole init: see pybase.startup.end_of_init

from pybase.apidocs import combined_openapi, router  # noqa: E402
from pybase.app import create_app, lambda_handler_for  # noqa: E402
from pybase.startup import end_of_init  # noqa: E402

__all__ = ["app", "combined_openapi", "handler"]

# The docs routes read no database: the document's first build imports the groups it describes.
app = create_app("PyBase docs", [router], database=False)
handler = lambda_handler_for(app)
end_of_init()
