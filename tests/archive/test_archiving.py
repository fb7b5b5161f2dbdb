"""Source links archived: end to end through the job queue, and every way the fetch is refused.

Against the local fixture site (tests/archive/sites.py) and the hanging server (tests/servers.py),
which are private addresses: with the default settings every one of them is refused; the tests
that archive a page allow the fixture site's name, and only it.
"""

from __future__ import annotations

import hashlib
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob
from warcio.archiveiterator import ArchiveIterator

from basewatch.core import archiving
from basewatch.core.models import Capture
from tests.factories import make_source
from tests.servers import run_jobs

BIN = Path(sys.executable).parent  # the virtualenv's warcio and wacz commands
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.django_db


def stored_files(media) -> list:
    return sorted(path for path in media.rglob("*") if path.is_file())


@pytest.mark.xdist_group("browser")  # it starts Chromium: beside the browser tests, not in parallel with them
@pytest.mark.django_db(transaction=True)
def test_a_saved_source_is_archived_by_the_worker_with_hashed_files(fixture_site, allow_fixture, media):
    """Transactional: the worker reads the queue through its own connection (committed jobs only)."""
    source = make_source(url=fixture_site.url("/start"))
    capture = source.captures.get()
    assert capture.state == Capture.State.QUEUED
    started = time.monotonic()
    run_jobs(queues=("archive",))
    seconds = time.monotonic() - started
    capture.refresh_from_db()
    assert capture.state == Capture.State.ARCHIVED, capture.message
    assert (capture.final_url, capture.status) == (fixture_site.url("/page"), 200)
    assert capture.resources == 2  # the image and the script
    # The image at the metadata address was asked for by the page and refused, not fetched.
    assert capture.skipped == [["http://169.254.169.254/latest/meta-data/iam", "private-address"]]
    assert fixture_site.requests == ["/start", "/middle", "/page", "/app.js", "/pixel.png"]

    for kind in ("warc", "wacz", "screenshot", "html"):
        name = getattr(capture, kind).name
        content = default_storage.open(name).read()
        sha256 = hashlib.sha256(content).hexdigest()
        assert sha256 == getattr(capture, f"{kind}_sha256")
        assert len(content) == getattr(capture, f"{kind}_size")
        assert name.startswith(f"captures/{sha256[:2]}/{sha256}")  # named by the hash, nothing else
    assert default_storage.open(capture.screenshot.name).read().startswith(PNG_MAGIC)
    html = default_storage.open(capture.html.name).read().decode()
    assert "Added by the page script" in html  # rendered: the page's script ran

    warc = default_storage.path(capture.warc.name)
    check = subprocess.run([BIN / "warcio", "check", "-v", warc], capture_output=True, text=True)  # noqa: S603
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
    with open(warc, "rb") as raw:
        responses = {
            r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(raw) if r.rec_type == "response"
        }
    assert responses == {fixture_site.url(path) for path in ("/start", "/middle", "/page", "/app.js", "/pixel.png")}
    validate = subprocess.run(  # noqa: S603 (our own arguments)
        [BIN / "wacz", "validate", "-f", default_storage.path(capture.wacz.name)],
        capture_output=True,
        text=True,
    )
    assert validate.returncode == 0 and "Validation succeeded" in validate.stdout, validate.stdout + validate.stderr
    print(
        f"\narchived {capture.final_url} in {seconds:.1f} s (capture {capture.seconds:.1f} s): "
        f"WARC {capture.warc_size} B, WACZ {capture.wacz_size} B, screenshot {capture.screenshot_size} B, "
        f"HTML {capture.html_size} B"
    )


def archive_once(url: str) -> Capture:
    """Queue and run one capture in this process (no worker: these tests read the outcome only)."""
    capture = archiving.queue(make_source(url=url)) if not Capture.objects.filter(url=url).exists() else None
    capture = capture or Capture.objects.get(url=url)
    archiving.archive(capture)
    capture.refresh_from_db()
    return capture


def test_with_default_settings_a_local_page_is_refused(fixture_site, media):
    capture = archive_once(fixture_site.url("/page"))
    assert (capture.state, capture.reason) == (Capture.State.FAILED, "private-address")
    assert "127.0.0.1" in capture.message
    assert fixture_site.requests == [] and stored_files(media) == []


@pytest.mark.parametrize(
    "path, reason",
    [
        ("/to-loopback", "private-address"),
        ("/to-metadata", "private-address"),
        ("/huge", "too-large"),
        ("/file.zip", "content-type"),
        ("/missing", "http-status"),
    ],
)
def test_an_allowed_site_cannot_lead_the_archiver_astray(fixture_site, allow_fixture, media, path, reason):
    allow_fixture.ARCHIVE_RESPONSE_BYTES = 1024 * 1024  # /huge is 3 MB
    capture = archive_once(fixture_site.url(path))
    assert (capture.state, capture.reason) == (Capture.State.FAILED, reason), capture.message
    assert capture.attempts == 1
    assert stored_files(media) == []


