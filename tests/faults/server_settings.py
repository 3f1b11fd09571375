"""Production settings (DEBUG off) for the gunicorn the PostgreSQL-restart test runs.

Only difference: static files are served from the finders, so pages render without running
collectstatic into the shared tree's STATIC_ROOT.
"""

from axreg.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
