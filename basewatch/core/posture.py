"""Posture: what the published observations say a site holds on a date, and how much is known.

The rules, once (README "How posture is computed"):

1. Per site, asset type and presence, the latest published observation on or before the
   date counts (on a tie, the one entered last): the PosturePoint view and the PostureSpan
   table built from it (core.models.posture).
2. It says one of three things: a count (with low/high estimates), *present, count unknown*
   (`uncounted`), or *absent* (looked, not there: 0). A type never observed is *no
   information*, which is not 0.
3. Based assets make the site's posture; transient ones (visiting, staging, transports in
   and out) are listed beside it and counted only when asked (`with_transient`).
4. An entry older than its asset type's freshness horizon (AssetType.fresh_days) is
   `stale`: still shown, marked, and left out when asked (`fresh_only`).
5. Loading, departing or being dismantled is a `leaving` trend, arriving an `arriving`
   one; both still count where they are seen (the assets are there that day).
6. The site's total is the sum of the counted entries, labelled as what it is: `3` (all
   counted), `3+` (and types present in unknown numbers), `+` (present, none counted), `0`
   (every type last observed absent), `?` (nothing known).

Everything here is SQL fragments that PostgreSQL evaluates per site (one GiST probe of the
spans holding the date): the ORM reads them through SiteQuerySet.with_posture and
.holding, the API's JSON builder (api.pg_json) through site_posture_sql. One definition,
so the map, the site page, the API and the CSV cannot disagree. The summary read plain
(what a map draws) is also kept ahead, per site and day it changes (SiteSummaryStep, by
the spans' triggers): one btree probe instead of aggregating the entries, tested equal to
the aggregate on every day.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from django.db import connections, router

from basewatch.core.models import AssetType, Observation, PostureSpan, PostureStatus


@dataclass(frozen=True)
class PostureOptions:
    """How to read posture: on which date, of which asset types, how strictly."""

    as_of: dt.date
    asset_types: tuple[int, ...] | None = None  # only these types (a filter); None: all
    fresh_only: bool = False  # leave stale entries out
    with_transient: bool = False  # count transient assets in the totals too

    @classmethod
    def from_filters(cls, data: dict) -> PostureOptions:
        """From a site filter's cleaned data (core.filters.SiteFilter)."""
        asset_types = None
        if data.get("asset_type"):
            asset_types = (data["asset_type"].pk,)
        elif data.get("category"):
            asset_types = tuple(AssetType.objects.filter(category=data["category"]).values_list("pk", flat=True))
        return cls(
            as_of=data["as_of"],
            asset_types=asset_types,
            fresh_only=bool(data.get("fresh")),
            with_transient=bool(data.get("transient")),
        )

    def params(self) -> dict:
        return {
            "as_of": self.as_of,
            "asset_types": list(self.asset_types) if self.asset_types is not None else None,
            "fresh_only": self.fresh_only,
            "with_transient": self.with_transient,
        }


# The entries of a site's posture: the spans holding the date, with their age and staleness,
# whether they count toward the totals, and their JSON (the span's stored `entry` closed with
# what depends on the date). `{site}` is the site id's SQL and `{as_of}` the date's (a format
# string: `}}` is one brace).
ENTRIES = """
    SELECT span.*,
           {as_of} - span.observed AS age_days,
           {as_of} - span.observed > span.fresh_days AS stale,
           (span.presence = 'based' OR %(with_transient)s) AS counts,
           span.entry || ', "age_days" : ' || ({as_of} - span.observed)
               || ', "stale" : ' || ({as_of} - span.observed > span.fresh_days)::text || '}}' AS entry_json
    FROM core_posturespan span
    WHERE span.site_id = {site} AND daterange(span.observed, span.until) @> {as_of}
      AND (%(asset_types)s::bigint[] IS NULL OR span.asset_type_id = ANY(%(asset_types)s::bigint[]))
      AND NOT (%(fresh_only)s AND {as_of} - span.observed > span.fresh_days)
"""

# The site summary, aggregated over the entries (`entry`).
_COUNTS = """
    CASE WHEN count(*) FILTER (WHERE entry.counts AND entry.status <> 'uncounted') > 0
         THEN coalesce(sum(entry.counted) FILTER (WHERE entry.counts), 0) END AS posture_total,
    count(*) FILTER (WHERE entry.counts AND entry.status = 'counted') AS counted_types,
    count(*) FILTER (WHERE entry.counts AND entry.status = 'uncounted') AS uncounted_types,
    count(*) FILTER (WHERE entry.counts AND entry.status = 'absent') AS absent_types,
    count(*) FILTER (WHERE entry.counts AND entry.stale) AS stale_types,
    count(*) FILTER (WHERE entry.counts AND entry.trend = 'leaving') AS leaving_types,
    count(*) FILTER (WHERE entry.presence = 'transient') AS transient_types,
    max(entry.observed) AS last_observed"""

