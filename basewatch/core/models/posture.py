"""Posture as the database keeps it: the points of every site's posture over time (a view) and
the steps of its total (a table kept by triggers)."""

from __future__ import annotations

import pgtrigger
from django.contrib.gis.db import models
from django.db.models import F

from basewatch.core.models.catalogue import AssetType, Site
from basewatch.core.models.claims import Observation
from basewatch.core.querysets import (
    PosturePointQuerySet,
)


class PosturePoint(models.Model):
    """A point of the step function that is a site's posture over time: per site, asset type and
    date, the published observation that counts (the one entered last, when several share the date)
    and what it counts: 0 for `absent` ("looked, not there"), the count otherwise, NULL when only
    presence is known.

    Posture as of D is, per asset type, the latest point on or before D
    (PosturePointQuerySet.as_of); counts over time are the points in date order. This is the one
    definition of both: a database view (core_posturepoint, migration 0010), so the ORM, the JSON
    PostgreSQL builds for the API (api.pg_json) and the trigger that keeps site totals
    (refresh_site_totals below) all read it. It is read only.
    """

    observation = models.OneToOneField(
        Observation, primary_key=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    site = models.ForeignKey(Site, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    asset_type = models.ForeignKey(AssetType, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    observed = models.DateField()
    observed_precision = models.CharField(max_length=10, choices=Observation.Precision.choices)
    count_low = models.IntegerField(null=True)
    count_high = models.IntegerField(null=True)
    activity = models.CharField(max_length=20, choices=Observation.Activity.choices)
    counted = models.IntegerField(null=True)

    objects = PosturePointQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "core_posturepoint"
        ordering = ["site_id", "asset_type_id", "observed"]

    def __str__(self) -> str:
        return f"{self.observed}: {self.counted} of type {self.asset_type_id} at site {self.site_id}"


class SiteTotal(models.Model):
    """A step of a site's posture total: from `day` on (until the site's next step) the
    published observations count `total` assets there, and `day` is the latest observed.

    There is a step for every date with a published observation of the site, so the
    total and the last observation date as of D are one index probe per site (the
    latest step on or before D) instead of the posture of every asset type: that is
    what lets the map draw ten thousand sites, and redraw them for another date, at
    once. Kept by triggers on observations (refresh_site_totals below), in the writing
    transaction; never written by the application.
    """

    # Indexed by the unique constraint (site, day desc), which the as-of probes read.
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="totals", db_index=False)
    day = models.DateField()
    total = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint("site", F("day").desc(), name="sitetotal_site_day")]

    def __str__(self) -> str:
        return f"{self.site_id} from {self.day}: {self.total}"


# The posture total of a site at every date where one of its posture points falls
# (PosturePoint: absent counts 0; a count not known adds 0 for now): the change each
# point makes to its asset type's count, then a running sum of the changes per site.
_REFRESH_SITE_TOTALS = """
    sites := ARRAY({changed});
    IF cardinality(sites) = 0 THEN
        RETURN NULL;  -- no published count, date, type or site changed (a draft, a note)
    END IF;
    -- Writers refresh one after another, each seeing what the ones before committed.
    LOCK TABLE core_sitetotal IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM core_sitetotal WHERE site_id = ANY(sites);
    INSERT INTO core_sitetotal (site_id, day, total)
    SELECT site_id, observed, sum(sum(change)) OVER (PARTITION BY site_id ORDER BY observed)
    FROM (
        SELECT site_id, observed,
               coalesce(counted, 0)
                 - coalesce(lag(coalesce(counted, 0)) OVER (PARTITION BY site_id, asset_type_id ORDER BY observed), 0)
                   AS change
        FROM core_posturepoint
        WHERE site_id = ANY(sites)
    ) AS changes
    GROUP BY site_id, observed;
    RETURN NULL;
"""


def _refresh_site_totals(operation, referencing: pgtrigger.Referencing, changed: str) -> pgtrigger.Trigger:
    """A trigger refreshing the steps of the sites `changed` (a query of site ids) names."""
    return pgtrigger.Trigger(
        name=f"refresh_site_totals_{str(operation).lower()}",
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=referencing,
        declare=[("sites", "bigint[]")],
        func=_REFRESH_SITE_TOTALS.format(changed=changed),
    )


pgtrigger.register(
    _refresh_site_totals(
        pgtrigger.Insert,
        pgtrigger.Referencing(new="new_rows"),
        "SELECT DISTINCT site_id FROM new_rows WHERE state = 'published'",
    ),
    _refresh_site_totals(
        pgtrigger.Update,
        pgtrigger.Referencing(old="old_rows", new="new_rows"),
        # Only what a total depends on; both sites of an observation moved from one to another.
        """SELECT DISTINCT unnest(ARRAY[o.site_id, n.site_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
           WHERE 'published' IN (o.state, n.state)
             AND (o.site_id, o.asset_type_id, o.observed, o.count, o.activity, o.state)
                 IS DISTINCT FROM (n.site_id, n.asset_type_id, n.observed, n.count, n.activity, n.state)""",
    ),
    _refresh_site_totals(
        pgtrigger.Delete,
        pgtrigger.Referencing(old="old_rows"),
        "SELECT DISTINCT site_id FROM old_rows WHERE state = 'published'",
    ),
)(Observation)
