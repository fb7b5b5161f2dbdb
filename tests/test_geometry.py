"""Geometry input: longitude/latitude in SRID 4326 only, parsed without GDAL."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from basewatch.core.fields import LonLatMultiPolygonFormField, LonLatPointFormField
from basewatch.lib.geometry import GeometryInputError, parse_geometry

SQUARE = [[[35.9, 35.4], [36.0, 35.4], [36.0, 35.5], [35.9, 35.5], [35.9, 35.4]]]


@pytest.mark.parametrize(
    ("value", "wkt"),
    [
        ({"type": "Point", "coordinates": [35.9486, 35.4075]}, "POINT (35.9486 35.4075)"),
        ('{"type": "Point", "coordinates": [-7.95, 12.53]}', "POINT (-7.95 12.53)"),
        ("POINT (35.9486 35.4075)", "POINT (35.9486 35.4075)"),
        ("SRID=4326;POINT (35.9486 35.4075)", "POINT (35.9486 35.4075)"),
        ({"type": "LineString", "coordinates": [[35.9, 35.4], [21.2, 32.0]]}, "LINESTRING (35.9 35.4, 21.2 32)"),
    ],
)
def test_accepts_lonlat_geometry(value, wkt):
    geometry = parse_geometry(value)
    assert geometry.srid == 4326
    assert geometry.wkt.replace(".0 ", " ").startswith(wkt.split(" (")[0])
    assert geometry.equals_exact(parse_geometry(wkt), tolerance=1e-9)


def test_accepts_multipolygon():
    geometry = parse_geometry({"type": "MultiPolygon", "coordinates": [SQUARE]})
    assert geometry.geom_type == "MultiPolygon" and geometry.valid


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"type": "Point", "coordinates": [1, 2], "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}},
            "crs",
        ),
        ("SRID=3857;POINT (3999999 4200000)", "4326"),
        ("SRID=/etc/passwd;POINT (1 2)", "4326"),
        ({"type": "Point", "coordinates": [200, 35]}, "Longitude"),
        ({"type": "Point", "coordinates": [35, 95]}, "Latitude"),
        ("POINT (35 -91)", "Latitude"),
        ('{"type": "Point", "coordinates": [NaN, 1]}', "finite"),
        ('{"type": "Point", "coordinates": [Infinity, 1]}', "finite"),
        ({"type": "Point", "coordinates": ["35", "36"]}, "finite"),
        ({"type": "Point", "coordinates": [35, 36, 10]}, "[longitude, latitude]"),
        ("POINT Z (35 36 10)", "two-dimensional"),
        ({"type": "Point"}, "[longitude, latitude]"),
        ({"type": "Feature", "geometry": None}, "Unsupported"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "not valid"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 2]]]}, "end where it starts"),
        ("POLYGON EMPTY", "empty"),
        ("GEOMETRYCOLLECTION (POINT (1 2))", "Expected GeoJSON or WKT"),
        ("0101000020E6100000", "Expected GeoJSON or WKT"),
        ("{not json", "Not valid GeoJSON"),
        ("[1, 2]", "Expected GeoJSON or WKT"),
        ("POINT (1 2", "Not valid WKT"),
    ],
)
def test_rejects_with_a_reason(value, message):
    with pytest.raises(GeometryInputError) as caught:
        parse_geometry(value)
    assert message in str(caught.value)


def test_rejects_huge_vertex_counts():
    ring = [[i / 100_000, 0] for i in range(100_001)] + [[0, 1], [0, 0]]
    with pytest.raises(GeometryInputError, match="vertices"):
        parse_geometry({"type": "Polygon", "coordinates": [ring]})


def test_form_field_promotes_a_drawn_polygon_to_a_footprint():
    field = LonLatMultiPolygonFormField(srid=4326)
    geometry = field.clean(json.dumps({"type": "Polygon", "coordinates": SQUARE}))
    assert geometry.geom_type == "MultiPolygon"


def test_form_field_reports_bad_input_as_a_validation_error():
    field = LonLatPointFormField(srid=4326)
    with pytest.raises(ValidationError, match="crs"):
        field.clean(json.dumps({"type": "Point", "coordinates": [1, 2], "crs": {"type": "name"}}))
    with pytest.raises(ValidationError):
        field.clean(json.dumps({"type": "Polygon", "coordinates": SQUARE}))
