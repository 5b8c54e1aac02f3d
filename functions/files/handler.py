"""Files function: uploads (presigned S3 PUTs), downloads, extraction jobs and their mapping into records.

Never imports the extraction library (ezdxf/pypdf): jobs are run by the extract function.

Its routers are listed in pybase.routegroups (the docs function documents the same list).
"""

from pybase.app import lambda_handler_for
from pybase.routegroups import build_app

app = build_app("files")
handler = lambda_handler_for(app)
