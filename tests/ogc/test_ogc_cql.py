"""OGC API - Features Part 3: CQL2 `filter` on items, as text and JSON (basewatch/ogc/cql.py).

Every operator against rows chosen so that each one selects a different set; text and
JSON forms select the same rows; a filter only narrows what the caller may read and what
bbox, datetime and the property filters select; every bad filter is a 400 naming its
parameter, whatever it holds (generated filters included).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from basewatch.core.filters import SiteFilter
from basewatch.core.models import Movement, Observation, Site
from basewatch.ogc import cql
from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site, make_token

pytestmark = pytest.mark.django_db

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture
def rows():
    alpha = make_site(slug="alpha", operator="RU", host_country="SY", kind="air_base", location=Point(10, 20))
    beta = make_site(slug="beta", operator="RU", host_country="LY", kind="naval_base", location=Point(30, 40))
    gamma = make_site(slug="gamma", operator="US", host_country="SY", kind="air_base", location=Point(-170, 0))
    jets, ships = make_asset_type(slug="jets"), make_asset_type(slug="ships")
    plane = make_asset(registration="RA-76845", icao_hex="152C2D", asset_type=jets)
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "seen": make_observation(alpha, jets, dt.date(2024, 12, 1), count=3, asset=plane),
        "leaving": make_observation(alpha, ships, dt.date(2024, 12, 2), count=None, activity="departing"),
        "elsewhere": make_observation(beta, jets, dt.date(2024, 12, 3), count=12),
        "far": make_observation(gamma, ships, dt.date(2024, 6, 1), count=1),
        "draft": make_observation(alpha, jets, dt.date(2024, 12, 4), count=7, state="draft"),
        "flight": make_movement(
            alpha, beta, jets, asset=plane, departed=dt.date(2024, 12, 9), arrived=dt.date(2024, 12, 10), count=1
        ),
        "sailing": make_movement(beta, gamma, ships, arrived=dt.date(2024, 12, 11), trips=3),
        "back": make_movement(gamma, alpha, jets, departed=dt.date(2024, 12, 12), arrived=None),
        "hidden": make_movement(alpha, gamma, jets, arrived=dt.date(2024, 12, 13), state="submitted"),
    }


MODELS = {"sites": Site, "observations": Observation, "movements": Movement}


def found(client, collection: str, rows: dict, headers: dict | None = None, **params) -> list[str]:
    """The fixture's names of the features selected, sorted."""
    response = client.get(f"/ogc/collections/{collection}/items", params, headers=headers or {})
    assert response.status_code == 200, response.content
    model = MODELS[collection]
    names = {row.slug if model is Site else row.pk: name for name, row in rows.items() if isinstance(row, model)}
    return sorted(names[feature["id"]] for feature in response.json()["features"])


