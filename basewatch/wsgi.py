"""WSGI entry point: `gunicorn basewatch.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "basewatch.settings")
application = get_wsgi_application()
