"""Hostile input: two 500s found with third-party tools, now clear 400s; hostile image files;
hostile spreadsheets handed to the claim import (issue 17), each a clear error with nothing stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import resource
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from basewatch.api.parsers import MAX_DEPTH
from basewatch.core.models import EvidenceImage, ImportReport, LoginFailure, Observation, Site, Source
from basewatch.core.workflow import State
from tests.factories import make_asset_type, make_observation, make_site, make_token, make_user
from tests.images import HTML_PAYLOAD, SVG, encoded, png_bomb, zip_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["username", "password"])
def test_login_with_a_nul_character_is_a_400(field):
    """The throttle looked the name up in PostgreSQL, which cannot hold NUL: a 500, unlimited."""
    make_user("editor", username="ana")
    values = {"username": "ana", "password": "a-long-test-password", field: "an\x00a"}
    response = Client().post("/accounts/login/", values)
    assert response.status_code == 400
    assert b"NUL" in response.content
    assert not LoginFailure.objects.exists()
    assert "_auth_user_id" not in Client().session


def test_a_nul_character_in_a_pages_address_is_the_400_page_naming_the_parameter():
    response = Client().get("/movements/", {"asset": "ra\x00"})
    html = response.content.decode()
    assert response.status_code == 400 and "<h1>Bad request</h1>" in html
    assert "<code>asset</code>: Text may not contain NUL characters." in html


def test_a_post_only_address_asked_for_as_a_page_is_a_405_page_saying_so():
    """A reload of the page a refused review decision answered, a bookmark: not an empty answer."""
    observation = make_observation(make_site(), make_asset_type(), dt.date(2024, 12, 13), state=State.SUBMITTED)
    response = Client().get(f"/review/observation/{observation.pk}/")
    html = response.content.decode()
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "<h1>Not a page</h1>" in html and "nothing was changed" in html
    api = Client().delete("/api/v1/asset-types/")  # the API's own 405, in JSON
    assert api.status_code == 405 and api["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("period", ["²", "1000000", "abc", "-5"])
def test_the_map_takes_any_period_in_its_address(period):
    """A period the map does not offer is its default (front.views.MAP_PERIODS): `²` passed
    str.isdigit and `1000000` days before the date overflowed, both 500s."""
    response = Client().get("/", {"period": period})
    assert response.status_code == 200
    assert b"from=" in response.content  # the movements' first page is still asked for at once


@pytest.mark.parametrize("as_of", ["0001-01-01", "1899-12-31"])
def test_a_site_page_before_the_earliest_date_is_a_400(as_of):
    """Year 1 made the chart's axis overflow: a 500."""
    make_site(slug="khmeimim")
    response = Client().get("/sites/khmeimim/", {"as_of": as_of})
    assert response.status_code == 400
    assert b"as_of" in response.content and b"1900-01-01" in response.content


def test_an_adsb_time_past_the_calendar_in_utc_is_refused():
    from basewatch.core.adsb.parsing import TraceRefused, parse_trace

    csv = b"time,lat,lon,altitude\n9999-12-31T23:00:00-05:00,35.4,35.9,1000\n"
    with pytest.raises(TraceRefused, match="outside the calendar"):
        parse_trace(csv, 10_000)


