"""OGC API - Features over HTTP, in-process: every endpoint, what each user may read, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from drf_spectacular.validation import validate_schema

from tests.factories import make_asset_type, make_movement, make_observation, make_site, make_token

pytestmark = pytest.mark.django_db

GEOJSON = "application/geo+json"


@pytest.fixture
def rows():
    alpha = make_site(slug="alpha", name="Alpha", location=Point(10, 20, srid=4326))
    beta = make_site(slug="beta", name="Beta", location=Point(30, 40, srid=4326))
    gamma = make_site(slug="gamma", name="Gamma", location=Point(-170, 0, srid=4326))
    jets = make_asset_type(slug="jets", name="Jets")
    return {
        "alpha": alpha,
        "beta": beta,
        "gamma": gamma,
        "published": make_observation(alpha, jets, dt.date(2024, 12, 1), count=3),
        "draft": make_observation(alpha, jets, dt.date(2024, 12, 5), count=7, state="draft"),
        "old": make_observation(beta, jets, dt.date(2024, 6, 1), count=2),
        "movement": make_movement(alpha, beta, jets, departed=dt.date(2024, 12, 10), arrived=dt.date(2024, 12, 12)),
        "hidden_movement": make_movement(beta, gamma, jets, arrived=dt.date(2024, 12, 20), state="submitted"),
    }


def get(client, path: str, token: str | None = None, **params):
    headers = {"Authorization": f"Token {token}"} if token else {}
    return client.get(path, params, headers=headers)


def ids(response) -> list:
    return [feature["id"] for feature in response.json()["features"]]


def test_landing_page_links_what_clients_look_for(client):
    response = get(client, "/ogc/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    links = {link["rel"]: link for link in response.json()["links"]}
    assert links["self"]["href"] == "http://testserver/ogc/"
    assert links["service-desc"] == {
        "href": "http://testserver/ogc/api",
        "rel": "service-desc",
        "type": "application/vnd.oai.openapi+json;version=3.0",
        "title": "The API definition (OpenAPI 3.0)",
    }
    assert links["conformance"]["href"] == "http://testserver/ogc/conformance"
    assert links["data"]["href"] == "http://testserver/ogc/collections"


def test_conformance_lists_core_geojson_html_oas30_queryables_and_filtering(client):
    response = get(client, "/ogc/conformance")
    assert response.status_code == 200
    assert sorted(response.json()["conformsTo"]) == [
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    ]


def test_api_document_is_openapi_30_advertising_the_limit_maximum(client):
    response = get(client, "/ogc/api")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json;version=3.0"
    document = response.json()
    assert document["openapi"].startswith("3.0.")
    assert document["servers"] == [{"url": "http://testserver/ogc"}]
    for name in ("sites", "observations", "movements"):
        parameters = {p["name"]: p for p in document["paths"][f"/collections/{name}/items"]["get"]["parameters"]}
        assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
        assert {"bbox", "datetime", "cursor", "filter", "filter-lang", "filter-crs"} <= set(parameters)
        assert "offset" not in parameters
        assert parameters["filter-lang"]["schema"]["enum"] == ["cql2-text", "cql2-json"]
        # /req/core/fc-bbox-definition: the standard's fragment, four or six numbers.
        assert parameters["bbox"]["schema"] == {
            "type": "array",
            "minItems": 4,
            "maxItems": 6,
            "items": {"type": "number"},
        }
        assert (parameters["bbox"]["style"], parameters["bbox"]["explode"]) == ("form", False)
        assert f"/collections/{name}/items/{{featureId}}" in document["paths"]


def test_the_api_document_validates_as_openapi_30(client):
    # drf-spectacular's validator: the OpenAPI 3.0 JSON schema it checks /api/v1/schema/ with.
    validate_schema(get(client, "/ogc/api").json())


def test_collections_declare_geometry_type_and_extent(client, rows):
    response = get(client, "/ogc/collections")
    assert response.status_code == 200
    found = {c["id"]: c for c in response.json()["collections"]}
    assert list(found) == ["sites", "observations", "movements"]
    assert {name: c["geometryType"] for name, c in found.items()} == {
        "sites": "Point",
        "observations": "Point",
        "movements": "LineString",
    }
    assert all(c["itemType"] == "feature" for c in found.values())
    assert found["sites"]["extent"]["spatial"]["bbox"] == [[-170, 0, 30, 40]]
    # The draft at alpha (2024-12-05) is not the public's: the extent ends at the last published one.
    assert found["observations"]["extent"]["spatial"]["bbox"] == [[10, 20, 30, 40]]
    assert found["observations"]["extent"]["temporal"]["interval"] == [["2024-06-01T00:00:00Z", "2024-12-01T00:00:00Z"]]
    assert found["movements"]["extent"]["temporal"]["interval"] == [["2024-12-10T00:00:00Z", "2024-12-12T00:00:00Z"]]
    # /req/core/fc-md-items-links: an items link in each encoding offered.
    items = {link["type"]: link["href"] for link in found["movements"]["links"] if link["rel"] == "items"}
    assert items == {
        GEOJSON: "http://testserver/ogc/collections/movements/items",
        "text/html": "http://testserver/ogc/collections/movements/items?f=html",
    }


def test_an_empty_collection_still_declares_its_geometry_and_an_extent(client):
    response = get(client, "/ogc/collections/movements")
    assert response.status_code == 200
    assert response.json()["geometryType"] == "LineString"
    assert response.json()["extent"]["spatial"]["bbox"] == [[-180, -90, 180, 90]]
    items = get(client, "/ogc/collections/movements/items")
    assert items.json()["features"] == [] and items.json()["numberMatched"] == 0


def test_site_items_carry_posture_as_of_the_datetime_day(client, rows):
    before = get(client, "/ogc/collections/sites/items", datetime="2024-11-30")
    after = get(client, "/ogc/collections/sites/items", datetime="2024-12-02")
    assert before["Content-Type"] == GEOJSON
    alpha_before, alpha_after = before.json()["features"][0], after.json()["features"][0]
    assert alpha_before["id"] == "alpha" and alpha_before["properties"]["posture_label"] == "?"
    assert alpha_after["properties"]["posture_total"] == 3
    assert alpha_after["properties"]["as_of"] == "2024-12-02"
    assert alpha_after["properties"]["posture"].startswith("Jets: 3, last seen 2024-12-01")
    assert alpha_after["geometry"] == {"type": "Point", "coordinates": [10.0, 20.0]}
    # An instant is read in UTC: 23:30 at UTC-2 is already 1 December.
    late = get(client, "/ogc/collections/sites/items", datetime="2024-11-30T23:30:00-02:00")
    assert late.json()["features"][0]["properties"]["posture_total"] == 3


def test_site_posture_by_token_counts_no_draft(client, rows):
    # Posture is read from published observations for everyone (core.posture): a reviewer's token
    # does not turn alpha's draft of 7 into its posture.
    response = get(client, "/ogc/collections/sites/items/alpha", make_token("reviewer"), datetime="2024-12-06")
    assert response.status_code == 200
    assert response.json()["properties"]["posture_total"] == 3


def test_sites_take_an_instant_not_an_interval(client, rows):
    response = get(client, "/ogc/collections/sites/items", datetime="2024-12-01/2024-12-31")
    assert response.status_code == 400
    assert response.json()["parameter"] == "datetime"


def test_paging_follows_next_and_prev_links_through_every_feature(client, rows):
    first = get(client, "/ogc/collections/sites/items", limit="2")
    page = first.json()
    assert (page["numberMatched"], page["numberReturned"]) == (3, 2)
    assert page["timeStamp"].endswith("Z")
    links = {link["rel"]: link["href"] for link in page["links"]}
    assert "prev" not in links
    second = client.get(links["next"])
    assert ids(first) + ids(second) == ["alpha", "beta", "gamma"]
    links = {link["rel"]: link["href"] for link in second.json()["links"]}
    assert "next" not in links
    assert ids(client.get(links["prev"])) == ["alpha", "beta"]


def test_bbox_selects_features_inside_and_across_the_antimeridian(client, rows):
    assert ids(get(client, "/ogc/collections/sites/items", bbox="0,10,20,30")) == ["alpha"]
    assert ids(get(client, "/ogc/collections/sites/items", bbox="170,-10,-160,10")) == ["gamma"]
    # A 3D box (the standard's six numbers) selects by its horizontal corners: every feature is 2D.
    assert ids(get(client, "/ogc/collections/sites/items", bbox="0,10,-100,20,30,9000")) == ["alpha"]
    assert ids(get(client, "/ogc/collections/observations/items", bbox="25,35,35,45")) == [rows["old"].pk]
    crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    assert ids(get(client, "/ogc/collections/movements/items", bbox="15,25,25,35", **{"bbox-crs": crs84})) == [
        rows["movement"].pk
    ]


def test_observations_anonymous_see_published_and_a_token_sees_drafts(client, rows):
    public = get(client, "/ogc/collections/observations/items")
    assert ids(public) == [rows["published"].pk, rows["old"].pk]
    feature = public.json()["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [10.0, 20.0]}
    assert feature["properties"]["site"] == "alpha"
    assert feature["properties"]["asset_type"] == "jets"
    assert feature["properties"]["count"] == 3
    assert feature["properties"]["activity"] == "present"
    assert feature["properties"]["source_count"] == 1
    source = rows["published"].sources.get()
    assert source.title in feature["properties"]["sources"]
    viewer = get(client, "/ogc/collections/observations/items", make_token("viewer"))
    assert ids(viewer) == [rows["draft"].pk, rows["published"].pk, rows["old"].pk]
    hidden = f"/ogc/collections/observations/items/{rows['draft'].pk}"
    assert get(client, hidden).status_code == 404
    assert get(client, hidden, make_token("viewer")).status_code == 200


def test_a_bad_token_is_refused_not_read_as_anonymous(client, rows):
    response = get(client, "/ogc/collections/observations/items", "not-a-token")
    assert response.status_code == 401
    assert response.json()["code"] == "NotAuthenticated"


@pytest.mark.parametrize(
    ("datetime", "expected"),
    [
        ("2024-11-01/2024-12-31", ["published"]),
        ("../2024-07-01", ["old"]),
        ("2024-06-01/..", ["published", "old"]),
        ("/2024-06-01", ["old"]),
        ("2024-12-01T12:00:00Z", ["published"]),
        ("2024-11-01T/..", ["published"]),  # GDAL's form of `observed >= '2024-11-01'`
    ],
)
def test_observations_by_datetime(client, rows, datetime, expected):
    found = get(client, "/ogc/collections/observations/items", datetime=datetime)
    assert ids(found) == [rows[name].pk for name in expected]


@pytest.mark.parametrize(
    ("datetime", "found"),
    [("2024-12-11", True), ("2024-12-13", False), ("2024-12-12/..", True), ("../2024-12-09", False)],
)
def test_movements_by_the_journey_overlapping_datetime(client, rows, datetime, found):
    response = get(client, "/ogc/collections/movements/items", datetime=datetime)
    assert ids(response) == ([rows["movement"].pk] if found else [])


def test_movement_is_a_line_from_origin_to_destination(client, rows):
    response = get(client, f"/ogc/collections/movements/items/{rows['movement'].pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == GEOJSON
    document = response.json()
    assert document["geometry"] == {"type": "LineString", "coordinates": [[10.0, 20.0], [30.0, 40.0]]}
    assert document["properties"]["origin"] == "alpha" and document["properties"]["destination"] == "beta"
    assert document["properties"]["departed"] == "2024-12-10"
    assert {link["rel"] for link in document["links"]} == {"self", "alternate", "collection"}
    assert get(client, f"/ogc/collections/movements/items/{rows['hidden_movement'].pk}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/ogc/collections/bases",
        "/ogc/collections/bases/items",
        "/ogc/collections/sites/items/nowhere",
        "/ogc/collections/observations/items/abc",
        "/ogc/collections/observations/items/99999999999999999999999",
        "/ogc/collections/movements/items/0",
    ],
)
def test_unknown_collections_and_features_are_404_json(client, rows, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "NotFound"


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        ("/ogc/", {"limit": "10"}, "limit"),
        ("/ogc/collections", {"bbox": "0,0,1,1"}, "bbox"),
        ("/ogc/collections/sites/items", {"page_size": "10"}, "page_size"),
        ("/ogc/collections/sites/items", {"limit": "0"}, "limit"),
        ("/ogc/collections/sites/items", {"limit": "1001"}, "limit"),
        ("/ogc/collections/sites/items", {"limit": "ten"}, "limit"),
        ("/ogc/collections/sites/items", {"offset": "2"}, "offset"),  # paged by cursor
        ("/ogc/collections/sites/items", {"cursor": "not-a-cursor"}, "cursor"),
        ("/ogc/collections/sites/items", {"bbox": "0,0,1"}, "bbox"),
        ("/ogc/collections/sites/items", {"bbox": "0,0,1,nan"}, "bbox"),
        ("/ogc/collections/sites/items", {"bbox": "0,50,1,40"}, "bbox"),
        ("/ogc/collections/sites/items", {"bbox": "0,0,100,1,1,x"}, "bbox"),
        ("/ogc/collections/sites/items", {"bbox": "0,0,100,1,1,50"}, "bbox"),
        ("/ogc/collections/sites/items", {"bbox": "0,0,0,0,1,1,1"}, "bbox"),
        ("/ogc/collections/sites/items", {"bbox": ""}, "bbox"),
        ("/ogc/collections/sites/items", {"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857"}, "bbox-crs"),
        ("/ogc/collections/sites/items", {"datetime": "yesterday"}, "datetime"),
        ("/ogc/collections/observations/items", {"datetime": "2024-12-01T10:00:00"}, "datetime"),
        ("/ogc/collections/observations/items", {"datetime": "2024-12-31/2024-12-01"}, "datetime"),
        ("/ogc/collections/observations/items", {"datetime": "../.."}, "datetime"),
        ("/ogc/collections/observations/items", {"datetime": "2024-01-01/2024-02-01/2024-03-01"}, "datetime"),
        ("/ogc/collections/observations/items", {"datetime": ".."}, "datetime"),
        # Days past the calendar's ends once read in UTC: an OverflowError, a 500, before.
        ("/ogc/collections/observations/items", {"datetime": "9999-12-31T23:00:00-05:00"}, "datetime"),
        ("/ogc/collections/sites/items", {"datetime": "0001-01-01T01:00:00+05:00"}, "datetime"),
        ("/ogc/collections/movements/items", {"datetime": "../9999-12-31T23:59:59-01:00"}, "datetime"),
        ("/ogc/collections/observations/items", {"datetime": "2024-W50-5"}, "datetime"),  # a date is YYYY-MM-DD
        ("/ogc/collections/movements/items", {"f": "xml"}, "f"),
        ("/ogc/", {"f": "HTML"}, "f"),
        ("/ogc/collections/movements/items/1", {"limit": "5"}, "limit"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, rows, path, params, parameter):
    response = client.get(path, params)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "InvalidParameterValue"
    assert body["parameter"] == parameter
    assert body["description"].startswith(f"{parameter}: ")


def test_a_parameter_given_twice_is_refused(client, rows):
    response = client.get("/ogc/collections/sites/items?limit=1&limit=2")
    assert response.status_code == 400
    assert response.json()["parameter"] == "limit"


def test_writes_are_405_with_allow(client, rows):
    response = client.post("/ogc/collections/sites/items", {})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("collection", ["sites", "observations", "movements"])
def test_items_take_a_fixed_number_of_queries(client, rows, django_assert_max_num_queries, collection):
    other = make_site()
    jets = rows["published"].asset_type
    for day in range(1, 21):
        make_observation(other, jets, dt.date(2024, 3, day))
        make_movement(rows["alpha"], other, jets, arrived=dt.date(2024, 3, day))
        make_site()
    # the data version (ETag), count, page, sources (prefetched), and a savepoint from the test client.
    with django_assert_max_num_queries(5):
        response = get(client, f"/ogc/collections/{collection}/items", limit="50")
    assert response.json()["numberReturned"] > 20
