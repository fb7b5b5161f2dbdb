"""Identified assets through the API: claims that name them, `assets/<key>/`, and the track as GeoJSON."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from basewatch.core.models import Asset, Movement
from tests.api.helpers import assert_error, features, results
from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site, make_token

pytestmark = pytest.mark.django_db

IL76_LABEL = "Il-76TD RA-76845, EMERCOM of Russia (MChS)"
SOURCE_FIELDS = {"title", "publisher", "reliability", "url", "archive_url"}


def demo_movements(api, **kwargs) -> dict[str, dict]:
    """The demo's movements by "origin>destination"."""
    found = features(api.get("movements/", **kwargs)).values()
    return {f"{f['properties']['origin']}>{f['properties']['destination']}": f for f in found}


# --- claims name their asset -------------------------------------------------------------


def test_a_movement_names_its_asset_page_and_sources(api, demo):
    il76 = demo_movements(api)["al-khadim>bamako-senou"]
    properties = il76["properties"]
    assert properties["asset_label"] == IL76_LABEL
    assert (properties["asset_key"], properties["asset_url"]) == ("RA-76845", "/assets/RA-76845/")
    assert properties["url"] == f"/movements/{il76['id']}/"
    assert (properties["trips"], properties["trips_at_least"], properties["trips_text"]) == (None, False, "")
    assert properties["transfer"] is None
    fabsenbln = next(source for source in properties["sources"] if source["publisher"] == "@fabsenbln")
    assert set(fabsenbln) >= SOURCE_FIELDS
    assert (fabsenbln["url"], fabsenbln["reliability"]) == ("https://t.co/FCRyY3nGIs", "C")


def test_a_movement_says_how_many_trips(api, demo):
    cargo = demo_movements(api)["khmeimim>al-khadim"]["properties"]
    assert (cargo["trips"], cargo["trips_at_least"], cargo["trips_text"]) == (7, True, "at least 7 flights")
    assert (cargo["asset"], cargo["asset_label"], cargo["asset_url"]) == (None, None, None)


def test_an_observation_names_its_asset_and_page(api, demo):
    [sighting] = api.get("observations/", params={"asset": "152c2d"}).json()["results"]
    assert (sighting["asset_label"], sighting["asset_key"]) == (IL76_LABEL, "RA-76845")
    assert sighting["asset_url"] == "/assets/RA-76845/"
    assert sighting["url"] == f"/sites/bamako-senou/#observation-{sighting['id']}"
    assert all(set(source) >= SOURCE_FIELDS for source in sighting["sources"])


@pytest.fixture
def legs():
    a, b, c = (make_site(slug=slug, name=slug.title()) for slug in ("a", "b", "c"))
    il76 = make_asset_type(slug="il-76", category="transport_aircraft")
    asset = make_asset(asset_type=il76, registration="RA-76845", icao_hex="152C2D")
    first = make_movement(a, b, il76, asset=asset, arrived=dt.date(2024, 12, 9))
    second = make_movement(b, c, il76, asset=asset, arrived=dt.date(2024, 12, 17), transfer=first, state="draft")
    return {"asset": asset, "first": first, "second": second}


def movement_body(**fields) -> dict:
    from tests.factories import make_source

    return {
        "origin": "a",
        "destination": "c",
        "asset_type": "il-76",
        "arrived": "2024-12-18",
        "source_ids": [make_source().pk],
        **fields,
    }


