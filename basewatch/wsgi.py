"""WSGI entry point: `gunicorn basewatch.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "basewatch.settings")
application = get_wsgi_application()

# The URLs and every view they import, loaded now rather than by the first request; then all of
# it, which lives as long as the process, is left out of the garbage collector's full
# collections. Walking it took about 90 ms every 1,500 or so time series requests at tier M: a
# pause each worker's requests would queue behind (README, "Production"). Collected first, so
# the garbage of loading (some 10,000 objects) is not kept for good.
get_resolver().url_patterns  # noqa: B018 (the property imports them)
gc.collect()
gc.freeze()
