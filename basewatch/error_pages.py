"""Error pages for the whole site: a short page, or JSON under /api/, never a traceback.

Django calls these for requests no view answered (a bad body, a missing page, a crash,
a failed CSRF check); basewatch/urls.py names them as its handlers.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

# What psycopg raises when PostgreSQL is down, restarting or dropped the connection.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def upload_limit_mb() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000


def bad_request(request, exception=None) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), too many fields, a bad Host: refused before any view."""
    too_large = isinstance(exception, RequestDataTooBig)
    if _is_api(request):
        if too_large:
            return JsonResponse({"detail": f"The request body is larger than {upload_limit_mb()} MB."}, status=413)
        return JsonResponse({"detail": "Bad request."}, status=400)
    context = {"too_large": too_large, "limit_mb": upload_limit_mb()}
    # Without the request: a refused request may not have been through the middleware.
    return HttpResponse(loader.render_to_string("400.html", context), status=413 if too_large else 400)


@csrf_exempt  # the API's catch-all route answers any method, and a 404 changes nothing
def not_found(request, exception=None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
    return page_not_found(request, exception)


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the request failed at once and changed nothing; try again shortly."""
    if _is_api(request):
        response = JsonResponse(
            {"detail": "The database is unavailable; nothing was changed. Retry shortly."}, status=503
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_failure(request) -> HttpResponse:
    # Called while the exception is handled: an unreachable database is a 503, not a bug.
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return database_unavailable(request)
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return server_error(request)


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """CSRF refusals are JSON under /api/ (a session without its CSRF token), HTML elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return default_csrf_failure(request, reason=reason)