@pytest.mark.parametrize("key", ["152c2d", "RA-76845", "ra-76845", "id"])
def test_a_movement_names_its_asset_by_any_key(api, legs, key):
    asset = legs["asset"]
    sent = asset.pk if key == "id" else key
    body = movement_body(asset=sent, trips=3, trips_at_least=True, transfer=legs["first"].pk)
    response = api.post("movements/", json=body, token=make_token("editor"))
    assert response.status_code == 201, response.text
    properties = response.json()["properties"]
    assert (properties["asset"], properties["asset_key"]) == (asset.pk, "RA-76845")
    assert (properties["trips_text"], properties["transfer"]) == ("at least 3 flights", legs["first"].pk)
    stored = Movement.objects.get(pk=response.json()["id"])
    assert (stored.asset_id, stored.trips, stored.trips_at_least, stored.transfer_id) == (
        asset.pk,
        3,
        True,
        legs["first"].pk,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"asset": "ZZ-99999"}, "asset"),
        ({"asset": 999999}, "asset"),
        ({"asset": "x" * 31}, "asset"),
        ({"asset": ["RA-76845"]}, "asset"),
        ({"asset": True}, "asset"),
        ({"trips": 0}, "trips"),
        ({"trips_at_least": True}, "trips"),
        ({"transfer": 999999}, "transfer"),
        ({"transfer": "second"}, "transfer"),  # a leg that continues another is not a transfer's head
    ],
)
def test_a_bad_asset_trip_count_or_transfer_is_refused(api, legs, fields, field):
    if fields.get("transfer") == "second":
        fields = {"transfer": legs["second"].pk}
    before = Movement.objects.count()
    assert_error(api.post("movements/", json=movement_body(**fields), token=make_token("editor")), 400, field)
    assert Movement.objects.count() == before


def test_a_movement_update_sets_trips_and_transfer(api, legs):
    token = make_token("editor")
    second = legs["second"]
    body = {"trips": 2, "transfer": None, "version": second.version}
    response = api.patch(f"movements/{second.pk}/", json=body, token=token)
    assert response.status_code == 200, response.text
    second.refresh_from_db()
    assert (second.trips, second.transfer_id) == (2, None)


# --- assets/<key>/ -----------------------------------------------------------------------


@pytest.mark.parametrize("key", ["RA-76845", "ra-76845", "152C2D", "152c2d", "id"])
def test_an_asset_is_found_by_any_key(api, demo, key):
    asset = Asset.objects.get(registration="RA-76845")
    response = api.get(f"assets/{asset.pk if key == 'id' else key}/")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["label"], body["url"]) == (asset.pk, IL76_LABEL, "/assets/RA-76845/")
    assert response.headers["ETag"].startswith('"v')


def test_an_unknown_or_unconfirmed_asset_is_not_found_by_the_public(api, db):
    draft = make_asset(registration="RA-00001", confirmed=False)
    assert_error(api.get("assets/RA-00001/"), 404, "detail")
    assert_error(api.get("assets/RA-00001/track/"), 404, "detail")
    assert_error(api.get("assets/NOPE/"), 404, "detail")
    assert_error(api.get("assets/%00/"), 404, "detail")
    viewer = make_token("viewer")
    assert api.get("assets/RA-00001/", token=viewer).json()["confirmed"] is False
    assert api.get("assets/RA-00001/track/", token=viewer).json()["asset"]["registration"] == draft.registration


def test_an_asset_is_changed_by_its_key(api, demo):
    asset = Asset.objects.get(registration="RA-76845")
    response = api.patch("assets/152c2d/", json={"notes": "MChS", "version": asset.version}, token=make_token("editor"))
    assert response.status_code == 200, response.text
    asset.refresh_from_db()
    assert asset.notes == "MChS"


# --- the track as GeoJSON ----------------------------------------------------------------


