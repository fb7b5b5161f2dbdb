"""The query parameters of OGC API - Features (Parts 1 and 3), each parsed once into a plain value.

A bad value raises BadParameter naming the parameter; the views answer it with a 400 in
the OGC exception format. `bbox` is read by the same field as the REST API's (lon/lat
degrees, antimeridian crossing allowed), so both accept and refuse the same boxes; the
`filter` by cql.py, into pygeofilter's syntax tree (the collection applies it); `cursor`
by the REST API's cursor reader (lib.cursor).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms

from basewatch.core.filters import BBoxField
from basewatch.lib import cursor
from basewatch.lib.dates import parse_day, utc_day
from basewatch.ogc import cql

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# `f`: JSON (GeoJSON for features) or the HTML page (ogc/html.py); without it, Accept decides.
FORMATS = ("json", "geojson", "html")


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Interval:
    """A `datetime` as days, both ends included; None: open at that end. An instant has start == end."""

    start: dt.date | None
    end: dt.date | None

    @property
    def instant(self) -> bool:
        return self.start is not None and self.start == self.end


@dataclass(frozen=True)
class ItemsQuery:
    bbox: tuple[float, float, float, float] | None
    datetime: Interval | None
    limit: int
    # Where the page starts: (backwards, key, id) of the row it follows (or, backwards, precedes).
    cursor: tuple[bool, dt.date | str, int] | None = None
    # Property filters (the collection's queryables) as sent; the collection's FilterSet reads them.
    properties: dict[str, str] = field(default_factory=dict)
    # A CQL2 filter, as pygeofilter's syntax tree; the collection reads it over its queryables.
    filter: object = None


def check_known(query, known: set[str]) -> None:
    """A parameter the endpoint does not know is a 400, not silently ignored (OGC /req/core/query-param-unknown)."""
    for name in query:
        if name not in known:
            raise BadParameter(name, f"Unknown parameter. This endpoint takes: {', '.join(sorted(known)) or 'none'}.")
    check_format(query)


def check_format(query) -> None:
    if "f" in query and query["f"] not in FORMATS:
        raise BadParameter("f", f"Choose one of: {', '.join(FORMATS)}.")


def _one(query, name: str) -> str | None:
    values = query.getlist(name)
    if len(values) > 1:
        raise BadParameter(name, "Give this parameter once.")
    return values[0] if values else None


def _crs84_only(query, name: str) -> None:
    """A CRS parameter may name CRS84 alone: no spatial reference is ever built from a request."""
    crs = _one(query, name)
    if crs is not None and crs != CRS84:
        raise BadParameter(name, f"Only {CRS84} (longitude, latitude) is supported.")


def parse_bbox(query) -> tuple[float, float, float, float] | None:
    _crs84_only(query, "bbox-crs")
    raw = _one(query, "bbox")
    if raw is None:
        return None
    try:
        return BBoxField(required=False, heights=True).clean(raw) or _empty("bbox")
    except forms.ValidationError as error:
        raise BadParameter("bbox", " ".join(error.messages)) from None


def _empty(name: str):
    raise BadParameter(name, "Give a value or leave the parameter out.")


def _day(text: str) -> dt.date | None:
    """One end of a `datetime`: a date, an RFC 3339 date-time with its offset (read in UTC), or open."""
    if text in ("", ".."):
        return None
    if len(text) == 10:
        return parse_day(text)
    if len(text) == 11 and text[10] in "Tt":
        # GDAL's OAPIF driver turns `-where "observed >= '2024-12-13'"` into `2024-12-13T/..`:
        # a day with an empty time, which can only mean that day.
        return parse_day(text[:10])
    moment = dt.datetime.fromisoformat(text.replace("z", "Z"))
    if "T" not in text.upper() or moment.tzinfo is None:
        raise ValueError("a date-time needs a time and an offset")
    return utc_day(moment)


def parse_datetime(query) -> Interval | None:
    """`datetime`: an instant (`2024-12-01`, `2024-12-01T10:00:00Z`) or an interval `start/end` with
    `..` or nothing for an open end (OGC /req/core/fc-time-definition). Days are what basewatch records."""
    raw = _one(query, "datetime")
    if raw is None:
        return None
    parts = raw.split("/")
    try:
        if len(parts) == 1:
            day = _day(parts[0])
            if day is None:
                raise ValueError("an instant cannot be open")
            return Interval(day, day)
        if len(parts) != 2:
            raise ValueError("more than two ends")
        start, end = _day(parts[0]), _day(parts[1])
    except ValueError:
        raise BadParameter(
            "datetime", "Give a date or RFC 3339 date-time (with offset), or an interval start/end with .. for open."
        ) from None
    if start is None and end is None:
        raise BadParameter("datetime", "An interval needs at least one end.")
    if start is not None and end is not None and start > end:
        raise BadParameter("datetime", "The interval's start is after its end.")
    return Interval(start, end)


def _whole_number(query, name: str, default: int, low: int, high: int) -> int:
    raw = _one(query, name)
    if raw is None:
        return default
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadParameter(name, f"A whole number from {low} to {high}.")
    return int(raw)


def parse_cursor(query, key_type: type) -> tuple[bool, dt.date | str, int] | None:
    raw = _one(query, "cursor")
    if raw is None:
        return None
    try:
        return cursor.decode(raw, key_type)
    except ValueError:
        raise BadParameter("cursor", "Not a cursor this API gave out: follow the `next` and `prev` links.") from None


def parse_filter(query):
    """`filter` in `filter-lang` (CQL2 text by default, or CQL2-JSON), its geometries in `filter-crs`:
    CRS84 alone, so no spatial reference is ever built from what a client sends."""
    language = _one(query, "filter-lang")
    if language is None:
        language = cql.TEXT
    elif language not in cql.LANGUAGES:
        raise BadParameter("filter-lang", f"Choose one of: {', '.join(cql.LANGUAGES)}.")
    _crs84_only(query, "filter-crs")
    raw = _one(query, "filter")
    if raw is None:
        return None
    try:
        return cql.parse(raw, language)
    except cql.InvalidFilter as error:
        raise BadParameter("filter", str(error)) from None


def parse_items_query(query, queryables=(), key_type: type = dt.date) -> ItemsQuery:
    """The query of an items page; `queryables`: the property filters the collection takes;
    `key_type`: what its paging order's key is (a cursor holds one)."""
    sent = {name: _one(query, name) for name in queryables}
    return ItemsQuery(
        bbox=parse_bbox(query),
        datetime=parse_datetime(query),
        limit=_whole_number(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        cursor=parse_cursor(query, key_type),
        properties={name: value for name, value in sent.items() if value is not None},
        filter=parse_filter(query),
    )
