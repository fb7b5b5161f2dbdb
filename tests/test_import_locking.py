"""A long import does not stop other editors: the data version is raised once, at its end.

The data version's single row is locked by whichever transaction raises it first, until that
transaction ends (basewatch.core.models.changes). An import of thousands of rows is one
transaction; before `raised_once`, its first row locked the version and every other editor's
save waited for the whole import, dry runs included.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import requests
from django.db import connection, connections

from basewatch.core.imports import importing
from basewatch.core.models import DataVersion, ImportReport, Observation
from basewatch.core.models.changes import raised_once
from basewatch.core.workflow import State
from tests.factories import make_asset_type, make_site, make_source, make_token, make_user

D = dt.date


def rows_csv(days: list[int]) -> bytes:
    """Observations of Su-34s at Khmeimim on the given days of December 2024, from one linked report."""
    lines = ["site,observed,asset_type,count,sources"]
    lines += [
        f'khmeimim,2024-12-{day:02d},su-34,{day},"Example News: Jets <https://news.example.org/{day}> (2024-12-14, B)"'
        for day in days
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def catalogue(db):
    return make_site(slug="khmeimim", name="Khmeimim"), make_asset_type(slug="su-34", name="Su-34")


@pytest.mark.django_db
def test_an_import_raises_the_data_version_once_and_its_dry_run_not_at_all(catalogue):
    editor = make_user("editor")
    make_source(url="https://news.example.org/warm-up")  # the version's row exists
    before = DataVersion.current()[0]
    report = importing.preview(rows_csv([1, 2, 3, 4, 5]), "five.csv", editor)
    assert report.created_count == 5
    assert DataVersion.current()[0] == before  # a dry run stores nothing, and says so to caches

    importing.confirm(report, editor)
    assert Observation.objects.filter(state=State.DRAFT).count() == 5
    assert DataVersion.current()[0] == before + 1  # ten rows of claims and sources, one raise


@pytest.mark.django_db
def test_writes_inside_raised_once_raise_nothing_until_it_ends_and_nothing_if_it_fails(catalogue):
    make_source(url="https://news.example.org/warm-up")
    before = DataVersion.current()[0]
    with raised_once():
        make_source(url="https://news.example.org/1")
        make_source(url="https://news.example.org/2")
        assert DataVersion.current()[0] == before
    assert DataVersion.current()[0] == before + 1
    with pytest.raises(RuntimeError), raised_once():
        make_source(url="https://news.example.org/3")
        raise RuntimeError("the import failed half-way")
    assert DataVersion.current()[0] == before + 1
    make_source(url="https://news.example.org/4")  # outside, every statement raises it again
    assert DataVersion.current()[0] >= before + 2


def waiting_on_advisory_lock(timeout: float = 30) -> None:
    """Return once another session waits for an advisory lock (the import, at its third row)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the import never reached its third row")


@pytest.mark.django_db(transaction=True)
def test_an_editor_saves_while_an_import_is_half_way(live_server, catalogue):
    """The import is held half-way, its transaction open with two rows written, by an advisory
    lock this test takes on its third row's (site, type, date), the lock identical observations
    wait on (core.duplicates). Meanwhile another editor creates an observation through the API:
    it must be answered while the import is still held. (Were the editor's save waiting for the
    import, it would wait for this test, which releases the import only after the answer: the
    request times out.)"""
    site, su34 = catalogue
    importer, token = make_user("editor", username="importer"), make_token("editor")
    other_source = make_source(url="https://news.example.org/other-editor")
    key = f"observation:{site.pk}:{su34.pk}:2024-12-03"
    outcome: dict = {}

    def run_import():
        try:
            outcome["report"] = importing.import_now(rows_csv([1, 2, 3, 4]), "four.csv", importer)
        except BaseException as error:  # reported by the main thread
            outcome["error"] = error
        finally:
            connections.close_all()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [key])
    worker = threading.Thread(target=run_import)
    try:
        worker.start()
        waiting_on_advisory_lock()
        response = requests.post(
            f"{live_server.url}/api/v1/observations/",
            json={
                "site": "khmeimim",
                "asset_type": "su-34",
                "observed": "2024-12-20",
                "count": 7,
                "source_ids": [other_source.pk],
            },
            headers={"Authorization": f"Token {token}"},
            timeout=60,
        )
        import_still_held = worker.is_alive()
        version_meanwhile = DataVersion.current()[0]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
        worker.join(timeout=60)
    assert response.status_code == 201, response.text
    assert import_still_held
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert (report.state, report.created_count) == (ImportReport.State.IMPORTED, 4)
    assert Observation.objects.count() == 5
    assert DataVersion.current()[0] > version_meanwhile  # the import's one raise came after