def _nested(depth: int) -> str:
    return '{"name": ' * depth + '"x"' + "}" * depth


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_json_nested_too_deep_is_a_400(depth):
    """A thousand levels made Python's JSON decoder recurse past its limit: a 500."""
    api = Client(headers={"Authorization": f"Token {make_token('editor')}"})
    response = api.generic("POST", "/api/v1/asset-types/", _nested(depth), content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    assert "nested" in response.json()["detail"]


def test_the_deepest_document_basewatch_reads_still_parses():
    """A site with a MultiPolygon footprint is the deepest body the API takes."""
    api = Client(headers={"Authorization": f"Token {make_token('editor')}"})
    ring = [[35.9, 35.4], [35.95, 35.4], [35.95, 35.45], [35.9, 35.4]]
    body = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [35.92, 35.42]},
        "properties": {
            "slug": "deep",
            "name": "Deep",
            "kind": "air_base",
            "operator": "RU",
            "host_country": "SY",
            "footprint": {"type": "MultiPolygon", "coordinates": [[ring]]},
        },
    }
    response = api.post("/api/v1/sites/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert Site.objects.get(slug="deep").footprint.num_coords == 4


# Spreadsheets in (basewatch.core.imports): hostile files are refused whole with a reason, or
# their bad rows shown, and nothing is stored.


def _import_page():
    make_site(slug="khmeimim", name="Khmeimim")
    make_asset_type(slug="su-34", name="Su-34")
    client = Client()
    client.force_login(make_user("editor"))
    return client


def _upload(client: Client, content: bytes, name: str):
    return client.post("/new/claims-import/", {"file": SimpleUploadedFile(name, content)})


def _nothing_stored() -> bool:
    return not (ImportReport.objects.exists() or Observation.objects.exists() or Source.objects.exists())


HEADER = b"site,observed,asset_type,count,notes,sources\n"


def test_import_formula_cells_are_never_run_and_each_is_shown():
    client = _import_page()
    rows = [
        b"khmeimim,2024-12-01,su-34,1,\"=cmd|' /C calc'!A0\",https://example.org/1",
        b"khmeimim,2024-12-02,su-34,1,@SUM(1+1),https://example.org/2",
        b"+khmeimim,2024-12-03,su-34,1,,https://example.org/3",
        b"khmeimim,2024-12-04,su-34,-1+2,,https://example.org/4",
    ]
    response = _upload(client, HEADER + b"\n".join(rows), "formulas.csv")
    assert response.status_code == 302
    report = ImportReport.objects.get()
    located = {(r["row"], e["column"]) for r in report.results for e in r["errors"]}
    assert located == {(2, "notes"), (3, "notes"), (4, "site"), (5, "count")}
    client.post(response["Location"])
    assert not Observation.objects.exists()


def test_import_a_bom_is_dropped():
    client = _import_page()
    content = b"\xef\xbb\xbf" + HEADER + b"khmeimim,2024-12-01,su-34,1,,https://example.org/1\n"
    assert _upload(client, content, "excel.csv").status_code == 302
    assert ImportReport.objects.get().created_count == 1


def test_import_latin1_bytes_are_refused_with_their_line():
    client = _import_page()
    content = HEADER + b"khmeimim,2024-12-01,su-34,1,ok,https://example.org/1\n"
    content += "khmeimim,2024-12-02,su-34,1,Vu à Hmeimim,https://example.org/2\n".encode("latin-1")
    response = _upload(client, content, "latin1.csv")
    assert response.status_code == 400
    assert "Line 3 is not UTF-8 (byte 0xE0)" in response.content.decode()
    assert _nothing_stored()


@pytest.mark.parametrize("where", ["value", "name"])
def test_import_a_geojson_nul_character_is_refused(where):
    """A CSV with NUL was refused; a GeoJSON's `\\u0000` reached PostgreSQL in a look-up: a 500."""
    client = _import_page()
    properties = {
        "site": "khmeimim",
        "observed": "2024-12-13",
        "asset_type": "su-34",
        "sources": "https://example.org/1",
    }
    if where == "value":
        properties["site"] = "khmeimim\x00"
    else:
        properties["no\x00te"] = "x"
    document = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": None, "properties": properties}],
    }
    response = _upload(client, json.dumps(document).encode(), "claims.geojson")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert _nothing_stored()


def test_import_a_million_rows_is_refused_by_the_row_cap(settings):
    client = _import_page()
    content = HEADER + b"k,1,s,1,,u\n" * 1_000_000  # 12 MB: under the size limit
    response = _upload(client, content, "million.csv")
    assert response.status_code == 400
    assert f"more than {settings.IMPORT_MAX_ROWS:,} rows" in response.content.decode()
    assert _nothing_stored()


def test_import_a_zip_bomb_named_xlsx_is_refused_before_it_is_unpacked():
    client = _import_page()
    packed = io.BytesIO()
    archive = zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED)
    with archive, archive.open("xl/worksheets/sheet1.xml", "w") as member:
        for _ in range(100):
            member.write(b"\0" * 1_000_000)  # 100 MB of zeros, about 100 kB packed
    response = _upload(client, packed.getvalue(), "accounts.xlsx")
    assert response.status_code == 400
    assert "likely ZIP bomb" in response.content.decode()
    assert _nothing_stored()


