"""Posture steps: every site's posture summary on each day of a window, as the days it changes.

A map that plays a period draws a frame per date. Asking the server for each frame
(ten thousand sites' totals) costs a round trip and a full posture read per frame; the
steps of a whole window come in one answer instead, and the frames are drawn from memory.

A site's summary (core.posture, SUMMARY_FIELDS) can change only on a day when a span of
the site starts or ends (an observation; a span ends where the next one of its type starts)
or when one of its entries turns stale (the day after its type's freshness horizon). So the summary is
read for each site on the window's first day and on each such day inside the window, by
core.posture's own definition with that day as the posture date, and a day is kept where
the summary differs from the site's day before. A site's summary on any day of the window
is then its latest step on or before that day.
"""

from __future__ import annotations

import datetime as dt

from basewatch.core.posture import SUMMARY_FIELDS, PostureOptions, site_posture_sql
from basewatch.lib.sql import id_array

# The longest window one answer covers: a year of daily frames at the most.
MAX_DAYS = 366

# core.posture's summary of one site, with the posture date read from the row (`step.day`)
# instead of one parameter for the whole statement: the same SQL, evaluated per (site, day).
_SUMMARY_ON_DAY = site_posture_sql("step.site_id", entries=False, as_of="step.day")

# The days inside the window on which a site's summary may change: the first observation of a
# span (a span's end is the next span's first day, of the same site) and the first day an entry
# is stale. Both follow from `observed`, so its index finds the few spans that matter.
_CHANGE_DAYS = """
    SELECT page.id AS site_id, page.n, %(from)s::date AS day
    FROM page
    UNION
    SELECT page.id, page.n, change.day
    FROM core_posturespan span
    JOIN page ON page.id = span.site_id
    CROSS JOIN LATERAL (VALUES (span.observed), (span.observed + span.fresh_days + 1)) AS change(day)
    WHERE span.observed <= %(to)s
      AND span.observed >= %(from)s::date - (SELECT max(fresh_days) FROM core_assettype)
      AND change.day > %(from)s AND change.day <= %(to)s
"""

_SUMMARY_ARRAY = ", ".join(f"summary.{name}" for name in SUMMARY_FIELDS)

# One row per (site, day) where the site's summary changes: its place in `ids` (from 0), the
# day, and the summary as a JSON array in SUMMARY_FIELDS order.
STEPS = f"""
WITH page AS (SELECT id, n FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS page(id, n)),
step AS ({_CHANGE_DAYS}),
summary AS (
    SELECT step.n, step.day, json_build_array({_SUMMARY_ARRAY})::jsonb AS summary
    FROM step CROSS JOIN LATERAL ({_SUMMARY_ON_DAY}) AS summary
),
changed AS (
    SELECT n, day, summary, lag(summary) OVER (PARTITION BY n ORDER BY day) AS before FROM summary
)
SELECT n - 1 AS site, day, summary FROM changed
WHERE day = %(from)s OR summary IS DISTINCT FROM before
"""  # noqa: S608 (constant SQL; values are parameters)


def steps_params(ids: list[int], options: PostureOptions, start: dt.date, end: dt.date) -> dict:
    """STEPS's parameters: the sites `ids` (in the order wanted), the window [start, end], and
    how posture is read (`options`; its `as_of` is each step's day instead)."""
    return {**options.params(), "ids": id_array(ids), "from": start, "to": end}
