"""Public pages: the site list and a site page, rendered from the demo data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from basewatch.core.models import AssetType, Site
from basewatch.core.posture import PostureOptions, badge
from basewatch.front.views import _has_stale_stretch
from tests.factories import make_asset_type, make_observation, make_site, make_user

pytestmark = pytest.mark.django_db


def test_map_page_carries_its_configuration(client, demo):
    response = client.get(reverse("front:index"))
    assert response.status_code == 200
    config = response.context["config"]
    assert config["sitesUrl"] == "/api/v1/sites/" and config["movementsUrl"] == "/api/v1/movements/"
    assert (config["earliest"], config["latest"]) == ("2024-11-01", "2024-12-17")
    assert config["operators"] == [{"code": "RU", "name": "Russia"}]
    # What the map's search and movement popups read: assets, their pages, type names, grades.
    assert config["assetsUrl"] == "/api/v1/assets/"
    assert config["assetTypes"]["cargo-aircraft"] == "Cargo aircraft (type not reported)"
    assert config["reliability"]["C"] == "C — fairly reliable"
    page = response.content.decode()
    assert 'id="map-config"' in page and "Syria" in page and "Libya" in page


def test_observations_page_lists_filters_and_links_csv(client, demo):
    response = client.get(reverse("front:observations"), {"site": "khmeimim", "activity": "loading"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('href="/sites/khmeimim/#observation-') == 2
    assert "Maxar Technologies" in page
    assert "/api/v1/observations/?site=khmeimim&amp;activity=loading&amp;format=csv" in page
    empty = client.get(reverse("front:observations"), {"q": "atlantis"}).content.decode()
    assert "No published observations match these filters." in empty
    bad = client.get(reverse("front:observations"), {"from": "not-a-date"}).content.decode()
    assert "Some filters are not valid" in bad


def test_observations_page_hides_unpublished(client, db):
    site, asset_type = make_site(), make_asset_type()
    make_observation(site, asset_type, dt.date(2024, 12, 1), notes="public note")
    make_observation(site, asset_type, dt.date(2024, 12, 2), notes="draft note", state="draft")
    page = client.get(reverse("front:observations")).content.decode()
    assert "public note" in page and "draft note" not in page


def test_site_page_shows_counts_over_time_and_movements(client, demo):
    response = client.get(reverse("front:site", args=["bamako-senou"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Il-76" in page
    assert "RA-76845" in page and "al-Khadim Air Base" in page


def test_unknown_site_is_a_404_page(client, db):
    response = client.get(reverse("front:site", args=["nowhere"]))
    assert response.status_code == 404
    assert "There is no page at" in response.content.decode()


@pytest.mark.parametrize(
    ("longitude", "latitude", "shown"),
    [
        (-7.94994, 12.53352, "12.5335° N, 7.9499° W"),  # Bamako
        (35.9486, 35.401, "35.4010° N, 35.9486° E"),  # Khmeimim
        (-58.4545, -51.8226, "51.8226° S, 58.4545° W"),  # Mount Pleasant, Falklands
        (-0.00001, 0.00001, "0.0000° N, 0.0000° E"),  # no "0.0000° W"
    ],
)
def test_a_site_page_gives_its_place_with_hemispheres(client, db, longitude, latitude, shown):
    site = make_site(location=Point(longitude, latitude, srid=4326))
    page = client.get(site.get_absolute_url()).content.decode()
    assert f"<dt>Location</dt><dd>{shown}, " in page


def test_site_without_observations_says_so(client, db):
    site = make_site()
    page = client.get(site.get_absolute_url()).content.decode()
    assert "No published observations of this site yet." in page


def test_user_text_is_escaped(client, db):
    site = make_site(name="<script>alert(1)</script>")
    response = client.get(site.get_absolute_url())
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("sites", [2, 15])
def test_query_counts_do_not_grow_with_rows(client, db, sites):
    """The same number of queries with `sites` sites and with 10 more (and under a budget)."""
    asset_type = make_asset_type()

    def add(n: int):
        for _ in range(n):
            site = make_site()
            for day in (1, 2, 3):
                make_observation(site, asset_type, dt.date(2024, 12, day))
        return site

    site = add(sites)
    # The map: its dates (2), countries (2) and the asset types' names its movement popups show.
    pages = {reverse("front:index"): 5, reverse("front:observations"): 6, site.get_absolute_url(): 8}
    for url in pages:
        client.get(url)  # per-process caches warmed
    few = {url: page_queries(client, url) for url in pages}
    add(10)
    for day in range(4, 14):  # and the site page with more observations of its own
        make_observation(site, asset_type, dt.date(2024, 12, day))
    more = {url: page_queries(client, url) for url in pages}
    assert more == few
    assert all(few[url] <= budget for url, budget in pages.items()), few


def test_site_chart_data_carries_ranges_absences_and_sources(client, db):
    site, jets = make_site(slug="ranged"), make_asset_type(name="Jets")
    make_observation(site, jets, dt.date(2024, 12, 1), count=5, count_low=4, count_high=7)
    gone = make_observation(site, jets, dt.date(2024, 12, 9), count=None, activity="absent")
    chart = client.get(site.get_absolute_url()).context["chart"]
    [series] = chart["series"]
    assert series["label"] == "Jets"
    assert [(p["date"], p["count"], p["low"], p["high"]) for p in series["points"]] == [
        ("2024-12-01", 5, 4, 7),
        ("2024-12-09", 0, None, None),
    ]
    assert chart["observations"][gone.pk]["activity"] == "Absent (looked, not there)"
    assert chart["observations"][gone.pk]["sources"][0]["url"].startswith("https://news.example.org/")


MONTH_NAME_DATE = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}")


def test_site_page_writes_every_date_yyyy_mm_dd(client, demo):
    page = client.get(reverse("front:site", args=["khmeimim"]), {"as_of": "2024-12-14"}).content.decode()
    assert '<td data-label="Date">2024-11-01 <span class="muted">(month)</span></td>' in page  # observations
    assert "Maxar Technologies, 2024-12-13, reliability A" in page  # their sources
    assert "(arrived 2024-12-09)" in page and "departed ?" not in page  # movements: only the dates known
    assert '<td data-label="Last seen">2024-12-13 <span class="muted">(1 day earlier)</span>' in page  # posture
    assert 'name="as_of" value="2024-12-14"' in page
    assert not MONTH_NAME_DATE.search(page), MONTH_NAME_DATE.search(page)
    # A week's sighting names its week, in core.posture.seen_day's words (it read "2024-12-09 (week)").
    week = client.get(reverse("front:site", args=["al-khadim"]), {"as_of": "2024-12-14"}).content.decode()
    assert '<td data-label="Last seen">week of 2024-12-09 <span class="muted">(5 days earlier)</span>' in week


@pytest.mark.parametrize("query", [{"as_of": "2024-13-45"}, {"date": "2024-13-45"}, {"as_of": "last week"}])
def test_site_page_refuses_a_date_that_is_not_one_beside_its_date_box(client, demo, query):
    """The site page stays, as of today, with the refusal beside the date box and the date as typed."""
    response = client.get(reverse("front:site", args=["khmeimim"]), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert '<p id="date-refused" class="message error" role="alert">Date: Enter a valid date.' in page
    typed = next(iter(query.values()))
    assert f'name="as_of" value="{typed}" aria-invalid="true"' in page
    assert "<h1>Khmeimim Air Base</h1>" in page
    assert f"Posture on {timezone.now().date():%Y-%m-%d}" in page


def test_site_chart_spans_the_observations_and_the_posture_date(client, db):
    site, jets = make_site(), make_asset_type()
    make_observation(site, jets, dt.date(2024, 12, 1), count=5)
    make_observation(site, jets, dt.date(2024, 12, 31), count=3)

    def span(as_of: str) -> tuple[str, str]:
        chart = client.get(site.get_absolute_url(), {"as_of": as_of}).context["chart"]
        assert chart["as_of"] == as_of
        return chart["start"], chart["end"]

    # Room after the last point (30 % of the span, at least 14 days), a little before the first.
    assert span("2024-12-15") == ("2024-11-28", "2025-01-14")
    # A posture date outside that stretches the axis to it.
    assert span("2025-06-01") == ("2024-11-22", "2025-06-01")
    assert span("2024-10-01") == ("2024-09-26", "2025-01-14")


@pytest.mark.parametrize(
    ("next_point", "end", "stale"),
    [
        ("2025-01-01", "2025-01-30", False),  # superseded on day 31: its last day is 30 days old
        ("2025-01-02", "2025-01-30", True),  # its last day (01-01) is 31 days old
        (None, "2024-12-31", False),  # the axis ends 30 days on: fresh to the end
        (None, "2025-01-01", True),  # 31 days on
    ],
)
def test_a_stale_stretch_is_one_where_core_says_stale(next_point, end, stale):
    """core.posture: an entry is stale once more than its type's fresh_days old (here 30)."""
    points = [{"date": "2024-12-01"}] + ([{"date": next_point}] if next_point else [])
    assert _has_stale_stretch({"points": points, "fresh_days": 30}, dt.date.fromisoformat(end)) is stale


