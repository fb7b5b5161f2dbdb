"""API documents built inside PostgreSQL: the sites FeatureCollection, site totals, posture
steps, a site's time series, a page of observations.

Ten thousand sites with their postures, or a busy site's thousands of points, are
megabytes of JSON. Serializing them row by row in Python is several times slower
than PostgreSQL's json_agg and holds every row as Python objects. Here the ORM
still decides which rows (filters, ordering, pagination); PostgreSQL writes the
JSON, which reaches the response as bytes without being decoded: each feature
as a row, streamed, a time series' series as rows joined here, the rest as one
document. The output equals the serializers' (tests/api/test_sites.py and
test_observation_json.py compare).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.urls import reverse
from psycopg.adapt import Loader

from basewatch.core.expressions import ASSET_KEY_SQL, ASSET_LABEL_SQL
from basewatch.core.models.posture import SERIES_POINT
from basewatch.core.posture import SUMMARY_FIELDS, PostureOptions, reading_connection, site_posture_sql
from basewatch.core.posture_steps import STEPS, steps_params
from basewatch.lib.sql import id_array

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


def _open_object(head: dict) -> bytes:
    """The (non-empty) JSON object `head` left open for more members: its text up to the
    closing brace, and a comma. A document is `head`'s members, then what PostgreSQL wrote."""
    return json.dumps(head)[:-1].encode() + b", "


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

    The statement's rows are streamed (psycopg's chunked rows: libpq 17 and later) and
    handed on a thousand at a time, so the worker never holds the whole document (112 MB
    for E1 at tier M), and PostgreSQL goes on writing features while the worker sends the
    ones before: E1 took 1.06 s in process against 1.27 s fetching from a server-side cursor
    (DECLARE, FETCH), which waits for each FETCH. One statement, no cursor left on the
    server: it works behind PgBouncer in transaction mode. While the rows stream, the
    connection serves nothing else (psycopg holds its lock), so nothing may query between
    two pieces.
    """
    # `name` (a foreign member, as GDAL writes it) is what GDAL and QGIS call the layer.
    head = {"type": "FeatureCollection", "name": "sites", "count": count, "next": next_url, "previous": previous_url}
    yield _open_object(head) + b'"features": ['
    separator = b""
    connection = reading_connection()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.adapters.register_loader("text", _RawText)
        params = {"ids": id_array(ids), **options.params()}
        rows = cursor.cursor.stream(SITE_STATEMENTS[posture], params, size=FEATURES_PER_CHUNK)
        while features := [row[0] for row in itertools.islice(rows, FEATURES_PER_CHUNK)]:
            yield separator + b",".join(features)
            separator = b","
    yield b"]}"


FEATURES_PER_CHUNK = 1000


# The page's sites in its order, each with its summary read per site (`p`).
_PAGE_WITH_SUMMARIES = f"""
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n) JOIN core_site s ON s.id = page.id{_posture_join(False)}
"""
SITE_TOTALS = f"""
SELECT coalesce(json_agg(json_build_object('site', s.slug{SUMMARY_PROPERTIES}) ORDER BY page.n), '[]'::json)::text
{_PAGE_WITH_SUMMARIES}"""

# Each site's place and summary as one row of values (SITE_TABLE_FIELDS, in that order): the
# sites list's answer with `posture=total` less its names, repeated for each site, and less
# what a map does not draw (aliases, status, coordinates past the metre): a quarter of its bytes.
# The coordinates are rounded as doubles, which PostgreSQL writes in the fewest digits that
# read back the same (five decimals here): rounding them as numeric took 8 to 12 ms of the
# statement's 95 ms for 10,000 sites.
SITE_TABLE_FIELDS = ("site", "name", "kind", "host_country", "operator", "longitude", "latitude", *SUMMARY_FIELDS)
SUMMARY_VALUES = "".join(f", p.{name}" for name in SUMMARY_FIELDS)


def _site_table_statement(values: str) -> str:
    return f"""
