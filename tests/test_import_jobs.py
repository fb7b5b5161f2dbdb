"""Big spreadsheets are checked and imported by the job queue's worker, not within the request.

Transactional: the worker (tests.servers.run_jobs) reads the queue through a connection of
its own and sees only committed jobs and reports.
"""

from __future__ import annotations

import pytest
from django.test import Client
from procrastinate.contrib.django.models import ProcrastinateJob

from basewatch.core.models import ImportReport, Observation, ObservationEvent
from basewatch.core.workflow import State
from tests.factories import make_asset_type, make_site, make_source, make_user
from tests.servers import run_jobs
from tests.test_import_locking import rows_csv

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(settings):
    settings.IMPORT_ROWS_WHILE_YOU_WAIT = 3
    make_site(slug="khmeimim", name="Khmeimim")
    make_asset_type(slug="su-34", name="Su-34")
    user = make_user("editor", username="ana")
    client = Client()
    client.force_login(user)
    yield client, user
    ProcrastinateJob.objects.all().delete()  # the flush after the test leaves procrastinate's tables alone


def upload(client: Client, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/new/claims-import/", {"file": SimpleUploadedFile("four.csv", content, "text/csv")})


def test_a_big_file_is_checked_then_imported_in_the_background(editor):
    client, user = editor
    response = upload(client, rows_csv([1, 2, 3, 4]))
    assert response.status_code == 302
    report = ImportReport.objects.get()
    assert (report.state, report.row_count, report.results) == (ImportReport.State.CHECKING, 4, [])
    page = client.get(response["Location"]).content.decode()
    assert "4 rows, being checked in the background" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "as drafts</button>" not in page  # nothing to confirm yet

    run_jobs(queues=("imports",))
    report.refresh_from_db()
    assert (report.state, report.created_count, report.error_count) == (ImportReport.State.PREVIEW, 4, 0)
    assert Observation.objects.count() == 0  # a dry run
    page = client.get(response["Location"]).content.decode()
    assert "Import 4 rows as drafts" in page and 'http-equiv="refresh"' not in page

    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 302
    client.post(response["Location"])  # a double click queues no second import
    assert ProcrastinateJob.objects.filter(task_name="core.import_rows").count() == 1
    report.refresh_from_db()
    assert report.state == ImportReport.State.IMPORTING
    assert "being imported in the background" in client.get(response["Location"]).content.decode()

    run_jobs(queues=("imports",))
    report.refresh_from_db()
    assert report.state == ImportReport.State.IMPORTED
    drafts = Observation.objects.filter(state=State.DRAFT, entered_by=user)
    assert sorted(drafts.values_list("count", flat=True)) == [1, 2, 3, 4]
    # The history says who and from where, as it would had the editor waited for the request.
    contexts = {(e.pgh_context["user"], e.pgh_context["url"]) for e in ObservationEvent.objects.all()}
    assert contexts == {(user.pk, f"/imports/{report.pk}/")}


def test_a_small_file_is_checked_while_the_editor_waits(editor):
    client, _ = editor
    response = upload(client, rows_csv([1, 2, 3]))
    report = ImportReport.objects.get()
    assert (report.state, report.created_count) == (ImportReport.State.PREVIEW, 3)
    client.post(response["Location"])
    report.refresh_from_db()
    assert report.state == ImportReport.State.IMPORTED
    assert not ProcrastinateJob.objects.filter(queue_name="imports").exists()


def test_a_check_that_stops_on_an_error_says_so_and_stores_nothing(editor):
    """A report whose rows no longer read as rows (a bug's stand-in: the job meets what it cannot handle)."""
    client, _ = editor
    make_source(url="https://news.example.org/1")
    response = upload(client, rows_csv([1, 2, 3, 4]))
    ImportReport.objects.update(rows=[[2, "not a row's cells"]])
    run_jobs(queues=("imports",))  # the worker logs the error; the job is not tried again
    report = ImportReport.objects.get()
    assert report.state == ImportReport.State.FAILED
    assert report.message == "The check stopped on an error (AttributeError); nothing was stored."
    page = client.get(response["Location"]).content.decode()
    assert report.message in page and 'http-equiv="refresh"' not in page
    assert Observation.objects.count() == 0