def chart_key(page: str) -> str:
    return page[page.index('<ul class="chart-key"') : page.index("</ul>", page.index('<ul class="chart-key"'))]


def test_site_chart_key_names_what_the_chart_draws(client, db):
    site = make_site()
    jets = make_asset_type(name="Jets", category=AssetType.Category.FIXED_WING_COMBAT)
    radars = make_asset_type(name="Radars", category=AssetType.Category.AIR_DEFENCE)
    make_observation(site, jets, dt.date(2024, 12, 1), count=5, count_low=4, count_high=7)
    make_observation(site, radars, dt.date(2024, 12, 1), count=None)
    response = client.get(site.get_absolute_url(), {"as_of": "2024-12-10"})
    assert response.context["chart_key"] == {
        "counted": True,
        "total": True,
        "lanes": True,
        "absent": False,
        "ranges": True,
        "transient": False,
        "leaving": False,
        "arriving": False,
        "stale": False,
    }
    key = chart_key(response.content.decode())
    assert "wide grey line: the total of based assets counted" in key
    assert "shaded rows under the counts: present, count unknown" in key
    assert "bars: low–high estimates" in key and "vertical line: the posture date, 2024-12-10" in key
    assert "passing through" not in key and "stale" not in key and "leaving" not in key

    # Transient lifters leaving; months later the jets (fresh for 60 days) are stale.
    lifters = make_asset_type(name="Lifters")
    make_observation(site, lifters, dt.date(2024, 12, 2), presence="transient", activity="loading")
    key = chart_key(client.get(site.get_absolute_url(), {"as_of": "2025-03-01"}).content.decode())
    assert "dotted, hollow points: passing through, not in the total" in key
    assert "▼ leaving" in key and "faded and dashed: stale" in key