SELECT coalesce(json_agg(json_build_array({values}{SUMMARY_VALUES}) ORDER BY page.n), '[]'::json)::text
{_PAGE_WITH_SUMMARIES}"""


# The table's columns (`columns=`), and the statement writing them: every one, or the site and
# its summary only, what a map that has drawn the sites needs for another date (half the
# bytes for 10,000 sites).
SITE_TABLE_COLUMNS = {
    "all": (SITE_TABLE_FIELDS, _site_table_statement(
        "s.slug, s.name, s.kind, s.host_country, s.operator, "
        "round(ST_X(s.location) * 1e5) / 1e5, round(ST_Y(s.location) * 1e5) / 1e5")),
    "summary": (("site", *SUMMARY_FIELDS), _site_table_statement("s.slug")),
}  # fmt: skip


def site_totals(
    ids: list[int], options: PostureOptions, count: int, next_url: str | None, previous_url: str | None
) -> bytes:
    """The page of site posture summaries (SiteTotalSerializer) for the sites `ids`, in that order."""
    head = {"count": count, "next": next_url, "previous": previous_url}
    return _summary_page(head, "results", SITE_TOTALS, ids, options)


def site_table(
    ids: list[int],
    options: PostureOptions,
    count: int,
    next_url: str | None,
    previous_url: str | None,
    columns: str = "all",
) -> bytes:
    """The page of the sites `ids`, in that order, as rows of the SITE_TABLE_COLUMNS named
    `columns` (SiteTableSerializer)."""
    fields, statement = SITE_TABLE_COLUMNS[columns]
    head = {"count": count, "next": next_url, "previous": previous_url, "fields": list(fields)}
    return _summary_page(head, "rows", statement, ids, options)


def _summary_page(head: dict, key: str, statement: str, ids: list[int], options: PostureOptions) -> bytes:
    """`head`'s members, then `key`: the array `statement` writes for the sites `ids` read with `options`."""
    array = _document(statement, {"ids": id_array(ids), **options.params()})
    return _open_object(head) + f'"{key}": '.encode() + array + b"}"


# The steps as one document, built in PostgreSQL: the page's sites by slug, then per day
# (in order) the sites whose summary changes that day, each as [its place in `sites`, *summary].
STEPS_DOCUMENT = f"""
WITH steps AS ({STEPS})
SELECT json_build_object(
    'sites', (SELECT coalesce(json_agg(s.slug ORDER BY page.n), '[]'::json)
              FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n) JOIN core_site s ON s.id = page.id),
    'steps', (SELECT coalesce(json_agg(json_build_object('day', day, 'changes', changes) ORDER BY day), '[]'::json)
              FROM (SELECT day, json_agg(jsonb_build_array(site) || summary ORDER BY site) AS changes
                    FROM steps GROUP BY day) AS days)
)::text
"""  # noqa: S608 (constant SQL; values are parameters)


def site_steps(ids: list[int], options: PostureOptions, start: dt.date, end: dt.date, head: dict) -> bytes:
    """The posture steps (core.posture_steps) of the sites `ids`, in that order, from `start` to
    `end`, read with `options`, after the answer's `head` (window, paging, fields)."""
    document = _document(STEPS_DOCUMENT, steps_params(ids, options, start, end))
    return _open_object(head) + document[1:]  # the document's members, and its closing brace


# A site's series (one per asset type and presence, in that order), a row each: its asset
# type's names as a JSON object left open, and its points; `{series}` is a query of the site's
# (asset_type_id, presence, points) rows, `points` being the series' point objects as text
# (SERIES_POINT each, comma-separated). The rows are joined into the document here, not by
# string_agg: PostgreSQL and psycopg took about 4 ms longer to pass the busiest site's
# 935 KB as one value than as its 40 rows (tier M, 10 against 4 ms for the statement).
# The site is found by its slug (the last parameter) in the same statement, saving a round
# trip: a site with no series is one row whose points are null; no row, no such site.
# `{series}` may name the site found (`site`: the join is LATERAL).
TIME_SERIES = """
SELECT left(json_build_object('asset_type', t.slug, 'asset_type_name', t.name, 'category', t.category,
                              'presence', series.presence, 'fresh_days', t.fresh_days)::text, -1), series.points
FROM core_site site
LEFT JOIN LATERAL ({series}) AS series ON true
LEFT JOIN core_assettype t ON t.id = series.asset_type_id
WHERE site.slug = %s
ORDER BY series.asset_type_id, series.presence
"""
# Every series the site keeps: what its page and most clients ask for. Constant SQL, so no
# filter and no query is built for the busiest read of a site (in process at tier M: 3.8-4.2
# ms instead of 6.4-7.1).
EVERY_SERIES = "SELECT asset_type_id, presence, points FROM core_postureseries WHERE site_id = site.id"
SPAN_COLUMNS = ["observation_id", "asset_type_id", "presence", "observed", "observed_precision", "status",
                "counted", "count_low", "count_high", "activity", "trend"]  # fmt: skip


