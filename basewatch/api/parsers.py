"""JSON bodies whose every value PostgreSQL can store: no NUL characters, no NaN or Infinity.

The values are refused with a 400 naming the field that carries them. NaN and Infinity are
not JSON, but JavaScript's JSON.stringify-alikes send them; they are parsed here only so the
error can say where they were.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser

NUL = "Text may not contain NUL characters (\\u0000)."
NOT_FINITE = "Numbers must be finite (not NaN or Infinity)."


def _problem(value: Any) -> str | None:
    if isinstance(value, str):
        return NUL if "\x00" in value else None
    if isinstance(value, float) and not math.isfinite(value):
        return NOT_FINITE
    return None


def _bad_value_at(value: Any, field: str = "") -> tuple[str, str] | None:
    """(top-level field or GeoJSON property, message) of the first value that cannot be stored."""
    problem = _problem(value)
    if problem is not None:
        return field, problem
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return field or key.replace("\x00", ""), NUL
        # A GeoJSON Feature's fields sit under "properties": name them, not "properties".
        found = _bad_value_at(item, field or ("" if key == "properties" else str(key)))
        if found is not None:
            return found
    return None


class TextSafeJSONParser(JSONParser):
    strict = False  # NaN and Infinity parse, to be refused below with the field named

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        found = _bad_value_at(data)
        if found is not None:
            field, message = found
            raise ValidationError({field or "non_field_errors": [message]})
        return data
