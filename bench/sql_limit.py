"""The SQL limit: each workload's whole JSON answer built by one statement inside PostgreSQL.

Served through the thinnest possible Django view, so it pays the same HTTP cost as
basewatch; what remains is the floor any implementation on this database has. It is
kept apart from basewatch/api/pg_json.py on purpose, though alike: the reference must
not move when the application's statement does.

Two limits for the sites (E1, E2): `SITES`, one statement reading the posture steps the
database keeps (core_posturespan, their stored entry JSON) into the document — the true
limit of this schema; and `SITES_FROM_CLAIMS`, one statement working posture out from the
observations themselves, as a schema without the steps would have to.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.http import HttpResponse
from psycopg.adapt import Loader

from basewatch.lib import cursor

SITES_FROM_CLAIMS = """
WITH latest AS (
    SELECT DISTINCT ON (o.site_id, o.asset_type_id, o.presence)
           o.id, o.site_id, o.asset_type_id, o.presence, o.count_low, o.count_high, o.activity, o.observed,
           o.observed_precision,
           CASE WHEN o.activity = 'absent' THEN 0 ELSE o.count END AS counted,
           CASE WHEN o.activity = 'absent' THEN 'absent' WHEN o.count IS NULL THEN 'uncounted' ELSE 'counted' END
               AS status,
           CASE WHEN o.activity IN ('loading', 'departing', 'dismantled') THEN 'leaving'
                WHEN o.activity = 'arriving' THEN 'arriving' END AS trend
    FROM core_observation o
    WHERE o.state = 'published' AND o.observed <= %(as_of)s
      AND o.site_id = ANY(ARRAY(SELECT id FROM core_site
                                WHERE location && ST_MakeEnvelope(%(xmin)s, %(ymin)s, %(xmax)s, %(ymax)s, 4326)))
    ORDER BY o.site_id, o.asset_type_id, o.presence, o.observed DESC, o.id DESC
), entries AS (
    SELECT l.*, t.slug, t.name, t.category, t.fresh_days, %(as_of)s::date - l.observed AS age_days,
           %(as_of)s::date - l.observed > t.fresh_days AS stale, l.presence = 'based' AS counts
    FROM latest l JOIN core_assettype t ON t.id = l.asset_type_id
), posture AS (
    SELECT e.site_id,
           json_agg(json_build_object(
               'asset_type', e.slug, 'asset_type_name', e.name, 'category', e.category, 'presence', e.presence,
               'status', e.status, 'count', e.counted, 'count_low', e.count_low, 'count_high', e.count_high,
               'activity', e.activity, 'trend', e.trend, 'observed', e.observed,
               'observed_precision', e.observed_precision, 'age_days', e.age_days, 'stale', e.stale,
               'fresh_days', e.fresh_days, 'observation', e.id) ORDER BY e.presence, e.name) AS entries,
           CASE WHEN count(*) FILTER (WHERE e.counts AND e.status <> 'uncounted') > 0
                THEN coalesce(sum(e.counted) FILTER (WHERE e.counts), 0) END AS total,
           count(*) FILTER (WHERE e.counts AND e.status = 'counted') AS counted_types,
           count(*) FILTER (WHERE e.counts AND e.status = 'uncounted') AS uncounted_types,
           count(*) FILTER (WHERE e.counts AND e.status = 'absent') AS absent_types,
           count(*) FILTER (WHERE e.counts AND e.stale) AS stale_types,
           count(*) FILTER (WHERE e.counts AND e.trend = 'leaving') AS leaving_types,
           count(*) FILTER (WHERE NOT e.counts) AS transient_types,
           max(e.observed) AS last_observed
    FROM entries e
    GROUP BY e.site_id
)
SELECT json_build_object(
    'type', 'FeatureCollection', 'count', count(*), 'next', NULL, 'previous', NULL,
    'features', coalesce(json_agg(json_build_object(
        'id', s.slug, 'type', 'Feature', 'geometry', ST_AsGeoJSON(s.location, 15)::json,
        'properties', json_build_object(
            'slug', s.slug, 'name', s.name, 'aliases', s.aliases, 'kind', s.kind, 'operator', s.operator,
            'host_country', s.host_country, 'status', s.status, 'location_precision', s.location_precision,
            'posture_total', p.total,
            'posture_label', CASE WHEN coalesce(p.counted_types + p.uncounted_types + p.absent_types, 0) = 0 THEN '?'
                                  WHEN p.uncounted_types = 0 THEN p.total::text
                                  WHEN p.counted_types = 0 THEN '+'
                                  ELSE p.total || '+' END,
            'counted_types', coalesce(p.counted_types, 0), 'uncounted_types', coalesce(p.uncounted_types, 0),
            'absent_types', coalesce(p.absent_types, 0), 'stale_types', coalesce(p.stale_types, 0),
            'stale', coalesce(p.stale_types > 0
                              AND p.stale_types = p.counted_types + p.uncounted_types + p.absent_types, false),
            'leaving_types', coalesce(p.leaving_types, 0), 'transient_types', coalesce(p.transient_types, 0),
            'last_observed', p.last_observed,
            'posture', coalesce(p.entries, '[]'::json))
    ) ORDER BY s.name, s.id), '[]'::json))::text
