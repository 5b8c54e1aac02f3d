"""Files function: uploads (presigned S3 PUTs), downloads, extraction jobs and their mapping into records.

Never imports the extraction library (ezdxf/pypdf): jobs are run by the extract function.
"""

from pybase.app import create_app, lambda_handler_for
from pybase.files.routes import router as files_router
from pybase.jobs.routes import router as jobs_router

routers = [files_router, jobs_router]

app = create_app("PyBase files", routers)
handler = lambda_handler_for(app)
