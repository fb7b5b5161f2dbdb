"""The lists as files for GIS tools (api.list_exports): KML, KMZ and GeoPackage read back by GDAL's
ogrinfo (a third-party reader) and by an XML parser; `?format=geojson`; limits and bad input."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse

from basewatch.api import list_exports
from basewatch.core.workflow import State
from tests.api.helpers import assert_error, features
from tests.factories import (
    make_asset,
    make_asset_type,
    make_movement,
    make_observation,
    make_site,
    make_source,
    make_token,
)
from tests.gis_readers import field_types, layer_counts, ogrinfo, parse

pytestmark = pytest.mark.django_db

KML = {"k": "http://www.opengis.net/kml/2.2"}
HOSTILE = "Base <script>alert(\"x\")</script> & 'Co'"
TEXT, NUMBER = "String", "Integer"  # OGR's field types, as ogrinfo names them
HOSTILE_NOTES = 'Seen </description> & <b>bold</b> "quoted"'


def download(api, tmp_path: Path, path: str, extension: str, **params) -> Path:
    response = api.get(path, params={"format": extension, **params})
    assert response.status_code == 200, response.text
    target = tmp_path / f"export.{extension}"
    target.write_bytes(response.content)
    return target


def points(listing: str) -> list[tuple[str, str]]:
    return sorted(re.findall(r"POINT \(([-\d.]+) ([-\d.]+)", listing))


def placemarks(root: ET.Element) -> list[ET.Element]:
    return root.findall("k:Document/k:Folder/k:Placemark", KML)


@pytest.fixture
def story():
    """Two operators' sites, three published observations and a draft, two movements (one a draft)."""
    jets = make_asset_type(slug="jets", name="Fighter jets")
    hmeimim = make_site(slug="hmeimim", name="Hmeimim", operator="RU", location="POINT(35.9 35.4)")
    khadim = make_site(slug="khadim", name=HOSTILE, operator="RU", host_country="LY", location="POINT(21.25 32.05)")
    tanf = make_site(slug="tanf", name="At-Tanf", operator="US", location="POINT(38.6 33.5)")
    make_observation(hmeimim, jets, dt.date(2024, 12, 1), count=12)
    make_observation(hmeimim, jets, dt.date(2024, 12, 20), count=4, activity="departing", notes=HOSTILE_NOTES)
    make_observation(khadim, jets, dt.date(2024, 12, 21), count=3, sources=[make_source(title="<i>Report</i> & co")])
    make_observation(tanf, jets, dt.date(2024, 12, 2), count=7, state=State.DRAFT)
    make_movement(
        hmeimim, khadim, jets, count=8, departed=dt.date(2024, 12, 18), arrived=dt.date(2024, 12, 19), notes=HOSTILE
    )
    make_movement(tanf, hmeimim, jets, arrived=dt.date(2024, 12, 5), state=State.DRAFT)
    return {"hmeimim": hmeimim, "khadim": khadim, "tanf": tanf}


# --- GDAL reads every format ------------------------------------------------------------


def test_observations_kml_is_read_by_gdal(api, story, tmp_path):
    path = download(api, tmp_path, "observations/", "kml", page_size=1)  # every row, not a page
    assert layer_counts(ogrinfo(path, summary=True)) == {"observations": 3}
    listing = ogrinfo(path, "observations")
    assert points(listing) == [("21.25", "32.05"), ("35.9", "35.4"), ("35.9", "35.4")]
    assert "Hmeimim: 4 × Fighter jets" in listing


def test_observations_kmz_is_read_by_gdal(api, story, tmp_path):
    response = api.get("observations/", params={"format": "kmz"})
    assert response.headers["Content-Type"] == "application/vnd.google-earth.kmz"
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-observations.kmz"'
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == ["doc.kml"]
    path = download(api, tmp_path, "observations/", "kmz")
    assert layer_counts(ogrinfo(path, summary=True)) == {"observations": 3}
    assert points(ogrinfo(path, "observations"))[0] == ("21.25", "32.05")


def test_observations_gpkg_is_read_by_gdal(api, story, tmp_path):
    response = api.get("observations/", params={"format": "gpkg"})
    assert response.headers["Content-Type"] == "application/geopackage+sqlite3"
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-observations.gpkg"'
    path = download(api, tmp_path, "observations/", "gpkg")
    summary = ogrinfo(path, summary=True)
    assert layer_counts(summary) == {"observations": 3}
    assert "Geometry: Point" in summary
    assert re.search(r"^observed: Date", summary, re.MULTILINE)
    listing = ogrinfo(path, "observations")
    assert points(listing) == [("21.25", "32.05"), ("35.9", "35.4"), ("35.9", "35.4")]
    assert f"site_name (String) = {HOSTILE}" in listing
    assert f"notes (String) = {HOSTILE_NOTES}" in listing