def sites_listed(response) -> dict[str, str]:
    """The sites list page's rows: each site's name and its posture label."""
    rows = re.findall(
        r'<td data-label="Site"><a href="[^"]*">([^<]*)</a></td>.*?<span class="posture-label[^"]*">([^<]*)</span>',
        response.content.decode(),
        re.S,
    )
    return dict(rows)


def test_the_sites_list_shows_each_site_with_the_posture_core_gives_it(client, demo):
    """/sites/ was a 404: without the map (a phone, a screen reader) sites were reached only through claims."""
    response = client.get(reverse("front:sites"), {"as_of": "2024-12-14"})
    assert response.status_code == 200
    options = PostureOptions(as_of=dt.date(2024, 12, 14))
    expected = {
        site.name: badge(site.posture_state)["label"] for site in Site.objects.with_posture(options, entries=False)
    }
    assert sites_listed(response) == expected and expected["Khmeimim Air Base"] == "1+"
    assert '<a href="/sites/khmeimim/?as_of=2024-12-14">Khmeimim Air Base</a>' in response.content.decode()
    # The sites list's filters and files, as the API takes them.
    helicopters = client.get(reverse("front:sites"), {"as_of": "2024-12-14", "category": "helicopter"})
    assert sites_listed(helicopters) == {"Khmeimim Air Base": "1"}
    assert "/api/v1/sites/?as_of=2024-12-14&amp;category=helicopter&amp;format=kml" in helicopters.content.decode()
    # A bad filter is named, and nothing listed.
    bad = client.get(reverse("front:sites"), {"as_of": "2024-13-45"})
    assert bad.status_code == 400 and "as_of:" in bad.content.decode() and sites_listed(bad) == {}
    assert '<a href="/sites/">Sites</a>' in response.content.decode()  # in the menu


def test_a_site_where_assets_only_pass_through_reads_so_on_the_list_and_its_page(client, db):
    """Nothing based seen, but assets passing through: "+" in a dashed ring, as on the map, and
    the words say so; nothing seen at all is "?", no information."""
    passing, empty = make_site(slug="passing", name="Passing"), make_site(slug="empty", name="Empty")
    make_observation(passing, make_asset_type(name="Il-76"), dt.date(2024, 12, 10), count=2, presence="transient")
    listed = client.get(reverse("front:sites"), {"as_of": "2024-12-14"}).content.decode()
    assert sites_listed_with_looks(listed) == {
        "Passing": ("posture-label transient-only", "+", "only passing through (1 type, not counted)"),
        "Empty": ("posture-label unknown", "?", "no information"),
    }
    page = client.get(passing.get_absolute_url(), {"as_of": "2024-12-14"}).content.decode()
    assert '<span class="posture-label transient-only">+</span>' in page
    assert "Only passing through: nothing based here was observed by this date" in page
    assert "Also seen, passing through" in page and "Il-76" in page
    page = client.get(empty.get_absolute_url(), {"as_of": "2024-12-14"}).content.decode()
    assert '<span class="posture-label unknown">?</span>' in page and "No information:" in page


def sites_listed_with_looks(html: str) -> dict[str, tuple[str, str, str]]:
    rows = re.findall(
        r'<td data-label="Site"><a href="[^"]*">([^<]*)</a></td>.*?<span class="([^"]*)">([^<]*)</span>\s*([^<]*)</td>',
        html,
        re.S,
    )
    return {name: (classes.strip(), label, words.strip()) for name, classes, label, words in rows}


@pytest.mark.parametrize(
    "path", ["/observations/", "/movements/", "/assets/", "/sites/", "/new/observation/", "/new/movement/"]
)
def test_date_boxes_read_iso_dates_in_every_locale(client, db, path):
    """A type=date box shows the date in the browser's locale order (12/13/2024 in the US) where the
    rest of basewatch writes 2024-12-13: every date box is text taking YYYY-MM-DD."""
    client.force_login(make_user("editor"))
    page = client.get(path).content.decode()
    assert 'type="date"' not in page
    assert 'placeholder="YYYY-MM-DD"' in page
