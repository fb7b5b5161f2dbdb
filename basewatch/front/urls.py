from django.urls import path
from django.views.decorators.http import require_safe

from basewatch.front import claim_imports, editing, feeds, images, imports, review, sources, views

app_name = "front"

# Pages that only show things answer GET and HEAD; any other method is a 405.
urlpatterns = [
    path("", require_safe(views.index), name="index"),
    path("sites/", require_safe(views.sites), name="sites"),
    path("sites/<slug:slug>/", require_safe(views.site), name="site"),
    path("sites/<slug:slug>/history/", require_safe(review.site_history), name="site-history"),
    path("observations/", require_safe(views.observations), name="observations"),
    path("movements/", require_safe(views.movements), name="movements"),
    # Atom feeds of newly published claims, with the lists' filters (per site, operator, asset…).
    path("feeds/observations/", require_safe(feeds.observations), name="observation-feed"),
    path("feeds/movements/", require_safe(feeds.movements), name="movement-feed"),
    path("assets/", require_safe(views.assets), name="assets"),
    # An identified airframe or vessel, by registration, ICAO hex, MMSI, IMO or id.
    path("assets/<str:key>/", require_safe(views.asset), name="asset"),
    # Claims: published ones for everyone; any state, with decisions and history, for viewers and up.
    path("observations/<int:pk>/", require_safe(review.claim_page), {"kind": "observation"}, name="observation"),
    path("movements/<int:pk>/", require_safe(review.claim_page), {"kind": "movement"}, name="movement"),
    # A source with its archived captures; the captured files, always as downloads.
    path("sources/<int:pk>/", require_safe(sources.source), name="source"),
    path("sources/<int:pk>/archive/", sources.archive_again, name="source-archive"),
    path("captures/<int:pk>/<str:kind>/", require_safe(sources.capture_file), name="capture-file"),
    path("review/", require_safe(review.queue), name="review"),
    path("review/<str:kind>/<int:pk>/", review.decide, name="decide"),
    # Editor forms (new items under new/, so no slug can shadow them).
    path("new/observation/", editing.observation_create, name="observation-create"),
    path("edit/observations/<int:pk>/", editing.observation_edit, name="observation-edit"),
    path("edit/observations/last-count/", require_safe(editing.last_count), name="last-count"),
    path("new/movement/", editing.movement_create, name="movement-create"),
    path("edit/movements/<int:pk>/", editing.movement_edit, name="movement-edit"),
    path("new/site/", editing.site_create, name="site-create"),
    path("edit/sites/<slug:slug>/", editing.site_edit, name="site-edit"),
    path("new/source/", editing.source_create, name="source-create"),
    path("edit/sources/<int:pk>/", editing.source_edit, name="source-edit"),
    path("new/asset-type/", editing.asset_type_create, name="asset-type-create"),
    path("edit/asset-types/<slug:slug>/", editing.asset_type_edit, name="asset-type-edit"),
    path("new/asset/", editing.asset_create, name="asset-create"),
    path("edit/assets/<int:pk>/", editing.asset_edit, name="asset-edit"),
    # Evidence images: attached by editors, served with image-only headers (front.images).
    path("new/image/<str:kind>/<int:pk>/", images.image_add, name="image-add"),
    path("edit/images/<int:pk>/", images.image_edit, name="image-edit"),
    path("images/<int:pk>/", require_safe(images.image_file), name="image"),
    path("images/<int:pk>/<str:variant>/", require_safe(images.image_file), name="image-variant"),
    # ADS-B traces in, movements out (submitted for review).
    path("new/adsb-import/", imports.adsb_import, name="adsb-import"),
    # Spreadsheets of claims in: a dry run first, then confirmed on the report's page.
    path("new/claims-import/", claim_imports.claim_import, name="claim-import"),
    path("imports/<int:pk>/", claim_imports.claim_import_report, name="claim-import-report"),
]
