"""OGC API - Features: queryables (JSON Schema) and property filters on items, read by core.filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site

pytestmark = pytest.mark.django_db

QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


@pytest.fixture
def rows():
    alpha = make_site(slug="alpha", operator="RU", host_country="SY", kind="air_base", location=Point(10, 20))
    beta = make_site(slug="beta", operator="RU", host_country="LY", kind="naval_base", location=Point(30, 40))
    gamma = make_site(slug="gamma", operator="US", host_country="SY", kind="air_base", location=Point(-170, 0))
    jets = make_asset_type(slug="jets")
    ships = make_asset_type(slug="ships")
    plane = make_asset(registration="RA-76845", icao_hex="152C2D", asset_type=jets)
    return {
        "seen": make_observation(alpha, jets, dt.date(2024, 12, 1), activity="present"),
        "leaving": make_observation(alpha, ships, dt.date(2024, 12, 2), activity="departing"),
        "elsewhere": make_observation(beta, jets, dt.date(2024, 12, 3), activity="present"),
        "flight": make_movement(alpha, beta, jets, asset=plane, arrived=dt.date(2024, 12, 10)),
        "sailing": make_movement(beta, gamma, ships, arrived=dt.date(2024, 12, 11)),
        "back": make_movement(gamma, alpha, jets, arrived=dt.date(2024, 12, 12)),
    }


def ids(client, path: str, **params) -> list:
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return sorted(feature["id"] for feature in response.json()["features"])


@pytest.mark.parametrize(
    ("collection", "types", "geometry"),
    [
        ("sites", {"operator": "string", "host_country": "string", "kind": "string"}, "geometry-point"),
        (
            "observations",
            {
                "site": "string",
                "asset_type": "string",
                "activity": "string",
                "asset": "string",
                "observed": "date",
                "count": "integer",
            },
            "geometry-point",
        ),
        (
            "movements",
            {
                "origin": "string",
                "destination": "string",
                "asset_type": "string",
                "asset": "string",
                "departed": "date",
                "arrived": "date",
                "count": "integer",
                "trips": "integer",
            },
            "geometry-linestring",
        ),
    ],
)
def test_queryables_are_a_json_schema_of_the_property_filters(client, collection, types, geometry):
    response = client.get(f"/ogc/collections/{collection}/queryables")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    document = response.json()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"http://testserver/ogc/collections/{collection}/queryables"
    assert document["type"] == "object"
    assert document["additionalProperties"] is False  # a filter naming anything else is a 400
    properties = document["properties"]
    assert list(properties) == [*types, "geometry"]
    found = {
        name: p.get("format") if p.get("format") == "date" else p["type"]
        for name, p in properties.items()
        if name != "geometry"
    }
    assert found == types
    assert all(p["description"] for p in properties.values())
    assert properties["geometry"]["format"] == geometry
    assert properties["geometry"]["x-ogc-role"] == "primary-geometry"
    assert "type" not in properties["geometry"]
    links = {link["rel"]: link for link in client.get(f"/ogc/collections/{collection}").json()["links"]}
    assert links[QUERYABLES]["href"] == document["$id"]
    assert links[QUERYABLES]["type"] == "application/schema+json"


def test_queryables_list_the_values_of_fixed_choices(client):
    sites = client.get("/ogc/collections/sites/queryables").json()["properties"]
    assert "air_base" in sites["kind"]["enum"]
    assert {"RU", "SY", "US"} <= set(sites["operator"]["enum"])
    observations = client.get("/ogc/collections/observations/queryables").json()["properties"]
    assert observations["activity"]["enum"][:3] == ["present", "arriving", "departing"]
    assert "enum" not in observations["site"]  # slugs: any site's


def test_queryables_of_an_unknown_collection_are_404(client):
    response = client.get("/ogc/collections/bases/queryables")
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"


def test_sites_by_operator_host_country_and_kind(client, rows):
    path = "/ogc/collections/sites/items"
    assert ids(client, path, operator="RU") == ["alpha", "beta"]
    assert ids(client, path, host_country="SY") == ["alpha", "gamma"]
    assert ids(client, path, kind="air_base", operator="US") == ["gamma"]
    assert ids(client, path, kind="air_base", bbox="0,10,20,30") == ["alpha"]


def test_observations_by_site_asset_type_and_activity(client, rows):
    path = "/ogc/collections/observations/items"
    assert ids(client, path, site="alpha") == sorted([rows["seen"].pk, rows["leaving"].pk])
    assert ids(client, path, asset_type="jets") == sorted([rows["seen"].pk, rows["elsewhere"].pk])
    assert ids(client, path, site="alpha", activity="departing") == [rows["leaving"].pk]


def test_movements_by_ends_asset_type_and_asset(client, rows):
    path = "/ogc/collections/movements/items"
    assert ids(client, path, origin="beta") == [rows["sailing"].pk]
    assert ids(client, path, destination="alpha") == [rows["back"].pk]
    assert ids(client, path, asset_type="jets") == sorted([rows["flight"].pk, rows["back"].pk])
    flight = [rows["flight"].pk]
    assert ids(client, path, asset="RA-76845") == ids(client, path, asset="152c2d") == flight
    assert ids(client, path, asset=str(rows["flight"].asset_id)) == flight


def test_a_filtered_page_counts_and_links_within_the_filter(client, rows):
    first = client.get("/ogc/collections/sites/items", {"operator": "RU", "limit": 1}).json()
    assert first["numberMatched"] == 2
    following = {link["rel"]: link["href"] for link in first["links"]}["next"]
    assert "operator=RU" in following
    assert [feature["id"] for feature in client.get(following).json()["features"]] == ["beta"]


@pytest.mark.parametrize(
    ("collection", "params", "parameter"),
    [
        ("sites", {"operator": "XX"}, "operator"),
        ("sites", {"kind": "castle"}, "kind"),
        ("sites", {"site": "alpha"}, "site"),  # not a queryable of sites
        ("observations", {"site": "nowhere"}, "site"),
        ("observations", {"activity": "dancing"}, "activity"),
        ("observations", {"asset_type": ["jets", "ships"]}, "asset_type"),
        ("movements", {"asset": "NO-SUCH"}, "asset"),
        ("movements", {"origin": "nowhere"}, "origin"),
    ],
)
def test_a_bad_property_filter_is_a_400_naming_it(client, rows, collection, params, parameter):
    response = client.get(f"/ogc/collections/{collection}/items", params)
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"
    assert response.json()["parameter"] == parameter


def test_dated_and_counted_queryables_are_property_filters_too(client, rows):
    path = "/ogc/collections/observations/items"
    assert ids(client, path, observed="2024-12-02") == [rows["leaving"].pk]
    assert ids(client, path, count="1", site="alpha") == sorted([rows["seen"].pk, rows["leaving"].pk])
    assert ids(client, "/ogc/collections/movements/items", arrived="2024-12-11") == [rows["sailing"].pk]
    for params, parameter in [({"observed": "soon"}, "observed"), ({"count": "2.5"}, "count")]:
        response = client.get(path, params)
        assert response.status_code == 400
        assert response.json()["parameter"] == parameter


def test_the_api_document_names_each_collections_property_filters(client):
    paths = client.get("/ogc/api").json()["paths"]
    parameters = {p["name"]: p for p in paths["/collections/movements/items"]["get"]["parameters"]}
    assert {"origin", "destination", "asset_type", "asset", "limit", "bbox"} <= set(parameters)
    assert parameters["asset"]["in"] == "query"
    assert "registration" in parameters["asset"]["description"]
    kinds = {p["name"]: p for p in paths["/collections/sites/items"]["get"]["parameters"]}["kind"]
    assert "air_base" in kinds["schema"]["enum"]
    assert "/collections/sites/queryables" in paths