def test_the_demo_track_shows_the_bamako_sighting_and_the_flight_from_al_khadim(api, demo):
    response = api.get("assets/152c2d/track/")
    assert response.status_code == 200, response.text
    track = response.json()
    assert track["type"] == "FeatureCollection"
    assert track["asset"] == {
        "label": IL76_LABEL,
        "key": "RA-76845",
        "url": "/assets/RA-76845/",
        "registration": "RA-76845",
        "icao_hex": "152C2D",
        "asset_type": "il-76",
    }
    flight, sighting = track["features"]  # it arrived, then was seen there arriving
    assert sighting["geometry"] == {"type": "Point", "coordinates": [-7.9499, 12.5335]}
    seen = sighting["properties"]
    assert (seen["kind"], seen["date"], seen["count"], seen["activity"], seen["presence"]) == (
        "sighting",
        "2024-12-17",
        1,
        "arriving",
        "transient",
    )
    assert seen["site"] == {
        "slug": "bamako-senou",
        "name": "Bamako–Sénou (Base Aérienne 101)",
        "url": "/sites/bamako-senou/",
    }
    assert {source["publisher"] for source in seen["sources"]} >= {"@fabsenbln"}
    assert flight["geometry"] == {"type": "LineString", "coordinates": [[21.1953, 31.9987], [-7.9499, 12.5335]]}
    moved = flight["properties"]
    assert (moved["kind"], moved["departed"], moved["arrived"]) == ("movement", None, "2024-12-17")
    assert (moved["origin"]["slug"], moved["destination"]["slug"], moved["count"]) == ("al-khadim", "bamako-senou", 1)
    assert moved["url"] == f"/movements/{flight['id'].removeprefix('movement-')}/"
    assert set(moved["sources"][0]) >= SOURCE_FIELDS


@pytest.fixture
def travels():
    a, b = make_site(slug="a", name="Alpha"), make_site(slug="b", name="Bravo")
    il76 = make_asset_type(slug="il-76", category="transport_aircraft")
    asset = make_asset(asset_type=il76, registration="RA-1")
    return {
        "asset": asset,
        "late": make_observation(b, il76, dt.date(2024, 12, 20), asset=asset),
        "early": make_observation(a, il76, dt.date(2024, 12, 1), asset=asset),
        "flight": make_movement(a, b, il76, asset=asset, departed=dt.date(2024, 12, 5), arrived=dt.date(2024, 12, 6)),
        "draft": make_movement(b, a, il76, asset=asset, arrived=dt.date(2024, 12, 25), state="draft"),
        "other": make_observation(a, il76, dt.date(2024, 12, 2), asset=make_asset(asset_type=il76)),
    }


def feature_ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [feature["id"] for feature in response.json()["features"]]


def test_a_track_is_in_date_order_and_published_only_for_the_public(api, travels):
    t = travels
    public = [f"observation-{t['early'].pk}", f"movement-{t['flight'].pk}", f"observation-{t['late'].pk}"]
    assert feature_ids(api.get("assets/RA-1/track/")) == public
    viewer = feature_ids(api.get("assets/RA-1/track/", token=make_token("viewer")))
    assert viewer == [*public, f"movement-{t['draft'].pk}"]
    assert feature_ids(api.get("assets/RA-1/track/", token=make_token())) == public  # no role: the public's


def test_a_track_answers_conditional_gets(api, travels):
    first = api.get("assets/RA-1/track/")
    etag = first.headers["ETag"]
    assert api.get("assets/RA-1/track/", headers={"If-None-Match": etag}).status_code == 304
    make_observation(
        travels["flight"].origin, travels["flight"].asset_type, dt.date(2024, 12, 21), asset=travels["asset"]
    )
    again = api.get("assets/RA-1/track/", headers={"If-None-Match": etag})
    assert again.status_code == 200 and len(again.json()["features"]) == 4


def test_a_track_refuses_an_unknown_format(api, travels):
    assert_error(api.get("assets/RA-1/track/", params={"format": "shp"}), 400, "format")


def test_a_tracks_queries_do_not_grow_with_its_claims(client, travels):
    t = travels

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/assets/RA-1/track/").status_code == 200
        return len(captured)

    few = queries()
    for day in range(1, 11):
        make_observation(t["flight"].destination, t["flight"].asset_type, dt.date(2024, 11, day), asset=t["asset"])
        make_movement(t["flight"].origin, t["flight"].destination, t["flight"].asset_type, asset=t["asset"])
    assert queries() == few <= 8


# --- assets/ -----------------------------------------------------------------------------


