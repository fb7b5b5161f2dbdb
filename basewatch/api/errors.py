"""API errors are JSON naming the field or parameter at fault, never an HTML page or a 500."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

_DUPLICATE_KEY = re.compile(r"Key \((?:lower\()?(\w+)")


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with a stored record."


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send the version you read, as an If-Match header or a `version` field."


def _from_integrity_error(error: IntegrityError) -> APIException:
    """A unique key raced past validation (two identical writes at once): 409 naming the field."""
    diag = getattr(error.__cause__, "diag", None)
    detail = getattr(diag, "message_detail", None) or ""
    match = _DUPLICATE_KEY.search(detail)
    field = match.group(1) if match else "non_field_errors"
    constraint = getattr(diag, "constraint_name", None) or "a database constraint"
    return Conflict({field: [f"A record with this {field} already exists ({constraint})."]})


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(as_serializer_error(exc))
    elif isinstance(exc, IntegrityError):
        exc = _from_integrity_error(exc)
    response = drf_exception_handler(exc, context)
    if response is not None:
        # Errors are JSON even when the client asked for CSV.
        request = context["request"]
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
    return response


def json_not_found(request, exception=None) -> JsonResponse:
    return JsonResponse({"detail": f"No API endpoint at {request.path}."}, status=404)


def json_server_error(request) -> JsonResponse:
    return JsonResponse({"detail": "Internal server error."}, status=500)
