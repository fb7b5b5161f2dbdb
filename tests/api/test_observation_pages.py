"""The observation list's keyset (cursor) pages: every row once, in order, both ways, bad cursors 400."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from basewatch.core.models import ApiToken, Observation
from basewatch.lib import cursor
from tests.api.helpers import assert_error
from tests.factories import make_asset_type, make_observation, make_site, make_source, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def observations():
    """23 published observations over 6 days, several on the same day (ties broken by id), and one draft."""
    site = make_site(slug="base")
    jets = make_asset_type(slug="jets")
    source = make_source()
    for n in range(23):
        make_observation(site, jets, dt.date(2024, 12, 1 + n % 6), count=n, sources=[source])
    make_observation(site, jets, dt.date(2024, 12, 3), count=99, state="draft", sources=[source])
    return site, jets, source


def newest_first(**filters) -> list[int]:
    return list(Observation.objects.filter(**filters).order_by("-observed", "-id").values_list("id", flat=True))


def walk(api, first_url: str, link: str, **kwargs) -> list[list[int]]:
    """Follow `link` ("next" or "previous") from the first page; the pages' ids in the order read."""
    pages, url = [], first_url
    while url:
        response = api.get(url, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        url = body[link]
    return pages


def test_next_links_give_every_row_once_newest_first(api, observations):
    pages = walk(api, api.base + "observations/?page_size=5", "next")
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [pk for page in pages for pk in page] == newest_first(state="published")


def test_previous_links_give_the_same_pages_back(api, observations):
    forward = walk(api, api.base + "observations/?page_size=5", "next")
    last_page = api.get("observations/", params={"page_size": 5})
    url = last_page.json()["next"]
    while (body := api.get(url).json())["next"]:
        url = body["next"]
    backward = walk(api, url, "previous")
    assert backward == forward[::-1]
    assert api.get("observations/", params={"page_size": 5}).json()["previous"] is None


def test_count_is_on_the_first_page_only(api, observations):
    first = api.get("observations/", params={"page_size": 5}).json()
    assert first["count"] == 23
    second = api.get(first["next"]).json()
    assert "count" not in second and set(second) == {"next", "previous", "results"}


def test_filters_and_page_size_carry_through_the_links(api, observations):
    pages = walk(api, api.base + "observations/?page_size=2&from=2024-12-04", "next")
    assert [pk for page in pages for pk in page] == newest_first(state="published", observed__gte="2024-12-04")
    assert all(len(page) == 2 for page in pages[:-1])


def test_editors_page_through_drafts_too(api, observations):
    editor = make_user("editor", username="ed")
    token = ApiToken.issue(editor, "test")[1]
    headers = {"Authorization": f"Token {token}"}
    pages = walk(api, api.base + "observations/?page_size=7", "next", headers=headers)
    assert [pk for page in pages for pk in page] == newest_first()


def test_rows_added_while_paging_neither_repeat_nor_shift_later_pages(api, observations):
    site, jets, source = observations
    first = api.get("observations/", params={"page_size": 5}).json()
    # A newer observation, and one on the same day as the first page's last row with a higher id.
    make_observation(site, jets, dt.date(2024, 12, 20), count=1, sources=[source])
    boundary_day = Observation.objects.get(pk=first["results"][-1]["id"]).observed
    make_observation(site, jets, boundary_day, count=2, sources=[source])
    rest = walk(api, first["next"], "next")
    seen = [row["id"] for row in first["results"]] + [pk for page in rest for pk in page]
    assert len(seen) == len(set(seen)) == 23


def test_a_cursor_page_matches_the_same_rows_by_offset(api, observations):
    ordered = newest_first(state="published")
    # The page starting after the 10th row is rows 11 to 15: what OFFSET 10 LIMIT 5 would give.
    tenth = Observation.objects.get(pk=ordered[9])
    after_tenth = cursor.encode(False, tenth.observed, tenth.pk)
    body = api.get("observations/", params={"cursor": after_tenth, "page_size": 5}).json()
    assert [row["id"] for row in body["results"]] == ordered[10:15]


def test_past_the_end_is_an_empty_page_that_leads_back(api, observations):
    oldest = Observation.objects.published().order_by("observed", "id").first()
    body = api.get("observations/", params={"cursor": cursor.encode(False, oldest.observed, oldest.pk)}).json()
    assert body["results"] == [] and body["next"] is None
    assert "cursor" not in body["previous"]


def packed(position) -> str:
    """A cursor-shaped string holding `position`, as a client might forge one."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not-a-cursor",
        "!!!!",
        "é",
        packed([]),
        packed({"a": 1}),
        packed(["a", "2024-12-01"]),
        packed(["x", "2024-12-01", 1]),
        packed(["a", "2024-13-01", 1]),
        packed(["a", "2024-12-01", 0.5]),
        packed(["a", "2024-12-01", True]),
        packed(["a", "2024-12-01", 0]),
        packed(["a", "2024-12-01", 2**70]),
        packed(["a", 2024, 1]),
        "A" * 5000,
    ],
)
def test_a_cursor_the_api_did_not_give_out_is_a_400(api, observations, cursor):
    assert_error(api.get("observations/", params={"cursor": cursor}), 400, "cursor")


def test_page_numbers_are_refused_with_a_pointer_to_the_links(api, observations):
    response = api.get("observations/", params={"page": 2})
    assert_error(response, 400, "page")
    assert "next" in response.json()["page"][0]


@pytest.mark.parametrize("size", ["²", "-1", "1.5", " "])
def test_odd_page_sizes_are_a_400_or_the_default(api, observations, size):
    response = api.get("observations/", params={"page_size": size})
    if size.strip():
        assert_error(response, 400, "page_size")
    else:
        assert len(response.json()["results"]) == 23
