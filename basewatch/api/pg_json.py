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

import json
from collections.abc import Iterator

from psycopg.adapt import Loader

from basewatch.core.posture import SUMMARY_FIELDS, PostureOptions, reading_connection, site_posture_sql

SITE_FEATURES = """
SELECT {feature}
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n) JOIN core_site s ON s.id = page.id{joins}
ORDER BY page.n
"""
FEATURE = """json_build_object(
    'id', s.slug, 'type', 'Feature', 'geometry', ST_AsGeoJSON(s.location, 15)::json,
    'properties', json_build_object(
        'slug', s.slug, 'name', s.name, 'aliases', s.aliases, 'kind', s.kind, 'operator', s.operator,
        'host_country', s.host_country, 'status', s.status, 'location_precision', s.location_precision{properties})
)::text"""


# Each site's posture is read for that site alone (LATERAL: one index probe of its spans), so
# the plan is a nested loop over the page in order: it streams from the first row and cannot
# turn into a join of every site with every site's posture. core.posture defines it.
def _posture_join(entries: bool) -> str:
    return f" CROSS JOIN LATERAL ({site_posture_sql('s.id', entries=entries)}) AS p"


SUMMARY_PROPERTIES = "".join(f", '{name}', p.{name}" for name in SUMMARY_FIELDS)
# The posture entries come as JSON text (core.posture); they are the last property, written
# in place of the feature's two closing braces rather than parsed into JSON and out again.
WITH_ENTRIES = f"""left({FEATURE.format(properties=SUMMARY_PROPERTIES)}, -2)
    || ', "posture" : ' || p.posture || '}}}}'"""
SITE_STATEMENTS = {
    "full": SITE_FEATURES.format(feature=WITH_ENTRIES, joins=_posture_join(True)),
    "total": SITE_FEATURES.format(feature=FEATURE.format(properties=SUMMARY_PROPERTIES), joins=_posture_join(False)),
    "none": SITE_FEATURES.format(feature=FEATURE.format(properties=""), joins=""),
}


class _RawText(Loader):
    """Text as the bytes PostgreSQL sent (UTF-8), not decoded into a str."""

    def load(self, data) -> bytes:
        return bytes(data)


def _document(statement: str, params) -> bytes:
    with reading_connection().cursor() as cursor:
        cursor.cursor.adapters.register_loader("text", _RawText)
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def site_collection(
    ids: list[int], posture: str, options: PostureOptions, count: int, next_url: str | None, previous_url: str | None
) -> Iterator[bytes]:
    """The FeatureCollection of the sites `ids`, in that order, with as much posture (read with
    `options`) as `posture` (full, total, none) asks, in pieces.

    A server-side cursor hands the features over a thousand at a time, so the
    worker never holds the whole document (70 MB for ten thousand busy sites).
    """
    head = json.dumps({"type": "FeatureCollection", "count": count, "next": next_url, "previous": previous_url})
    yield head[:-1].encode() + b', "features": ['
    separator = b""
    with reading_connection().chunked_cursor() as cursor:
        cursor.cursor.adapters.register_loader("text", _RawText)
        cursor.execute(SITE_STATEMENTS[posture], {"ids": list(ids), **options.params()})
        while rows := cursor.fetchmany(FEATURES_PER_CHUNK):
            yield separator + b",".join(row[0] for row in rows)
            separator = b","
    yield b"]}"


FEATURES_PER_CHUNK = 1000


SITE_TOTALS = f"""
SELECT coalesce(json_agg(json_build_object('site', s.slug{SUMMARY_PROPERTIES}) ORDER BY page.n), '[]'::json)::text
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n) JOIN core_site s ON s.id = page.id{_posture_join(False)}
"""  # noqa: S608 (constant SQL; values are parameters)


def site_totals(
    ids: list[int], options: PostureOptions, count: int, next_url: str | None, previous_url: str | None
) -> bytes:
    """The page of site posture summaries (SiteTotalSerializer) for the sites `ids`, in that order."""
    head = json.dumps({"count": count, "next": next_url, "previous": previous_url})
    statement_params = {"ids": list(ids), **options.params()}
    return head[:-1].encode() + b', "results": ' + _document(SITE_TOTALS, statement_params) + b"}"


# A busy site has thousands of points: each is written by concatenation, several times faster
# than json_build_object. That is safe because every value is a number, a date or a choice's
# code (lowercase words: no quote or backslash to escape); names go through json_build_object.
TIME_SERIES = """
WITH points AS ({points})
SELECT '{{"site" : ' || to_json(%s::text)::text || ', "series" : [' || coalesce(string_agg(
    left(json_build_object('asset_type', t.slug, 'asset_type_name', t.name, 'category', t.category,
                           'presence', series.presence, 'fresh_days', t.fresh_days)::text, -1)
        || ', "points" : [' || series.points || ']}}',
    ',' ORDER BY series.asset_type_id, series.presence), '') || ']}}'
FROM (
    SELECT asset_type_id, presence, string_agg(
        '{{"date" : "' || to_char(observed, 'YYYY-MM-DD') || '", "precision" : "' || observed_precision
        || '", "status" : "' || status || '", "count" : ' || coalesce(counted::text, 'null')
        || ', "count_low" : ' || coalesce(count_low::text, 'null')
        || ', "count_high" : ' || coalesce(count_high::text, 'null') || ', "activity" : "' || activity
        || '", "trend" : ' || coalesce('"' || trend || '"', 'null') || ', "observation" : ' || observation_id || '}}',
        ',' ORDER BY observed) AS points
    FROM points GROUP BY asset_type_id, presence
) AS series JOIN core_assettype t ON t.id = series.asset_type_id
"""
POINT_COLUMNS = ["observation_id", "asset_type_id", "presence", "observed", "observed_precision", "status",
                 "counted", "count_low", "count_high", "activity", "trend"]  # fmt: skip


def time_series(site_slug: str, points) -> bytes:
    """A site's counts over time: `points` is a PostureSpan queryset (one point per type and day)."""
    # The ORM's own SQL and parameters for the points, placed in the statement as a subquery.
    sql, params = points.values(*POINT_COLUMNS).query.sql_with_params()
    return _document(TIME_SERIES.format(points=sql), [*params, site_slug])
