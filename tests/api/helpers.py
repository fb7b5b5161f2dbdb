"""Assertions shared by the API tests."""

from __future__ import annotations

from tests.conftest import ApiResponse


def features(response: ApiResponse) -> dict[str, dict]:
    """A FeatureCollection's features by id, after checking the status."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return {feature["id"]: feature for feature in body["features"]}


def results(response: ApiResponse) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]


def assert_error(response: ApiResponse, status: int, field: str) -> None:
    """A JSON error of this status that names `field`."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert field in response.json(), response.json()
