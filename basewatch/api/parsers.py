"""JSON bodies whose every value PostgreSQL can store: no NUL characters, no NaN or Infinity,
and no nesting deeper than any basewatch document needs.

The values are refused with a 400 naming the field that carries them. NaN and Infinity are
not JSON, but JavaScript's JSON.stringify-alikes send them; they are parsed here only so the
error can say where they were. A body nested thousands of levels deep would exhaust Python's
recursion while being decoded: it is a 400 too.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

NUL = "Text may not contain NUL characters (\\u0000)."
NOT_FINITE = "Numbers must be finite (not NaN or Infinity)."
# A GeoJSON MultiPolygon is five levels deep inside a Feature; nothing basewatch reads needs more.
MAX_DEPTH = 32
TOO_DEEP = f"JSON nested more than {MAX_DEPTH} levels deep."


def _problem(value: Any) -> str | None:
    if isinstance(value, str):
        return NUL if "\x00" in value else None
    if isinstance(value, float) and not math.isfinite(value):
        return NOT_FINITE
    return None


def _bad_value_at(data: Any) -> tuple[str, str] | None:
    """(top-level field or GeoJSON property, message) of the first value that cannot be stored.

    Walked with a stack, not recursion, so the depth is checked before it can hurt.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, field, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        problem = _problem(value)
        if problem is not None:
            return field, problem
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        children = []
        for key, item in items:
            if isinstance(key, str) and "\x00" in key:
                return field or key.replace("\x00", ""), NUL
            # A GeoJSON Feature's fields sit under "properties": name them, not "properties".
            children.append((item, field or ("" if key == "properties" else str(key)), depth + 1))
        stack.extend(reversed(children))  # in document order, so the first problem is named
    return None


class TextSafeJSONParser(JSONParser):
    strict = False  # NaN and Infinity parse, to be refused below with the field named

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        found = _bad_value_at(data)
        if found is not None:
            field, message = found
            raise ValidationError({field or "non_field_errors": [message]})
        return data
