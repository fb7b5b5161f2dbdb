"""Asset types, assets and sources."""

from __future__ import annotations

import pytest
from django.test import Client

from basewatch.core.models import Asset, AssetType, Source
from tests.api.helpers import assert_error, results
from tests.factories import make_asset, make_asset_type, make_site, make_source, make_token

pytestmark = pytest.mark.django_db


def test_asset_types(api, demo):
    slugs = [item["slug"] for item in results(api.get("asset-types/"))]
    assert {"s-400", "an-124", "ka-52", "il-76"} <= set(slugs)
    assert [i["slug"] for i in results(api.get("asset-types/", params={"category": "helicopter"}))] == ["ka-52"]
    assert [i["slug"] for i in results(api.get("asset-types/", params={"q": "growler"}))] == ["s-400"]
    s400 = api.get("asset-types/s-400/").json()
    assert (s400["nato_name"], s400["fresh_days"]) == ("SA-21 Growler", 180)
    assert_error(api.get("asset-types/", params={"category": "x"}), 400, "category")
    assert_error(api.get("asset-types/t-1000/"), 404, "detail")


def test_assets(api, demo):
    [il76] = results(api.get("assets/", params={"icao_hex": "152c2d"}))
    assert (il76["registration"], il76["asset_type"], il76["operator"]) == (
        "RA-76845",
        "il-76",
        "EMERCOM of Russia (MChS)",
    )
    assert results(api.get("assets/", params={"q": "76845"}))[0]["id"] == il76["id"]
    assert results(api.get("assets/", params={"asset_type": "an-124"})) == []
    assert api.get(f"assets/{il76['id']}/").json()["icao_hex"] == "152C2D"


def test_an_asset_types_horizon_defaults_by_category_and_is_checked(api, demo):
    token = make_token("editor")
    body = {"slug": "frigates", "name": "Frigates", "category": "naval_vessel"}
    response = api.post("asset-types/", json=body, token=token)
    assert response.status_code == 201, response.text
    assert response.json()["fresh_days"] == 30
    refused = api.post("asset-types/", json={**body, "slug": "f2", "name": "F2", "fresh_days": 0}, token=token)
    assert_error(refused, 400, "fresh_days")


def test_editor_adds_an_asset_normalising_its_identifiers(api, demo):
    token = make_token("editor")
    response = api.post(
        "assets/", json={"asset_type": "il-76", "registration": "ra-78817", "icao_hex": "15000a"}, token=token
    )
    assert response.status_code == 201, response.text
    assert (response.json()["registration"], response.json()["icao_hex"]) == ("RA-78817", "15000A")
    assert_error(api.post("assets/", json={"asset_type": "il-76", "icao_hex": "XYZ"}, token=token), 400, "icao_hex")
    assert_error(api.post("assets/", json={"asset_type": "il-76"}, token=token), 400, "non_field_errors")
    assert_error(
        api.post("assets/", json={"asset_type": "il-76", "registration": "RA-76845"}, token=token), 400, "registration"
    )
    # A "/" broke every page listing the asset (its URL could not be made); digits alone name an id.
    for registration in ("RA/76846", " 17 "):
        body = {"asset_type": "il-76", "registration": registration}
        assert_error(api.post("assets/", json=body, token=token), 400, "registration")
    assert Asset.objects.count() == 2
    assert Client().get("/assets/").status_code == 200


def test_sources_lookup_and_dedupe(api, db):
    source = make_source(url="https://news.example.org/withdrawal", kind="news_report", reliability="B")
    found = results(api.get("sources/", params={"url": "https://news.example.org/withdrawal"}))
    assert [s["id"] for s in found] == [source.pk]
    token = make_token("editor")
    duplicate = {"kind": "news_report", "title": "Again", "url": "https://news.example.org/withdrawal"}
    assert_error(api.post("sources/", json=duplicate, token=token), 400, "url")
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "ftp://files.example.org/x"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"archive_url": "file:///etc/passwd"}, "archive_url"),
        ({"published": "2999-01-01"}, "published"),
        ({"captured": "2024-12-14", "published": "2024-12-13"}, "captured"),
        ({"reliability": "G"}, "reliability"),
        ({"kind": "rumour"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
    ],
)
def test_bad_source_is_rejected(api, db, fields, field):
    data = {"kind": "news_report", "title": "Report", "url": "https://news.example.org/1", **fields}
    assert_error(api.post("sources/", json=data, token=make_token("editor")), 400, field)
    assert not Source.objects.exists()


def test_editor_updates_an_asset_type(api, db):
    make_asset_type(slug="su-34", name="Su-34", category="fixed_wing_combat")
    token = make_token("editor")
    response = api.patch("asset-types/su-34/", json={"nato_name": "Fullback", "version": 1}, token=token)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2 and response.headers["ETag"].startswith('"v2.')
    assert AssetType.objects.get(slug="su-34").nato_name == "Fullback"
    assert_error(api.patch("asset-types/su-34/", json={"nato_name": "x", "version": 2}), 401, "detail")


@pytest.mark.parametrize(
    ("path", "make", "field"),
    [
        ("asset-types/{key}/", lambda: make_asset_type(), "notes"),
        ("assets/{key}/", lambda: make_asset(), "notes"),
        ("sources/{key}/", lambda: make_source(), "title"),
        ("sites/{key}/", lambda: make_site(), "name"),
    ],
)
def test_catalogue_changes_need_the_version_read(api, db, path, make, field):
    """Like claims: no version is a 428, a stale one a 412 with the stored item, and nothing changes."""
    item = make()
    url = path.format(key=item.slug if path.startswith(("asset-types", "sites")) else item.pk)
    token = make_token("editor")

    def body(value, **extra):
        return {"properties": {field: value}, **extra} if path.startswith("sites") else {field: value, **extra}

    assert_error(api.patch(url, json=body("none sent"), token=token), 428, "detail")
    etag = api.get(url).headers["ETag"]
    assert etag.startswith('"v1.')
    assert api.patch(url, json=body("first"), headers={"If-Match": etag}, token=token).status_code == 200
    stale = api.patch(url, json=body("second"), headers={"If-Match": etag}, token=token)
    assert_error(stale, 412, "version")
    current = stale.json()["current"]
    assert (current.get("properties", current))[field] == "first"
    assert_error(api.patch(url, json=body("third", version=1), token=token), 412, "version")
    assert_error(api.patch(url, json=body("x"), headers={"If-Match": "nonsense"}, token=token), 400, "If-Match")
    item.refresh_from_db()
    assert (getattr(item, field), item.version) == ("first", 2)