FROM core_site s LEFT JOIN posture p ON p.site_id = s.id
WHERE s.location && ST_MakeEnvelope(%(xmin)s, %(ymin)s, %(xmax)s, %(ymax)s, 4326)
"""

# Posture read from the steps: per site in the box, the spans holding the date (one index
# probe), their stored entries closed with the age and staleness of that date.
SITES = """
SELECT '{"type" : "FeatureCollection", "count" : ' || count(*) || ', "next" : null, "previous" : null, "features" : ['
       || coalesce(string_agg(feature, ',' ORDER BY name, id), '') || ']}'
FROM (
    SELECT s.name, s.id, left(json_build_object(
        'id', s.slug, 'type', 'Feature', 'geometry', ST_AsGeoJSON(s.location, 15)::json,
        'properties', json_build_object(
            'slug', s.slug, 'name', s.name, 'aliases', s.aliases, 'kind', s.kind, 'operator', s.operator,
            'host_country', s.host_country, 'status', s.status, 'location_precision', s.location_precision,
            'posture_total', p.total,
            'posture_label', CASE WHEN p.counted_types + p.uncounted_types + p.absent_types = 0 THEN '?'
                                  WHEN p.uncounted_types = 0 THEN p.total::text
                                  WHEN p.counted_types = 0 THEN '+'
                                  ELSE p.total || '+' END,
            'counted_types', p.counted_types, 'uncounted_types', p.uncounted_types, 'absent_types', p.absent_types,
            'stale_types', p.stale_types,
            'stale', p.stale_types > 0 AND p.stale_types = p.counted_types + p.uncounted_types + p.absent_types,
            'leaving_types', p.leaving_types, 'transient_types', p.transient_types,
            'last_observed', p.last_observed))::text, -2)
        || ', "posture" : [' || coalesce(p.entries, '') || ']}}' AS feature
    FROM core_site s CROSS JOIN LATERAL (
        SELECT string_agg(e.entry || ', "age_days" : ' || (%(as_of)s::date - e.observed) || ', "stale" : '
                          || (%(as_of)s::date - e.observed > e.fresh_days)::text || '}', ','
                          ORDER BY e.presence, e.asset_type_name) AS entries,
               CASE WHEN count(*) FILTER (WHERE e.presence = 'based' AND e.status <> 'uncounted') > 0
                    THEN coalesce(sum(e.counted) FILTER (WHERE e.presence = 'based'), 0) END AS total,
               count(*) FILTER (WHERE e.presence = 'based' AND e.status = 'counted') AS counted_types,
               count(*) FILTER (WHERE e.presence = 'based' AND e.status = 'uncounted') AS uncounted_types,
               count(*) FILTER (WHERE e.presence = 'based' AND e.status = 'absent') AS absent_types,
               count(*) FILTER (WHERE e.presence = 'based' AND %(as_of)s::date - e.observed > e.fresh_days)
                   AS stale_types,
               count(*) FILTER (WHERE e.presence = 'based' AND e.trend = 'leaving') AS leaving_types,
               count(*) FILTER (WHERE e.presence = 'transient') AS transient_types,
               max(e.observed) AS last_observed
        FROM core_posturespan e
        WHERE e.site_id = s.id AND daterange(e.observed, e.until) @> %(as_of)s::date
    ) p
    WHERE s.location && ST_MakeEnvelope(%(xmin)s, %(ymin)s, %(xmax)s, %(ymax)s, 4326)
) AS site
"""

# A site's counts over time: the site's series as the database keeps them (core_postureseries,
# each its points' JSON in date order), a row each (its asset type's names as JSON left open,
# its points), joined by the view as bytes: one 935 KB value took PostgreSQL and psycopg
# about 4 ms longer to pass than the same bytes in the busiest site's 40 rows.
TIMESERIES = """
SELECT '{"asset_type" : ' || to_json(t.slug)::text || ', "asset_type_name" : ' || to_json(t.name)::text
    || ', "category" : "' || t.category || '", "presence" : "' || series.presence || '", "fresh_days" : '
    || t.fresh_days || ', "points" : [', series.points
