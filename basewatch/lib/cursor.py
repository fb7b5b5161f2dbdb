"""Keyset pagination cursors: where a page starts, as an opaque URL-safe string.

A cursor holds the direction and the (date, id) of the row the page starts after
(or, going back, before). Kept free of Django so the benchmark can make one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

MAX_LENGTH = 100  # a real cursor is about 40 characters


def encode(backwards: bool, day: dt.date, pk: int) -> str:
    position = json.dumps(["b" if backwards else "a", day.isoformat(), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(position.encode()).decode().rstrip("=")


def decode(text: str) -> tuple[bool, dt.date, int]:
    """(backwards, day, id) from a cursor `encode` made; ValueError for anything else."""
    if len(text) > MAX_LENGTH:
        raise ValueError("too long")
    try:
        position = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("not base64 JSON") from error
    if not isinstance(position, list) or len(position) != 3:
        raise ValueError("not a position")
    direction, day, pk = position
    if direction not in ("a", "b") or not isinstance(day, str) or type(pk) is not int or not 0 < pk < 2**63:
        raise ValueError("not a position")
    return direction == "b", dt.date.fromisoformat(day), pk
