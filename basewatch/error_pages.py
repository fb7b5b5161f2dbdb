"""Error pages for the whole site: a short page, or JSON under /api/ (and the OGC exception under
/ogc/, unless a browser asked for a page), never a traceback.

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

from basewatch.ogc import html as ogc_html

# What psycopg raises when PostgreSQL is down, restarting or dropped the connection.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _ogc_client(request) -> bool:
    """A client of the OGC API, which reads errors as OGC exceptions (ogc.views); a browser gets the page."""
    return request.path.startswith("/ogc/") and not ogc_html.wanted(request)


def ogc_exception(status: int, code: str, description: str, **more) -> JsonResponse:
    return JsonResponse({"code": code, "description": description, **more}, status=status)


def upload_limit_mb() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000


def bad_request(request, exception=None) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (413), too many fields, a bad Host: refused before any view."""
    too_large = isinstance(exception, RequestDataTooBig)
    if _ogc_client(request):
        if too_large:
            return ogc_exception(413, "PayloadTooLarge", f"The request body is larger than {upload_limit_mb()} MB.")
        return ogc_exception(400, "BadRequest", "Bad request.")
    if _is_api(request):
        if too_large:
            return JsonResponse({"detail": f"The request body is larger than {upload_limit_mb()} MB."}, status=413)
        return JsonResponse({"detail": "Bad request."}, status=400)
    context = {"too_large": too_large, "limit_mb": upload_limit_mb()}
    # Without the request: a refused request may not have been through the middleware.
    return HttpResponse(loader.render_to_string("400.html", context), status=413 if too_large else 400)


def bad_request_page(errors: dict[str, list[str]]) -> HttpResponse:
    """The 400 page naming each bad parameter and what is wrong with it."""
    return HttpResponse(loader.render_to_string("400.html", {"errors": errors}), status=400)


def method_not_allowed(request, allowed: str) -> HttpResponse:
    """A page address asked with a method it does not take (a reload or a bookmark of a form's
    POST-only address): a short page saying so, not Django's empty answer."""
    page = HttpResponse(loader.render_to_string("405.html", {"allowed": allowed}, request), status=405)
    page["Allow"] = allowed
    return page


@csrf_exempt  # the API's catch-all route answers any method, and a 404 changes nothing
def not_found(request, exception=None) -> HttpResponse:
    # A path no OGC route takes: an unknown resource, or a collection or feature id with a control character.
    if _ogc_client(request):
        return ogc_exception(404, "NotFound", f"Nothing at {request.path}: see /ogc/collections.")
    if _is_api(request):
        return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)
    return page_not_found(request, exception)


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the request failed at once and changed nothing; try again shortly."""
    if _ogc_client(request):
        response = ogc_exception(503, "ServiceUnavailable", "The database is unavailable. Retry shortly.")
    elif _is_api(request):
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
    if _ogc_client(request):
        return ogc_exception(500, "ServerError", "Internal server error.")
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return server_error(request)


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """CSRF refusals are JSON under /api/ (a session without its CSRF token), HTML elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return default_csrf_failure(request, reason=reason)
