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


class NaiveSiteSerializer(GeoFeatureModelSerializer):
    posture = serializers.SerializerMethodField()
    posture_total = serializers.SerializerMethodField()
    last_observed = serializers.SerializerMethodField()

    class Meta:
        model = Site
        geo_field = "location"
        id_field = "slug"
        fields = ["slug", "name", "aliases", "kind", "operator", "host_country", "status", "location_precision",
                  "last_observed", "posture_total", "posture"]  # fmt: skip

    def to_representation(self, site) -> dict:
        feature = super().to_representation(site)
        # rest_framework_gis moves the id field out of the properties; basewatch keeps it in both.
        feature["properties"] = {"slug": site.slug, **feature["properties"]}
        return feature

    def _latest(self, site) -> list[Observation]:
        if not hasattr(site, "_naive_posture"):
            as_of = self.context["as_of"]
            rows = {}
            for observation in (
                Observation.objects.filter(site=site, state="published", observed__lte=as_of)
                .select_related("asset_type")
                .order_by("asset_type_id", "-observed", "-id")
            ):
                rows.setdefault(observation.asset_type_id, observation)
            site._naive_posture = list(rows.values())
        return site._naive_posture

    def get_posture(self, site) -> list[dict]:
        return [
            {
                "asset_type": o.asset_type.slug,
                "asset_type_name": o.asset_type.name,
                "category": o.asset_type.category,
                "count": 0 if o.activity == "absent" else o.count,
                "count_low": o.count_low,
                "count_high": o.count_high,
                "activity": o.activity,
                "observed": o.observed.isoformat(),
                "observation": o.pk,
            }
            for o in self._latest(site)
        ]

    def get_posture_total(self, site) -> int:
        return sum((0 if o.activity == "absent" else o.count) or 0 for o in self._latest(site))

    def get_last_observed(self, site) -> str | None:
        dates = [o.observed for o in self._latest(site)]
        return max(dates).isoformat() if dates else None


@api_view(["GET"])
@permission_classes([AllowAny])
def sites(request):
    as_of = dt.date.fromisoformat(request.GET["as_of"])
    serializer = NaiveSiteSerializer(Site.objects.all(), many=True, context={"as_of": as_of})
    return Response(serializer.data)