def time_series(site_slug: str, series=None) -> bytes | None:
    """A site's counts over time, from the series kept ahead: `series` (a PostureSeries queryset
    of that site's, narrowed by a filter), or every series of the site; None when there is no
    such site."""
    if series is None:
        return _time_series_document(site_slug, TIME_SERIES.format(series=EVERY_SERIES), [])
    # The ORM's own SQL and parameters, placed in the statement as a subquery.
    sql, params = series.values("asset_type_id", "presence", "points").query.sql_with_params()
    return _time_series_document(site_slug, TIME_SERIES.format(series=sql), params)


def time_series_of_spans(site_slug: str, spans) -> bytes | None:
    """A site's counts over time written from `spans` (a PostureSpan queryset of that site's):
    for the series narrowed to some dates, which are not kept. None when there is no such site."""
    sql, params = spans.values(*SPAN_COLUMNS).query.sql_with_params()
    series = f"""SELECT span.asset_type_id, span.presence, string_agg({SERIES_POINT}, ',' ORDER BY span.observed)
        AS points FROM ({sql}) AS span GROUP BY span.asset_type_id, span.presence"""  # noqa: S608 (constant SQL)
    return _time_series_document(site_slug, TIME_SERIES.format(series=series), params)


def _time_series_document(site_slug: str, statement: str, params) -> bytes | None:
    """The time series document of `site_slug` from its series' rows (TIME_SERIES), or None."""
    with reading_connection().cursor() as cursor:
        cursor.cursor.adapters.register_loader("text", _RawText)
        cursor.execute(statement, [*params, site_slug])
        rows = cursor.fetchall()
    if not rows:
        return None
    # One join of every piece: the points (935 KB for the busiest site) are copied once.
    parts = [_open_object({"site": site_slug}), b'"series" : [']
    separator = b""
    for head, points in rows:
        if points is not None:
            parts += [separator, head, b', "points" : [', points, b"]}"]
            separator = b","
    parts.append(b"]}")
    return b"".join(parts)


# An instant as DRF writes it (DateTimeField, UTC): ISO 8601 with a `Z`, microseconds only when
# there are any (Python's isoformat); NULL stays NULL.
INSTANT = """(to_char({t} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN date_trunc('second', {t}) = {t} THEN '' ELSE to_char({t} AT TIME ZONE 'UTC', '.US') END || 'Z')"""

# A URL path segment as Django's reverse() quotes it (RFC 3986's unreserved and sub-delimiters,
# ':', '@' and '/' kept; anything else as %XX of its UTF-8 bytes).
_PATH_SAFE = "A-Za-z0-9_.~!$&''()*+,;=:@/-"
PATH_SEGMENT = f"""CASE WHEN {{v}} IS NULL OR {{v}} ~ '^[{_PATH_SAFE}]*$' THEN {{v}} ELSE (
    SELECT string_agg(CASE WHEN c ~ '^[{_PATH_SAFE}]$' THEN c
                           ELSE regexp_replace(upper(encode(convert_to(c, 'UTF8'), 'hex')), '(..)', '%%\\1', 'g') END,
                      '' ORDER BY n)
    FROM regexp_split_to_table({{v}}, '') WITH ORDINALITY AS letter(c, n)) END"""  # noqa: S608 (constant SQL)

