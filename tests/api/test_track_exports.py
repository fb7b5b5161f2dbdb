"""An asset's track as GPX, KML and CSV, read back by GDAL's ogrinfo (a third-party parser) and by
an XML parser."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest

from basewatch.core.models import Movement, Observation
from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site, make_source
from tests.gis_readers import layer_counts, ogrinfo, parse

pytestmark = pytest.mark.django_db

GPX = {"g": "http://www.topografix.com/GPX/1/1"}
KML = {"k": "http://www.opengis.net/kml/2.2"}
BAMAKO, AL_KHADIM = ("-7.9499", "12.5335"), ("21.1953", "31.9987")


def download(api, tmp_path: Path, key: str, extension: str) -> Path:
    response = api.get(f"assets/{key}/track/", params={"format": extension})
    assert response.status_code == 200, response.text
    path = tmp_path / f"track.{extension}"
    path.write_bytes(response.content)
    return path


def points(listing: str) -> list[tuple[str, str]]:
    return re.findall(r"POINT \(([-\d.]+) ([-\d.]+)\)", listing)


# --- the demo's RA-76845: the sighting at Bamako and the flight from al-Khadim -----------------


def test_gpx_of_the_demo_track_is_read_by_gdal(api, demo, tmp_path):
    path = download(api, tmp_path, "RA-76845", "gpx")
    counts = layer_counts(ogrinfo(path, summary=True))
    assert (counts["waypoints"], counts["tracks"], counts["track_points"]) == (3, 1, 3)
    track_points = ogrinfo(path, "track_points")
    # Left al-Khadim (no date given), reached Bamako, was seen there arriving.
    assert points(track_points) == [AL_KHADIM, BAMAKO, BAMAKO]
    times = re.findall(r"^  time \(DateTime\) = (.*)$", track_points, re.MULTILINE)
    assert times == ["2024/12/17 00:00:00+00", "2024/12/17 00:00:00+00"]  # the unknown departure has none
    assert "name (String) = al-Khadim Air Base" in track_points
    waypoints = ogrinfo(path, "waypoints")
    assert "A 3rd flight of Russia's MChS arrived this morning in Bamako" in waypoints


def test_gpx_is_gpx_1_1_in_stop_order(api, demo, tmp_path):
    response = api.get("assets/152c2d/track/", params={"format": "gpx"})
    assert response.headers["Content-Type"] == "application/gpx+xml; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-RA-76845-track.gpx"'
    root = parse(response.content)
    assert (root.tag, root.get("version")) == ("{http://www.topografix.com/GPX/1/1}gpx", "1.1")
    assert root.findtext("g:metadata/g:name", namespaces=GPX) == "Il-76TD RA-76845, EMERCOM of Russia (MChS)"
    movement = Movement.objects.get(asset__registration="RA-76845")
    links = [link.get("href") for link in root.findall("g:wpt/g:link", GPX)]
    assert links[:2] == [f"http://testserver/movements/{movement.pk}/"] * 2
    assert [child.tag.split("}")[1] for child in root] == ["metadata", "wpt", "wpt", "wpt", "trk"]


def test_kml_of_the_demo_track_is_read_by_gdal(api, demo, tmp_path):
    path = download(api, tmp_path, "RA-76845", "kml")
    assert layer_counts(ogrinfo(path, summary=True)) == {"Stops": 3, "Movements": 1}
    movements = ogrinfo(path, "Movements")
    assert "LINESTRING (21.1953 31.9987,-7.9499 12.5335)" in movements
    assert "Name (String) = al-Khadim Air Base → Bamako–Sénou (Base Aérienne 101)" in movements
    assert re.search(r"^  end \(DateTime\) = 2024/12/17", movements, re.MULTILINE)
    assert not re.search(r"^  begin \(DateTime\) = \d", movements, re.MULTILINE)  # no departure date known
    stops = ogrinfo(path, "Stops")
    assert [(x, y) for x, y in points(stops)] == [AL_KHADIM, BAMAKO, BAMAKO]


def test_kml_is_kml_2_2_with_times(api, demo):
    response = api.get("assets/RA-76845/track/", params={"format": "kml"})
    assert response.headers["Content-Type"] == "application/vnd.google-earth.kml+xml; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-RA-76845-track.kml"'
    root = parse(response.content)
    stops = root.findall("k:Document/k:Folder[k:name='Stops']/k:Placemark", KML)
    assert [stop.findtext("k:TimeStamp/k:when", namespaces=KML) for stop in stops] == [None, "2024-12-17", "2024-12-17"]
    [flight] = root.findall("k:Document/k:Folder[k:name='Movements']/k:Placemark", KML)
    assert flight.findtext("k:TimeSpan/k:end", namespaces=KML) == "2024-12-17"
    assert flight.findtext("k:LineString/k:coordinates", namespaces=KML) == "21.1953,31.9987 -7.9499,12.5335"


def test_csv_has_a_row_per_stop(api, demo):
    response = api.get("assets/RA-76845/track/", params={"format": "csv"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-RA-76845-track.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(row["date"], row["event"], row["site"]) for row in rows] == [
        ("", "departed", "al-khadim"),
        ("2024-12-17", "arrived", "bamako-senou"),
        ("2024-12-17", "seen", "bamako-senou"),
    ]
    assert (rows[0]["lon"], rows[0]["lat"]) == AL_KHADIM
    sighting = Observation.objects.get(asset__registration="RA-76845")
    assert rows[2]["claim_url"] == f"http://testserver/sites/bamako-senou/#observation-{sighting.pk}"
    assert "@fabsenbln: A 3rd flight" in rows[2]["sources"]


# --- names editors typed are escaped -----------------------------------------------------


@pytest.fixture
def awkward():
    """A track whose names and sources hold XML's special characters."""
    home = make_site(slug="home", name='Base <"Alpha"> & Co', location="POINT(10 20)")
    away = make_site(slug="away", name="Bravo </name><script>", location="POINT(-30.5 -40.25)")
    jets = make_asset_type(slug="jets", name="Jets & <Co>")
    asset = make_asset(asset_type=jets, registration="N1&<2", operator='"Air" <Force>')
    source = make_source(title="Seen </desc> & gone", publisher="<b>")
    make_observation(home, jets, dt.date(2024, 12, 1), asset=asset, sources=[source])
    make_movement(home, away, jets, asset=asset, departed=dt.date(2024, 12, 2), arrived=dt.date(2024, 12, 3))
    return asset


