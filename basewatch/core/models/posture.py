"""Posture as the database keeps it: the points of every site's posture over time (a view) and
the spans during which each holds (a table kept by triggers). The rules are in core.posture."""

from __future__ import annotations

import pgtrigger
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F

from basewatch.core.expressions import DateRangeOf
from basewatch.core.models.catalogue import AssetType, Site
from basewatch.core.models.claims import Observation
from basewatch.core.querysets import PosturePointQuerySet, PostureSpanQuerySet


class PostureStatus(models.TextChoices):
    """What a posture point says of its asset type."""

    COUNTED = "counted", "counted"
    UNCOUNTED = "uncounted", "present, count unknown"
    ABSENT = "absent", "absent (looked, not there)"


class Trend(models.TextChoices):
    """Which way an observed activity points: loading, departing or being dismantled is leaving."""

    LEAVING = "leaving", "leaving"
    ARRIVING = "arriving", "arriving"


class PointFields(models.Model):
    """What a posture point says, as the view and the spans both hold it."""

    presence = models.CharField(max_length=10, choices=Observation.Presence.choices)
    observed = models.DateField()
    observed_precision = models.CharField(max_length=10, choices=Observation.Precision.choices)
    count_low = models.IntegerField(null=True)
    count_high = models.IntegerField(null=True)
    activity = models.CharField(max_length=20, choices=Observation.Activity.choices)
    counted = models.IntegerField(null=True)
    status = models.CharField(max_length=10, choices=PostureStatus.choices)
    trend = models.CharField(max_length=10, choices=Trend.choices, null=True)

    class Meta:
        abstract = True