@pytest.fixture
def fleet():
    il76 = make_asset_type(slug="il-76", category="transport_aircraft")
    ships = make_asset_type(slug="frigates", category="naval_vessel")
    a, b = make_site(slug="a"), make_site(slug="b")
    seen = make_asset(asset_type=il76, registration="RA-1", operator="Armée de l'air")
    make_observation(a, il76, dt.date(2024, 12, 1), asset=seen)
    make_movement(a, b, il76, asset=seen, departed=dt.date(2024, 12, 10), arrived=None)
    make_movement(b, a, il76, asset=seen, arrived=dt.date(2025, 1, 5), state="draft")  # not published: not "seen"
    ship = make_asset(asset_type=ships, registration="", name="Admiral", mmsi="273350190", imo="9138850")
    make_observation(b, ships, dt.date(2024, 11, 2), asset=ship)
    guess = make_asset(asset_type=il76, registration="RA-9", confirmed=False)
    return {"seen": seen, "ship": ship, "guess": guess}


def test_the_asset_list_says_when_each_was_first_and_last_seen(api, fleet):
    rows = {row["id"]: row for row in results(api.get("assets/"))}
    assert set(rows) == {fleet["seen"].pk, fleet["ship"].pk}  # the unconfirmed one is not public
    seen = rows[fleet["seen"].pk]
    assert (seen["first_seen"], seen["last_seen"], seen["url"], seen["confirmed"]) == (
        "2024-12-01",
        "2024-12-10",
        "/assets/RA-1/",
        True,
    )
    ship = rows[fleet["ship"].pk]
    assert (ship["mmsi"], ship["imo"], ship["last_seen"], ship["key"]) == (
        "273350190",
        "9138850",
        "2024-11-02",
        str(fleet["ship"].pk),
    )
    viewer = {row["id"] for row in results(api.get("assets/", token=make_token("viewer")))}
    assert fleet["guess"].pk in viewer


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "naval_vessel"}, {"ship"}),
        ({"asset_type": "il-76"}, {"seen"}),
        ({"operator": "ARMEE"}, {"seen"}),
        ({"seen_from": "2024-12-05"}, {"seen"}),
        ({"seen_to": "2024-12-05"}, {"ship"}),
        ({"seen_from": "2024-11-01", "seen_to": "2024-11-30"}, {"ship"}),
        ({"q": "admiral"}, {"ship"}),
        ({"q": "ra1"}, {"seen"}),
    ],
)
def test_asset_filters(api, fleet, params, expected):
    assert {row["id"] for row in results(api.get("assets/", params=params))} == {fleet[n].pk for n in expected}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"seen_from": "soon"}, "seen_from"),
        ({"seen_to": "2024-13-01"}, "seen_to"),
        ({"category": "castle"}, "category"),
        ({"asset_type": "zeppelin"}, "asset_type"),
        ({"operator": "x" * 201}, "operator"),
    ],
)
def test_a_bad_asset_filter_is_a_400_naming_it(api, fleet, params, field):
    assert_error(api.get("assets/", params=params), 400, field)


def test_assets_as_csv(api, fleet):
    response = api.get("assets/", params={"format": "csv", "category": "transport_aircraft"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="basewatch-assets.csv"'
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert (row["registration"], row["operator"], row["first_seen"], row["last_seen"]) == (
        "RA-1",
        "Armée de l'air",
        "2024-12-01",
        "2024-12-10",
    )


def test_an_asset_is_confirmed_by_a_person_not_by_the_api(api, fleet):
    guess = fleet["guess"]
    body = {"confirmed": True, "notes": "looked", "version": guess.version}
    assert api.patch("assets/RA-9/", json=body, token=make_token("editor")).status_code == 200
    guess.refresh_from_db()
    assert (guess.confirmed, guess.notes) == (False, "looked")


@pytest.mark.parametrize("key", ["¹", "٣", "²³"])
def test_a_key_of_other_digits_names_no_asset(api, travels, key):
    """Unicode digits are not ids: a 404 (and a 400 in a filter), not a server error."""
    assert_error(api.get(f"assets/{key}/"), 404, "detail")
    assert_error(api.get("observations/", params={"asset": key}), 400, "asset")


def test_a_track_answers_options_in_json_whatever_is_accepted(api, travels):
    response = api.request("OPTIONS", "assets/RA-1/track/", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert api.request("OPTIONS", "assets/RA-1/track/", params={"format": "gpx"}).status_code == 200