FROM core_postureseries series JOIN core_site s ON s.id = series.site_id
JOIN core_assettype t ON t.id = series.asset_type_id
WHERE s.slug = %(slug)s
ORDER BY series.asset_type_id, series.presence
"""

# A keyset page of published observations (E3), with their sources, as the API writes it.
OBSERVATIONS = """
WITH page AS (
    SELECT o.* FROM core_observation o
    WHERE o.state = 'published' AND (o.observed, o.id) < (%(day)s, %(id)s)
    ORDER BY o.observed DESC, o.id DESC
    LIMIT %(size)s
)
SELECT json_build_object('next', NULL, 'previous', NULL, 'results', coalesce(json_agg(json_build_object(
    'id', o.id, 'site', s.slug, 'asset_type', t.slug, 'asset', o.asset_id,
    'asset_key', a.key, 'asset_label', a.label, 'asset_url', '/assets/' || a.key || '/',
    'url', '/sites/' || s.slug || '/#observation-' || o.id, 'observed', o.observed,
    'observed_precision', o.observed_precision, 'count', o.count, 'count_low', o.count_low,
    'count_high', o.count_high, 'activity', o.activity, 'presence', o.presence, 'credibility', o.credibility,
    'notes', o.notes,
    'sources', (
        SELECT coalesce(json_agg(json_build_object(
            'id', src.id, 'kind', src.kind, 'title', src.title, 'publisher', src.publisher, 'url', src.url,
            'archive_url', src.archive_url, 'published', src.published, 'captured', src.captured,
            'reliability', src.reliability, 'created', src.created, 'updated', src.updated, 'version', src.version
        ) ORDER BY src.published DESC, src.title), '[]'::json)
        FROM core_observation_sources link JOIN core_source src ON src.id = link.source_id
        WHERE link.observation_id = o.id),
    'state', o.state, 'created', o.created, 'updated', o.updated, 'version', o.version
) ORDER BY o.observed DESC, o.id DESC), '[]'::json))::text
FROM page o JOIN core_site s ON s.id = o.site_id JOIN core_assettype t ON t.id = o.asset_type_id
LEFT JOIN LATERAL (
    -- Asset.key and Asset.label, as the API writes them.
    SELECT coalesce(nullif(registration, ''), lower(nullif(icao_hex, '')), id::text) AS key,
           concat_ws(', ', nullif(concat_ws(' ', nullif(name, ''), coalesce(nullif(registration, ''),
               nullif(hull_number, ''), nullif(icao_hex, ''), 'IMO ' || nullif(imo, ''), mmsi)), ''),
               nullif(operator, '')) AS label
    FROM core_asset WHERE id = o.asset_id
) a ON true
"""

WORLD = "-180, -90, 180, 90"


def _answer(body: bytes | str) -> HttpResponse:
    """`body`, JSON, through the thinnest view. `no-store`, or Django's ConditionalGetMiddleware
    (in basewatch's settings) would hash the whole answer for an ETag, which basewatch's own
    answers never pay (theirs is the data version's): md5 takes about 150 ms of E1's 112 MB
    and 1.4 ms of E4's 935 KB here."""
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "no-store"
    return response


def _json(statement: str, params: dict) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return _answer(cursor.fetchone()[0])


def _sites(statement: str, request) -> HttpResponse:
    box = [float(value) for value in request.GET.get("bbox", WORLD).split(",")]
    as_of = dt.date.fromisoformat(request.GET["as_of"])
    return _json(statement, {"as_of": as_of, **dict(zip(["xmin", "ymin", "xmax", "ymax"], box, strict=True))})


def sites(request):
    """All sites (E1) or those in `bbox` (E2), with their posture as of `as_of`, from the steps."""
    return _sites(SITES, request)


def sites_from_claims(request):
    """The same, with posture worked out from the observations."""
    return _sites(SITES_FROM_CLAIMS, request)


class _Bytes(Loader):
    def load(self, data) -> bytes:
        return bytes(data)


def timeseries(request, slug: str):
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("text", _Bytes)
        cursor.execute(TIMESERIES, {"slug": slug})
        rows = cursor.fetchall()
    # One join of every piece: the points are copied once.
    parts = [b'{"site" : ' + json.dumps(slug).encode() + b', "series" : [']
    for n, (head, points) in enumerate(rows):
        parts += [b"," if n else b"", head, points, b"]}"]
    return _answer(b"".join([*parts, b"]}"]))


def observations(request):
    """The page of published observations after `cursor` (E3), `page_size` of them (default 100)."""
    _, day, pk = cursor.decode(request.GET["cursor"])
    return _json(OBSERVATIONS, {"day": day, "id": pk, "size": int(request.GET.get("page_size", 100))})
