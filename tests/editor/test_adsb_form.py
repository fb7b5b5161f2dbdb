"""The ADS-B import page: editors upload a trace and see the report; others are refused; bad
files are form errors with nothing stored."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from basewatch.core.models import Asset, Movement, Source
from basewatch.core.workflow import State
from tests.editor.helpers import client_for
from tests.factories import make_user

FIXTURES = Path(__file__).parent.parent / "fixtures" / "adsb"
URL = reverse("front:adsb-import")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes() if content is None else content)


def stored_rows() -> tuple[int, int, int]:
    return Source.objects.count(), Movement.objects.count(), Asset.objects.count()


def post(client: Client, file, **fields):
    return client.post(URL, {"file": file, **fields})


def text_of(response) -> str:
    """The page's text without tags and with runs of white space as one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_an_editor_imports_a_trace_and_sees_each_leg_with_its_movement(demo):
    editor = make_user("editor")
    response = post(client_for(None, editor), upload("khmeimim_alkhadim_bamako.json"))
    assert response.status_code == 200
    first, second = Movement.objects.filter(notes__contains="khmeimim_alkhadim_bamako.json").order_by("pk")
    assert (first.state, second.state, second.transfer) == (State.SUBMITTED, State.SUBMITTED, first)
    assert first.entered_by == editor
    html, text = response.content.decode(), text_of(response)
    assert f'href="/movements/{first.pk}/"' in html and f'href="/movements/{second.pk}/"' in html
    assert f"Movement #{second.pk} Submitted for review (continues transfer #{first.pk})" in text
    assert "2024-12-17 04:44 UTC Khmeimim Air Base" in text
    assert "2024-12-17 13:30 UTC Bamako–Sénou (Base Aérienne 101)" in text
    assert "2 movements submitted for review; nothing is published until a reviewer does." in text
    assert "ADS-B trace of RA-76845 (152C2D), 2024-12-17" in text


def test_the_report_lists_legs_away_from_sites_with_coordinates(demo):
    response = post(client_for("editor"), upload("khadim_benina.json"))
    text = text_of(response)
    assert "2024-12-16 09:50 UTC No site within reach lat 32.0968, lon 20.2695" in text
    assert "Skipped: No site is within reach of the landing" in text


def test_a_gzip_trace_and_a_csv_with_its_registration_import(demo):
    client = client_for("editor")
    gz = gzip.compress((FIXTURES / "gap.json").read_bytes())
    assert post(client, upload("trace_full_152c2d.json.gz", gz)).status_code == 200
    response = post(client, upload("khmeimim_alkhadim.csv"), registration="RA-76845")
    assert response.status_code == 200
    assert Movement.objects.filter(notes__contains="khmeimim_alkhadim.csv", origin__slug="khmeimim").exists()


def test_importing_the_same_file_again_stores_nothing_and_says_so(demo):
    client = client_for("editor")
    post(client, upload("touch_and_go.json"))
    before = stored_rows()
    response = post(client, upload("touch_and_go.json"))
    assert response.status_code == 200 and stored_rows() == before
    assert "This file was imported before" in text_of(response)


def test_a_dry_run_stores_nothing(demo):
    before = stored_rows()
    response = post(client_for("editor"), upload("khmeimim_alkhadim_bamako.json"), dry_run="on")
    assert stored_rows() == before
    text = text_of(response)
    assert "Would be drafted: Khmeimim Air Base → al-Khadim Air Base" in text
    assert "Dry run: 2 movements would be submitted for review; nothing was stored." in text


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_json.json", "This is not a trace"),
        ("short_rows.json", "Trace row 2 is too short"),
        ("out_of_range.json", "the latitude 135.4085 is out of range"),
        ("time_backwards.json", "Trace row 3: time goes backwards"),
        ("non_icao.json", "~2A1B3C is not an ICAO address"),
        ("hex_mismatch.json", "The file says ICAO hex 4B1805, but RA-76845 has the hex 152C2D on file"),
    ],
)
def test_a_bad_file_is_a_form_error_and_stores_nothing(demo, media, name, message):
    before = stored_rows()
    response = post(client_for("editor"), upload(name))
    assert response.status_code == 400
    assert message in text_of(response)
    assert stored_rows() == before and not media.exists()


def test_a_csv_without_the_aircraft_is_a_form_error(demo):
    response = post(client_for("editor"), upload("khmeimim_alkhadim.csv"))
    assert response.status_code == 400
    assert "give its ICAO hex or its registration" in text_of(response)


def test_a_file_over_the_limit_is_cut_off_and_refused(demo, settings):
    settings.TRACE_MAX_BYTES = 2_000
    before = stored_rows()
    response = post(client_for("editor"), upload("khmeimim_alkhadim_bamako.json"))
    assert response.status_code == 413
    assert "The file is larger than 2,000 bytes, the limit for a trace." in text_of(response)
    assert stored_rows() == before


def test_a_form_without_a_file_asks_for_one(demo):
    response = client_for("editor").post(URL, {"registration": "RA-76845"})
    assert response.status_code == 400
    assert "This field is required." in text_of(response)


def test_anonymous_users_go_to_the_login_page_and_viewers_are_refused(demo):
    before = stored_rows()
    anonymous = post(Client(), upload("khmeimim_alkhadim_bamako.json"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert post(client_for("viewer"), upload("khmeimim_alkhadim_bamako.json")).status_code == 403
    assert stored_rows() == before


def test_the_upload_needs_the_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("editor"))
    assert client.get(URL).status_code == 200
    assert post(client, upload("khmeimim_alkhadim_bamako.json")).status_code == 403
    assert not Movement.objects.filter(notes__contains="ADS-B").exists()


def test_the_review_page_links_to_the_import(demo):
    assert f'href="{URL}"' in client_for("editor").get(reverse("front:review")).content.decode()
