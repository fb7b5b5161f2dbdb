"""SQL expressions used by the models' named constraints, and by answers PostgreSQL writes."""

from __future__ import annotations

from django.contrib.gis.db.models import LineStringField
from django.contrib.postgres.fields import DateRangeField
from django.db.models import BooleanField, DateField, Func, IntegerField, TextField


class LatestAllowedDate(Func):
    """UTC today + 1: no date after it is "today" anywhere (lib.dates.latest_allowed_date).

    Safe in a CHECK constraint although it depends on the clock: a date that
    passes it once passes it forever, so a restore never trips over it.
    """

    template = "((now() AT TIME ZONE 'UTC')::date + 1)"
    output_field = DateField()

    def __init__(self):
        super().__init__()


class LonLatInRange(Func):
    """The point's longitude is within ±180 and its latitude within ±90."""

    template = "ST_CoveredBy(%(expressions)s, ST_MakeEnvelope(-180, -90, 180, 90, 4326))"
    output_field = BooleanField()


class IsCountryCode(Func):
    """The column holds an ISO 3166-1 alpha-2 code shape (two capital letters).

    Written as SQL because django-countries' lookups treat a regex as a country name.
    """

    template = "(%(expressions)s ~ '^[A-Z]{2}$')"
    output_field = BooleanField()


class IsValidGeometry(Func):
    """PostGIS finds the geometry valid (closed, non-self-intersecting rings); NULL passes.

    django.contrib.gis's IsValid cannot be used here: model validation evaluates
    constraints against plain values, which it rejects as non-geometric.
    """

    template = "COALESCE(ST_IsValid(%(expressions)s), true)"
    output_field = BooleanField()


class Counted(Func):
    """What an observation counts in posture: 0 when absent, else its count (NULL when unknown).

    The SQL function core_observation_counted (migration 0010) is the one statement of the
    rule; the posture view (core.models.PosturePoint) calls it too.
    """

    function = "core_observation_counted"
    output_field = IntegerField()

    def __init__(self, activity: str = "activity", count: str = "count"):
        super().__init__(activity, count)


class ArrayToString(Func):
    """Join a text array with spaces (for searching site aliases)."""

    template = "array_to_string(%(expressions)s, ' ')"
    output_field = TextField()


class MakeLine(Func):
    """A two-point line between two points (PostGIS ST_MakeLine of two geometries)."""

    function = "ST_MakeLine"
    output_field = LineStringField(srid=4326)


class DateRangeOf(Func):
    """daterange(start, end): the days from `start` up to, not including, `end` (NULL: no end)."""

    function = "daterange"
    output_field = DateRangeField()


# What an asset is named, in SQL over the asset table's alias `{a}`: the same as Asset.key and
# Asset.label (tests/api/test_observation_json.py holds the two together), for answers PostgreSQL writes.
ASSET_KEY_SQL = "coalesce(nullif({a}.registration, ''), lower(nullif({a}.icao_hex, '')), {a}.id::text)"
ASSET_LABEL_SQL = """concat_ws(' ', nullif({a}.name, ''),
    coalesce(nullif({a}.registration, ''), nullif({a}.hull_number, ''), nullif({a}.icao_hex, ''),
             'IMO ' || nullif({a}.imo, ''), nullif({a}.mmsi, '')))
    || CASE WHEN {a}.operator <> '' THEN ', ' || {a}.operator ELSE '' END"""
