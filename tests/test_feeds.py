"""Atom feeds of newly published observations and movements (site-wide, per site, operator and
asset), each entry with its sources; valid Atom, read by feedparser; conditional GET."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.test import Client

from basewatch.core.models import Observation, Site
from tests.factories import make_observation

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def feed(path: str, query: dict | None = None):
    response = Client().get(path, query or {})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    ET.fromstring(response.content)  # noqa: S314 (our own answer, in a test): well-formed XML
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    return parsed, response


def test_the_observation_feed_is_atom_with_sources(demo):
    parsed, _ = feed("/feeds/observations/")
    assert parsed.version == "atom10"
    published = Observation.objects.published()
    assert len(parsed.entries) == published.count()
    bamako = next(entry for entry in parsed.entries if "RA-76845" in entry.title)
    assert (
        bamako.title
        == "2024-12-17: 1 × Il-76TD RA-76845, EMERCOM of Russia (MChS) at Bamako–Sénou (Base Aérienne 101) (arriving)"
    )
    assert bamako.link.endswith("/sites/bamako-senou/#observation-" + str(published.get(asset__isnull=False).pk))
    # One present in unknown numbers says so in words (it read a question mark for the count).
    s400 = next(entry for entry in parsed.entries if "S-400" in entry.title)
    assert s400.title == '2024-12-13: S-400 "Triumf", count unknown, at Khmeimim Air Base (loading)'
    assert not any("?" in entry.title for entry in parsed.entries)
    assert '<a href="https://t.co/FCRyY3nGIs">A 3rd flight of Russia&#x27;s MChS arrived' in bamako.summary
    assert "<li>Russian military forces are preparing to leave Syria" in bamako.summary  # no URL: no link


@pytest.mark.parametrize(
    ("query", "sites"),
    [
        ({"site": "khmeimim"}, {"Khmeimim Air Base"}),
        ({"asset": "152c2d"}, {"Bamako–Sénou (Base Aérienne 101)"}),
        ({"operator": "RU"}, None),  # every demo site is Russia's
    ],
)
def test_a_feed_per_site_asset_and_operator(demo, query, sites):
    parsed, _ = feed("/feeds/observations/", query)
    titles = [entry.title for entry in parsed.entries]
    assert titles
    if sites:
        assert all(any(site in title for site in sites) for title in titles)
    else:
        assert len(titles) == Observation.objects.published().count()


def test_the_movement_feed_names_the_airframe_and_the_trips(demo):
    parsed, _ = feed("/feeds/movements/")
    titles = sorted(entry.title for entry in parsed.entries)
    assert titles == [
        "2024-12-09: Cargo aircraft (type not reported), at least 7 flights, Khmeimim Air Base → al-Khadim Air Base",
        "2024-12-17: Il-76TD RA-76845, EMERCOM of Russia (MChS), al-Khadim Air Base → Bamako–Sénou (Base Aérienne 101)",
    ]


def test_unpublished_claims_never_reach_a_feed(demo):
    site = Site.objects.get(slug="khmeimim")
    make_observation(
        site, Observation.objects.first().asset_type, dt.date(2024, 12, 20), state="draft", notes="secret draft"
    )
    _, response = feed("/feeds/observations/")
    assert b"secret draft" not in response.content


def test_user_text_is_escaped_in_entries(demo):
    site = Site.objects.get(slug="khmeimim")
    make_observation(
        site, Observation.objects.first().asset_type, dt.date(2024, 12, 20), notes='<script>alert(1)</script> & "x"'
    )
    parsed, response = feed("/feeds/observations/", {"site": "khmeimim"})
    assert b"<script>" not in response.content
    assert any("&lt;script&gt;" in entry.summary for entry in parsed.entries)


def test_conditional_get_and_bad_filters(demo):
    _, first = feed("/feeds/observations/")
    assert first["ETag"] and first["Last-Modified"]
    again = Client().get("/feeds/observations/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    bad = Client().get("/feeds/observations/", {"site": "nowhere", "asset": "ZZ-0"})
    assert bad.status_code == 400 and b"site:" in bad.content and b"asset:" in bad.content


def test_pages_point_feed_readers_at_their_feeds(demo):
    site = Client().get("/sites/khmeimim/").content.decode()
    announced = 'title="Khmeimim Air Base: newly published observations" href="/feeds/observations/?site=khmeimim"'
    assert f'type="application/atom+xml" {announced}' in site
    asset = Client().get("/assets/RA-76845/").content.decode()
    assert 'href="/feeds/movements/?asset=RA-76845"' in asset
    listed = Client().get("/observations/", {"site": "khmeimim"}).content.decode()
    assert 'href="/feeds/observations/?site=khmeimim">Atom feed</a>' in listed


@pytest.mark.parametrize(
    ("path", "query"), [("/feeds/movements/", {"asset": "RA-76845"}), ("/feeds/observations/", {"site": "khmeimim"})]
)
def test_a_filtered_feed_names_itself_with_its_filters(demo, path, query):
    """Its rel="self" (what a reader subscribes to again) kept the path alone and lost the filter; the
    title was the same for every filter; the feed had no author, which Atom requires."""
    parsed, _ = feed(path, query)
    ((name, value),) = query.items()
    self_link = next(link.href for link in parsed.feed.links if link.rel == "self")
    assert self_link.endswith(f"{path}?{name}={value}")
    assert parsed.feed.title.endswith(f" ({name}={value})")
    assert parsed.feed.author == "basewatch"
    unfiltered, _ = feed(path)
    assert unfiltered.feed.title in ("basewatch: newly published movements", "basewatch: newly published observations")
