"""GET /api/v1/: the index of every endpoint, with what it does and where the schema and docs are."""

from __future__ import annotations


def test_the_root_lists_every_endpoint_with_its_methods_and_description(api, db):
    response = api.get("")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/json")
    index = response.json()
    assert index["links"]["schema"] == "http://testserver/api/v1/schema/"
    assert index["links"]["docs"] == "http://testserver/api/v1/docs/"
    assert index["links"]["ogc_api_features"] == "http://testserver/ogc/"
    endpoints = {endpoint["path"]: endpoint for endpoint in index["endpoints"]}
    schema = api.get("schema/", params={"format": "json"}).json()
    documented = {path.removeprefix("/api/v1/") for path in schema["paths"]} - {""}
    assert set(endpoints) == documented  # every endpoint the schema documents, and no other
    sites = endpoints["sites/"]
    assert sites["methods"] == ["GET", "POST"]
    assert sites["description"].startswith("Sites as a GeoJSON FeatureCollection")
    assert "track" in endpoints["assets/{key}/track/"]["description"].lower()
    assert all(endpoint["description"] for endpoint in index["endpoints"])
