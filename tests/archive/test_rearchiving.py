"""Archived again: each capture keeps its own files, the newer one says whether the rendered page
changed since the previous; and the screenshot's thumbnail, made without decoding an unbounded image."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from basewatch.core import archiving
from basewatch.core.models import Capture
from tests.factories import make_source

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("browser")]  # Chromium renders the pages

NEWS = b"""<!doctype html><html><head><meta charset="utf-8"><title>Base news</title></head>
<body style="background:#fff"><h1>Four Su-34 on the apron</h1><p>%s</p></body></html>"""


def again(source) -> Capture:
    capture = archiving.queue(source)
    archiving.archive(capture)
    capture.refresh_from_db()
    return capture


def test_a_page_archived_again_says_whether_it_changed(fixture_site, allow_fixture, media, api):
    fixture_site.pages["/news"] = NEWS % b"First version."
    source = make_source(url=fixture_site.url("/news"))
    first = again(source)
    assert first.state == Capture.State.ARCHIVED, first.message
    assert first.page_changed is None and first.compared_with is None  # nothing before it

    same = again(source)
    assert (same.page_changed, same.compared_with_id) == (False, first.pk)
    assert same.html_sha256 == first.html_sha256 and same.warc_sha256 != first.warc_sha256

    fixture_site.pages["/news"] = NEWS % b"Second version: two of them left on 14 December."
    changed = again(source)
    assert (changed.page_changed, changed.compared_with_id) == (True, same.pk)
    assert changed.html_sha256 != same.html_sha256

    page = Client().get(reverse("front:source", args=[source.pk])).content.decode()
    # Newest first: changed, then unchanged, then the first (which says neither).
    assert page.index("<strong>The page changed</strong> since") < page.index("Unchanged since")
    assert page.count('class="capture-change"') == 2
    assert f'#capture-{same.pk}">previous capture</a>' in page
    captures = api.get(f"sources/{source.pk}/").json()["captures"]
    assert [(c["id"], c["page_changed"], c["compared_with"]) for c in captures] == [
        (changed.pk, True, same.pk),
        (same.pk, False, first.pk),
        (first.pk, None, None),
    ]


def test_the_thumbnail_is_the_top_of_the_screenshot_small(fixture_site, allow_fixture, media, api):
    fixture_site.pages["/long"] = NEWS % (b"<br>line" * 400)  # a page far taller than it is wide
    capture = again(make_source(url=fixture_site.url("/long")))
    with default_storage.open(capture.screenshot.name) as file:
        screenshot = Image.open(io.BytesIO(file.read()))
    with default_storage.open(capture.thumbnail.name) as file:
        thumbnail = Image.open(io.BytesIO(file.read()))
    assert screenshot.width == 1280 and screenshot.height > 4000
    assert (thumbnail.format, thumbnail.size) == ("PNG", (480, 360))
    assert capture.thumbnail.name == f"captures/{capture.thumbnail_sha256[:2]}/{capture.thumbnail_sha256}.png"
    data = api.get(f"sources/{capture.source_id}/").json()["captures"][0]
    assert data["thumbnail"].endswith(reverse("front:capture-file", args=[capture.pk, "thumbnail"]))
    assert "thumbnail" in {f["kind"] for f in data["files"]}


def test_no_thumbnail_of_a_screenshot_over_the_pixel_limit(tmp_path, settings):
    path = tmp_path / "tall.png"
    Image.new("RGB", (1280, 8000), "white").save(path)
    settings.IMAGE_MAX_PIXELS = 1280 * 4000
    assert archiving.thumbnail(path) is None
    settings.IMAGE_MAX_PIXELS = 1280 * 8000
    small = Image.open(io.BytesIO(archiving.thumbnail(path)))
    assert small.size == (480, 360)
    (tmp_path / "not.png").write_bytes(b"<svg/>")
    assert archiving.thumbnail(tmp_path / "not.png") is None