class PosturePoint(PointFields):
    """A point of the step function that is a site's posture over time: per site, asset type,
    presence (based or transient) and date, the published observation that counts (the one
    entered last, when several share the date), with what it says: its `status` (counted,
    uncounted: present in unknown numbers, absent: looked and not there, counting 0), `counted`
    (0 for absent, the count, or NULL) and `trend` (leaving, arriving or NULL).

    A database view (core_posturepoint, migration 0011), the one definition of these points:
    the posture spans (PostureSpan) are built from it, and what reads points reads the spans
    (a span starts at each point). Read only; tests compare the spans with it.
    """

    observation = models.OneToOneField(
        Observation, primary_key=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    site = models.ForeignKey(Site, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    asset_type = models.ForeignKey(AssetType, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)

    objects = PosturePointQuerySet.as_manager()

    class Meta(PointFields.Meta):
        managed = False
        db_table = "core_posturepoint"
        ordering = ["site_id", "asset_type_id", "presence", "observed"]

    def __str__(self) -> str:
        return f"{self.observed}: {self.counted} of type {self.asset_type_id} at site {self.site_id}"


class PostureSpan(PointFields):
    """The days during which a posture point is its site's latest word on an asset type (and
    presence): from `observed` up to, not including, `until` (the next point's date; NULL while
    it is the latest).

    Posture as of D is the spans holding D (core.posture), found by one GiST index probe per
    site whatever the site's history, which is what lets a map draw ten thousand sites at
    once. Each span also keeps what its posture entry says that does not depend on D: its
    asset type's name and freshness horizon, and the entry's JSON but for its age and
    staleness (`entry`), so a posture is read without a join and written as text
    (core.posture). Kept by triggers on observations and asset types (refresh_posture_spans
    below) in the writing transaction, from the PosturePoint view; never written by the
    application.
    """

    observation = models.OneToOneField(
        Observation, primary_key=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)
    asset_type = models.ForeignKey(AssetType, on_delete=models.CASCADE, related_name="+", db_index=False)
    until = models.DateField(null=True)
    asset_type_name = models.CharField(max_length=100)  # entries are listed by it
    fresh_days = models.PositiveIntegerField()
    # The entry's JSON object (core.posture.ENTRIES) up to, not including, its age and staleness
    # and the closing brace: `{"asset_type" : "su-24", …, "observation" : 12`.
    entry = models.TextField()

    objects = PostureSpanQuerySet.as_manager()

    class Meta(PointFields.Meta):
        indexes = [
            GistIndex(F("site"), DateRangeOf("observed", "until"), name="posturespan_site_days"),
            # A site's counts over time (the API's time series), read in order.
            models.Index("site", "asset_type", "presence", "observed", name="posturespan_site_series"),
            # The days anything was observed (core.posture.observation_days), a probe per day.
            models.Index("observed", name="posturespan_observed"),
        ]

    def __str__(self) -> str:
        return f"type {self.asset_type_id} at site {self.site_id}, {self.observed} to {self.until or 'now'}"


class SiteSummaryStep(models.Model):
    """A site's posture summary read the plain way (every asset type, stale entries kept,
    transient ones not counted) from `day` until the site's next step: what core.posture's
    summary says on those days, kept so that ten thousand sites' totals on a date are one
    index probe each (the map's first draw and date changes, site totals).

    The summary changes only where a span starts or ends or an entry turns stale, so the
    steps are running sums of what each span adds and takes away on those days. Kept with
    the spans by the same triggers (below); tests compare them with core.posture's
    summary worked out from the spans on every day.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    counted_total = models.IntegerField()  # the sum of the counted entries (absent ones count 0)
    counted_types = models.IntegerField()
    uncounted_types = models.IntegerField()
    absent_types = models.IntegerField()
    stale_types = models.IntegerField()
    leaving_types = models.IntegerField()
    transient_types = models.IntegerField()
    last_observed = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint("site", "day", name="sitesummarystep_site_day")]

    def __str__(self) -> str:
        return f"site {self.site_id} from {self.day}: {self.counted_total}"


class PostureSeries(models.Model):
    """A site's counts over time for one asset type and presence, as the API's time series
    writes its points (`points`: the JSON objects of its spans in date order, comma-separated,
    SERIES_POINT each), kept so that a busy site's thousands of points are read as a few
    stored texts rather than written afresh on every request (api.pg_json.time_series).

    Kept with the spans by the same triggers (below); tests compare them, after every kind
    of write, with the points written from the spans.
    """

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+", db_index=False)
    asset_type = models.ForeignKey(AssetType, on_delete=models.CASCADE, related_name="+", db_index=False)
    presence = models.CharField(max_length=10, choices=Observation.Presence.choices)
    points = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint("site", "asset_type", "presence", name="postureseries_site_type_presence")
        ]

    def __str__(self) -> str:
        return f"type {self.asset_type_id} ({self.presence}) at site {self.site_id}"


# A point of a site's counts over time (the time series' JSON) from the span `span`. Written by
# concatenation, several times faster than json_build_object: every value is a number, a date or
# a choice's code (lowercase words: no quote or backslash to escape).
SERIES_POINT = """'{"date" : "' || to_char(span.observed, 'YYYY-MM-DD') || '", "precision" : "'
        || span.observed_precision || '", "status" : "' || span.status
        || '", "count" : ' || coalesce(span.counted::text, 'null')
        || ', "count_low" : ' || coalesce(span.count_low::text, 'null')
        || ', "count_high" : ' || coalesce(span.count_high::text, 'null') || ', "activity" : "' || span.activity
        || '", "trend" : ' || coalesce('"' || span.trend || '"', 'null')
        || ', "observation" : ' || span.observation_id || '}'"""


# The spans of the sites `changed` names, rebuilt from their posture points: each point holds
# until the next point of its site, asset type and presence; then the sites' summary steps
# from the spans: on each day a span starts, ends or turns stale, what it adds or takes away
# (a based entry counts; stale from the day after its horizon), summed from the first day on;
# and the sites' series of points (PostureSeries), from the spans in date order.
_REFRESH_POSTURE_SPANS = """
    sites := ARRAY({changed});
    IF cardinality(sites) = 0 THEN
        RETURN NULL;  -- nothing posture depends on changed (a draft, a note)
    END IF;
    -- Writers refresh one after another, each seeing what the ones before committed.
    LOCK TABLE core_posturespan IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM core_posturespan WHERE site_id = ANY(sites);
    INSERT INTO core_posturespan (observation_id, site_id, asset_type_id, presence, observed, until,
                                  observed_precision, count_low, count_high, activity, counted, status, trend,
                                  asset_type_name, fresh_days, entry)
    SELECT p.observation_id, p.site_id, p.asset_type_id, p.presence, p.observed,
           lead(p.observed) OVER (PARTITION BY p.site_id, p.asset_type_id, p.presence ORDER BY p.observed),
           p.observed_precision, p.count_low, p.count_high, p.activity, p.counted, p.status, p.trend,
           t.name, t.fresh_days,
           left(json_build_object(
               'asset_type', t.slug, 'asset_type_name', t.name, 'category', t.category, 'presence', p.presence,
               'status', p.status, 'count', p.counted, 'count_low', p.count_low, 'count_high', p.count_high,
               'activity', p.activity, 'trend', p.trend, 'observed', p.observed,
               'observed_precision', p.observed_precision, 'fresh_days', t.fresh_days,
               'observation', p.observation_id)::text, -1)
    FROM core_posturepoint p JOIN core_assettype t ON t.id = p.asset_type_id
    WHERE p.site_id = ANY(sites);
    DELETE FROM core_sitesummarystep WHERE site_id = ANY(sites);
    INSERT INTO core_sitesummarystep (site_id, day, counted_total, counted_types, uncounted_types, absent_types,
                                      stale_types, leaving_types, transient_types, last_observed)
    SELECT site_id, day, sum(counted) OVER w, sum(counted_types) OVER w, sum(uncounted_types) OVER w,
           sum(absent_types) OVER w, sum(stale_types) OVER w, sum(leaving_types) OVER w,
           sum(transient_types) OVER w, max(last_observed) OVER w
    FROM (
        SELECT site_id, day, sum(counted) AS counted, sum(counted_types) AS counted_types,
               sum(uncounted_types) AS uncounted_types, sum(absent_types) AS absent_types,
               sum(stale_types) AS stale_types, sum(leaving_types) AS leaving_types,
               sum(transient_types) AS transient_types, max(started) AS last_observed
        FROM (
            SELECT span.site_id, change.day, change.started,
                   change.sign * CASE WHEN based THEN coalesce(span.counted, 0) ELSE 0 END AS counted,
                   change.sign * (based AND span.status = 'counted')::int AS counted_types,
                   change.sign * (based AND span.status = 'uncounted')::int AS uncounted_types,
                   change.sign * (based AND span.status = 'absent')::int AS absent_types,
                   0 AS stale_types,
                   change.sign * (based AND span.trend IS NOT DISTINCT FROM 'leaving')::int AS leaving_types,
                   change.sign * (NOT based)::int AS transient_types
            FROM core_posturespan span
            CROSS JOIN LATERAL (VALUES (span.presence = 'based')) AS presence(based)
            CROSS JOIN LATERAL (VALUES (span.observed, 1, span.observed), (span.until, -1, NULL))
                AS change(day, sign, started)
            WHERE span.site_id = ANY(sites) AND change.day IS NOT NULL
            UNION ALL
            SELECT span.site_id, change.day, NULL, 0, 0, 0, 0, change.sign, 0, 0
            FROM core_posturespan span
            CROSS JOIN LATERAL (VALUES (span.observed + span.fresh_days + 1, 1), (span.until, -1)) AS change(day, sign)
            WHERE span.site_id = ANY(sites) AND span.presence = 'based' AND change.day IS NOT NULL
              AND (span.until IS NULL OR span.observed + span.fresh_days + 1 < span.until)
        ) AS change
        GROUP BY site_id, day
    ) AS daily
    WINDOW w AS (PARTITION BY site_id ORDER BY day);
    DELETE FROM core_postureseries WHERE site_id = ANY(sites);
    INSERT INTO core_postureseries (site_id, asset_type_id, presence, points)
    SELECT span.site_id, span.asset_type_id, span.presence, string_agg({series_point}, ',' ORDER BY span.observed)
    FROM core_posturespan span WHERE span.site_id = ANY(sites)
    GROUP BY span.site_id, span.asset_type_id, span.presence;
    RETURN NULL;
"""


def _refresh_posture_spans(operation, referencing: pgtrigger.Referencing, changed: str) -> pgtrigger.Trigger:
    """A trigger refreshing the spans of the sites `changed` (a query of site ids) names."""
    return pgtrigger.Trigger(
        name=f"refresh_posture_spans_{str(operation).lower()}",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=referencing,
        declare=[("sites", "bigint[]")],
        func=_REFRESH_POSTURE_SPANS.format(changed=changed, series_point=SERIES_POINT),
    )


pgtrigger.register(
    _refresh_posture_spans(
        pgtrigger.Insert,
        pgtrigger.Referencing(new="new_rows"),
        "SELECT DISTINCT site_id FROM new_rows WHERE state = 'published'",
    ),
    _refresh_posture_spans(
        pgtrigger.Update,
        pgtrigger.Referencing(old="old_rows", new="new_rows"),
        # Only what posture depends on; both sites of an observation moved from one to another.
        """SELECT DISTINCT unnest(ARRAY[o.site_id, n.site_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
           WHERE 'published' IN (o.state, n.state)
             AND (o.site_id, o.asset_type_id, o.presence, o.observed, o.observed_precision, o.count,
                  o.count_low, o.count_high, o.activity, o.state)
                 IS DISTINCT FROM (n.site_id, n.asset_type_id, n.presence, n.observed, n.observed_precision,
                                   n.count, n.count_low, n.count_high, n.activity, n.state)""",
    ),
    _refresh_posture_spans(
        pgtrigger.Delete,
        pgtrigger.Referencing(old="old_rows"),
        "SELECT DISTINCT site_id FROM old_rows WHERE state = 'published'",
    ),
)(Observation)

pgtrigger.register(
    # A renamed type, or a new freshness horizon, changes the entries of every site it is seen at.
    _refresh_posture_spans(
        pgtrigger.Update,
        pgtrigger.Referencing(old="old_rows", new="new_rows"),
        """SELECT DISTINCT span.site_id FROM core_posturespan span WHERE span.asset_type_id IN (
               SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
               WHERE (o.slug, o.name, o.category, o.fresh_days)
                     IS DISTINCT FROM (n.slug, n.name, n.category, n.fresh_days))""",
    ),
)(AssetType)
