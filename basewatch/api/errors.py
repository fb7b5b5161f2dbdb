"""API errors are JSON naming the field or parameter at fault, never an HTML page or a 500."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

_DUPLICATE_KEY = re.compile(r"Key \((?:lower\()?(\w+)")


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with a stored record."


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send the version you read, as an If-Match header or a `version` field."


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A model ValidationError as the API reports it: messages per field, `non_field_errors` for the rest."""
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in as_serializer_error(error).items()
    }


def _from_integrity_error(error: IntegrityError) -> APIException:
    """A database rule refused the write after validation passed (two identical writes at once)."""
    diag = getattr(error.__cause__, "diag", None)
    constraint = getattr(diag, "constraint_name", None) or "a database constraint"
    match = _DUPLICATE_KEY.search(getattr(diag, "message_detail", None) or "")
    if match:
        field = match.group(1)
        return Conflict({field: [f"A record with this {field} already exists ({constraint})."]})
    return ValidationError({"non_field_errors": [f"Refused by the database rule {constraint}."]})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(field_errors(exc))
    elif isinstance(exc, IntegrityError):
        exc = _from_integrity_error(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        # Errors are JSON even when the client asked for CSV.
        request = context["request"]
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
    return response


@csrf_exempt  # the catch-all route answers any method, and a 404 changes nothing
def json_not_found(request, exception=None) -> JsonResponse:
    return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)


def upload_limit_mb() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1_000_000


def json_bad_request(request, exception=None) -> JsonResponse:
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": f"The request body is larger than {upload_limit_mb()} MB."}, status=413)
    return JsonResponse({"detail": "Bad request."}, status=400)


# What psycopg raises when PostgreSQL is down, restarting or dropped the connection.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def database_unavailable(request) -> HttpResponse:
    """503 with Retry-After: the request failed at once and changed nothing; try again shortly."""
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "The database is unavailable; nothing was changed. Retry shortly."}, status=503
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def json_server_error(request) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)


def csrf_failure(request, reason: str = ""):
    """CSRF refusals are JSON under /api/ (a session without its CSRF token), HTML elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return default_csrf_failure(request, reason=reason)
