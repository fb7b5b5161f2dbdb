"""Query logic: posture and counts over time, computed in PostgreSQL.

Posture of a site as of a date (`as_of`): for each asset type, the latest published
observation on or before it. An `absent` observation ("looked, not there") counts 0;
an observation with no count says the type is present in unknown numbers. Ties on a
date go to the observation entered last (highest id). That rule is one database view,
core.models.PosturePoint; the methods below read it and are each one SQL query
whatever the number of sites or rows.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, JSONObject
from django.utils import timezone

from basewatch.core.expressions import ArrayToString, Counted, MakeLine
from basewatch.core.workflow import State


class ObservationQuerySet(models.QuerySet):
    def published(self) -> ObservationQuerySet:
        """Observations the public may see."""
        return self.filter(state=State.PUBLISHED)

    def with_details(self) -> ObservationQuerySet:
        """With what a claim is shown with (site, type, asset, people, sources), in two queries for any number."""
        related = ("site", "asset_type", "asset", "entered_by", "reviewed_by")
        return self.select_related(*related).prefetch_related("sources")

    def with_counted(self) -> ObservationQuerySet:
        """Annotate `counted`: what the observation counts in posture (0 for absent; NULL when unknown)."""
        return self.annotate(counted=Counted())

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


class PosturePointQuerySet(models.QuerySet):
    def as_of(self, as_of: dt.date) -> PosturePointQuerySet:
        """Posture: per site and asset type, the latest point on or before `as_of`."""
        return (
            self.filter(observed__lte=as_of)
            .order_by("site_id", "asset_type_id", "-observed")
            .distinct("site_id", "asset_type_id")
        )

    def series(self) -> PosturePointQuerySet:
        """Counts over time: the points by asset type, then date."""
        return self.order_by("asset_type_id", "observed")


class SiteQuerySet(models.QuerySet):
    def search(self, text: str) -> SiteQuerySet:
        """Sites whose name or an alias contains `text`, ignoring case and accents."""
        names = Concat(F("name"), Value(" "), ArrayToString(F("aliases")), output_field=models.TextField())
        return self.alias(search_names=names).filter(search_names__unaccent__icontains=text)

    def holding(self, as_of: dt.date, asset_types: models.QuerySet) -> SiteQuerySet:
        """Sites whose posture as of `as_of` includes one of `asset_types` (latest point not absent)."""
        from basewatch.core.models import PosturePoint

        latest = PosturePoint.objects.as_of(as_of).filter(asset_type__in=asset_types).values("pk")
        present = PosturePoint.objects.filter(pk__in=latest).exclude(activity="absent").values("site_id")
        return self.filter(pk__in=present)

    def with_total(self, as_of: dt.date) -> SiteQuerySet:
        """Annotate `posture_total` (assets counted) and `last_observed` as of `as_of`, from the site's steps."""
        from basewatch.core.models import SiteTotal

        step = SiteTotal.objects.filter(site=OuterRef("pk"), day__lte=as_of).order_by("-day")
        return self.annotate(
            posture_total=Coalesce(Subquery(step.values("total")[:1]), 0),
            last_observed=Subquery(step.values("day")[:1]),
        )

    def with_posture(self, as_of: dt.date) -> SiteQuerySet:
        """Annotate `posture` (a list with one dict per asset type) as of `as_of`, and with_total()."""
        from basewatch.core.models import PosturePoint

        latest = PosturePoint.objects.as_of(as_of).filter(site=OuterRef("pk"))
        entry = JSONObject(
            observation=F("observation_id"),
            asset_type=F("asset_type__slug"),
            asset_type_name=F("asset_type__name"),
            category=F("asset_type__category"),
            count=F("counted"),
            count_low=F("count_low"),
            count_high=F("count_high"),
            activity=F("activity"),
            observed=F("observed"),
        )
        return self.with_total(as_of).annotate(posture=ArraySubquery(latest.values(entry=entry)))


class MovementQuerySet(models.QuerySet):
    def published(self) -> MovementQuerySet:
        """Movements the public may see."""
        return self.filter(state=State.PUBLISHED)

    def with_details(self) -> MovementQuerySet:
        """With what a claim is shown with (both sites, type, asset, people, sources), in two queries for any number."""
        related = ("origin", "destination", "asset_type", "asset", "entered_by", "reviewed_by")
        return self.select_related(*related).prefetch_related("sources")

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
