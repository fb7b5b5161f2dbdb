"""Sites and sources imported from spreadsheets (basewatch.core.imports.catalogue): each row
created, matched or changed (which fields, old → new), every error with its row and column,
duplicates within the file, the dry run and all or nothing, the command, and one rule for
who writes sites and how they are checked (basewatch.core.sites)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from basewatch.core import sites
from basewatch.core.claims import NotAllowed
from basewatch.core.models import ImportReport, Site, Source
from tests.factories import make_site, make_source, make_user
from tests.test_claim_import import editor_client, upload

pytestmark = pytest.mark.django_db
D = dt.date

SITE_HEADER = "slug,name,aliases,kind,operator,host_country,status,longitude,latitude,location_precision"


@pytest.fixture
def on_file():
    return {
        "khmeimim": make_site(
            slug="khmeimim",
            name="Khmeimim",
            aliases=["Hmeimim", "Latakia AB"],
            kind="air_base",
            status="drawing_down",
            location=Point(35.948, 35.401, srid=4326),
            location_precision="exact",
        ),
        "tartus": make_site(slug="tartus", name="Tartus", kind="naval_base", location=Point(35.87, 34.9, srid=4326)),
    }


def located(report: ImportReport) -> dict[tuple[int, str], str]:
    return {
        (result["row"], error["column"]): error["message"]
        for result in report.results
        for error in result.get("errors", [])
    }


def test_a_sites_file_previews_create_match_and_change_and_stores_nothing(on_file):
    content = "\n".join(
        [
            SITE_HEADER,
            # on file, said the same: matched, unchanged
            "khmeimim,Khmeimim,Hmeimim; Latakia AB,air_base,RU,SY,drawing_down,35.948,35.401,exact",
            # on file by name, two fields otherwise: changed
            ",Tartus,,naval_base,RU,SY,closed,35.87,34.9,area",
            # new
            "al-khadim,al-Khadim,Al Khadim,Air base,ru,LY,active,20.86,32.05,approximate",
        ]
    ).encode()
    client, _ = editor_client()
    response = upload(client, content, "basewatch-sites.csv")
    assert response.status_code == 302, response.content[:500]
    report = ImportReport.objects.get()
    assert report.kind == ImportReport.Kind.SITES
    assert [r["outcome"] for r in report.results] == ["match", "change", "create"]
    changes = {(c["field"], c["old"], c["new"]) for c in report.results[1]["changes"]}
    assert changes == {("status", "unknown", "closed"), ("location_precision", "approximate", "area")}
    assert (report.created_count, report.changed_count, report.duplicate_count, report.error_count) == (1, 1, 1, 0)
    assert not Site.objects.filter(slug="al-khadim").exists()  # a dry run
    assert Site.objects.get(slug="tartus").status == "unknown"

    page = client.get(response["Location"]).content.decode()
    assert "On file, unchanged" in page and "Will change" in page and "Will create" in page
    assert "<strong>status</strong>: unknown → closed" in page
    assert "Store 1 new and 1 changed sites" in page

    client.post(response["Location"])
    report.refresh_from_db()
    assert report.state == ImportReport.State.IMPORTED
    khadim = Site.objects.get(slug="al-khadim")
    assert (khadim.kind, khadim.operator.code, khadim.host_country.code, khadim.aliases) == (
        "air_base",
        "RU",
        "LY",
        ["Al Khadim"],
    )
    assert (khadim.location.x, khadim.location.y) == (20.86, 32.05)
    tartus = Site.objects.get(slug="tartus")
    assert (tartus.status, tartus.location_precision, tartus.version) == ("closed", "area", 2)
    assert Site.objects.get(slug="khmeimim").version == 1  # matched, not written


TEN_SITE_ERRORS = "\n".join(
    [
        SITE_HEADER,
        "base-1,Base 1,,castle,RU,SY,active,36.0,35.0,exact",  # 2 kind: not a choice
        "base-2,Base 2,,air_base,XX,SY,active,36.0,35.0,exact",  # 3 operator: no such country
        "base-3,Base 3,,air_base,RU,SY,active,east,35.0,exact",  # 4 longitude: not a number
        "base-4,Base 4,,air_base,RU,SY,active,36.0,95.0,exact",  # 5 latitude out of range
        "base-5,Base 5,,air_base,RU,SY,active,3950000,4200000,exact",  # 6 metres (EPSG:3857), not degrees
        "Base 6,Base 6,,air_base,RU,SY,active,36.0,35.0,exact",  # 7 slug: not a slug
        "base-7,Base 7,,air_base,RU,SY,active,,,exact",  # 8 no place
        'base-8,Base 8,,air_base,RU,SY,active,36.0,35.0,"=HYPERLINK(""http://evil.example"")"',  # 9 formula
        "base-9,,,air_base,RU,SY,active,36.0,35.0,exact",  # 10 name: blank
        "base-10,Base 10,,air_base,RU,SY,sleeping,36.0,35.0,exact",  # 11 status: not a choice
        "base-1,Base 1 again,,air_base,RU,SY,active,36.1,35.1,exact",  # 12 fine: creates base-1
        "khmeimim,Khmeimim,,air_base,RU,SY,active,35.948,35.401,exact",  # 13 fine: changes khmeimim
        "Hmeimim,Khmeimim,,air_base,RU,SY,active,35.948,35.401,exact",  # 14 the same site again
    ]
)


def test_ten_kinds_of_error_in_a_sites_file_each_with_its_row_and_column(on_file):
    client, _ = editor_client()
    response = upload(client, TEN_SITE_ERRORS.encode(), "sites.csv")
    report = ImportReport.objects.get()
    errors = located(report)
    assert "not one of" in errors[(2, "kind")]
    assert "not a valid choice" in errors[(3, "operator")]
    assert "is not a number of degrees" in errors[(4, "longitude")]
    assert "Latitude must be between -90 and 90" in errors[(5, "latitude")]
    assert "Longitude must be between -180 and 180" in errors[(6, "longitude")]
    assert "slug" in errors[(7, "slug")].lower()
    assert "cannot be null" in errors[(8, "longitude")] or "blank" in errors[(8, "longitude")]
    assert "formula" in errors[(9, "location_precision")]
    assert "cannot be blank" in errors[(10, "name")]
    assert "not one of" in errors[(11, "status")]
    assert errors[(14, "slug")] == "Row 13 already gives the site khmeimim: one row per site."
    outcomes = [r["outcome"] for r in report.results]
    assert outcomes == ["error"] * 10 + ["create", "change", "duplicate"]
    assert (report.error_count, report.created_count, report.changed_count) == (10, 1, 1)

    page = client.get(response["Location"]).content.decode()
    for row in range(2, 15):
        assert f'id="row-{row}"' in page
    assert "Duplicate in the file" in page
    assert Site.objects.count() == 2  # the dry run stored nothing

    client.post(response["Location"])
    assert set(Site.objects.values_list("slug", flat=True)) == {"khmeimim", "tartus", "base-1"}
    assert Site.objects.get(slug="khmeimim").status == "active"


def test_a_site_file_in_another_coordinate_system_is_refused():
    client, _ = editor_client()
    wkt = f"{SITE_HEADER},location\nbase,Base,,air_base,RU,SY,active,,,exact,SRID=3857;POINT(3950000 4200000)\n"
    upload(client, wkt.encode(), "sites.csv")
    assert located(ImportReport.objects.get())[(2, "location")] == "Only longitude/latitude in SRID 4326 is accepted."

    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        "features": [],
    }
    response = upload(client, json.dumps(collection).encode(), "sites.geojson")
    assert response.status_code == 400
    assert "A &#x27;crs&#x27; member is not accepted" in response.content.decode()
    assert ImportReport.objects.count() == 1


def test_a_geojson_site_takes_its_place_from_the_feature():
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-8.0, 12.53]},
        "properties": {"slug": "bamako", "name": "Bamako–Sénou", "kind": "airport", "operator": "RU"}
        | {"host_country": "ML", "status": "active", "posture_total": 3},
    }
    content = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    client, _ = editor_client()
    response = upload(client, content, "basewatch-sites.geojson")
    client.post(response["Location"])
    site = Site.objects.get(slug="bamako")
    assert (site.location.x, site.location.y, site.host_country.code) == (-8.0, 12.53, "ML")


def test_only_editors_write_sites_whatever_the_face():
    viewer = make_user("viewer")
    site = Site(slug="x", name="X", kind="air_base", operator="RU", host_country="SY", location=Point(1, 2))
    with pytest.raises(NotAllowed):
        sites.write_site(site, viewer)
    with pytest.raises(ValidationError) as refused:
        sites.write_site(Site(slug="x", name="X", kind="castle", operator="RU", host_country="SY"), make_user("editor"))
    assert set(refused.value.message_dict) == {"kind", "location"}
    assert not Site.objects.exists()
    # The import refuses a row the same way, through the same function.
    from basewatch.core.imports import catalogue
    from basewatch.core.imports.rows import Lookups

    result = catalogue.import_row(
        "sites",
        2,
        dict(zip(SITE_HEADER.split(","), next(csv.reader(["x,X,,air_base,RU,SY,active,1,2,exact"])), strict=True)),
        viewer,
        Lookups(),
        True,
    )
    assert result["errors"] == [{"column": "", "message": sites.REFUSED}]
    assert not Site.objects.exists()


SOURCE_HEADER = "id,kind,title,publisher,url,published,captured,archive_url,reliability"


def test_a_sources_file_matches_by_url_creates_the_rest_and_reports_ten_kinds_of_error():
    make_source(url="https://news.example.org/on-file", title="On file")
    make_source(url="", publisher="Analyst", title="Field notes", published=D(2024, 12, 3))
    content = "\n".join(
        [
            SOURCE_HEADER,
            "7,news_report,On file again,Example News,https://news.example.org/on-file,2024-12-13,,,B",  # 2 match
            "8,satellite_imagery,Khmeimim,Maxar,https://maxar.example/1,2024-12-13,2024-12-12,,A",  # 3 create
            "9,other,Field notes,Analyst,,2024-12-03,,,C",  # 4 match, without a URL
            "10,Social-media post,A post,'@someone,,,,,d",  # 5 create: a label, a lower-case grade, quoted text
            "11,news_report,Dup,X,https://maxar.example/1,2024-12-13,,,B",  # 6 duplicate of row 3
            "12,poem,Bad kind,X,https://example.org/a,,,,B",  # 7 kind
            "13,news_report,Bad url,X,ftp://example.org/b,,,,B",  # 8 url scheme
            "14,news_report,Bad date,X,https://example.org/c,13/12/2024,,,B",  # 9 published
            "15,news_report,Future,X,https://example.org/d,2999-01-01,,,B",  # 10 in the future
            "16,news_report,Late capture,X,https://example.org/e,2024-12-01,2024-12-05,,B",  # 11 captured > published
            "17,news_report,Bad grade,X,https://example.org/f,,,,G",  # 12 reliability
            "18,news_report,,X,https://example.org/g,,,,B",  # 13 title blank
            "19,news_report,=cmd|' /C calc'!A0,X,https://example.org/h,,,,B",  # 14 formula
            "20,news_report,Bad archive,X,https://example.org/i,,,javascript:alert(1),B",  # 15 archive_url
        ]
    ).encode()
    client, _ = editor_client()
    response = upload(client, content, "basewatch-sources.csv")
    report = ImportReport.objects.get()
    assert report.kind == ImportReport.Kind.SOURCES
    outcomes = [r["outcome"] for r in report.results]
    assert outcomes == ["match", "create", "match", "create", "duplicate"] + ["error"] * 9
    errors = located(report)
    assert errors[(6, "url")] == "Row 3 gives a source with the same URL."
    assert "not one of" in errors[(7, "kind")]
    assert errors[(8, "url")] == "Enter an http:// or https:// URL."
    assert "is not a date" in errors[(9, "published")]
    assert "future" in errors[(10, "published")]
    assert errors[(11, "captured")] == "Imagery cannot be captured after it was published."
    assert "not one of" in errors[(12, "reliability")]
    assert "cannot be blank" in errors[(13, "title")]
    assert "formula" in errors[(14, "title")]
    assert errors[(15, "archive_url")] == "Enter an http:// or https:// URL."
    page = client.get(response["Location"]).content.decode()
    for row in range(2, 16):
        assert f'id="row-{row}"' in page
    assert Source.objects.count() == 2  # the dry run

    client.post(response["Location"])
    assert Source.objects.count() == 4
    maxar = Source.objects.get(url="https://maxar.example/1")
    assert (maxar.kind, maxar.publisher, maxar.captured, maxar.reliability) == (
        "satellite_imagery",
        "Maxar",
        D(2024, 12, 12),
        "A",
    )
    post = Source.objects.get(title="A post")
    assert (post.kind, post.reliability, post.published, post.publisher) == ("social_media", "D", None, "@someone")
    assert Source.objects.get(url="https://news.example.org/on-file").title == "On file"  # matched, not changed


def test_all_or_nothing_stores_no_site_when_a_row_fails(on_file):
    client, _ = editor_client()
    response = upload(client, TEN_SITE_ERRORS.encode(), "sites.csv", all_or_nothing="on")
    client.post(response["Location"])
    assert ImportReport.objects.get().state == ImportReport.State.PREVIEW
    assert Site.objects.count() == 2 and Site.objects.get(slug="khmeimim").status == "drawing_down"


def test_a_header_of_two_kinds_asks_which_and_takes_the_choice(on_file):
    header = "name,kind,operator,host_country,title,reliability,longitude,latitude,slug"
    content = f"{header}\nNew,air_base,RU,SY,A title,B,36,35,new\n".encode()
    client, _ = editor_client()
    response = upload(client, content, "both.csv")
    assert response.status_code == 400
    assert "choose what the file holds" in response.content.decode()
    response = upload(client, content, "both.csv", kind="sites")
    assert response.status_code == 302
    assert ImportReport.objects.get().kind == "sites"
    response = upload(client, b"slug,name\nx,X\n", "short.csv", kind="sites")
    assert "The header lacks host_country, kind, operator, which sites need." in response.content.decode()


def test_the_command_imports_sites_and_sources(on_file, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(TEN_SITE_ERRORS)
    make_user("editor", username="ana")
    out = io.StringIO()
    with pytest.raises(CommandError, match="10 rows with errors"):
        call_command("import_claims", str(path), "--dry-run", "--user", "ana", stdout=out)
    text = out.getvalue()
    assert "Row 2: error" in text and "kind: “castle” is not one of" in text
    assert "Row 13: change: Khmeimim (khmeimim)" in text and "status: drawing_down → active" in text
    assert "Nothing stored yet (dry run)" in text
    assert Site.objects.count() == 2
    with pytest.raises(CommandError, match="10 rows with errors"):
        call_command("import_claims", str(path), "--kind", "sites", stdout=io.StringIO())
    assert Site.objects.count() == 3
    sources = tmp_path / "sources.csv"
    sources.write_text(f"{SOURCE_HEADER}\n1,news_report,T,P,https://example.org/x,2024-12-01,,,B\n")
    call_command("import_claims", str(sources), stdout=io.StringIO())
    assert Source.objects.get().url == "https://example.org/x"


def test_viewers_cannot_import_sites(on_file):
    viewer = Client()
    viewer.force_login(make_user("viewer"))
    assert upload(viewer, TEN_SITE_ERRORS.encode(), "sites.csv").status_code == 403
    assert not ImportReport.objects.exists() and Site.objects.count() == 2
