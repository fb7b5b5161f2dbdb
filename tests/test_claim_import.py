"""Spreadsheets of claims in (basewatch.core.imports): the export round trip, every error located,
the dry run storing nothing, all or nothing, the command, and who may import."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from basewatch.core.models import ImportReport, Movement, Observation, Source
from basewatch.core.workflow import State
from tests.factories import (
    make_asset_type,
    make_movement,
    make_observation,
    make_site,
    make_source,
    make_token,
    make_user,
)

pytestmark = pytest.mark.django_db
D = dt.date


def export(path: str, wanted: str = "csv") -> bytes:
    """The list's CSV (or XLSX, GeoJSON) as the API serves it to an editor (every state)."""
    api = Client(headers={"Authorization": f"Token {make_token('editor')}"})
    response = api.get(path, {"format": wanted})
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def upload(client: Client, content: bytes, name: str, **fields):
    return client.post("/new/claims-import/", {"file": io_file(content, name), **fields})


def io_file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def editor_client(username: str = "importer") -> tuple[Client, object]:
    user = make_user("editor", username=username)
    client = Client()
    client.force_login(user)
    return client, user


def observation_facts(observation: Observation) -> tuple:
    sources = sorted((str(s), s.url, s.published, s.reliability) for s in observation.sources.all())
    return (
        observation.site.slug,
        observation.asset_type.slug,
        observation.asset_id,
        observation.observed,
        observation.observed_precision,
        observation.count,
        observation.count_low,
        observation.count_high,
        observation.activity,
        observation.presence,
        observation.credibility,
        observation.notes,
        tuple(sources),
    )


def movement_facts(movement: Movement) -> tuple:
    sources = sorted((str(s), s.url, s.published, s.reliability) for s in movement.sources.all())
    return (
        movement.origin.slug,
        movement.destination.slug,
        movement.asset_type.slug,
        movement.departed,
        movement.arrived,
        movement.count,
        movement.notes,
        tuple(sources),
    )


@pytest.fixture
def catalogue():
    """Sites and asset types: what an import names but never makes."""
    return {
        "khmeimim": make_site(slug="khmeimim", name="Khmeimim", aliases=["Hmeimim", "Latakia AB"]),
        "tartus": make_site(slug="tartus", name="Tartus"),
        "su-34": make_asset_type(slug="su-34", name="Su-34"),
        "il-76": make_asset_type(slug="il-76", name="Il-76"),
    }


def some_observations(catalogue) -> list[Observation]:
    linked = make_source(url="https://news.example.org/a", title="Jets seen", publisher="Example News")
    undated = make_source(url="", title="Field notes, day 3", publisher="", published=None, reliability="C")
    kml, tar, su34 = catalogue["khmeimim"], catalogue["tartus"], catalogue["su-34"]
    return [
        make_observation(kml, su34, D(2024, 12, 13), 12, count_low=10, count_high=14, sources=[linked, undated]),
        make_observation(tar, su34, D(2024, 12, 1), 3, observed_precision="week", presence="transient"),
        make_observation(kml, catalogue["il-76"], D(2024, 11, 30), None, activity="present", credibility=4),
        make_observation(kml, su34, D(2024, 10, 2), 0, activity="absent", notes="=looked twice, none; “quoted”"),
        make_observation(tar, su34, D(2024, 9, 9), 5, state=State.DRAFT, notes="multi\nline, with, commas"),
    ]


@pytest.mark.parametrize("spreadsheet", ["csv", "xlsx", "geojson"])
def test_observations_round_trip_through_the_export(catalogue, spreadsheet):
    originals = some_observations(catalogue)
    before = sorted(observation_facts(o) for o in originals)
    sources_before = Source.objects.count()
    content = export("/api/v1/observations/", spreadsheet)  # the XLSX too: basewatch's own, through the API
    Observation.objects.all().delete()
    Source.objects.all().delete()
    client, user = editor_client()

    response = upload(client, content, f"basewatch-observations.{spreadsheet}")
    assert response.status_code == 302, response.content[:500]
    report = ImportReport.objects.get()
    assert (Observation.objects.count(), Source.objects.count()) == (0, 0)  # the dry run stored nothing
    assert report.state == ImportReport.State.PREVIEW
    assert (report.row_count, report.created_count, report.error_count) == (5, 5, 0)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.content.count(b"Will create") == 5
    assert b"Import 5 rows as drafts" in page.content

    assert client.post(response["Location"]).status_code == 302
    report.refresh_from_db()
    assert report.state == ImportReport.State.IMPORTED
    imported = list(Observation.objects.all())
    assert sorted(observation_facts(o) for o in imported) == before
    assert {(o.state, o.entered_by_id) for o in imported} == {(State.DRAFT, user.pk)}
    # Every source once: those cited by several rows are not made again for each.
    assert Source.objects.count() == sources_before
    assert sorted(result["claim"] for result in report.results) == sorted(o.pk for o in imported)

    # Confirming again (a second tab) stores nothing more; importing again finds every row on file.
    assert client.post(response["Location"]).status_code == 302
    assert Observation.objects.count() == 5
    upload(client, content, f"again.{spreadsheet}")
    again = ImportReport.objects.latest("pk")
    assert (again.created_count, again.duplicate_count) == (0, 5)


