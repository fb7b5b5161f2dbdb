"""Dates as basewatch reasons about them: the one written form of a day, the range of days it
takes, and an instant's day."""

from __future__ import annotations

import datetime as dt
import re

# The earliest day basewatch takes, for an observation or a posture date. Days near the
# calendar's start (year 1) overflowed Python's dates in what is computed around them (a
# chart's margin, a period before the date): 500s. Open sources on military bases start
# well after it.
EARLIEST_DATE = dt.date(1900, 1, 1)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def latest_allowed_date() -> dt.date:
    """The last date that is not in the future anywhere on Earth.

    Editors work in every time zone; the furthest ahead (UTC+14) is at most one
    calendar day past UTC, so "not in the future" means "no later than UTC
    today + 1". The database constraints use the same rule (core.expressions).
    """
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)


def parse_day(text: str) -> dt.date:
    """A day written YYYY-MM-DD, the one form basewatch reads and writes; ValueError otherwise.
    (Python 3.11's date.fromisoformat also reads `2024-W50-5` and `20241213`, which the forms
    and the API refuse: a spreadsheet must not take what they do not.)"""
    if not _DAY.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a date written YYYY-MM-DD")
    return dt.date.fromisoformat(text)


def utc_day(moment: dt.datetime) -> dt.date:
    """The day in UTC of an instant with an offset; ValueError where that day is outside the
    calendar (`9999-12-31T23:00:00-05:00`), which Python raises as OverflowError."""
    try:
        return moment.astimezone(dt.UTC).date()
    except OverflowError:
        raise ValueError("the instant's day in UTC is outside the calendar") from None