CLAIM_SOURCES = f"""(
    SELECT coalesce(json_agg(json_build_object(
        'id', src.id, 'kind', src.kind, 'title', src.title, 'publisher', src.publisher, 'url', src.url,
        'archive_url', src.archive_url, 'published', src.published, 'captured', src.captured,
        'reliability', src.reliability, 'created', {INSTANT.format(t="src.created")},
        'updated', {INSTANT.format(t="src.updated")}, 'version', src.version
    ) ORDER BY src.published DESC, src.title), '[]'::json)
    FROM core_observation_sources link JOIN core_source src ON src.id = link.source_id
    WHERE link.observation_id = o.id)"""  # noqa: S608 (constant SQL)

_MARK = "__key__"  # stands for the slug or key in a reversed URL, replaced in SQL

# (name, SQL) in ObservationSerializer's order; the internal fields only for signed-in roles.
_OBSERVATION_FIELDS = [
    ("id", "o.id"), ("site", "s.slug"), ("asset_type", "t.slug"), ("asset", "o.asset_id"),
    ("asset_key", "a.key"), ("asset_label", "a.label"),
    ("asset_url", f"replace(%(asset_url)s, '{_MARK}', {PATH_SEGMENT.format(v='a.key')})"),
    ("observed", "o.observed"), ("observed_precision", "o.observed_precision"), ("count", "o.count"),
    ("count_low", "o.count_low"), ("count_high", "o.count_high"), ("activity", "o.activity"),
    ("presence", "o.presence"), ("credibility", "o.credibility"),
    ("url", f"replace(%(site_url)s, '{_MARK}', s.slug) || '#observation-' || o.id"),
    ("notes", "o.notes"), ("sources", CLAIM_SOURCES), ("state", "o.state"),
]  # fmt: skip
_INTERNAL_FIELDS = [
    ("state_reason", "o.state_reason"), ("entered_by", "entered_by.username"),
    ("reviewed_by", "reviewed_by.username"), ("reviewed_at", INSTANT.format(t="o.reviewed_at")),
]  # fmt: skip
_VERSION_FIELDS = [
    ("created", INSTANT.format(t="o.created")), ("updated", INSTANT.format(t="o.updated")), ("version", "o.version"),
]  # fmt: skip

OBSERVATION_PAGE = """
SELECT coalesce(string_agg(json_build_object({fields})::text, ',' ORDER BY page.n), '')
FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n)
JOIN core_observation o ON o.id = page.id
JOIN core_site s ON s.id = o.site_id
JOIN core_assettype t ON t.id = o.asset_type_id
LEFT JOIN LATERAL (SELECT {key} AS key, {label} AS label FROM core_asset a WHERE a.id = o.asset_id) AS a ON true
{people}"""
_PEOPLE = """LEFT JOIN {users} entered_by ON entered_by.id = o.entered_by_id
LEFT JOIN {users} reviewed_by ON reviewed_by.id = o.reviewed_by_id"""


def _observation_page(internal: bool) -> str:
    fields = [*_OBSERVATION_FIELDS, *(_INTERNAL_FIELDS if internal else []), *_VERSION_FIELDS]
    return OBSERVATION_PAGE.format(
        fields=", ".join(f"'{name}', {sql}" for name, sql in fields),
        key=ASSET_KEY_SQL.format(a="a"),
        label=ASSET_LABEL_SQL.format(a="a"),
        people=_PEOPLE.format(users=get_user_model()._meta.db_table) if internal else "",
    )


OBSERVATION_PAGES = {internal: _observation_page(internal) for internal in (False, True)}


def observation_page(ids: list[int], internal: bool, head: dict) -> bytes:
    """A page of observations (ObservationSerializer's JSON) with the ids `ids`, in that order,
    after the pagination's `head` (count, next, previous); `internal`: with the fields only
    signed-in roles see (who entered and reviewed it, when, why)."""
    urls = {"site_url": reverse("front:site", args=[_MARK]), "asset_url": reverse("front:asset", args=[_MARK])}
    results = _document(OBSERVATION_PAGES[internal], {"ids": id_array(ids), **urls})
    return _open_object(head) + b'"results": [' + results + b"]}"