# The entries as a JSON array, in text: concatenating the spans' stored JSON is several times
# faster than building each object again (E1 writes some 280,000 of them at tier M).
_ENTRY_LIST = """,
    '[' || coalesce(string_agg(entry.entry_json, ',' ORDER BY entry.presence, entry.asset_type_name), '')
        || ']' AS posture"""

# The summary read plain (every asset type, stale entries kept, transient ones not counted),
# as the site's summary steps keep it (core.models.SiteSummaryStep): its latest step on or
# before the date, in _COUNTS's columns; a site with none yet knows nothing.
_STORED_COUNTS = """
    SELECT CASE WHEN kept.counted_types + kept.absent_types > 0 THEN kept.counted_total END AS posture_total,
           coalesce(kept.counted_types, 0) AS counted_types, coalesce(kept.uncounted_types, 0) AS uncounted_types,
           coalesce(kept.absent_types, 0) AS absent_types, coalesce(kept.stale_types, 0) AS stale_types,
           coalesce(kept.leaving_types, 0) AS leaving_types, coalesce(kept.transient_types, 0) AS transient_types,
           kept.last_observed
    FROM (SELECT) AS one LEFT JOIN LATERAL (
        SELECT * FROM core_sitesummarystep kept WHERE kept.site_id = {site} AND kept.day <= {as_of}
        ORDER BY kept.day DESC LIMIT 1
    ) AS kept ON true
"""
_PLAIN = "(%(asset_types)s::bigint[] IS NULL AND NOT %(fresh_only)s AND NOT %(with_transient)s)"

_LABELLED = """
    SELECT summary.*,
           CASE WHEN counted_types + uncounted_types + absent_types = 0 THEN '?'
                WHEN uncounted_types = 0 THEN posture_total::text
                WHEN counted_types = 0 THEN '+'
                ELSE posture_total || '+' END AS posture_label,
           stale_types > 0 AND stale_types = counted_types + uncounted_types + absent_types AS stale
    FROM ({summary}) AS summary
"""

# The summary's names, in order (what the API documents and the CSV writes).
SUMMARY_FIELDS = (
    "posture_total",
    "posture_label",
    "counted_types",
    "uncounted_types",
    "absent_types",
    "stale_types",
    "stale",
    "leaving_types",
    "transient_types",
    "last_observed",
)


AS_OF = "%(as_of)s::date"  # the posture date: PostureOptions.params()'s


def computed_summary_sql(site: str, *, entries: bool = False, as_of: str = AS_OF) -> str:
    """The summary (and with `entries` the posture list), aggregated over the spans holding the
    date: the definition, for any options."""
    columns = _COUNTS + (_ENTRY_LIST if entries else "")
    return f"SELECT {columns} FROM ({ENTRIES.format(site=site, as_of=as_of)}) AS entry"  # noqa: S608 (constant SQL)


def stored_summary_sql(site: str, *, as_of: str = AS_OF) -> str:
    """The summary read plain, from the site's summary steps (the same, kept ahead)."""
    return _STORED_COUNTS.format(site=site, as_of=as_of)


def site_posture_sql(site: str, *, entries: bool = True, as_of: str = AS_OF) -> str:
    """One row: the summary of the site whose id is the SQL `site` (SUMMARY_FIELDS), and with
    `entries` its posture list (`posture`, a JSON array as text), as of the SQL date `as_of`.
    Parameters: PostureOptions.params().

    The summary alone, read plain, comes from the summary steps; PostgreSQL sees which
    branch the options take when it plans the statement and runs that one only."""
    if entries:
        summary = computed_summary_sql(site, entries=True, as_of=as_of)
    else:
        summary = f"""SELECT * FROM ({stored_summary_sql(site, as_of=as_of)}) AS stored WHERE {_PLAIN}
            UNION ALL SELECT * FROM ({computed_summary_sql(site, as_of=as_of)}) AS computed WHERE NOT {_PLAIN}"""  # noqa: S608 (constant SQL)
    return _LABELLED.format(summary=summary)


def holding_sql(site: str) -> str:
    """True when the site (id SQL `site`) has an entry that is not absent: it holds something."""
    return f"EXISTS (SELECT 1 FROM ({ENTRIES.format(site=site, as_of=AS_OF)}) AS entry WHERE entry.status <> 'absent')"  # noqa: S608 (constant SQL; values are parameters)


# For each claim (its id, site, asset type, presence and day), the posture entry holding that
# day for that site, type and presence; claims with none have no row.
_PUBLISHED_ENTRIES = f"""
SELECT claim.id, entry.entry_json
FROM unnest(%(ids)s::bigint[], %(sites)s::bigint[], %(types)s::bigint[], %(presences)s::text[], %(days)s::date[])
     AS claim(id, site, asset_type, presence, day)
CROSS JOIN LATERAL ({ENTRIES.format(site="claim.site", as_of="claim.day")}) AS entry
WHERE entry.asset_type_id = claim.asset_type AND entry.presence = claim.presence
"""  # noqa: S608 (constant SQL; values are parameters)


