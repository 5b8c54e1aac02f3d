"""Tables function: tables and table grants (fields, views and trash routers join this list)."""

from pybase.access.routes import table_grants_router
from pybase.app import create_app, lambda_handler_for
from pybase.fields.routes import router as fields_router
from pybase.tables.routes import router as tables_router
from pybase.trash.routes import router as trash_router
from pybase.views.routes import router as views_router

routers = [tables_router, table_grants_router, fields_router, views_router, trash_router]

app = create_app("PyBase tables", routers)
handler = lambda_handler_for(app)
