"""REST API, mounted at /api/v1/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from basewatch.api.views import catalogue, claims, sites

app_name = "api"

urlpatterns = [
    path("sites/", sites.SiteList.as_view(), name="site-list"),
    path("sites/<slug:slug>/", sites.SiteDetail.as_view(), name="site-detail"),
    path("sites/<slug:slug>/timeseries/", sites.SiteTimeSeries.as_view(), name="site-timeseries"),
    path("observations/", claims.ObservationList.as_view(), name="observation-list"),
    path("observations/<int:pk>/", claims.ObservationDetail.as_view(), name="observation-detail"),
    path("observations/<int:pk>/retract/", claims.observation_retract, name="observation-retract"),
    path("observations/<int:pk>/reject/", claims.observation_reject, name="observation-reject"),
    path("movements/", claims.MovementList.as_view(), name="movement-list"),
    path("movements/<int:pk>/", claims.MovementDetail.as_view(), name="movement-detail"),
    path("movements/<int:pk>/retract/", claims.movement_retract, name="movement-retract"),
    path("movements/<int:pk>/reject/", claims.movement_reject, name="movement-reject"),
    path("asset-types/", catalogue.AssetTypeList.as_view(), name="assettype-list"),
    path("asset-types/<slug:slug>/", catalogue.AssetTypeDetail.as_view(), name="assettype-detail"),
    path("assets/", catalogue.AssetList.as_view(), name="asset-list"),
    path("assets/<int:pk>/", catalogue.AssetDetail.as_view(), name="asset-detail"),
    path("sources/", catalogue.SourceList.as_view(), name="source-list"),
    path("sources/<int:pk>/", catalogue.SourceDetail.as_view(), name="source-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
