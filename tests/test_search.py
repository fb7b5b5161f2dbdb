"""Search finds assets and sources everywhere (core querysets): registrations with or without
their dash, ICAO hex in any case, vessel numbers, aliases in any script, accents ignored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site

pytestmark = pytest.mark.django_db


def registrations(assets) -> set[str]:
    return {asset.registration or asset.name for asset in assets}


@pytest.mark.parametrize("text", ["RA-76845", "ra-76845", "RA76845", "152c2d", "152C2D", "emercom", "Il-76TD"])
def test_the_demo_airframe_is_found_by_every_name(demo, text):
    assert registrations(Asset.objects.search(text)) == {"RA-76845"}


def test_vessels_by_hull_mmsi_imo_alias_and_former_registration():
    ship = make_asset(
        asset_type=make_asset_type(slug="frigate", name="Frigate", category="naval_vessel"),
        registration="",
        name="Admiral Grigorovich",
        hull_number="494",
        mmsi="273350190",
        imo="9138850",
        aliases=["Адмирал Григорович"],
    )
    plane = make_asset(registration="RA-78817", former_registrations=["CCCP-78817"])
    for text, found in [
        ("494", ship),
        ("273350190", ship),
        ("9138850", ship),
        ("григорович", ship),
        ("ГРИГОРОВИЧ", ship),
        ("cccp-78817", plane),
    ]:
        assert list(Asset.objects.search(text)) == [found], text


def test_named_prefers_the_current_registration_over_a_former_one():
    old_owner = make_asset(registration="RA-11111", icao_hex="AAAAAA")
    new_owner = make_asset(registration="RA-22222", former_registrations=["RA-11111"], mmsi="273000000")
    assert list(Asset.objects.named("ra-11111")) == [old_owner, new_owner]
    assert Asset.objects.named("aaaaaa").get() == old_owner
    assert Asset.objects.named("273000000").get() == new_owner
    assert Asset.objects.named(str(new_owner.pk)).first() == new_owner
    assert not Asset.objects.named("   ").exists()


def test_imo_numbers_are_checked_by_their_check_digit():
    ship = Asset(asset_type=make_asset_type(), name="Sparta IV", imo="9138851")
    with pytest.raises(ValidationError) as refused:
        ship.full_clean()
    assert "check digit" in str(refused.value.message_dict["imo"])
    ship.imo = "9138850"  # 9*7+1*6+3*5+8*4+8*3+5*2 = 150: check digit 0
    ship.full_clean()


def test_observations_by_asset_site_alias_in_any_script_and_source(demo):
    published = Observation.objects.published()
    bamako = published.search("152c2d")
    assert {(o.site.slug, o.observed) for o in bamako} == {("bamako-senou", dt.date(2024, 12, 17))}
    assert {o.site.slug for o in published.search("Хмеймим")} == {"khmeimim"}
    # The Latin alias finds Khmeimim, and Tartus too: a Maxar source's title names both bases.
    assert {o.site.slug for o in published.search("hmeimim")} == {"khmeimim", "tartus"}
    cites_maxar = set(published.filter(sources__publisher="Maxar Technologies"))
    assert cites_maxar and cites_maxar <= set(published.search("maxar"))
    assert not published.search("no such thing anywhere").exists()


def test_accents_are_ignored_both_ways(demo):
    # The site is "Bamako-Sénou": typed without the accent, and an accented query of a plain word.
    assert {o.site.slug for o in Observation.objects.search("senou")} == {"bamako-senou"}
    assert Source.objects.search("TECHNOLÒGIES").exists()


def test_movements_by_either_end_and_asset(demo):
    movements = Movement.objects.published()
    assert {m.destination.slug for m in movements.search("RA-76845")} == {"bamako-senou"}
    assert {(m.origin.slug, m.destination.slug) for m in movements.search("الخادم")} == {
        ("khmeimim", "al-khadim"),
        ("al-khadim", "bamako-senou"),
    }


def test_a_claim_citing_two_matching_sources_is_listed_once():
    site, kind = make_site(), make_asset_type()
    first = Source.objects.create(kind="news_report", title="Flight seen", publisher="Flight Watch")
    second = Source.objects.create(kind="news_report", title="Flight again", publisher="Flight Watch")
    observation = make_observation(site, kind, dt.date(2024, 12, 1))
    observation.sources.set([first, second])
    assert list(Observation.objects.search("flight")) == [observation]


def test_trips_are_told_in_the_asset_types_words(demo):
    seven = Movement.objects.get(origin__slug="khmeimim", destination__slug="al-khadim")
    assert (seven.trips, seven.trips_at_least, seven.trips_text) == (7, True, "at least 7 flights")
    site, other = make_site(), make_site()
    ship = make_movement(
        site, other, AssetType.objects.create(name="Corvette", slug="corvette", category="naval_vessel")
    )
    ship.trips = 1
    assert ship.trips_text == "1 voyage"


def test_transfers_group_legs_and_do_not_chain():
    a, b, c = make_site(), make_site(), make_site()
    kind = make_asset_type()
    first = make_movement(a, b, kind, arrived=dt.date(2024, 12, 17))
    second = make_movement(b, c, kind, arrived=dt.date(2024, 12, 18), transfer=first)
    assert list(first.transfer_legs()) == [first, second] == list(second.transfer_legs())
    third = Movement(origin=c, destination=a, asset_type=kind, arrived=dt.date(2024, 12, 19), transfer=second)
    with pytest.raises(ValidationError) as refused:
        third.full_clean(exclude=["sources"])
    assert "first leg" in str(refused.value.message_dict["transfer"])
    first.transfer = second
    with pytest.raises(ValidationError) as refused:
        first.full_clean(exclude=["sources"])
    assert "transfer" in refused.value.message_dict


def test_sites_search_their_slug_too(demo):
    assert list(Site.objects.search("al-khadim").values_list("slug", flat=True)) == ["al-khadim"]