def test_movements_round_trip_through_the_export(catalogue):
    kml, tar = catalogue["khmeimim"], catalogue["tartus"]
    make_movement(kml, tar, catalogue["il-76"], departed=D(2024, 12, 8), arrived=D(2024, 12, 9), count=2)
    make_movement(tar, kml, catalogue["su-34"], arrived=D(2024, 12, 17), notes="+ two more, unconfirmed")
    make_movement(
        kml, tar, catalogue["il-76"], departed=D(2024, 12, 1), arrived=D(2024, 12, 7), trips=7, trips_at_least=True
    )
    before = sorted((*movement_facts(m), m.trips, m.trips_at_least) for m in Movement.objects.all())
    content = export("/api/v1/movements/")
    Movement.objects.all().delete()
    Source.objects.all().delete()
    client, user = editor_client()

    response = upload(client, content, "basewatch-movements.csv")
    assert response.status_code == 302, response.content[:500]
    assert Movement.objects.count() == 0
    assert ImportReport.objects.get().kind == ImportReport.Kind.MOVEMENTS
    client.post(response["Location"])
    assert sorted((*movement_facts(m), m.trips, m.trips_at_least) for m in Movement.objects.all()) == before
    assert set(Movement.objects.values_list("state", "entered_by")) == {(State.DRAFT, user.pk)}


def test_a_movement_rows_trips_are_read_or_refused_naming_the_column(catalogue):
    client, _ = editor_client()
    header = "origin,destination,arrived,asset_type,trips,trips_at_least,sources\n"
    rows = "khmeimim,tartus,2024-12-09,il-76,7,yes,https://example.org/1\nkhmeimim,tartus,2024-12-10,il-76,x,maybe,https://example.org/2\n"
    upload(client, (header + rows).encode(), "trips.csv")
    report = ImportReport.objects.get()
    errors = {(r["row"], e["column"]) for r in report.results for e in r.get("errors", [])}
    assert errors == {(3, "trips"), (3, "trips_at_least")}


TEN_ERRORS = """site,observed,asset_type,count,count_low,count_high,notes,sources
nowhere,2024-12-01,su-34,1,,,,https://example.org/1
khmeimim,2024-12-01,tu-999,1,,,,https://example.org/2
khmeimim,13/12/2024,su-34,1,,,,https://example.org/3
khmeimim,2999-01-01,su-34,1,,,,https://example.org/4
khmeimim,2024-12-02,su-34,twelve,,,,https://example.org/5
khmeimim,2024-12-03,su-34,5,7,9,,https://example.org/6
khmeimim,2024-12-04,su-34,5,,,,
khmeimim,2024-12-05,su-34,5,,,,"Publisher: Title <ftp://example.org/7> (2024-12-01, B)"
khmeimim,2024-12-13,su-34,12,,,,https://news.example.org/on-file
khmeimim,2024-12-06,su-34,5,,,"=HYPERLINK(""http://evil.example"")",https://example.org/9
Hmeimim,2024-12-07,Su-34,4,,,fine,https://example.org/10
"""


def test_ten_kinds_of_error_each_with_its_row_and_column(catalogue):
    on_file = make_source(url="https://news.example.org/on-file")
    make_observation(catalogue["khmeimim"], catalogue["su-34"], D(2024, 12, 13), 12, sources=[on_file])
    client, _ = editor_client()
    response = upload(client, TEN_ERRORS.encode(), "errors.csv")
    report = ImportReport.objects.get()
    located = {
        (result["row"], error["column"]): error["message"]
        for result in report.results
        for error in result.get("errors", [])
    }
    assert "No site “nowhere”" in located[(2, "site")]
    assert "No asset type “tu-999”" in located[(3, "asset_type")]
    assert "is not a date" in located[(4, "observed")]
    assert "future" in located[(5, "observed")]
    assert "not a whole number" in located[(6, "count")]
    assert located[(7, "count_low")] == "The low estimate cannot exceed the count."
    assert located[(8, "sources")] == "Give at least one source."
    assert "URL" in located[(9, "sources")] or "http" in located[(9, "sources")]
    assert "already records" in located[(10, "")]
    assert "formula" in located[(11, "notes")]
    assert [r["outcome"] for r in report.results].count("error") == 9
    assert report.results[-1]["outcome"] == "create"  # by alias and asset type name
    assert (report.error_count, report.duplicate_count, report.created_count) == (9, 1, 1)
    page = client.get(response["Location"]).content.decode()
    for row in range(2, 12):
        assert f'id="row-{row}"' in page
    assert "would run as a formula" in page
    assert Observation.objects.count() == 1 and Source.objects.count() == 1

    client.post(response["Location"])
    assert Observation.objects.count() == 2  # only the valid row, as a draft
    assert Observation.objects.get(site__slug="khmeimim", observed=D(2024, 12, 7)).state == State.DRAFT