def published_entries(observations) -> dict[int, dict]:
    """What the published posture said, on the day each of `observations` was observed, of its
    site, asset type and presence: that entry (as the API writes entries), by observation id;
    an observation where nothing was published is left out. A reviewer compares a claim with
    the record it would change. One statement for any number of observations."""
    observations = list(observations)
    params = {
        "ids": [o.pk for o in observations],
        "sites": [o.site_id for o in observations],
        "types": [o.asset_type_id for o in observations],
        "presences": [o.presence for o in observations],
        "days": [o.observed for o in observations],
        # ENTRIES's options: every asset type, stale entries kept (the statement keeps the claim's).
        "asset_types": None,
        "fresh_only": False,
        "with_transient": False,
    }
    sql, ordered = positional(_PUBLISHED_ENTRIES, params)
    with reading_connection().cursor() as cursor:
        cursor.execute(sql, ordered)
        return {pk: json.loads(entry) for pk, entry in cursor.fetchall()}


# Every distinct day of a published observation, one index probe per day (a "skip scan"):
# the spans hold a point for every such day, and there are far fewer days than observations.
_OBSERVATION_DAYS = """
WITH RECURSIVE day AS (
    (SELECT observed FROM core_posturespan ORDER BY observed LIMIT 1)
    UNION ALL
    SELECT (SELECT observed FROM core_posturespan WHERE observed > day.observed ORDER BY observed LIMIT 1)
    FROM day WHERE day.observed IS NOT NULL
)
SELECT observed FROM day WHERE observed IS NOT NULL
"""


def observation_days() -> list[dt.date]:
    """The days with a published observation, in order (the map's time slider stops at them)."""
    with reading_connection().cursor() as cursor:
        cursor.execute(_OBSERVATION_DAYS)
        return [row[0] for row in cursor.fetchall()]


def reading_connection():
    """The connection posture SQL of its own reads on: the server the router reads spans from
    (a replica for an anonymous request, core.replica), like the ORM queries beside it."""
    return connections[router.db_for_read(PostureSpan)]


_NAMED = re.compile(r"%\((\w+)\)s")


def positional(sql: str, params: dict) -> tuple[str, list]:
    """`sql` with %(name)s placeholders as %s, and its parameters in that order (the ORM's RawSQL form)."""
    ordered = [params[name] for name in _NAMED.findall(sql)]
    return _NAMED.sub("%s", sql), ordered


def badge(summary: dict) -> dict:  # static/js/posture.js markerLook says the same
    """A site's badge from its summary: its `label` and the `classes` of its look. The label is
    `posture_label`, except where nothing based is known but assets pass through: then "+" in a
    dashed ring (transient-only), not "?" (unknown); a stale summary is greyed (stale)."""
    if summary["posture_label"] == "?":
        label, classes = ("+", ["transient-only"]) if summary["transient_types"] else ("?", ["unknown"])
    else:
        label, classes = summary["posture_label"], []
    if summary["stale"]:
        classes.append("stale")
    return {"label": label, "classes": " ".join(classes)}


def count_text(entry: dict) -> str:  # static/js/posture.js countText says the same
    """An entry's count in words: `2`, `2 (1-3)` (low and high), `present, count unknown`, `absent`."""
    if entry["status"] == PostureStatus.UNCOUNTED:
        return PostureStatus.UNCOUNTED.label
    if entry["status"] == PostureStatus.ABSENT:
        return "absent"
    low, high = entry["count_low"], entry["count_high"]
    if low is None and high is None:
        return str(entry["count"])
    return f"{entry['count']} ({'?' if low is None else low}–{'?' if high is None else high})"


def age_text(days: int) -> str:  # static/js/posture.js ageText says the same
    """How long before the posture date an entry was observed: `that day`, `12 days earlier`,
    `3 months earlier`, `2 years earlier`."""
    if days <= 0:
        return "that day"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''} earlier"
    if days < 730:
        return f"{days // 30} months earlier"
    return f"{days // 365} years earlier"


def seen_day(entry: dict) -> str:
    """The day an entry was observed: `2024-12-13`, or for a week's or a month's observation
    the period it names, `week of 2024-12-09`."""
    precision, day = entry["observed_precision"], entry["observed"]
    return day if precision == "day" else f"{precision} of {day}"


def seen_text(entry: dict) -> str:  # static/js/posture.js seenText says the same
    """When an entry was last seen: `last seen 2024-12-13 (1 day earlier)`, `last seen week of
    2024-12-09 (6 days earlier)`."""
    return f"last seen {seen_day(entry)} ({age_text(entry['age_days'])})"


def entry_text(entry: dict) -> str:
    """A posture entry in the words the CSV and the pages use:
    `Ka-52 Alligator: 1, being dismantled, last seen 2024-12-13 (2 years earlier), stale`."""
    words = [count_text(entry)]
    if entry["activity"] not in ("present", "absent"):
        words.append(Observation.Activity(entry["activity"]).label.lower())
    if entry["presence"] == Observation.Presence.TRANSIENT:
        words.append("passing through")
    words.append(seen_text(entry))
    if entry["stale"]:
        words.append("stale")
    return f"{entry['asset_type_name']}: {', '.join(words)}"
