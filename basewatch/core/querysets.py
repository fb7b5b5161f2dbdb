"""Query logic: posture and counts over time, computed in PostgreSQL.

Posture of a site at date D: for each asset type, the latest published
observation on or before D. An `absent` observation ("looked, not there")
counts 0; an observation with no count says the type is present in unknown
numbers. Ties on a date go to the observation entered last (highest id).
Each method below is one SQL query whatever the number of sites or rows.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, JSONObject
from django.utils import timezone

from basewatch.core.expressions import ArrayToString, MakeLine
from basewatch.core.workflow import State


class ObservationQuerySet(models.QuerySet):
    def published(self) -> ObservationQuerySet:
        """Observations the public may see."""
        return self.filter(state=State.PUBLISHED)

    def with_counted(self) -> ObservationQuerySet:
        """Annotate `counted`: 0 for absent, else the count (NULL when unknown)."""
        return self.annotate(counted=Case(When(activity="absent", then=Value(0)), default=F("count")))

    def latest_per_site_and_type(self) -> ObservationQuerySet:
        """The newest observation per (site, asset type), by DISTINCT ON (observation_posture_idx)."""
        return self.order_by("site_id", "asset_type_id", "-observed", "-id").distinct("site_id", "asset_type_id")

    def as_of(self, day: dt.date) -> ObservationQuerySet:
        """Posture rows at `day`: the latest published observation per site and asset type on or before it."""
        return self.published().filter(observed__lte=day).with_counted().latest_per_site_and_type()

    def same_claim(self, observation, sources) -> ObservationQuerySet:
        """Live (not rejected or retracted) observations of the same site, asset type and date
        as `observation` that cite one of `sources`."""
        return (
            self.filter(site=observation.site_id, asset_type=observation.asset_type_id, observed=observation.observed)
            .filter(sources__in=sources)
            .exclude(state__in=[State.REJECTED, State.RETRACTED])
            .exclude(pk=observation.pk)
            .order_by("pk")
            .distinct()
        )

    def time_series(self) -> ObservationQuerySet:
        """Step-function points: one per asset type and date, ordered by type then date."""
        return self.with_counted().order_by("asset_type_id", "observed", "-id").distinct("asset_type_id", "observed")


class SiteQuerySet(models.QuerySet):
    def search(self, text: str) -> SiteQuerySet:
        """Sites whose name or an alias contains `text`, ignoring case and accents."""
        names = Concat(F("name"), Value(" "), ArrayToString(F("aliases")), output_field=models.TextField())
        return self.annotate(search_names=names).filter(search_names__unaccent__icontains=text)

    def holding(self, day: dt.date, asset_types: models.QuerySet) -> SiteQuerySet:
        """Sites whose posture at `day` includes one of `asset_types` (latest observation not absent)."""
        from basewatch.core.models import Observation

        latest = Observation.objects.as_of(day).filter(asset_type__in=asset_types).values("pk")
        present = Observation.objects.filter(pk__in=latest).exclude(activity="absent").values("site_id")
        return self.filter(pk__in=present)

    def with_total(self, day: dt.date) -> SiteQuerySet:
        """Annotate `posture_total` (assets counted) and `last_observed` as of `day`, from the site's steps."""
        from basewatch.core.models import SiteTotal

        step = SiteTotal.objects.filter(site=OuterRef("pk"), day__lte=day).order_by("-day")
        return self.annotate(
            posture_total=Coalesce(Subquery(step.values("total")[:1]), 0),
            last_observed=Subquery(step.values("day")[:1]),
        )

    def with_posture(self, day: dt.date) -> SiteQuerySet:
        """Annotate `posture` (a list with one dict per asset type) as of `day`, and with_total()."""
        from basewatch.core.models import Observation

        latest = Observation.objects.as_of(day).filter(site=OuterRef("pk"))
        entry = JSONObject(
            observation=F("id"),
            asset_type=F("asset_type__slug"),
            asset_type_name=F("asset_type__name"),
            category=F("asset_type__category"),
            count=F("counted"),
            count_low=F("count_low"),
            count_high=F("count_high"),
            activity=F("activity"),
            observed=F("observed"),
        )
        return self.with_total(day).annotate(posture=ArraySubquery(latest.values(entry=entry)))


class MovementQuerySet(models.QuerySet):
    def published(self) -> MovementQuerySet:
        """Movements the public may see."""
        return self.filter(state=State.PUBLISHED)

    def with_journey(self) -> MovementQuerySet:
        """Annotate `line` (origin → destination) and the journey's `journey_start`/`journey_end` dates."""
        return self.annotate(
            line=MakeLine("origin__location", "destination__location"),
            journey_start=Coalesce("departed", "arrived"),
            journey_end=Coalesce("arrived", "departed"),
        )


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        """Tokens not revoked."""
        return self.filter(revoked__isnull=True)


class LoginFailureQuerySet(models.QuerySet):
    def recent(self, username: str, address: str | None, window: dt.timedelta) -> LoginFailureQuerySet:
        """Failures for this user name, or from this address, within the last `window`."""
        since = timezone.now() - window
        who = models.Q(username=username)
        if address:
            who |= models.Q(address=address)
        return self.filter(who, created__gte=since)

    def recent_from(self, address: str, window: dt.timedelta) -> LoginFailureQuerySet:
        """Failures from this address within the last `window`."""
        return self.filter(address=address, created__gte=timezone.now() - window)
