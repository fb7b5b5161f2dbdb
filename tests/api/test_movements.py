"""Movements as GeoJSON lines, and their writes."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from basewatch.core.models import Movement
from tests.api.helpers import assert_error, features
from tests.factories import make_asset_type, make_movement, make_site, make_source, make_token

pytestmark = pytest.mark.django_db


def test_demo_movements_are_lines_from_origin_to_destination(api, demo):
    lines = {
        f["properties"]["origin"] + ">" + f["properties"]["destination"]: f
        for f in features(api.get("movements/")).values()
    }
    il76 = lines["al-khadim>bamako-senou"]
    assert il76["geometry"] == {"type": "LineString", "coordinates": [[21.1953, 31.9987], [-7.9499, 12.5335]]}
    assert (il76["properties"]["arrived"], il76["properties"]["count"]) == ("2024-12-17", 1)
    assert "khmeimim>al-khadim" in lines


@pytest.fixture
def moves():
    a = make_site(slug="a", name="Alpha", operator="RU", host_country="SY", kind="air_base")
    b = make_site(slug="b", name="Bravo", operator="RU", host_country="LY", kind="naval_base")
    c = make_site(slug="c", name="Charlie", operator="FR", host_country="ML", kind="air_base")
    jets = make_asset_type(slug="jets", category="fixed_wing_combat")
    return {
        "ab": make_movement(a, b, jets, departed=dt.date(2024, 12, 1), arrived=dt.date(2024, 12, 3)),
        "bc": make_movement(b, c, jets, departed=None, arrived=dt.date(2024, 12, 10)),
        "ca": make_movement(c, a, jets, departed=dt.date(2024, 12, 20), arrived=None, state="draft"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"ab", "bc"}),
        ({"origin": "a"}, {"ab"}),
        ({"destination": "c"}, {"bc"}),
        ({"site": "b"}, {"ab", "bc"}),
        ({"from": "2024-12-02", "to": "2024-12-02"}, {"ab"}),
        ({"from": "2024-12-04"}, {"bc"}),
        ({"to": "2024-12-05"}, {"ab"}),
        ({"category": "helicopter"}, set()),
        ({"asset_type": "jets"}, {"ab", "bc"}),
        ({"operator": "FR"}, {"bc"}),
        ({"operator": "US"}, set()),
        ({"host_country": "SY"}, {"ab"}),
        ({"kind": "naval_base"}, {"ab", "bc"}),
        ({"kind": "air_base", "operator": "RU"}, {"ab"}),
        ({"site_q": "charl"}, {"bc"}),
    ],
)
def test_movement_filters(api, moves, params, expected):
    found = set(features(api.get("movements/", params=params)))
    assert found == {moves[name].pk for name in expected}


def test_bad_movement_filter_is_400(api, moves):
    assert_error(api.get("movements/", params={"site": "zzz"}), 400, "site")
    assert_error(api.get("movements/", params={"from": "soon"}), 400, "from")
    assert_error(api.get("movements/", params={"operator": "XX"}), 400, "operator")
    assert_error(api.get("movements/", params={"kind": "castle"}), 400, "kind")


def test_viewer_sees_draft_movements(api, moves):
    assert moves["ca"].pk in features(api.get("movements/", token=make_token("viewer")))


def new_movement(**fields) -> dict:
    return {
        "origin": "a",
        "destination": "b",
        "asset_type": "jets",
        "arrived": "2024-12-17",
        "count": 1,
        "source_ids": [make_source().pk],
        **fields,
    }


def test_editor_creates_a_movement(api, moves):
    response = api.post("movements/", json=new_movement(), token=make_token("editor"))
    assert response.status_code == 201, response.text
    feature = response.json()
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["state"] == "draft"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"destination": "a"}, "destination"),
        ({"arrived": None}, "departed"),
        ({"departed": "2024-12-18"}, "arrived"),
        ({"count": -3}, "count"),
        ({"source_ids": []}, "source_ids"),
        ({"origin": "nowhere"}, "origin"),
    ],
)
def test_bad_movement_is_rejected(api, moves, fields, field):
    before = Movement.objects.count()
    assert_error(api.post("movements/", json=new_movement(**fields), token=make_token("editor")), 400, field)
    assert Movement.objects.count() == before


def test_movement_update_is_versioned(api, moves):
    token = make_token("editor")
    draft = moves["ca"]
    etag = api.get(f"movements/{draft.pk}/", token=token).headers["ETag"]
    assert api.patch(f"movements/{draft.pk}/", json={"count": 3}, headers={"If-Match": etag}, token=token).ok
    assert_error(
        api.patch(f"movements/{draft.pk}/", json={"count": 4}, headers={"If-Match": etag}, token=token), 412, "version"
    )
    draft.refresh_from_db()
    assert (draft.count, draft.version) == (3, 2)


def test_movements_csv(api, demo):
    rows = list(csv.DictReader(io.StringIO(api.get("movements/", params={"format": "csv"}).text)))
    il76 = next(row for row in rows if row["asset"] == "RA-76845")
    assert (il76["origin"], il76["destination"], il76["arrived"]) == ("al-khadim", "bamako-senou", "2024-12-17")
    # The JSON's "at least 7 flights" and a leg's transfer are in the file too (they were lost).
    json_rows = {feature["id"]: feature["properties"] for feature in api.get("movements/").json()["features"]}
    for row in rows:
        known = json_rows[int(row["id"])]
        assert row["trips"] == ("" if known["trips"] is None else str(known["trips"]))
        assert row["trips_at_least"] == str(known["trips_at_least"])  # True or False, as the other flags
        assert row["transfer"] == ("" if known["transfer"] is None else str(known["transfer"]))
    assert any(row["trips"] == "7" and row["trips_at_least"] == "True" for row in rows)
    assert "@fabsenbln" in il76["sources"]