def test_a_server_that_hangs_is_given_up_on_and_retried_later(hanging, settings, media):
    server = hanging()
    settings.OUTGOING_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.ARCHIVE_SECONDS = 2
    started = time.monotonic()
    capture = archive_once(f"http://127.0.0.1:{server.port}/slow")
    assert time.monotonic() - started < 10
    # A time-out may pass: the capture waits for its next try, with the reason shown.
    assert (capture.state, capture.reason, capture.attempts) == (Capture.State.QUEUED, "timeout", 1)
    assert stored_files(media) == []


def test_a_rebinding_name_is_resolved_once_and_the_local_answer_never_used(fixture_site, monkeypatch, media):
    """The name answers a public address first, then 127.0.0.1: the connection goes to the first
    (unreachable here) and the local site never hears from the archiver; a name answering both
    at once is refused outright."""
    settings_port = fixture_site.port
    answers = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.example":
            answers.append(host)
            address = "93.184.216.34" if len(answers) == 1 else "127.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        if host == "both.example":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    from django.conf import settings

    monkeypatch.setattr(settings, "ARCHIVE_SECONDS", 2)
    monkeypatch.setattr(settings, "ARCHIVE_RETRY_SCHEDULE", [])
    rebound = archive_once(f"http://rebind.example:{settings_port}/page")
    assert rebound.state == Capture.State.FAILED and rebound.reason in ("connection", "timeout")
    assert answers == ["rebind.example"]  # resolved once
    both = archive_once(f"http://both.example:{settings_port}/page")
    assert (both.state, both.reason) == (Capture.State.FAILED, "private-address")
    assert fixture_site.requests == [] and stored_files(media) == []


def test_a_source_saved_through_the_api_queues_one_capture_and_job(api):
    from tests.factories import make_token

    token = make_token("editor")
    data = {"kind": "news_report", "title": "Report", "url": "https://news.example.org/khmeimim"}
    created = api.post("sources/", json=data, token=token)
    assert created.status_code == 201
    capture = Capture.objects.get()
    assert (capture.url, capture.state) == (data["url"], Capture.State.QUEUED)
    # Jobs committed by transactional tests outlive them (procrastinate's tables are not flushed):
    # look for this capture's own.
    job = ProcrastinateJob.objects.get(task_name="core.archive_source", args={"capture_id": capture.pk})
    assert (job.queue_name, job.args, job.status) == ("archive", {"capture_id": capture.pk}, "todo")
    # Saved again unchanged: nothing new; its URL changed: a capture of the new URL.
    source_id = capture.source_id
    url = f"sources/{source_id}/"
    patched = api.patch(
        url, json={"title": "Report, corrected"}, headers={"If-Match": api.get(url).headers["ETag"]}, token=token
    )
    assert patched.status_code == 200 and Capture.objects.count() == 1
    moved = api.patch(
        url,
        json={"url": "https://news.example.org/khmeimim-2"},
        headers={"If-Match": api.get(url).headers["ETag"]},
        token=token,
    )
    assert moved.status_code == 200
    assert list(Capture.objects.values_list("url", flat=True)) == [
        "https://news.example.org/khmeimim-2",
        "https://news.example.org/khmeimim",
    ]
    ids = list(Capture.objects.values_list("pk", flat=True))
    assert ProcrastinateJob.objects.filter(args__capture_id__in=ids).count() == 2


def test_a_source_typed_in_the_observation_form_queues_a_capture():
    from django.urls import reverse

    from tests.editor.helpers import client_for, new_source, observation_data
    from tests.factories import make_asset_type, make_site

    data = observation_data(make_site(), make_asset_type(), **new_source())
    response = client_for("editor").post(reverse("front:observation-create"), data)
    assert response.status_code == 302
    capture = Capture.objects.get()
    assert capture.url == "https://maxar.example.com/khmeimim-20241213"
    assert ProcrastinateJob.objects.filter(task_name="core.archive_source", args={"capture_id": capture.pk}).exists()


def test_a_source_without_a_url_queues_nothing():
    jobs = ProcrastinateJob.objects.count()
    make_source(url="")
    assert not Capture.objects.exists()
    assert ProcrastinateJob.objects.count() == jobs


def test_the_demo_marks_its_links_offline_and_queues_nothing(demo):
    captures = Capture.objects.all()
    assert captures.count() == 3
    assert {(c.state, c.reason) for c in captures} == {(Capture.State.OFFLINE, "offline")}
    assert all(c.url.startswith(("https://t.co/", "https://pic.twitter.com/")) for c in captures)
    ids = [c.pk for c in captures]
    assert not ProcrastinateJob.objects.filter(args__capture_id__in=ids).exists()
    # Its page says it once: the state, then why, without the reason's code repeating the state.
    page = Client().get(reverse("front:source", args=[captures[0].source_id])).content.decode()
    assert re.search(r"Not archived \(offline\)</span>\s*" + re.escape(captures[0].message), page)
    assert '<span class="capture-reason">offline</span>' not in page


def test_a_pdf_is_archived_as_a_document_without_a_browser(fixture_site, allow_fixture, media):
    capture = archive_once(fixture_site.url("/report.pdf"))
    assert capture.state == Capture.State.ARCHIVED, capture.message
    assert capture.warc_sha256 and capture.wacz_sha256
    assert not capture.screenshot and not capture.html  # nothing rendered: no page to screenshot
    assert capture.resources == 0