def test_gpx_and_kml_escape_every_name(api, awkward, tmp_path):
    key = awkward.pk  # its registration is not URL-friendly: the id reaches it too
    gpx = parse(api.get(f"assets/{key}/track/", params={"format": "gpx"}).content)
    assert gpx.findtext("g:metadata/g:name", namespaces=GPX) == 'N1&<2, "Air" <Force>'
    assert [w.findtext("g:name", namespaces=GPX) for w in gpx.findall("g:wpt", GPX)] == [
        'Base <"Alpha"> & Co',
        'Base <"Alpha"> & Co',
        "Bravo </name><script>",
    ]
    assert "Seen </desc> & gone" in gpx.findtext("g:wpt/g:desc", namespaces=GPX)
    kml = parse(api.get(f"assets/{key}/track/", params={"format": "kml"}).content)
    [flight] = kml.findall("k:Document/k:Folder[k:name='Movements']/k:Placemark", KML)
    assert flight.findtext("k:name", namespaces=KML) == 'Base <"Alpha"> & Co → Bravo </name><script>'
    assert (
        flight.findtext("k:TimeSpan/k:begin", namespaces=KML),
        flight.findtext("k:TimeSpan/k:end", namespaces=KML),
    ) == (
        "2024-12-02",
        "2024-12-03",
    )
    path = download(api, tmp_path, str(key), "gpx")
    assert points(ogrinfo(path, "track_points")) == [("10", "20"), ("10", "20"), ("-30.5", "-40.25")]
    response = api.get(f"assets/{key}/track/", params={"format": "gpx"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-N1_2-track.gpx"'


def test_an_export_of_an_unknown_asset_is_a_json_404(api, db):
    response = api.get("assets/ZZ-0/track/", params={"format": "gpx"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
