"""REST API, mounted at /api/v1/."""

from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from basewatch.api.views import catalogue, claims, export, root, sites
from basewatch.core.workflow import Action
from basewatch.error_pages import not_found


class IdConverter:
    """A row id: digits that fit PostgreSQL's bigint (longer ones are simply not found)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class AssetKeyConverter:
    """What names an asset in a URL (AssetQuerySet.named): a registration, ICAO hex, MMSI, IMO or id.
    No slash or control character (a NUL would reach PostgreSQL); anything longer than a registration
    is simply not found."""

    regex = r"[^/\x00-\x1f\x7f]{1,30}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class ActionConverter:
    """A workflow action's name (basewatch.core.workflow.Action)."""

    regex = "|".join(Action.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(IdConverter, "id")
register_converter(ActionConverter, "action")
register_converter(AssetKeyConverter, "asset_key")

app_name = "api"

urlpatterns = [
    path("", root.ApiRoot.as_view(), name="root"),
    path("sites/", sites.SiteList.as_view(), name="site-list"),
    path("sites/<slug:slug>/", sites.SiteDetail.as_view(), name="site-detail"),
    path("sites/<slug:slug>/timeseries/", sites.SiteTimeSeries.as_view(), name="site-timeseries"),
    path("site-totals/", sites.SiteTotals.as_view(), name="site-totals"),
    path("site-table/", sites.SiteTable.as_view(), name="site-table"),
    path("site-steps/", sites.SiteSteps.as_view(), name="site-steps"),
    path("observations/", claims.ObservationList.as_view(), name="observation-list"),
    path("observations/<id:pk>/", claims.ObservationDetail.as_view(), name="observation-detail"),
    path("observations/<id:pk>/<action:action>/", claims.ObservationDecision.as_view(), name="observation-decision"),
    path("movements/", claims.MovementList.as_view(), name="movement-list"),
    path("movements/<id:pk>/", claims.MovementDetail.as_view(), name="movement-detail"),
    path("movements/<id:pk>/<action:action>/", claims.MovementDecision.as_view(), name="movement-decision"),
    path("asset-types/", catalogue.AssetTypeList.as_view(), name="assettype-list"),
    path("asset-types/<slug:slug>/", catalogue.AssetTypeDetail.as_view(), name="assettype-detail"),
    path("assets/", catalogue.AssetList.as_view(), name="asset-list"),
    path("assets/<asset_key:key>/", catalogue.AssetDetail.as_view(), name="asset-detail"),
    path("assets/<asset_key:key>/track/", catalogue.AssetTrack.as_view(), name="asset-track"),
    path("sources/", catalogue.SourceList.as_view(), name="source-list"),
    path("sources/<id:pk>/", catalogue.SourceDetail.as_view(), name="source-detail"),
    path("sources/<id:pk>/archive/", catalogue.SourceArchive.as_view(), name="source-archive"),
    path("export.gpkg", export.ExportGeoPackage.as_view(), name="export-gpkg"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ is a JSON 404, whatever DEBUG says.
    re_path(r"^[\s\S]*$", not_found),
]
