"""OGC API - Features, mounted at /ogc/."""

from django.urls import path, register_converter

from basewatch.ogc import views


class NameConverter:
    """A collection or feature id: no slash or control character (a NUL would reach PostgreSQL);
    anything longer than a slug is simply not found."""

    regex = r"[^/\x00-\x1f\x7f]{1,100}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(NameConverter, "ogcname")
app_name = "ogc"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("conformance", views.conformance, name="conformance"),
    path("api", views.api_document, name="api"),
    path("collections", views.collections, name="collections"),
    path("collections/<ogcname:collection_id>", views.collection_detail, name="collection"),
    path("collections/<ogcname:collection_id>/queryables", views.queryables, name="queryables"),
    path("collections/<ogcname:collection_id>/items", views.items, name="items"),
    path("collections/<ogcname:collection_id>/items/<ogcname:feature_id>", views.feature, name="feature"),
]
