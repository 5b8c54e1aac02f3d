"""Imports every domain's models so that Base.metadata is complete (Alembic and tests use it)."""

from pybase.access import models as access_models
from pybase.auth import models as auth_models
from pybase.bases import models as bases_models
from pybase.comments import models as comments_models
from pybase.csvio import models as csvio_models
from pybase.events import models as events_models
from pybase.fields import models as fields_models
from pybase.files import models as files_models
from pybase.history import models as history_models
from pybase.jobs import models as jobs_models
from pybase.links import models as links_models
from pybase.realtime import models as realtime_models
from pybase.records import models as records_models
from pybase.search import models as search_models
from pybase.tables import models as tables_models
from pybase.views import models as views_models
from pybase.webhooks import models as webhooks_models
from pybase.workspaces import models as workspaces_models

__all__ = [
    "access_models",
    "auth_models",
    "bases_models",
    "comments_models",
    "csvio_models",
    "events_models",
    "fields_models",
    "files_models",
    "history_models",
    "jobs_models",
    "links_models",
    "realtime_models",
    "records_models",
    "search_models",
    "tables_models",
    "views_models",
    "webhooks_models",
    "workspaces_models",
]
