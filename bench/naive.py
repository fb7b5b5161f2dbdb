"""The naive path a typical project ships: a plain GeoFeatureModelSerializer over the ORM,
with each site's posture computed by its own queries. Kept here only, to measure against.
"""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from basewatch.core.models import Observation, Site

SUMMARY = ("posture_total", "posture_label", "counted_types", "uncounted_types", "absent_types", "stale_types",
           "stale", "leaving_types", "transient_types", "last_observed")  # fmt: skip
LEAVING = ("loading", "departing", "dismantled")


class NaiveSiteSerializer(GeoFeatureModelSerializer):
    posture = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Site
        geo_field = "location"
        id_field = "slug"
        fields = ["slug", "name", "aliases", "kind", "operator", "host_country", "status", "location_precision",
                  "summary", "posture"]  # fmt: skip

    def to_representation(self, site) -> dict:
        feature = super().to_representation(site)
        # rest_framework_gis moves the id field out of the properties; basewatch keeps it in both.
        properties = feature["properties"]
        summary = properties.pop("summary")
        posture = properties.pop("posture")
        feature["properties"] = {"slug": site.slug, **properties, **summary, "posture": posture}
        return feature

    def _latest(self, site) -> list[Observation]:
        if not hasattr(site, "_naive_posture"):
            as_of = self.context["as_of"]
            rows = {}
            for observation in (
                Observation.objects.filter(site=site, state="published", observed__lte=as_of)
                .select_related("asset_type")
                .order_by("asset_type_id", "presence", "-observed", "-id")
            ):
                rows.setdefault((observation.asset_type_id, observation.presence), observation)
            site._naive_posture = sorted(rows.values(), key=lambda o: (o.presence, o.asset_type.name))
        return site._naive_posture

    def _age(self, observation) -> int:
        return (self.context["as_of"] - observation.observed).days

    def get_posture(self, site) -> list[dict]:
        return [
            {
                "asset_type": o.asset_type.slug,
                "asset_type_name": o.asset_type.name,
                "category": o.asset_type.category,
                "presence": o.presence,
                "status": "absent" if o.activity == "absent" else "uncounted" if o.count is None else "counted",
                "count": 0 if o.activity == "absent" else o.count,
                "count_low": o.count_low,
                "count_high": o.count_high,
                "activity": o.activity,
                "trend": "leaving" if o.activity in LEAVING else "arriving" if o.activity == "arriving" else None,
                "observed": o.observed.isoformat(),
                "observed_precision": o.observed_precision,
                "age_days": self._age(o),
                "stale": self._age(o) > o.asset_type.fresh_days,
                "fresh_days": o.asset_type.fresh_days,
                "observation": o.pk,
            }
            for o in self._latest(site)
        ]

    def get_summary(self, site) -> dict:
        based = [o for o in self._latest(site) if o.presence == "based"]
        absent = [o for o in based if o.activity == "absent"]
        uncounted = [o for o in based if o.activity != "absent" and o.count is None]
        counted = [o for o in based if o.activity != "absent" and o.count is not None]
        total = sum(o.count for o in counted) if counted or absent else None
        stale = sum(1 for o in based if self._age(o) > o.asset_type.fresh_days)
        label = "?" if not based else str(total) if not uncounted else f"{total}+" if counted else "+"
        dates = [o.observed for o in self._latest(site)]
        values = (total, label, len(counted), len(uncounted), len(absent), stale, bool(based) and stale == len(based),
                  sum(1 for o in based if o.activity in LEAVING), len(self._latest(site)) - len(based),
                  max(dates).isoformat() if dates else None)  # fmt: skip
        return dict(zip(SUMMARY, values, strict=True))


@api_view(["GET"])
@permission_classes([AllowAny])
def sites(request):
    as_of = dt.date.fromisoformat(request.GET["as_of"])
    serializer = NaiveSiteSerializer(Site.objects.all(), many=True, context={"as_of": as_of})
    return Response(serializer.data)
