"""An identified asset's page: reached by registration, ICAO hex or id; its published sightings and
movements in date order with their sources; linked from where the asset is named."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from basewatch.core.models import Asset, Site
from tests.factories import make_asset, make_movement, make_observation, make_user

pytestmark = pytest.mark.django_db


def test_ra_76845_by_registration_hex_and_id(demo):
    """Also its registration without the dash, as the map's search takes it."""
    il76 = Asset.objects.get(registration="RA-76845")
    keys = ("RA-76845", "ra-76845", "ra76845", "152c2d", "152C2D", str(il76.pk))
    pages = [Client().get(f"/assets/{key}/") for key in keys]
    assert {page.status_code for page in pages} == {200}
    html = pages[0].content.decode()
    assert all(page.content.decode() == html for page in pages)
    assert "EMERCOM of Russia (MChS)" in html and "152C2D" in html
    # The arrival in Bamako, seen there and as a movement from al-Khadim, both with their sources.
    assert html.count("2024-12-17") >= 3  # first seen, last seen, the rows
    assert "Bamako–Sénou (Base Aérienne 101)" in html and "al-Khadim Air Base" in html
    assert "A 3rd flight of Russia&#x27;s MChS arrived this morning in Bamako from Al Khadim" in html
    assert il76.get_absolute_url() == "/assets/RA-76845/"


def test_a_key_means_what_it_meant_before_an_undashed_registration_could_name_an_asset():
    """RA76845 names RA-76845 only where no asset has it as its own name: here, a former registration."""
    current = make_asset(registration="RA-76845")
    assert list(Asset.objects.named("ra76845")) == [current]
    renamed = make_asset(registration="RF-00001", former_registrations=["RA76845"])
    assert list(Asset.objects.named("RA76845")) == [renamed, current]


def test_unknown_assets_are_404(demo):
    for key in ("RA-00000", "000000", "999999999", "99999999999999999999999"):
        assert Client().get(f"/assets/{key}/").status_code == 404


def test_the_public_page_shows_published_claims_only(demo):
    asset = make_asset(registration="RF-95000")
    site = Site.objects.get(slug="khmeimim")
    make_observation(site, asset.asset_type, dt.date(2024, 12, 2), asset=asset, notes="published one")
    make_observation(site, asset.asset_type, dt.date(2024, 12, 3), asset=asset, state="draft")
    html = Client().get("/assets/RF-95000/").content.decode()
    assert "2024-12-02" in html and "2024-12-03" not in html


def test_pages_naming_the_asset_link_to_it(demo):
    for path in ("/sites/bamako-senou/", "/sites/al-khadim/", "/observations/"):
        assert 'href="/assets/RA-76845/"' in Client().get(path).content.decode(), path


def test_vessel_numbers_aliases_and_former_registrations_are_shown():
    ship = make_asset(
        registration="",
        name="Sparta IV",
        mmsi="273350190",
        imo="9138850",
        aliases=["Спарта IV"],
        former_registrations=["OLD-1"],
    )
    html = Client().get(f"/assets/{ship.imo}/").content.decode()
    for text in ("MMSI", "273350190", "IMO number", "9138850", "Спарта IV", "OLD-1"):
        assert text in html
    assert Client().get("/assets/old-1/").content.decode() == html  # a former registration reaches it too


def test_unconfirmed_assets_are_for_viewers_only():
    draft = make_asset(registration="RA-99999", confirmed=False)
    assert Client().get("/assets/RA-99999/").status_code == 404
    viewer = Client()
    viewer.force_login(make_user("viewer"))
    page = viewer.get(draft.get_absolute_url())
    assert page.status_code == 200 and "Not confirmed yet" in page.content.decode()


def listed_assets(query: dict, client=None) -> list[str]:
    response = (client or Client()).get("/assets/", query)
    assert response.status_code == 200
    return re.findall(r'<td data-label="Asset"><a href="/assets/([^/]*)/">', response.content.decode())


def test_the_asset_list_searches_and_filters(demo):
    khmeimim = Site.objects.get(slug="khmeimim")
    later = make_asset(registration="RF-95001", operator="Russian Aerospace Forces")
    make_observation(khmeimim, later.asset_type, dt.date(2024, 12, 20), asset=later)
    never_seen = make_asset(registration="RA-00001", operator="Émercom of Russia")
    make_asset(registration="RA-00002", confirmed=False)  # for viewers only
    assert listed_assets({}) == ["RF-95001", "RA-76845", "RA-00001"]  # last seen first, never seen last
    assert listed_assets({"q": "152c2d"}) == ["RA-76845"]
    assert listed_assets({"asset_type": "il-76"}) == ["RA-76845"]
    assert listed_assets({"operator": "emercom"}) == ["RA-76845", never_seen.registration]
    assert listed_assets({"seen_from": "2024-12-18"}) == ["RF-95001"]
    assert listed_assets({"seen_to": "2024-12-17"}) == ["RA-76845"]
    viewer = Client()
    viewer.force_login(make_user("viewer"))
    assert "RA-00002" in listed_assets({}, viewer)


def test_the_asset_list_names_a_bad_filter(demo):
    html = Client().get("/assets/", {"seen_from": "last week", "asset_type": "zzz"}).content.decode()
    assert "seen_from:" in html and "asset_type:" in html and "RA-76845/" not in html


def test_first_and_last_seen_agree_with_the_asset_page(demo):
    il76 = Asset.objects.with_sightings().get(registration="RA-76845")
    assert (il76.first_seen, il76.last_seen) == (dt.date(2024, 12, 17), dt.date(2024, 12, 17))
    moved_only = make_asset(registration="RA-00003")
    make_movement(
        Site.objects.get(slug="khmeimim"),
        Site.objects.get(slug="tartus"),
        moved_only.asset_type,
        asset=moved_only,
        departed=dt.date(2024, 12, 1),
        arrived=dt.date(2024, 12, 2),
    )
    seen = Asset.objects.with_sightings().get(pk=moved_only.pk)
    assert (seen.first_seen, seen.last_seen) == (dt.date(2024, 12, 2), dt.date(2024, 12, 2))


def test_on_one_day_a_movement_comes_between_seen_departing_and_seen_there(demo):
    from basewatch.core import tracks

    il76 = Asset.objects.get(registration="RA-76845")
    khadim = Site.objects.get(slug="al-khadim")
    leaving = make_observation(khadim, il76.asset_type, dt.date(2024, 12, 17), asset=il76, activity="departing")
    order = [(type(claim).__name__, getattr(claim, "activity", "")) for claim in tracks.timeline(il76)]
    assert order == [("Observation", "departing"), ("Movement", ""), ("Observation", "arriving")]
    assert tracks.timeline(il76)[0] == leaving
