"""Every paged list sends RFC 8288 `Link` headers to its next and previous pages (the same URLs as
the body's `next` and `previous`), so clients that read headers are never silently cut off."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_asset

LISTS = ["sites/", "site-totals/", "site-table/", "observations/", "movements/", "assets/", "asset-types/", "sources/"]


def links(response) -> dict[str, str]:
    """The `Link` header as {rel: url}."""
    header = response.headers.get("Link", "")
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="([^"]*)"', header)}


def body_links(response) -> dict[str, str]:
    body = response.json()
    return {rel: body[key] for rel, key in (("next", "next"), ("prev", "previous")) if body.get(key)}


@pytest.mark.parametrize("path", LISTS)
def test_every_page_links_to_its_neighbours_as_its_body_does(api, demo, path):
    make_asset()  # the demo has one identified asset: two make two pages
    first = api.get(path, params={"page_size": 1})
    assert first.status_code == 200
    assert set(links(first)) == {"next"} and links(first) == body_links(first)
    second = api.get(links(first)["next"])
    assert second.status_code == 200
    assert links(second)["prev"] and links(second) == body_links(second)
    pages, page = 1, first
    while "next" in links(page):  # following the headers alone reaches every row
        page = api.get(links(page)["next"])
        pages += 1
    assert pages == first.json()["count"] > 1


def test_a_single_page_sends_no_link(api, demo):
    assert "Link" not in api.get("sites/").headers


def test_a_cached_answer_keeps_its_link_header(api, demo):
    first = api.get("observations/", params={"page_size": 2})
    again = api.get("observations/", params={"page_size": 2})
    assert again.headers.get("Link") == first.headers.get("Link") and "next" in links(again)


def test_csv_and_detail_answers_have_no_link(api, demo):
    assert "Link" not in api.get("observations/", params={"format": "csv", "page_size": 1}).headers
    assert "Link" not in api.get("sites/khmeimim/").headers
