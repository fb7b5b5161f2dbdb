"""Movements are public: a page per published movement naming the asset, the trips, the dates and
the sources, and a list with filters; unpublished ones stay with viewers and up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from basewatch.core.models import Movement, Site
from basewatch.core.workflow import State
from tests.editor.helpers import client_for
from tests.factories import make_movement

pytestmark = pytest.mark.django_db


def bamako_flight() -> Movement:
    return Movement.objects.get(destination__slug="bamako-senou")


def listed(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_anyone_opens_a_published_movement(demo):
    flight = bamako_flight()
    assert flight.get_absolute_url() == f"/movements/{flight.pk}/"
    html = listed(Client().get(flight.get_absolute_url()))
    assert "al-Khadim Air Base → Bamako–Sénou (Base Aérienne 101)" in html
    assert '<a href="/assets/RA-76845/">Il-76TD RA-76845, EMERCOM of Russia (MChS)</a>' in html
    assert "arrived 2024-12-17" in html
    assert "A 3rd flight of Russia&#x27;s MChS arrived this morning in Bamako from Al Khadim" in html
    # What the public does not see: who entered it, the decisions, the history.
    assert "Entered by" not in html and "History" not in html and 'name="decision"' not in html


def test_the_seven_flights_are_told_as_the_report_tells_them(demo):
    seven = Movement.objects.get(destination__slug="al-khadim")
    html = listed(Client().get(seven.get_absolute_url()))
    assert "at least 7 flights" in html and "Khmeimim Air Base → al-Khadim Air Base" in html


def test_unpublished_movements_stay_with_viewers(demo):
    draft = make_movement(
        Site.objects.get(slug="khmeimim"), Site.objects.get(slug="tartus"), bamako_flight().asset_type, state="draft"
    )
    assert Client().get(draft.get_absolute_url()).status_code == 302  # to the login page
    html = listed(client_for("viewer").get(draft.get_absolute_url()))
    assert "Entered by" in html and "History" in html


def test_a_transfer_shows_its_published_legs_in_order(demo):
    khmeimim, khadim, bamako = (Site.objects.get(slug=slug) for slug in ("khmeimim", "al-khadim", "bamako-senou"))
    il76 = bamako_flight().asset_type
    first = make_movement(khmeimim, khadim, il76, departed=dt.date(2024, 12, 16), arrived=dt.date(2024, 12, 16))
    second = make_movement(khadim, bamako, il76, arrived=dt.date(2024, 12, 17), transfer=first)
    hidden = make_movement(bamako, khmeimim, il76, arrived=dt.date(2024, 12, 18), transfer=first, state=State.DRAFT)
    html = listed(Client().get(second.get_absolute_url()))
    assert "Legs of this transfer" in html
    assert html.index(f'href="{first.get_absolute_url()}"') < html.index("(this movement)")
    assert hidden.get_absolute_url() not in html
    assert hidden.get_absolute_url() in listed(client_for("viewer").get(second.get_absolute_url()))


@pytest.mark.parametrize(
    ("query", "destinations"),
    [
        ({}, {"al-khadim", "bamako-senou"}),
        ({"asset": "152c2d"}, {"bamako-senou"}),
        ({"asset": "RA-76845"}, {"bamako-senou"}),
        ({"q": "ra76845"}, {"bamako-senou"}),
        ({"origin": "khmeimim"}, {"al-khadim"}),
        ({"destination": "bamako-senou"}, {"bamako-senou"}),
        ({"operator": "RU"}, {"al-khadim", "bamako-senou"}),
        ({"asset_type": "il-76"}, {"bamako-senou"}),
        ({"from": "2024-12-10"}, {"bamako-senou"}),
        ({"to": "2024-12-10"}, {"al-khadim"}),
        ({"q": "Хмеймим"}, {"al-khadim"}),
    ],
)
def test_the_list_filters(demo, query, destinations):
    html = listed(Client().get("/movements/", query))
    shown = {m.destination.slug for m in Movement.objects.all() if m.get_absolute_url() in html}
    assert shown == destinations


def test_bad_filters_are_named_and_list_nothing(demo):
    response = Client().get("/movements/", {"asset": "ZZ-00000", "from": "yesterday"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "asset: No asset has this registration" in html and "from:" in html
    assert bamako_flight().get_absolute_url() not in html


def test_the_observations_list_finds_an_alias_in_any_script_and_the_airframe(demo):
    def sites_listed(query) -> set[str]:
        html = listed(Client().get("/observations/", query))
        return set(re.findall(r'<td data-label="Site"><a href="[^"]*">([^<]*)</a>', html))

    assert sites_listed({"q": "Хмеймим"}) == {"Khmeimim Air Base"}
    assert sites_listed({"q": "152C2D"}) == {"Bamako–Sénou (Base Aérienne 101)"}
