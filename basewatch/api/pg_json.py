"""API documents built inside PostgreSQL: the sites FeatureCollection, site totals, a site's time series.

Ten thousand sites with their postures, or a busy site's thousands of points, are
megabytes of JSON. Serializing them row by row in Python is several times slower
than PostgreSQL's json_agg and holds every row as Python objects. Here the ORM
still decides which rows (filters, ordering, pagination); PostgreSQL writes the
JSON, which reaches the response as bytes without being decoded: each feature
as a row, streamed, and the time series as one document. The output equals the
serializers' (tests/api/test_sites.py compares).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from django.db import connection
from psycopg.adapt import Loader

SITE_FEATURES = """
SELECT json_build_object(
    'id', s.slug, 'type', 'Feature', 'geometry', ST_AsGeoJSON(s.location, 15)::json,
    'properties', json_build_object(
        'slug', s.slug, 'name', s.name, 'aliases', s.aliases, 'kind', s.kind, 'operator', s.operator,
        'host_country', s.host_country, 'status', s.status, 'location_precision', s.location_precision{properties})
)::text
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n) JOIN core_site s ON s.id = page.id{joins}
ORDER BY page.n
"""
# Each site's total and posture are read for that site alone (LATERAL, one index range each),
# so the plan is a nested loop over the page in order: it streams from the first row and
# cannot turn into a join of every site with every site's posture.
# The latest step of the site's total on or before the day (core.models.SiteTotal).
LATEST_STEP = """ LEFT JOIN LATERAL (
    SELECT total, day FROM core_sitetotal WHERE site_id = s.id AND day <= %(as_of)s ORDER BY day DESC LIMIT 1
) AS step ON true"""
# Posture: per asset type, the latest posture point on or before the date (core.models.PosturePoint,
# the view that defines posture), as PosturePointQuerySet.as_of().
POSTURE = """ LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object(
               'asset_type', t.slug, 'asset_type_name', t.name, 'category', t.category, 'count', l.counted,
               'count_low', l.count_low, 'count_high', l.count_high, 'activity', l.activity,
               'observed', l.observed, 'observation', l.observation_id) ORDER BY l.asset_type_id) AS entries
    FROM (
        SELECT DISTINCT ON (point.asset_type_id) point.*
        FROM core_posturepoint point
        WHERE point.site_id = s.id AND point.observed <= %(as_of)s
        ORDER BY point.asset_type_id, point.observed DESC
    ) AS l JOIN core_assettype t ON t.id = l.asset_type_id
) AS p ON true"""
TOTAL_PROPERTIES = """,
        'last_observed', step.day, 'posture_total', coalesce(step.total, 0)"""
SITE_STATEMENTS = {
    "full": SITE_FEATURES.format(
        properties=TOTAL_PROPERTIES + """, 'posture', coalesce(p.entries, '[]'::json)""",
        joins=LATEST_STEP + POSTURE,
    ),
    "total": SITE_FEATURES.format(properties=TOTAL_PROPERTIES, joins=LATEST_STEP),
    "none": SITE_FEATURES.format(properties="", joins=""),
}


class _RawText(Loader):
    """Text as the bytes PostgreSQL sent (UTF-8), not decoded into a str."""

    def load(self, data) -> bytes:
        return bytes(data)


def _document(statement: str, params) -> bytes:
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("text", _RawText)
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def site_collection(
    ids: list[int], posture: str, as_of: dt.date, count: int, next_url: str | None, previous_url: str | None
) -> Iterator[bytes]:
    """The FeatureCollection of the sites `ids`, in that order, with as much posture as of `as_of` as
    `posture` (full, total, none) asks, in pieces.

    A server-side cursor hands the features over a thousand at a time, so the
    worker never holds the whole document (70 MB for ten thousand busy sites).
    """
    head = json.dumps({"type": "FeatureCollection", "count": count, "next": next_url, "previous": previous_url})
    yield head[:-1].encode() + b', "features": ['
    separator = b""
    with connection.chunked_cursor() as cursor:
        cursor.cursor.adapters.register_loader("text", _RawText)
        cursor.execute(SITE_STATEMENTS[posture], {"ids": list(ids), "as_of": as_of})
        while rows := cursor.fetchmany(FEATURES_PER_CHUNK):
            yield separator + b",".join(row[0] for row in rows)
            separator = b","
    yield b"]}"


FEATURES_PER_CHUNK = 1000


SITE_TOTALS = (
    """
SELECT coalesce(json_agg(json_build_object(
    'site', s.slug, 'posture_total', coalesce(step.total, 0), 'last_observed', step.day
) ORDER BY page.n), '[]'::json)::text
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n) JOIN core_site s ON s.id = page.id"""
    + LATEST_STEP
)


def site_totals(ids: list[int], as_of: dt.date, count: int, next_url: str | None, previous_url: str | None) -> bytes:
    """The page of site totals (SiteTotalSerializer) for the sites `ids`, in that order, as of `as_of`."""
    head = json.dumps({"count": count, "next": next_url, "previous": previous_url})
    return head[:-1].encode() + b', "results": ' + _document(SITE_TOTALS, {"ids": list(ids), "as_of": as_of}) + b"}"


TIME_SERIES = """
WITH points AS ({points})
SELECT json_build_object('site', %s::text, 'series', coalesce(json_agg(json_build_object(
    'asset_type', t.slug, 'asset_type_name', t.name, 'category', t.category, 'points', series.points)
    ORDER BY series.asset_type_id), '[]'::json))::text
FROM (
    SELECT asset_type_id, json_agg(json_build_object(
        'date', observed, 'precision', observed_precision, 'count', counted, 'count_low', count_low,
        'count_high', count_high, 'activity', activity, 'observation', observation_id) ORDER BY observed) AS points
    FROM points GROUP BY asset_type_id
) AS series JOIN core_assettype t ON t.id = series.asset_type_id
"""
POINT_COLUMNS = ["observation_id", "asset_type_id", "observed", "observed_precision", "counted", "count_low",
                 "count_high", "activity"]  # fmt: skip


def time_series(site_slug: str, points) -> bytes:
    """A site's counts over time: `points` is a PosturePoint queryset (one point per type and day)."""
    # The ORM's own SQL and parameters for the points, placed in the statement as a subquery.
    sql, params = points.values(*POINT_COLUMNS).query.sql_with_params()
    return _document(TIME_SERIES.format(points=sql), [*params, site_slug])
