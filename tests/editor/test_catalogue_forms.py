"""Site, source, asset type and asset forms: each works, refuses the wrong role, 404s, rejects bad input."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from basewatch.core.models import Asset, AssetType, Site, Source
from tests.editor.helpers import client_for
from tests.factories import make_asset, make_asset_type, make_site, make_source, make_user

pytestmark = pytest.mark.django_db


def site_data(**fields) -> dict:
    values = {
        "name": "Tartus naval facility",
        "slug": "tartus",
        "aliases": "Tartous, طرطوس",
        "kind": "naval_base",
        "operator": "RU",
        "host_country": "SY",
        "location": '{"type": "Point", "coordinates": [35.8925, 34.9117]}',
        "location_precision": "approximate",
        "footprint": "",
        "status": "active",
        "description": "",
        "wikidata_id": "",
        "version": "",
    }
    return {**values, **fields}


def source_data(**fields) -> dict:
    values = {
        "kind": "news_report",
        "title": "Russian ships leave Tartus",
        "publisher": "CNN",
        "url": "https://edition.cnn.example/tartus",
        "published": "2024-12-14",
        "captured": "",
        "archive_url": "",
        "reliability": "B",
        "version": "",
    }
    return {**values, **fields}


def asset_type_data(**fields) -> dict:
    values = {"name": "Il-76", "slug": "il-76", "category": "transport_aircraft", "nato_name": "Candid", "notes": ""}
    return {**values, "version": "", **fields}


def asset_data(asset_type, **fields) -> dict:
    values = {
        "asset_type": asset_type.pk,
        "registration": "ra-76845",
        "icao_hex": "152c2d",
        "hull_number": "",
        "name": "",
        "operator": "EMERCOM of Russia (MChS)",
        "notes": "",
    }
    return {**values, "version": "", **fields}


def test_site_form_creates_with_point_aliases_and_footprint():
    footprint = '{"type": "Polygon", "coordinates": [[[35.89, 34.91], [35.9, 34.91], [35.9, 34.92], [35.89, 34.91]]]}'
    response = client_for("editor").post(reverse("front:site-create"), site_data(footprint=footprint))
    site = Site.objects.get()
    assert response.status_code == 302 and response["Location"] == site.get_absolute_url()
    assert site.aliases == ["Tartous", "طرطوس"]
    assert site.location.coords == (35.8925, 34.9117) and site.location.srid == 4326
    assert site.footprint.geom_type == "MultiPolygon"


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ('{"type": "Point", "coordinates": [35.9, 134.9]}', "latitude"),
        ('{"type": "Point", "coordinates": [3990000, 4150000], "crs": {"type": "name"}}', "crs"),
        ("SRID=3857;POINT(3990000 4150000)", "SRID"),
        ("not a geometry", ""),
        ("", "No geometry value provided."),
        ('{"type": "Polygon", "coordinates": [[[35, 34], [36, 34], [36, 35], [35, 34]]]}', "Give a point"),
    ],
)
def test_site_form_refuses_bad_locations(location, message):
    response = client_for("editor").post(reverse("front:site-create"), site_data(location=location))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Site.objects.exists()


def test_site_edit_keeps_the_slug_unique_and_404s():
    make_site(slug="khmeimim")
    site = make_site(slug="tartus", name="Tartus")
    client = client_for("editor")
    edit = reverse("front:site-edit", args=["tartus"])
    response = client.post(edit, site_data(slug="khmeimim", version=site.version))
    assert response.status_code == 400 and "already exists" in response.content.decode()
    assert client.post(edit, site_data(name="Tartus (Tartous)", version=site.version)).status_code == 302
    site.refresh_from_db()
    assert site.name == "Tartus (Tartous)"
    assert client.get(reverse("front:site-edit", args=["nowhere"])).status_code == 404


def test_source_form():
    client = client_for("editor")
    response = client.post(reverse("front:source-create"), source_data())
    source = Source.objects.get()
    assert response.status_code == 302 and source.publisher == "CNN"
    duplicate = client.post(reverse("front:source-create"), source_data(title="Again"))
    assert duplicate.status_code == 400
    assert "A source with this URL is already on file: pick it instead." in duplicate.content.decode()
    assert Source.objects.count() == 1
    bad = client.post(reverse("front:source-create"), source_data(url="javascript:alert(1)", title="x"))
    assert bad.status_code == 400 and "Enter an http:// or https:// URL." in bad.content.decode()
    bad = client.post(reverse("front:source-create"), source_data(url="ftp://files.example.org/x", title="x"))
    assert bad.status_code == 400 and "Enter an http:// or https:// URL." in bad.content.decode()
    edit = reverse("front:source-edit", args=[source.pk])
    assert client.post(edit, source_data(reliability="A", version=source.version)).status_code == 302
    source.refresh_from_db()
    assert source.reliability == "A"
    assert client.get(reverse("front:source-edit", args=[999999])).status_code == 404


def test_asset_type_and_asset_forms():
    client = client_for("editor")
    assert client.post(reverse("front:asset-type-create"), asset_type_data()).status_code == 302
    il76 = AssetType.objects.get()
    taken = client.post(reverse("front:asset-type-create"), asset_type_data(name="Il-76MD", category="spaceship"))
    assert taken.status_code == 400
    assert "Asset type with this Slug already exists." in taken.content.decode()
    assert "Select a valid choice." in taken.content.decode()
    assert AssetType.objects.count() == 1
    assert client.post(reverse("front:asset-create"), asset_data(il76)).status_code == 302
    asset = Asset.objects.get()
    assert (asset.registration, asset.icao_hex) == ("RA-76845", "152C2D")
    bad = client.post(reverse("front:asset-create"), asset_data(il76, registration="", icao_hex="xyz"))
    assert bad.status_code == 400 and "Six hexadecimal digits" in bad.content.decode()
    assert Asset.objects.count() == 1
    assert client.get(reverse("front:asset-type-edit", args=["nothing"])).status_code == 404
    assert client.get(reverse("front:asset-edit", args=[999999])).status_code == 404


def test_editors_set_an_asset_types_freshness_horizon():
    client = client_for("editor")
    client.post(reverse("front:asset-type-create"), asset_type_data(fresh_days=""))
    il76 = AssetType.objects.get()
    assert il76.fresh_days == 60  # left empty: the category's default (transport aircraft)
    edit = reverse("front:asset-type-edit", args=[il76.slug])
    assert 'name="fresh_days"' in client.get(edit).content.decode()
    changed = client.post(edit, asset_type_data(fresh_days="14", version=str(il76.version)))
    assert changed.status_code == 302
    il76.refresh_from_db()
    assert il76.fresh_days == 14
    bad = client.post(edit, asset_type_data(fresh_days="0", version=str(il76.version)))
    assert bad.status_code == 400 and AssetType.objects.get().fresh_days == 14


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("front:site-create", []),
        ("front:source-create", []),
        ("front:asset-type-create", []),
        ("front:asset-create", []),
        ("front:site-edit", ["the-site"]),
        ("front:source-edit", ["source"]),
        ("front:asset-type-edit", ["the-type"]),
        ("front:asset-edit", ["asset"]),
    ],
)
def test_catalogue_forms_are_for_editors(name, args):
    make_site(slug="the-site")
    asset_type = make_asset_type(slug="the-type")
    ids = {"source": make_source().pk, "asset": make_asset(asset_type=asset_type).pk}
    url = reverse(name, args=[ids.get(arg, arg) for arg in args])
    before = [list(model.objects.values()) for model in (Site, Source, AssetType, Asset)]
    assert client_for(None).get(url).status_code == 302
    assert client_for("viewer").get(url).status_code == 403
    assert client_for(None, make_user()).get(url).status_code == 403  # no role
    assert client_for("viewer").post(url, {"name": "changed", "title": "changed"}).status_code == 403
    assert [list(model.objects.values()) for model in (Site, Source, AssetType, Asset)] == before
    response = client_for("editor").get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_site_form_draws_on_a_leaflet_map():
    site = make_site(slug="khmeimim", location=Point(35.401, 35.411, srid=4326))
    html = client_for("editor").get(reverse("front:site-edit", args=[site.slug])).content.decode()
    assert "leaflet" in html.lower() and "35.401" in html
