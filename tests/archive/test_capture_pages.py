"""Captures where sources are shown (source, claim and site pages, the API), the captured files
served as downloads that never render as basewatch's own pages, and "archive again"."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django.models import ProcrastinateJob

from basewatch.core import archiving
from basewatch.core.models import Capture
from tests.editor.helpers import client_for
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_token, make_user

pytestmark = pytest.mark.django_db

HOSTILE_HTML = b"<script>document.cookie</script><form action=/accounts/login/>Log in to basewatch</form>"


@pytest.fixture
def archived(media, tmp_path):
    """A published observation whose source has one archived capture (files really stored) and one failed one."""
    source = make_source(url="https://news.example.org/khmeimim", title="Khmeimim report")
    source.captures.all().delete()  # the one queued on save; these tests set their own
    files = {}
    for kind, suffix, content in [
        ("warc", ".warc.gz", b"warc bytes"),
        ("wacz", ".wacz", b"wacz bytes"),
        ("screenshot", ".png", b"\x89PNG\r\n\x1a\nnot really"),
        ("html", ".html", HOSTILE_HTML),
        ("thumbnail", ".png", b"\x89PNG\r\n\x1a\nsmall"),
    ]:
        path = tmp_path / f"file{suffix}"
        path.write_bytes(content)
        files[kind], files[f"{kind}_sha256"], files[f"{kind}_size"] = archiving.store(path, suffix)
    Capture.objects.create(
        source=source, url=source.url, state=Capture.State.FAILED, reason="timeout", message="No complete answer."
    )
    capture = Capture.objects.create(
        source=source,
        url=source.url,
        final_url="https://news.example.org/khmeimim?amp=0",
        status=200,
        state=Capture.State.ARCHIVED,
        fetched_at=timezone.make_aware(dt.datetime(2026, 12, 1, 9, 30)),
        attempts=1,
        **files,
    )
    site = make_site(slug="khmeimim")
    observation = make_observation(site, make_asset_type(), dt.date(2024, 12, 13), sources=[source])
    return capture, observation


def test_the_source_page_shows_each_capture_with_hashes_thumbnail_downloads_and_failures(archived):
    capture, _ = archived
    page = Client().get(reverse("front:source", args=[capture.source_id])).content.decode()
    assert "2026-12-01 09:30 UTC" in page and "Archived" in page
    assert capture.warc_sha256 in page and capture.screenshot_sha256 in page
    screenshot = reverse("front:capture-file", args=[capture.pk, "screenshot"])
    thumbnail = reverse("front:capture-file", args=[capture.pk, "thumbnail"])
    # The thumbnail is shown, linking to the full screenshot.
    assert f'href="{screenshot}?view" title="View the archived copy (screenshot)"><img src="{thumbnail}?view"' in page
    assert "View archived copy" in page
    for kind in ("warc", "wacz", "html"):
        assert reverse("front:capture-file", args=[capture.pk, kind]) in page
    assert "timeout</span>: No complete answer." in page  # the failed try, with its reason
    assert "Archive again" not in page  # editors only


def test_the_claim_and_site_pages_show_the_capture(archived, django_assert_max_num_queries):
    capture, observation = archived
    claim = Client().get(reverse("front:observation", args=[observation.pk])).content.decode()
    assert capture.wacz_sha256 in claim and "View archived copy" in claim
    with django_assert_max_num_queries(30):
        site = Client().get(reverse("front:site", args=["khmeimim"])).content.decode()
    assert "archived 2026-12-01" in site and reverse("front:source", args=[capture.source_id]) in site
    assert f'<img src="{reverse("front:capture-file", args=[capture.pk, "thumbnail"])}?view"' in site


@pytest.mark.parametrize("kind", ["warc", "wacz", "screenshot", "html", "thumbnail"])
def test_captured_files_are_attachments_that_never_render_as_basewatch(archived, kind):
    capture, _ = archived
    response = Client().get(reverse("front:capture-file", args=[capture.pk, kind]))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert hashlib.sha256(body).hexdigest() == getattr(capture, f"{kind}_sha256")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        "sandbox" in response["Content-Security-Policy"] and "default-src 'none'" in response["Content-Security-Policy"]
    )


def test_a_screenshot_may_be_viewed_in_place_still_sandboxed(archived):
    capture, _ = archived
    response = Client().get(reverse("front:capture-file", args=[capture.pk, "screenshot"]) + "?view")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"
    thumbnail = Client().get(reverse("front:capture-file", args=[capture.pk, "thumbnail"]) + "?view")
    assert thumbnail["Content-Disposition"].startswith("inline") and thumbnail["Content-Type"] == "image/png"
    # Only pictures: the HTML stays an attachment whatever is asked.
    html = Client().get(reverse("front:capture-file", args=[capture.pk, "html"]) + "?view")
    assert html["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("path", ["/captures/999999/warc/", "/captures/{pk}/etc-passwd/", "/captures/{pk}/..%2f/"])
def test_unknown_captures_and_kinds_are_404(archived, path):
    capture, _ = archived
    assert Client().get(path.format(pk=capture.pk)).status_code == 404


def test_a_failed_capture_has_no_files_to_serve(archived):
    failed = Capture.objects.get(state=Capture.State.FAILED)
    assert Client().get(reverse("front:capture-file", args=[failed.pk, "warc"])).status_code == 404


def test_an_editor_archives_a_source_again_from_its_page(archived):
    capture, _ = archived
    url = reverse("front:source-archive", args=[capture.source_id])
    response = client_for("editor").post(url, follow=True)
    assert "A new capture of this source is queued." in response.content.decode()
    queued = Capture.objects.get(state=Capture.State.QUEUED)
    assert ProcrastinateJob.objects.filter(task_name="core.archive_source", args={"capture_id": queued.pk}).exists()
    client_for("editor").post(url)  # again before the worker got to it: the same capture
    assert Capture.objects.filter(state=Capture.State.QUEUED).count() == 1


def test_archive_again_is_for_editors_by_post_only(archived):
    capture, _ = archived
    url = reverse("front:source-archive", args=[capture.source_id])
    assert Client().post(url).status_code == 302  # to the login page
    assert client_for("viewer").post(url).status_code == 403
    assert client_for("editor").get(url).status_code == 405
    assert client_for("editor").post(reverse("front:source-archive", args=[999999])).status_code == 404
    assert not Capture.objects.filter(state=Capture.State.QUEUED).exists()


def test_a_source_without_a_url_is_not_archived_again():
    source = make_source(url="")
    response = client_for("editor").post(reverse("front:source-archive", args=[source.pk]), follow=True)
    assert "no URL to archive" in response.content.decode()
    assert not Capture.objects.exists()


def test_a_source_without_a_url_is_reached_from_the_claims_citing_it():
    """Imagery or a print article has no link: its title leads to its page (kind, publisher,
    reliability, its editor's Edit), which says there is nothing to archive, offering no Archive again."""
    imagery = make_source(url="", title="Maxar WorldView-3 image")
    observation = make_observation(
        make_site(slug="khmeimim"), make_asset_type(), dt.date(2024, 12, 13), sources=[imagery]
    )
    claim = Client().get(reverse("front:observation", args=[observation.pk])).content.decode()
    assert f'<a href="{reverse("front:source", args=[imagery.pk])}">Maxar WorldView-3 image</a>' in claim
    page = client_for("editor").get(reverse("front:source", args=[imagery.pk])).content.decode()
    assert "has no link, so there is nothing to fetch and archive" in page
    assert "Archive again" not in page and "Edit source" in page


def test_the_api_lists_a_sources_captures_with_their_files(archived, api):
    capture, _ = archived
    data = api.get(f"sources/{capture.source_id}/").json()
    assert [c["state"] for c in data["captures"]] == ["archived", "failed"]
    newest = data["captures"][0]
    assert newest["final_url"] == capture.final_url and newest["status"] == 200
    files = {f["kind"]: f for f in newest["files"]}
    assert files["warc"]["sha256"] == capture.warc_sha256 and files["warc"]["size"] == capture.warc_size
    assert files["html"]["url"] == "http://testserver" + reverse("front:capture-file", args=[capture.pk, "html"])
    assert newest["thumbnail"] == "http://testserver" + reverse("front:capture-file", args=[capture.pk, "thumbnail"])
    assert newest["timestamp"] is None and newest["page_changed"] is None
    assert data["captures"][1]["thumbnail"] is None
    assert data["captures"][1]["reason"] == "timeout" and data["captures"][1]["files"] == []


def test_the_source_list_reads_captures_in_one_query(api, django_assert_max_num_queries):
    for n in range(5):
        make_source(url=f"https://news.example.org/{n}")
    with django_assert_max_num_queries(8):
        assert len(api.get("sources/").json()["results"]) == 5


def test_the_api_archives_again_for_editors(archived, api):
    capture, _ = archived
    path = f"sources/{capture.source_id}/archive/"
    assert api.post(path).status_code in (401, 403)
    assert api.post(path, token=make_token("viewer")).status_code == 403
    answer = api.post(path, token=make_token("editor"))
    assert answer.status_code == 202 and answer.json()["captures"][0]["state"] == "queued"
    no_url = make_source(url="")
    refused = api.post(f"sources/{no_url.pk}/archive/", token=make_token("editor"))
    assert refused.status_code == 400 and "url" in refused.json()
    assert api.post("sources/999999/archive/", token=make_token("editor")).status_code == 404


def test_the_admin_archives_selected_sources_again_and_shows_their_captures(archived):
    capture, _ = archived
    no_url = make_source(url="")
    admin = make_user("admin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = client_for(None, admin)
    change = client.get(reverse("admin:core_source_change", args=[capture.source_id])).content.decode()
    assert capture.warc_sha256 in change and "timeout" in change
    response = client.post(
        reverse("admin:core_source_changelist"),
        {"action": "archive_again", "_selected_action": [capture.source_id, no_url.pk]},
        follow=True,
    )
    assert "1 capture(s) queued" in response.content.decode()
    assert Capture.objects.filter(state=Capture.State.QUEUED, source_id=capture.source_id).count() == 1
    assert not no_url.captures.exists()