def test_import_a_broken_workbook_is_refused():
    client = _import_page()
    response = _upload(client, b"PK\x03\x04 not really a workbook", "broken.xlsx")
    assert response.status_code == 400
    assert "not an XLSX workbook" in response.content.decode()
    assert _nothing_stored()


def test_import_a_geojson_of_a_million_vertices_is_refused(settings):
    client = _import_page()
    line = b"[" + b",".join([b"[0,0]"] * 1_000_000) + b"]"
    content = (
        b'{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        b'"geometry":{"type":"LineString","coordinates":' + line + b"}}]}"
    )
    response = _upload(client, content, "lines.geojson")
    assert response.status_code == 400
    assert f"more than {settings.IMPORT_GEOJSON_MAX_VERTICES:,} vertices" in response.content.decode()
    assert _nothing_stored()


def test_import_over_the_size_limit_is_a_413(settings):
    settings.IMPORT_MAX_BYTES = 1000
    client = _import_page()
    response = _upload(client, HEADER + b"x" * 2000, "big.csv")
    assert response.status_code == 413
    assert "larger than 1,000 bytes" in response.content.decode()
    assert _nothing_stored()


# --- evidence images (basewatch.core.images) ------------------------------------------


def _image_upload(tmp_path, settings, content: bytes, name: str):
    settings.MEDIA_ROOT = tmp_path / "media"
    editor = make_user("editor")
    site = make_site()
    observation = make_observation(site, make_asset_type(), dt.date(2024, 12, 13), state=State.DRAFT)
    client = Client()
    client.force_login(editor)
    url = reverse("front:image-add", args=["observation", observation.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("size", [(20_000, 20_000), (9_000, 9_000), (1, 50_000_000)])
def test_a_decompression_bomb_png_is_refused_from_its_header(tmp_path, settings, size):
    """A 300-byte PNG declaring 20,000 x 20,000 pixels would decode to 1.2 GB: refused before decoding
    (the process does not grow by the decoded size), with the field named and nothing stored."""
    bomb = png_bomb(*size)
    assert len(bomb) < 200_000
    # Pillow allocates pixels outside Python's heap: the process's peak resident size shows them.
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    response = _image_upload(tmp_path, settings, bomb, "bomb.png")
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and "pixels" in errors["file"][0]
    assert grown_kb < 100_000, f"the refusal grew the process by {grown_kb:,} kB"
    assert not EvidenceImage.objects.exists() and not (tmp_path / "media").exists()


@pytest.mark.parametrize("payload", [zip_payload(), HTML_PAYLOAD], ids=["jpeg+zip", "jpeg+html"])
def test_a_polyglot_image_is_stored_as_a_plain_image_without_its_payload(tmp_path, settings, payload):
    """A JPEG with a ZIP archive or an HTML page appended is both; what basewatch stores is only a JPEG."""
    original = encoded("JPEG") + payload
    assert _image_upload(tmp_path, settings, original, "crop.jpg").status_code == 302
    image = EvidenceImage.objects.get()
    assert image.original_sha256 == hashlib.sha256(original).hexdigest()
    for name in (image.file.name, image.thumbnail.name):
        stored = (tmp_path / "media" / name).read_bytes()
        assert stored.endswith(b"\xff\xd9")  # the JPEG's end marker, and nothing after it
        assert b"PK\x03\x04" not in stored and b"<script" not in stored and b"<html" not in stored
    response = Client().get(reverse("front:image", args=[image.pk]))
    assert response.status_code == 404  # a draft's image, and an anonymous reader


@pytest.mark.parametrize(
    ("name", "content"),
    [("map.svg", SVG), ("map.jpg", SVG), ("notes.jpg", b"GIF89a but really text"), ("page.png", HTML_PAYLOAD)],
)
def test_files_of_the_wrong_type_are_refused_by_their_content(tmp_path, settings, name, content):
    response = _image_upload(tmp_path, settings, content, name)
    assert response.status_code == 400
    assert "not an image basewatch takes" in response.context["form"].errors["file"][0]
    assert not EvidenceImage.objects.exists()
