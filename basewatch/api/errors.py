"""API errors are JSON naming the field or parameter at fault, never an HTML page or a 500.

The exception handler (settings.REST_FRAMEWORK) also translates what basewatch.core
refuses into HTTP: a claim the workflow refuses (400, or 403 for the writer's role), a
write without the version it read (428) or over a newer one (412), a duplicate (409).
"""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.urls import reverse
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from basewatch.core.claims import ClaimRefused, NotAllowed
from basewatch.core.duplicates import DuplicateObservation
from basewatch.core.versions import StaleVersion, VersionRequired

_DUPLICATE_KEY = re.compile(r"Key \((?:lower\()?(\w+)")
# The API's names for fields basewatch.core names otherwise.
_API_FIELD = {None: api_settings.NON_FIELD_ERRORS_KEY, "sources": "source_ids"}


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


def _from_refusal(refusal: ClaimRefused) -> APIException:
    errors = {_API_FIELD.get(name, name): [message] for name, message in refusal.errors.items()}
    if isinstance(refusal, NotAllowed):
        return PermissionDenied({"detail": " ".join(refusal.errors.values()), **errors})
    return ValidationError(errors)


def _stale(stale: StaleVersion, view) -> Response:
    body = {
        "version": [f"You sent version {stale.read}; the current version is {stale.current.version}."],
        "current": view.represent(stale.current) if hasattr(view, "represent") else None,
    }
    return Response(body, status=status.HTTP_412_PRECONDITION_FAILED)


def _duplicate(duplicate: DuplicateObservation) -> APIException:
    existing = reverse("api:observation-detail", args=[duplicate.existing.pk])
    return Conflict({"source_ids": [duplicate.message], "duplicate_of": existing})


def exception_handler(exc, context):
    response = None
    if isinstance(exc, StaleVersion):
        response = _stale(exc, context["view"])
    else:
        if isinstance(exc, DjangoValidationError):
            exc = ValidationError(field_errors(exc))
        elif isinstance(exc, IntegrityError):
            exc = _from_integrity_error(exc)
        elif isinstance(exc, ClaimRefused):
            exc = _from_refusal(exc)
        elif isinstance(exc, VersionRequired):
            exc = PreconditionRequired()
        elif isinstance(exc, DuplicateObservation):
            exc = _duplicate(exc)
        response = drf_exception_handler(exc, context)
    if response is not None:
        # Errors are JSON even when the client asked for CSV.
        request = context["request"]
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
    return response