def test_all_or_nothing_stores_nothing_when_one_row_fails(catalogue):
    client, _ = editor_client()
    response = upload(client, TEN_ERRORS.encode(), "errors.csv", all_or_nothing="on")
    assert b"fix the rows with errors" in client.get(response["Location"]).content
    client.post(response["Location"])
    report = ImportReport.objects.get()
    assert report.state == ImportReport.State.PREVIEW
    assert (Observation.objects.count(), Source.objects.count()) == (0, 0)


def test_the_command_dry_run_and_import(catalogue, tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text(TEN_ERRORS)
    make_user("editor", username="ana")
    out = io.StringIO()
    with pytest.raises(CommandError, match="9 rows with errors"):
        call_command("import_claims", str(path), "--dry-run", "--user", "ana", stdout=out)
    text = out.getvalue()
    assert "Row 2: error" in text and "site: No site “nowhere”" in text
    assert "Row 12: create" in text and "Nothing stored yet (dry run)" in text
    assert Observation.objects.count() == 0
    with pytest.raises(CommandError, match="Nothing stored"):
        call_command("import_claims", str(path), "--all-or-nothing", "--user", "ana", stdout=io.StringIO())
    assert Observation.objects.count() == 0
    with pytest.raises(CommandError, match="9 rows with errors"):
        call_command("import_claims", str(path), "--user", "ana", stdout=io.StringIO())
    # Row 10's claim is not on file here: it is stored too.
    assert set(Observation.objects.values_list("entered_by__username", "state")) == {("ana", State.DRAFT)}
    assert Observation.objects.count() == 2


def test_viewers_and_strangers_cannot_import(catalogue):
    content = TEN_ERRORS.encode()
    viewer = Client()
    viewer.force_login(make_user("viewer"))
    assert viewer.get("/new/claims-import/").status_code == 403
    assert upload(viewer, content, "x.csv").status_code == 403
    assert upload(Client(), content, "x.csv").status_code == 302  # to the login page
    client, _ = editor_client()
    upload(client, content, "x.csv")
    report = ImportReport.objects.get()
    other, _ = editor_client("other")
    assert other.get(report.get_absolute_url()).status_code == 404
    assert other.post(report.get_absolute_url()).status_code == 404
    viewer_post = viewer.post(report.get_absolute_url())
    assert viewer_post.status_code == 403
    assert Observation.objects.count() == 0


def test_csrf_is_checked_on_upload_and_confirm(catalogue):
    user = make_user("editor")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert upload(client, TEN_ERRORS.encode(), "x.csv").status_code == 403
    assert not ImportReport.objects.exists()
    plain = Client()
    plain.force_login(user)
    upload(plain, TEN_ERRORS.encode(), "x.csv")
    report = ImportReport.objects.get()
    assert client.post(report.get_absolute_url()).status_code == 403
    assert Observation.objects.count() == 0


def test_the_review_queue_links_the_reports(catalogue):
    client, _ = editor_client()
    upload(client, TEN_ERRORS.encode(), "errors.csv")
    page = client.get("/review/").content.decode()
    assert ImportReport.objects.get().get_absolute_url() in page
    assert "/new/claims-import/" in page


def test_rows_are_numbered_as_a_spreadsheet_shows_them(catalogue):
    """A notes cell of several lines is one row: the next row's number is the spreadsheet's."""
    content = (
        b"site,observed,asset_type,notes,sources\n"
        b'khmeimim,2024-12-01,su-34,"two\nlines",https://example.org/1\n'
        b"nowhere,2024-12-02,su-34,,https://example.org/2\n"
    )
    client, _ = editor_client()
    upload(client, content, "lines.csv")
    results = ImportReport.objects.get().results
    assert [(r["row"], r["outcome"]) for r in results] == [(2, "create"), (3, "error")]


def test_an_xlsx_formula_cell_is_refused_and_a_text_cell_is_text(catalogue):
    """A workbook's formula is never run (an error of its cell); a text cell beginning with = is the text
    (basewatch's own XLSX export writes notes so)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["site", "observed", "asset_type", "count", "notes", "sources"])
    sheet.append(["khmeimim", D(2024, 12, 1), "su-34", 1, "=SUM(1,1)", "https://example.org/1"])
    sheet.append(["khmeimim", D(2024, 12, 2), "su-34", 2, "=looked twice", "https://example.org/2"])
    sheet["E3"].data_type = "s"
    assert (sheet["E2"].data_type, sheet["E3"].data_type) == ("f", "s")
    out = io.BytesIO()
    workbook.save(out)
    client, _ = editor_client()
    response = upload(client, out.getvalue(), "formulas.xlsx")
    results = ImportReport.objects.get().results
    assert [(r["row"], r["outcome"]) for r in results] == [(2, "error"), (3, "create")]
    assert results[0]["errors"][0]["column"] == "notes" and "formula" in results[0]["errors"][0]["message"]
    client.post(response["Location"])
    assert Observation.objects.get().notes == "=looked twice"