def refused(client, collection: str, **params) -> dict:
    response = client.get(f"/ogc/collections/{collection}/items", params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


OBSERVATIONS = [
    ("count = 3", ["seen"]),
    ("count <> 3", ["elsewhere", "far"]),  # no count (NULL) is neither equal nor unequal
    ("count < 3", ["far"]),
    ("count <= 3", ["far", "seen"]),
    ("count > 3", ["elsewhere"]),
    ("count >= 3", ["elsewhere", "seen"]),
    ("3 < count", ["elsewhere"]),  # a value on the left
    ("count IS NULL", ["leaving"]),
    ("count IS NOT NULL", ["elsewhere", "far", "seen"]),
    ("observed = DATE('2024-12-02')", ["leaving"]),
    ("observed > DATE('2024-12-01')", ["elsewhere", "leaving"]),
    ("observed <= DATE('2024-06-01')", ["far"]),
    ("site = 'alpha'", ["leaving", "seen"]),
    ("'alpha' = site", ["leaving", "seen"]),
    ("site <> 'alpha'", ["elsewhere", "far"]),
    ("site > 'alpha'", ["elsewhere", "far"]),
    ("activity = 'departing'", ["leaving"]),
    ("asset_type = 'ships'", ["far", "leaving"]),
    ("asset = 'RA-76845'", ["seen"]),
    ("asset = '152c2d'", ["seen"]),  # any key the asset filter takes: its ICAO hex, in any case
    ("asset = 'NO-SUCH'", []),
    ("asset IS NULL", ["elsewhere", "far", "leaving"]),
    ("asset <> 'RA-76845'", []),  # the others have no asset: neither equal nor unequal
    ("site = 'alpha' AND activity = 'departing'", ["leaving"]),
    ("site = 'gamma' OR asset_type = 'jets'", ["elsewhere", "far", "seen"]),
    # AND binds tighter than OR (pygeofilter's own grammar would read (gamma OR alpha) AND departing).
    ("site = 'gamma' OR site = 'alpha' AND activity = 'departing'", ["far", "leaving"]),
    ("(site = 'gamma' OR site = 'alpha') AND activity = 'departing'", ["leaving"]),
    ("NOT site = 'alpha'", ["elsewhere", "far"]),
    ("NOT (site = 'alpha' OR count > 10)", ["far"]),
    ("NOT count = 3", ["elsewhere", "far"]),  # NULL stays out, negated or not
    ("NOT (count > 2 AND count < 4)", ["elsewhere", "far"]),
    ("NOT (NOT count = 3)", ["seen"]),
    ("not count is null and site = 'alpha'", ["seen"]),  # keywords in any case
    ("site LIKE 'al%'", ["leaving", "seen"]),
    ("site LIKE '_eta'", ["elsewhere"]),
    ("site NOT LIKE 'al%'", ["elsewhere", "far"]),
    ("NOT site LIKE 'al%'", ["elsewhere", "far"]),
    ("count BETWEEN 2 AND 12", ["elsewhere", "seen"]),
    ("count NOT BETWEEN 2 AND 12", ["far"]),
    ("observed BETWEEN DATE('2024-12-01') AND DATE('2024-12-02')", ["leaving", "seen"]),
    ("site IN ('beta', 'gamma')", ["elsewhere", "far"]),
    ("site IN ('it''s', 'beta', 'o\\'k')", ["elsewhere"]),  # a quote inside a string: doubled or escaped
    ("site NOT IN ('beta', 'gamma')", ["leaving", "seen"]),
    ("activity IN ('departing')", ["leaving"]),
    ("asset IN ('152C2D', 'NO-SUCH')", ["seen"]),
    ("count IN (1, 12)", ["elsewhere", "far"]),
    ("count = 3.0", ["seen"]),  # a whole number written as a decimal
    ("S_INTERSECTS(geometry, POINT(10 20))", ["leaving", "seen"]),
    ("S_INTERSECTS(geometry, POINT(10 20 100))", ["leaving", "seen"]),  # a height is left out
    ("S_INTERSECTS(geometry, BBOX(0, 10, 35, 45))", ["elsewhere", "leaving", "seen"]),
    ("S_INTERSECTS(geometry, BBOX(0, 10, -5, 35, 45, 5))", ["elsewhere", "leaving", "seen"]),
    ("S_INTERSECTS(geometry, BBOX(170, -10, -160, 10))", ["far"]),  # across the antimeridian
    ("S_INTERSECTS(geometry, POLYGON((0 10, 20 10, 20 30, 0 30, 0 10)))", ["leaving", "seen"]),
    ("s_intersects(POINT(30 40), geometry)", ["elsewhere"]),
    ("NOT S_INTERSECTS(geometry, POINT(10 20))", ["elsewhere", "far"]),
    ("S_INTERSECTS(geometry, BBOX(0, 10, 35, 45)) AND count > 5", ["elsewhere"]),
    ("((((site = 'beta'))))", ["elsewhere"]),
]


@pytest.mark.parametrize(("text", "expected"), OBSERVATIONS)
def test_each_operator_on_observations(client, rows, text, expected):
    assert found(client, "observations", rows, filter=text) == expected


@pytest.mark.parametrize(
    ("collection", "text", "expected"),
    [
        ("sites", "operator = 'RU' AND kind <> 'air_base'", ["beta"]),
        ("sites", "host_country IN ('SY') AND operator LIKE 'U%'", ["gamma"]),
        ("sites", "S_INTERSECTS(geometry, BBOX(0, 10, 20, 30))", ["alpha"]),
        ("movements", "departed IS NULL", ["sailing"]),
        ("movements", "arrived IS NULL", ["back"]),
        ("movements", "trips > 1", ["sailing"]),
        ("movements", "count = 1 OR trips = 3", ["flight", "sailing"]),
        ("movements", "origin = 'alpha' OR destination = 'alpha'", ["back", "flight"]),
        ("movements", "asset = 'RA-76845'", ["flight"]),
        ("movements", "arrived >= DATE('2024-12-11')", ["sailing"]),
        ("movements", "S_INTERSECTS(geometry, POINT(20 30))", ["flight"]),  # on the line alpha → beta
    ],
)
def test_operators_on_sites_and_movements(client, rows, collection, text, expected):
    assert found(client, collection, rows, filter=text) == expected


def prop(name: str) -> dict:
    return {"property": name}


@pytest.mark.parametrize(
    ("text", "cql2_json"),
    [
        ("count = 3", {"op": "=", "args": [prop("count"), 3]}),
        ("count <> 3", {"op": "<>", "args": [prop("count"), 3]}),
        ("count < 3", {"op": "<", "args": [prop("count"), 3]}),
        ("count >= 3", {"op": ">=", "args": [prop("count"), 3]}),
        ("count IS NULL", {"op": "isNull", "args": [prop("count")]}),
        ("observed > DATE('2024-12-01')", {"op": ">", "args": [prop("observed"), {"date": "2024-12-01"}]}),
        (
            "site = 'alpha' AND NOT activity = 'departing'",
            {
                "op": "and",
                "args": [
                    {"op": "=", "args": [prop("site"), "alpha"]},
                    {"op": "not", "args": [{"op": "=", "args": [prop("activity"), "departing"]}]},
                ],
            },
        ),
        (
            "site = 'gamma' OR count > 10",
            {
                "op": "or",
                "args": [{"op": "=", "args": [prop("site"), "gamma"]}, {"op": ">", "args": [prop("count"), 10]}],
            },
        ),
        ("site LIKE 'al%'", {"op": "like", "args": [prop("site"), "al%"]}),
        ("count BETWEEN 2 AND 12", {"op": "between", "args": [prop("count"), 2, 12]}),  # CQL2-JSON 1.0's form
        ("site IN ('beta', 'gamma')", {"op": "in", "args": [prop("site"), ["beta", "gamma"]]}),
        (
            "S_INTERSECTS(geometry, POINT(10 20))",
            {"op": "s_intersects", "args": [prop("geometry"), {"type": "Point", "coordinates": [10, 20]}]},
        ),
        (
            "S_INTERSECTS(geometry, BBOX(0, 10, 35, 45))",
            {"op": "s_intersects", "args": [prop("geometry"), {"bbox": [0, 10, 35, 45]}]},
        ),
        (
            "S_INTERSECTS(geometry, BBOX(0, 10, -5, 35, 45, 5))",
            {"op": "s_intersects", "args": [prop("geometry"), {"bbox": [0, 10, -5, 35, 45, 5]}]},
        ),
        (
            "S_INTERSECTS(geometry, POLYGON((0 10, 20 10, 20 30, 0 30, 0 10)))",
            {
                "op": "s_intersects",
                "args": [
                    prop("geometry"),
                    {"type": "Polygon", "coordinates": [[[0, 10], [20, 10], [20, 30], [0, 30], [0, 10]]]},
                ],
            },
        ),
    ],
)
def test_text_and_json_select_the_same_rows(client, rows, text, cql2_json):
    as_text = found(client, "observations", rows, filter=text)
    as_json = found(client, "observations", rows, **{"filter": json.dumps(cql2_json), "filter-lang": "cql2-json"})
    named = found(client, "observations", rows, **{"filter": text, "filter-lang": "cql2-text", "filter-crs": CRS84})
    assert as_text == as_json == named == dict(OBSERVATIONS).get(text, as_text)


def test_a_filter_that_is_just_true_or_false_in_json(client, rows):
    everything = found(client, "observations", rows, **{"filter": "true", "filter-lang": "cql2-json"})
    assert everything == ["elsewhere", "far", "leaving", "seen"]
    assert found(client, "observations", rows, **{"filter": "false", "filter-lang": "cql2-json"}) == []
    negated = json.dumps({"op": "not", "args": [True]})
    assert found(client, "observations", rows, **{"filter": negated, "filter-lang": "cql2-json"}) == []


def test_a_filter_narrows_bbox_datetime_and_property_filters(client, rows):
    observations = "observations"
    assert found(client, observations, rows, filter="count >= 3", bbox="0,10,35,45") == ["elsewhere", "seen"]
    assert found(client, observations, rows, filter="count >= 3", bbox="0,10,20,30") == ["seen"]
    assert found(client, observations, rows, filter="count IS NOT NULL", datetime="2024-11-01/..") == [
        "elsewhere",
        "seen",
    ]
    assert found(client, observations, rows, filter="count IS NOT NULL", site="alpha") == ["seen"]
    assert found(client, observations, rows, filter="site = 'beta'", site="alpha") == []
    assert found(client, "movements", rows, filter="trips IS NULL", datetime="2024-12-10") == ["flight"]


def test_anonymous_clients_filter_published_claims_only(client, rows):
    # The draft (count 7) and the submitted movement (to gamma, 13 December) match these filters.
    assert found(client, "observations", rows, filter="count = 7") == []
    assert found(client, "observations", rows, filter="count = 7 OR count IS NULL") == ["leaving"]
    assert found(client, "movements", rows, filter="arrived = DATE('2024-12-13')") == []
    viewer = {"Authorization": f"Token {make_token('viewer')}"}
    assert found(client, "observations", rows, viewer, filter="count = 7") == ["draft"]
    assert found(client, "movements", rows, viewer, filter="arrived = DATE('2024-12-13')") == ["hidden"]


def test_every_queryable_is_accepted_by_a_filter_and_nothing_else(client, rows):
    for collection in ("sites", "observations", "movements"):
        queryables = client.get(f"/ogc/collections/{collection}/queryables").json()["properties"]
        for name, schema in queryables.items():
            spatial = schema.get("format", "").startswith("geometry-")
            text = f"S_INTERSECTS({name}, BBOX(-180, -90, 180, 90))" if spatial else f"{name} IS NULL"
            response = client.get(f"/ogc/collections/{collection}/items", {"filter": text})
            assert response.status_code == 200, (collection, name, response.content)
        body = refused(client, collection, filter="state = 'draft'")  # a column, not a queryable
        assert body["parameter"] == "filter"
        assert "not a queryable" in body["description"]


def test_the_numbers_of_matched_and_returned_features_follow_the_filter(client, rows):
    page = client.get("/ogc/collections/observations/items", {"filter": "site = 'alpha'", "limit": 1}).json()
    assert (page["numberMatched"], page["numberReturned"]) == (2, 1)
    following = {link["rel"]: link["href"] for link in page["links"]}["next"]
    assert "filter=site" in following


def test_a_filtered_page_takes_a_fixed_number_of_queries(client, rows, django_assert_max_num_queries):
    text = "asset = 'RA-76845' OR site IN ('alpha', 'beta') AND count > 1 OR S_INTERSECTS(geometry, BBOX(0,0,50,50))"
    # the data version (ETag), count, page, sources (prefetched), and a savepoint from the test client.
    with django_assert_max_num_queries(5):
        response = client.get("/ogc/collections/observations/items", {"filter": text})
    assert response.json()["numberReturned"] == 3


def test_filters_get_their_own_etag(client, rows):
    one = client.get("/ogc/collections/observations/items", {"filter": "count = 3"})
    other = client.get("/ogc/collections/observations/items", {"filter": "count = 12"})
    assert one["ETag"] != other["ETag"]
    again = client.get(
        "/ogc/collections/observations/items", {"filter": "count = 3"}, headers={"If-None-Match": one["ETag"]}
    )
    assert again.status_code == 304


def cql2_json(document) -> dict:
    return {"filter": json.dumps(document), "filter-lang": "cql2-json"}


BAD_FILTERS = [
    ({"filter": "site = "}, "filter", "Not CQL2 text"),
    ({"filter": "site = 'alpha' AND"}, "filter", "Not CQL2 text"),
    ({"filter": ""}, "filter", "Give a filter"),
    ({"filter": "nowhere = 'x'"}, "filter", "not a queryable"),
    ({"filter": "state = 'published'"}, "filter", "not a queryable"),
    ({"filter": "count = 'three'"}, "filter", "whole number"),
    ({"filter": "count = 2.5"}, "filter", "whole number"),
    ({"filter": "count = TRUE"}, "filter", "whole number"),
    ({"filter": "count > 1e400"}, "filter", "whole number"),
    ({"filter": "count > 99999999999999999999"}, "filter", "out of range"),
    ({"filter": "site = 3"}, "filter", "text"),
    ({"filter": "observed = '2024-12-01'"}, "filter", "DATE('YYYY-MM-DD')"),
    ({"filter": "observed = TIMESTAMP('2024-12-01T00:00:00Z')"}, "filter", "not a timestamp"),
    ({"filter": "observed = DATE('2024-02-30')"}, "filter", "Not cql2-text"),
    ({"filter": "activity = 'dancing'"}, "filter", "one of"),
    ({"filter": "activity IN ('present', 'dancing')"}, "filter", "one of"),
    ({"filter": "site = asset_type"}, "filter", "the property `asset_type`"),
    ({"filter": "'alpha' = 'alpha'"}, "filter", "Expected a property"),
    ({"filter": "CASEI(site) = 'alpha'"}, "filter", "Expected a property"),
    ({"filter": "count + 1 > 3"}, "filter", "Expected a property"),
    ({"filter": "site LIKE 3"}, "filter", "text"),
    ({"filter": "count LIKE '1%'"}, "filter", "LIKE compares text"),
    ({"filter": "asset LIKE 'RA%'"}, "filter", "several ways"),
    ({"filter": "asset > 'RA'"}, "filter", "several ways"),
    ({"filter": "geometry = 'x'"}, "filter", "S_INTERSECTS only"),
    ({"filter": "S_WITHIN(geometry, POINT(1 2))"}, "filter", "S_INTERSECTS alone"),
    ({"filter": "T_BEFORE(observed, DATE('2024-01-01'))"}, "filter", "Not CQL2 text"),
    ({"filter": "S_INTERSECTS(site, POINT(1 2))"}, "filter", "compares `geometry`"),
    ({"filter": "S_INTERSECTS(geometry, 'here')"}, "filter", "not text"),
    ({"filter": "S_INTERSECTS(geometry, SRID=3857;POINT(1 2))"}, "filter", "without an SRID"),
    ({"filter": "S_INTERSECTS(geometry, ENVELOPE(1 2 3 4))"}, "filter", "ENVELOPE is not CQL2"),
    ({"filter": "S_INTERSECTS(geometry, POINT(200 20))"}, "filter", "CRS84"),
    ({"filter": "S_INTERSECTS(geometry, BBOX(0, 50, 10, 40))"}, "filter", "Latitudes"),
    ({"filter": "S_INTERSECTS(geometry, BBOX(0, 10, 5, 20, 30, 1))"}, "filter", "lower height"),
    ({"filter": "S_INTERSECTS(geometry, BBOX(0, 10, 20))"}, "filter", "BBOX"),
    ({"filter": "S_INTERSECTS(geometry, LINESTRING(0 0, 1 1))"}, "filter", "not a LineString"),
    ({"filter": "S_INTERSECTS(geometry, POLYGON((0 0, 2 2, 2 0, 0 2, 0 0)))"}, "filter", "Not a valid polygon"),
    ({"filter": "S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))"}, "filter", "Not a valid polygon"),
    ({"filter": "BBOX(geometry, 0, 0, 1, 1)"}, "filter", "Expected a condition"),
    ({"filter": "site = 'alpha\x00'"}, "filter", "NUL"),
    ({"filter": "site = 'a' OR " * 300 + "site = 'b'"}, "filter", "At most 1000 characters"),
    ({"filter": "NOT (" * 30 + "site = 'a'" + ")" * 30}, "filter", "Nested too deeply"),
    ({"filter": "NOT NOT site = 'a'"}, "filter", "Not CQL2 text"),  # CQL2: NOT before a predicate or parentheses
    ({"filter": "site = 'a'", "filter-lang": "cql-text"}, "filter-lang", "cql2-text, cql2-json"),
    ({"filter": "site = 'a'", "filter-lang": ""}, "filter-lang", "cql2-text"),
    ({"filter": "site = 'a'", "filter-crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "filter-crs", "CRS84"),
    ({"filter-crs": "EPSG:4326"}, "filter-crs", "CRS84"),
    ({"filter": "{", "filter-lang": "cql2-json"}, "filter", "Not JSON"),
    (cql2_json([]), "filter", "Expected a condition"),
    (cql2_json("site = 'a'"), "filter", "Expected a condition"),
    (cql2_json({"op": "=", "args": [prop("count")]}), "filter", "Not cql2-json"),
    (cql2_json({"op": "nope", "args": [prop("count"), 1]}), "filter", "Not cql2-json"),
    (cql2_json({"op": "=", "args": [{"property": ["site"]}, "alpha"]}), "filter", "Expected a property"),
    (cql2_json({"op": "in", "args": [prop("site"), "alpha"]}), "filter", "IN takes a list"),
    (cql2_json({"op": "=", "args": [prop("site"), "a\x00"]}), "filter", "NUL"),
    (cql2_json({"op": "like", "args": [prop("site"), "al\\"]}), "filter", "escaping backslash"),
    (cql2_json({"op": "=", "args": [prop("observed"), {"date": "yesterday"}]}), "filter", "Not a date"),
    (cql2_json({"op": "t_before", "args": [prop("observed"), {"date": "2024-01-01"}]}), "filter", "Temporal"),
    (cql2_json({"op": "casei", "args": [prop("site")]}), "filter", "function CASEI"),
    (cql2_json({"op": "=", "args": [prop("observed"), {"timestamp": "yesterday"}]}), "filter", "Not a timestamp"),
    (
        cql2_json(
            {
                "op": "s_intersects",
                "args": [
                    prop("geometry"),
                    {"type": "Point", "coordinates": [1, 2], "crs": {"type": "name", "properties": {"name": "x"}}},
                ],
            }
        ),
        "filter",
        "no CRS",
    ),
    (cql2_json({"op": "s_intersects", "args": [prop("geometry"), {"bbox": [0, 0, "1", 1]}]}), "filter", "BBOX"),
    (cql2_json(json.loads('{"op": "not", "args": [' * 25 + "true" + "]}" * 25)), "filter", "Nested too deeply"),
    ({"filter": "[" * 3000 + "]" * 3000, "filter-lang": "cql2-json"}, "filter", "At most 1000"),
    ({"filter": "[" * 400 + "]" * 400, "filter-lang": "cql2-json"}, "filter", "Nested too deeply"),
]


@pytest.mark.parametrize(("params", "parameter", "message"), BAD_FILTERS)
def test_a_bad_filter_is_a_400_naming_its_parameter(client, rows, params, parameter, message):
    body = refused(client, "observations", **params)
    assert body["code"] == "InvalidParameterValue"
    assert body["parameter"] == parameter
    assert body["description"].startswith(f"{parameter}: ")
    assert message in body["description"], body["description"]


def test_a_filter_given_twice_is_refused(client, rows):
    response = client.get("/ogc/collections/observations/items?filter=count%3D1&filter=count%3D3")
    assert response.status_code == 400
    assert response.json()["parameter"] == "filter"


def test_deep_parentheses_are_read_without_recursion(client, rows):
    assert found(client, "observations", rows, filter="(" * 490 + "site = 'beta'" + ")" * 490) == ["elsewhere"]


# --- generated filters: a 200 or a 400 naming the filter, never a 5xx --------------------

RUNS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure can be replayed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WORDS = [
    "site", "count", "observed", "asset", "activity", "geometry", "nowhere", "AND", "OR", "NOT", "IS", "NULL",
    "LIKE", "BETWEEN", "IN", "=", "<>", "<", ">=", "(", ")", ",", "'alpha'", "'al%'", "'\\'", "''", "3", "-1",
    "2.5", "1e999", "TRUE", "DATE('2024-12-01')", "TIMESTAMP('2024-12-01T00:00:00Z')", "S_INTERSECTS",
    "POINT(10 20)", "BBOX(0,0,1,1)", "POLYGON((0 0,1 0,1 1,0 0))", "CASEI", "T_AFTER", "+", "--", '"site"',
]  # fmt: skip
text_filters = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join),
)
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10),
        st.sampled_from(["site", "count", "geometry", "=", "and", "not", "like", "between", "in", "isNull"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["op", "args", "property", "bbox", "date", "timestamp", "type", "coordinates", "x"]),
            inner,
            max_size=3,
        ),
    ),
    max_leaves=20,
)  # fmt: skip
json_filters = st.one_of(
    json_values.map(lambda value: json.dumps(value)),
    st.builds(
        lambda op, name, value: json.dumps({"op": op, "args": [{"property": name}, value]}),
        st.sampled_from(["=", "<", "like", "in", "between", "s_intersects", "isNull", "not", "and"]),
        st.sampled_from(["site", "count", "observed", "asset", "geometry", "x"]),
        json_values,
    ),
)


def assert_read_or_refused(response) -> None:
    assert response.status_code in (200, 400), response.content[:500]
    if response.status_code == 400:
        assert response.json()["parameter"] == "filter", response.json()


def test_generated_text_filters_are_read_or_refused(client, rows):
    @RUNS
    @given(text=text_filters)
    def check(text):
        assert_read_or_refused(client.get("/ogc/collections/observations/items", {"filter": text}))

    check()


def test_generated_json_filters_are_read_or_refused(client, rows):
    @RUNS
    @given(document=json_filters)
    def check(document):
        params = {"filter": document, "filter-lang": "cql2-json"}
        assert_read_or_refused(client.get("/ogc/collections/movements/items", params))

    check()


@pytest.mark.parametrize("name", ["q", "bbox", "as_of", "category"])
def test_a_filter_that_is_not_a_plain_equality_cannot_become_a_queryable(name):
    # Search, boxes, posture options and filters by method have no one column a filter could compare.
    with pytest.raises(ImproperlyConfigured):
        cql.Queryable.of(SiteFilter.base_filters[name])
