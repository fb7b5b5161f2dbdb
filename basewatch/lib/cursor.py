"""Keyset pagination cursors: where a page starts, as an opaque URL-safe string.

A cursor holds the direction and the (key, id) of the row the page starts after
(or, going back, before). The key is what the list is ordered by before its id: a
date (observations, movements) or a text (a site's slug). Kept free of Django so
the benchmark can make one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from basewatch.lib.dates import parse_day

MAX_LENGTH = 200  # a date's cursor is about 40 characters; one holding a 100-character slug about 170


def encode(backwards: bool, key: dt.date | str, pk: int) -> str:
    text = key.isoformat() if isinstance(key, dt.date) else key
    position = json.dumps(["b" if backwards else "a", text, pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def decode(text: str, key_type: type[dt.date] | type[str] = dt.date) -> tuple[bool, dt.date | str, int]:
    """(backwards, key, id) from a cursor `encode` made for a list keyed by `key_type`; ValueError for anything else."""
    if len(text) > MAX_LENGTH:
        raise ValueError("too long")
    try:
        position = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("not base64 JSON") from error
    if not isinstance(position, list) or len(position) != 3:
        raise ValueError("not a position")
    direction, key, pk = position
    if direction not in ("a", "b") or not isinstance(key, str) or type(pk) is not int or not 0 < pk < 2**63:
        raise ValueError("not a position")
    if key_type is dt.date:
        return direction == "b", parse_day(key), pk
    # A text key reaches SQL as a parameter: PostgreSQL refuses a NUL in text, so no control characters.
    if not key.isprintable():
        raise ValueError("not a key")
    return direction == "b", key, pk