def test_movements_kml_kmz_and_gpkg_are_read_by_gdal(api, story, tmp_path):
    for extension in ("kml", "kmz", "gpkg"):
        path = download(api, tmp_path, "movements/", extension)
        assert layer_counts(ogrinfo(path, summary=True)) == {"movements": 1}, extension
        assert "LINESTRING (35.9 35.4,21.25 32.05)" in ogrinfo(path, "movements"), extension


def test_sites_kml_and_gpkg_are_read_by_gdal(api, story, tmp_path):
    path = download(api, tmp_path, "sites/", "kml", as_of="2024-12-20", page_size=1)
    assert layer_counts(ogrinfo(path, summary=True)) == {"sites": 3}
    listing = ogrinfo(path, "sites")
    assert points(listing) == [("21.25", "32.05"), ("35.9", "35.4"), ("38.6", "33.5")]
    assert "Hmeimim (4)" in listing
    path = download(api, tmp_path, "sites/", "gpkg", as_of="2024-12-20", operator="RU")
    listing = ogrinfo(path, "sites")
    assert layer_counts(ogrinfo(path, summary=True)) == {"sites": 2}
    assert "posture_label (String) = 4" in listing
    assert "as_of (Date) = 2024/12/20" in listing


def test_the_demo_drawdown_replays_in_kml(api, demo, tmp_path):
    path = download(api, tmp_path, "observations/", "kml", site="khmeimim")
    summary = ogrinfo(path, summary=True)
    assert layer_counts(summary)["observations"] > 1
    root = parse(path.read_bytes())
    days = [mark.findtext("k:TimeStamp/k:when", namespaces=KML) for mark in placemarks(root)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", day) for day in days)
    assert len(set(days)) > 1


# --- everything in one GeoPackage ----------------------------------------------------------


def test_one_geopackage_holds_sites_on_the_date_and_every_published_claim(api, story, tmp_path):
    response = api.get("export.gpkg", params={"as_of": "2024-12-20"})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/geopackage+sqlite3"
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-2024-12-20.gpkg"'
    path = tmp_path / "everything.gpkg"
    path.write_bytes(response.content)
    summary = ogrinfo(path, summary=True)
    assert layer_counts(summary) == {"sites": 3, "observations": 3, "movements": 1}
    sites = ogrinfo(path, "sites")
    assert "name (String) = Hmeimim" in sites
    assert "posture_label (String) = 4" in sites  # the count of 2024-12-20, not the 12 of 2024-12-01
    assert "as_of (Date) = 2024/12/20" in sites
    assert "At-Tanf" not in ogrinfo(path, "observations")  # its only observation is a draft
    assert "LINESTRING (35.9 35.4,21.25 32.05)" in ogrinfo(path, "movements")


def test_one_geopackage_holds_what_a_viewer_may_read(api, story, tmp_path):
    response = api.get("export.gpkg", params={"as_of": "2024-12-01"}, token=make_token("viewer"))
    path = tmp_path / "everything.gpkg"
    path.write_bytes(response.content)
    assert layer_counts(ogrinfo(path, summary=True)) == {"sites": 3, "observations": 4, "movements": 2}
    assert "posture_label (String) = 12" in ogrinfo(path, "sites")


def test_one_geopackage_declares_its_layers_even_when_empty(api, db, tmp_path):
    path = tmp_path / "empty.gpkg"
    path.write_bytes(api.get("export.gpkg").content)
    summary = ogrinfo(path, summary=True)
    assert layer_counts(summary) == {"sites": 0, "observations": 0, "movements": 0}
    assert "Geometry: Line String" in summary
    # Each column with its type, though there is no row to guess it from: what a GIS project
    # built on these files relies on.
    claim = {"asset_type": TEXT, "asset": TEXT, "count": NUMBER}
    claim |= dict.fromkeys(["state", "notes", "sources", "url"], TEXT)
    assert field_types(summary) == {
        "sites": {
            **dict.fromkeys(["slug", "name", "kind", "operator", "host_country", "status"], TEXT),
            "as_of": "Date",
            "posture_total": NUMBER,
            "posture_label": TEXT,
            **dict.fromkeys(["counted_types", "uncounted_types", "absent_types", "stale_types"], NUMBER),
            "stale": "Integer(Boolean)",
            **dict.fromkeys(["leaving_types", "transient_types"], NUMBER),
            "last_observed": "Date",
            "posture": TEXT,
            "url": TEXT,
        },
        "observations": {
            "id": "Integer64",
            **dict.fromkeys(["site", "site_name"], TEXT),
            "observed": "Date",
            **dict.fromkeys(["observed_precision", "activity", "presence"], TEXT),
            **dict.fromkeys(["count_low", "count_high", "credibility"], NUMBER),
            **claim,
        },
        "movements": {
            "id": "Integer64",
            **dict.fromkeys(["origin", "origin_name", "destination", "destination_name"], TEXT),
            **dict.fromkeys(["departed", "arrived"], "Date"),
            "trips": NUMBER,
            "trips_at_least": "Integer(Boolean)",
            "transfer": "Integer64",
            **claim,
        },
    }


def test_a_column_of_nulls_keeps_its_type(api, story, tmp_path):
    # GDAL guessed the types from GeoJSON values: no observation here has a low estimate and
    # the published movement no transfer, and both columns were text.
    observations = ogrinfo(download(api, tmp_path, "observations/", "gpkg"), summary=True)
    movements = ogrinfo(download(api, tmp_path, "movements/", "gpkg"), summary=True)
    types = {**field_types(observations)["observations"], **field_types(movements)["movements"]}
    kept = (types["count_low"], types["transfer"], types["trips_at_least"])
    assert kept == ("Integer", "Integer64", "Integer(Boolean)")


def test_one_geopackage_refuses_a_layer_over_the_maximum_naming_it(api, story, monkeypatch):
    monkeypatch.setattr(list_exports, "MAX_ROWS", 2)
    response = api.get("export.gpkg")
    assert_error(response, 400, "sites")
    assert "at most 2 fit" in response.json()["sites"][0]
    monkeypatch.setattr(list_exports, "MAX_ROWS", 3)
    assert api.get("export.gpkg").status_code == 200  # three sites, three published observations


def test_one_geopackage_with_a_bad_date_is_a_400_naming_it(api, db):
    assert_error(api.get("export.gpkg", params={"as_of": "someday"}), 400, "as_of")


# --- times, styles, escaping ------------------------------------------------------------


def test_observation_placemarks_carry_the_day_observed(api, story):
    response = api.get("observations/", params={"format": "kml"})
    assert response.headers["Content-Type"] == "application/vnd.google-earth.kml+xml; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-observations.kml"'
    marks = {mark.findtext("k:name", namespaces=KML): mark for mark in placemarks(parse(response.content))}
    assert marks["Hmeimim: 4 × Fighter jets"].findtext("k:TimeStamp/k:when", namespaces=KML) == "2024-12-20"
    assert marks["Hmeimim: 12 × Fighter jets"].findtext("k:TimeStamp/k:when", namespaces=KML) == "2024-12-01"
    description = marks["Hmeimim: 4 × Fighter jets"].findtext("k:description", namespaces=KML)
    assert "(Departing)" in description
    assert "Sources: Example News" in description


def test_movement_placemarks_span_departure_to_arrival(api, story):
    [flight] = placemarks(parse(api.get("movements/", params={"format": "kml"}).content))
    assert flight.findtext("k:TimeSpan/k:begin", namespaces=KML) == "2024-12-18"
    assert flight.findtext("k:TimeSpan/k:end", namespaces=KML) == "2024-12-19"
    assert flight.findtext("k:LineString/k:coordinates", namespaces=KML) == "35.9,35.4 21.25,32.05"
    assert flight.findtext("k:styleUrl", namespaces=KML) == "#operator-RU"


def test_sites_are_stamped_with_the_posture_date_and_styled_by_operator(api, story):
    response = api.get("sites/", params={"format": "kml", "as_of": "2024-12-20"})
    # Named by its date: one file per date, downloaded side by side, replays the posture.
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-sites-2024-12-20.kml"'
    for wanted in ("csv", "xlsx"):  # the spreadsheets too; without posture, no date to name
        dated = api.get("sites/", params={"format": wanted, "as_of": "2024-12-20"}).headers["Content-Disposition"]
        plain = api.get("sites/", params={"format": wanted, "posture": "none"}).headers["Content-Disposition"]
        assert (dated, plain) == (
            f'attachment; filename="basewatch-sites-2024-12-20.{wanted}"',
            f'attachment; filename="basewatch-sites.{wanted}"',
        )
    root = parse(response.content)
    marks = {mark.findtext("k:name", namespaces=KML): mark for mark in placemarks(root)}
    hmeimim = marks["Hmeimim (4)"]
    assert hmeimim.findtext("k:TimeStamp/k:when", namespaces=KML) == "2024-12-20"
    assert hmeimim.findtext("k:description", namespaces=KML).startswith("Posture on 2024-12-20: 4<br>")
    assert marks["At-Tanf (?)"].findtext("k:styleUrl", namespaces=KML) == "#operator-US"  # its draft does not count
    styles = {style.get("id"): style for style in root.findall("k:Document/k:Style", KML)}
    assert set(styles) == {"operator-RU", "operator-US"}
    # The map's palette by operator name (Russia, United States), as KML's aabbggrr.
    assert styles["operator-RU"].findtext("k:IconStyle/k:color", namespaces=KML) == "ff2b39c0"
    assert styles["operator-US"].findtext("k:IconStyle/k:color", namespaces=KML) == "ffa37124"


def test_names_and_notes_are_escaped(api, story):
    response = api.get("movements/", params={"format": "kml"})
    assert b"<script>" not in response.content
    [flight] = placemarks(parse(response.content))
    assert flight.findtext("k:name", namespaces=KML) == f"Hmeimim → {HOSTILE}"  # a name is plain text
    # A description is HTML to Google Earth: what editors typed is escaped inside it.
    description = flight.findtext("k:description", namespaces=KML)
    assert html.escape(HOSTILE) in description
    assert "<script>" not in description
    observations = api.get("observations/", params={"format": "kml"}).content
    assert b"<script>" not in observations and b"<b>bold" not in observations and b"<i>Report" not in observations
    descriptions = [m.findtext("k:description", namespaces=KML) for m in placemarks(parse(observations))]
    assert any(html.escape(HOSTILE_NOTES) in text for text in descriptions)
    assert any("&lt;i&gt;Report&lt;/i&gt; &amp; co" in text for text in descriptions)


# --- who sees what ----------------------------------------------------------------------


def test_the_public_exports_published_claims_only(api, story):
    for extension in ("kml", "geojson"):
        body = api.get("observations/", params={"format": extension}).content
        assert b"At-Tanf" not in body, extension
    viewer = make_token("viewer")
    root = parse(api.get("observations/", params={"format": "kml"}, token=viewer).content)
    assert len(placemarks(root)) == 4
    [draft] = [m for m in placemarks(root) if m.findtext("k:name", namespaces=KML).startswith("At-Tanf")]
    assert "State: draft" in draft.findtext("k:description", namespaces=KML)
    assert len(placemarks(parse(api.get("movements/", params={"format": "kml"}, token=viewer).content))) == 2


# --- GeoJSON --------------------------------------------------------------------------


def test_observations_geojson_is_every_row_as_points_at_the_site(api, story):
    response = api.get("observations/", params={"format": "geojson", "page_size": 1, "site": "hmeimim"})
    assert response.headers["Content-Type"] == "application/geo+json"
    collection = features(response)
    assert len(collection) == 2
    feature = next(f for f in collection.values() if f["properties"]["count"] == 4)
    assert feature["geometry"] == {"type": "Point", "coordinates": [35.9, 35.4]}
    assert feature["properties"]["observed"] == "2024-12-20"
    assert feature["properties"]["notes"] == HOSTILE_NOTES


@pytest.mark.parametrize("path", ["sites/", "movements/"])
def test_geojson_is_the_default_answer_where_the_list_is_geojson(api, story, path):
    default = api.get(path, params={"page_size": 1})
    alias = api.get(path, params={"page_size": 1, "format": "geojson"})
    assert alias.headers["Content-Type"] == "application/geo+json"
    assert features(alias) == features(default)
    # The next page is asked for in the same format.
    assert [alias.json()[key] for key in ("next", "previous")] == [
        default.json()[key] and default.json()[key].replace("?", "?format=geojson&") for key in ("next", "previous")
    ]


@pytest.mark.parametrize(("name", "count"), [("sites", 3), ("movements", 1), ("observations", 3)])
def test_gdal_names_each_lists_geojson_layer_after_the_list(api, story, tmp_path, name, count):
    # Without a `name` member GDAL called the layer after the file, or "" when read from a URL.
    target = download(api, tmp_path, f"{name}/", "geojson")
    assert layer_counts(ogrinfo(target, summary=True)) == {name: count}


# --- limits and bad input ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["sites/", "observations/", "movements/"])
def test_an_unknown_format_is_a_400_naming_it(api, db, path):
    assert_error(api.get(path, params={"format": "shp"}), 400, "format")


@pytest.mark.parametrize("extension", ["kml", "kmz", "gpkg", "geojson"])
def test_an_export_over_the_maximum_is_a_400(api, story, monkeypatch, extension):
    monkeypatch.setattr(list_exports, "MAX_ROWS", 2)
    response = api.get("observations/", params={"format": extension})
    assert_error(response, 400, "format")
    assert "narrow the filters" in response.json()["format"][0]
    assert api.get("observations/", params={"format": extension, "site": "hmeimim"}).status_code == 200


def test_sites_over_the_maximum_are_a_400_but_their_geojson_pages_are_not(api, story, monkeypatch):
    monkeypatch.setattr(list_exports, "MAX_ROWS", 2)
    assert_error(api.get("sites/", params={"format": "kmz"}), 400, "format")
    assert len(features(api.get("sites/", params={"format": "geojson"}))) == 3


def test_a_bad_filter_on_an_export_is_a_400_naming_it(api, db):
    assert_error(api.get("sites/", params={"format": "kml", "as_of": "someday"}), 400, "as_of")


# --- the pages offer them ---------------------------------------------------------------


def links(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return [html.unescape(href) for href in re.findall(r'href="(/api/v1/[^"]+)"', response.content.decode())]


@pytest.mark.parametrize(
    ("page", "api_list", "count"),
    [("front:observations", "observations/", 2), ("front:movements", "movements/", 1)],
)
def test_list_pages_offer_every_format_with_their_filters(client, api, story, page, api_list, count):
    offered = links(client, reverse(page) + "?site=hmeimim&page=1")
    extensions = ("csv", "xlsx", "kml", "kmz", "gpkg")
    wanted = {f"/api/v1/{api_list}?site=hmeimim&format={extension}" for extension in extensions}
    assert wanted <= set(offered)
    root = parse(api.get(f"{api.base}{api_list}?site=hmeimim&format=kml").content)
    assert len(placemarks(root)) == count


def test_the_site_page_offers_its_observations_as_kml(client, api, story):
    [kml] = [url for url in links(client, reverse("front:site", args=["hmeimim"])) if "format=kml" in url]
    assert kml == "/api/v1/observations/?site=hmeimim&format=kml"
    assert len(placemarks(parse(api.get(api.base[:-8] + kml).content))) == 2


def test_the_asset_page_offers_its_sightings_and_movements_as_files(client, api, story, tmp_path):
    lifter = make_asset(registration="RA-78830", asset_type=make_asset_type(slug="lifters"), confirmed=True)
    make_observation(story["hmeimim"], lifter.asset_type, dt.date(2024, 12, 22), asset=lifter)
    make_observation(story["tanf"], lifter.asset_type, dt.date(2024, 12, 23), asset=lifter, state=State.DRAFT)
    make_movement(story["hmeimim"], story["khadim"], lifter.asset_type, asset=lifter, arrived=dt.date(2024, 12, 24))
    offered = [url for url in links(client, reverse("front:asset", args=[lifter.key])) if "asset=" in url]
    lists = {"observations": "/api/v1/observations/", "movements": "/api/v1/movements/"}
    assert offered == [f"{lists[name]}?asset={lifter.key}&format={ext}" for name in lists for ext in ("kml", "gpkg")]
    for url in offered:
        response = api.get(api.base[:-8] + url)
        assert response.status_code == 200, url
        path = tmp_path / url.rsplit("=", 1)[1]
        path.write_bytes(response.content)
        layer, day = ("observations", "2024/12/22") if "observations" in url else ("movements", "2024/12/24")
        assert layer_counts(ogrinfo(path, summary=True)) == {layer: 1}, url  # the asset's, published
        assert day in ogrinfo(path, layer), url
    assert f"/feeds/observations/?asset={lifter.key}" in client.get(reverse("front:asset", args=[lifter.key])).text


def test_the_map_offers_its_sites_as_kml(client, story):
    [kml] = [url for url in links(client, reverse("front:index")) if "format=kml" in url]
    assert kml.startswith("/api/v1/sites/?as_of=")
    assert kml.endswith("&format=kml")
