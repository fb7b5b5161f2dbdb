"""Dates as basewatch reasons about them."""

from __future__ import annotations

import datetime as dt


def latest_allowed_date() -> dt.date:
    """The last date that is not in the future anywhere on Earth.

    Editors work in every time zone; the furthest ahead (UTC+14) is at most one
    calendar day past UTC, so "not in the future" means "no later than UTC
    today + 1". The database constraints use the same rule (core.expressions).
    """
    return dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
