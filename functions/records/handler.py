"""Records function: /tables/{tableId}/records... (CRUD, batch, upsert, query, history), CSV import/export, search."""

from pybase.app import create_app, lambda_handler_for
from pybase.comments.routes import router as comments_router
from pybase.csvio.routes import router as csv_router
from pybase.records.routes import router
from pybase.search.routes import router as search_router
from pybase.views.forms_routes import router as forms_router

app = create_app("PyBase records", [router, comments_router, forms_router, csv_router, search_router])
handler = lambda_handler_for(app)
