"""Parsing geometry input safely.

GDAL 3.6 can be made to read files or fetch URLs by a spatial reference string
(a GeoJSON "crs" member, an EWKT SRID it resolves, a PROJ string). basewatch
therefore never hands user input to GDAL: GeoJSON is parsed here and built
with GEOS constructors, WKT goes to GEOS's reader, and the only coordinate
system accepted is longitude/latitude in SRID 4326.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.contrib.gis.geos import (
    GEOSException,
    GEOSGeometry,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)

SRID = 4326
MAX_VERTICES = 100_000

_WKT = re.compile(
    r"^\s*(?:SRID=(?P<srid>[^;]*);)?\s*(?P<wkt>(?:MULTI)?(?:POINT|LINESTRING|POLYGON)\b.*)$",
    re.IGNORECASE | re.DOTALL,
)


class GeometryInputError(ValueError):
    """The input is not a valid longitude/latitude geometry; the message says why."""


def parse_geometry(value: str | dict[str, Any]) -> GEOSGeometry:
    """Parse GeoJSON (text or dict) or WKT into a valid GEOS geometry in SRID 4326."""
    if isinstance(value, dict):
        geometry = _from_geojson(value)
    elif value.lstrip().startswith("{"):
        try:
            data = json.loads(value)
        except ValueError:
            raise GeometryInputError("Not valid GeoJSON.") from None
        if not isinstance(data, dict):
            raise GeometryInputError("GeoJSON geometry must be an object.")
        geometry = _from_geojson(data)
    else:
        geometry = _from_wkt(value)
    _check(geometry)
    return geometry


def as_footprint(geometry: GEOSGeometry) -> MultiPolygon:
    """A site footprint: a MultiPolygon (a single drawn Polygon is wrapped in one)."""
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=SRID)
    if not isinstance(geometry, MultiPolygon):
        raise GeometryInputError("A footprint is a Polygon or MultiPolygon.")
    return geometry


def _from_wkt(text: str) -> GEOSGeometry:
    match = _WKT.match(text)
    if not match:
        raise GeometryInputError("Expected GeoJSON or WKT (POINT, LINESTRING, POLYGON or their MULTI forms).")
    if match["srid"] is not None and match["srid"].strip() != str(SRID):
        raise GeometryInputError("Only longitude/latitude in SRID 4326 is accepted.")
    try:
        return GEOSGeometry(match["wkt"], srid=SRID)
    except (GEOSException, ValueError, TypeError):
        raise GeometryInputError("Not valid WKT.") from None


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise GeometryInputError("Each position must be [longitude, latitude].")
    lon, lat = value
    for number in (lon, lat):
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
            raise GeometryInputError("Coordinates must be finite numbers.")
    return float(lon), float(lat)


def _positions(value: Any, minimum: int) -> list[tuple[float, float]]:
    if not isinstance(value, list | tuple) or len(value) < minimum:
        raise GeometryInputError(f"Expected a list of at least {minimum} positions.")
    return [_position(item) for item in value]


def _polygon(rings: Any) -> Polygon:
    if not isinstance(rings, list | tuple) or not rings:
        raise GeometryInputError("A polygon needs at least one ring.")
    coords = [_positions(ring, 4) for ring in rings]
    for ring in coords:
        if ring[0] != ring[-1]:
            raise GeometryInputError("A polygon ring must end where it starts.")
    return Polygon(*coords, srid=SRID)


def _many(value: Any, build) -> list:
    if not isinstance(value, list | tuple) or not value:
        raise GeometryInputError("Expected a non-empty list of parts.")
    return [build(part) for part in value]


_BUILDERS = {
    "Point": lambda c: Point(*_position(c), srid=SRID),
    "LineString": lambda c: LineString(_positions(c, 2), srid=SRID),
    "Polygon": _polygon,
    "MultiPoint": lambda c: MultiPoint(_many(c, lambda p: Point(*_position(p))), srid=SRID),
    "MultiLineString": lambda c: MultiLineString(_many(c, lambda p: LineString(_positions(p, 2))), srid=SRID),
    "MultiPolygon": lambda c: MultiPolygon(_many(c, _polygon), srid=SRID),
}


def refuse_crs(data: dict[str, Any]) -> None:
    """A GeoJSON object (a geometry, a FeatureCollection) naming a coordinate system is refused: the
    only one is longitude/latitude, and GDAL would resolve the name (see the module's comment)."""
    if "crs" in data:
        raise GeometryInputError("A 'crs' member is not accepted: coordinates are longitude/latitude (SRID 4326).")


def _from_geojson(data: dict[str, Any]) -> GEOSGeometry:
    refuse_crs(data)
    kind = data.get("type")
    build = _BUILDERS.get(kind) if isinstance(kind, str) else None
    if build is None:
        raise GeometryInputError(f"Unsupported GeoJSON geometry type; use one of {', '.join(_BUILDERS)}.")
    try:
        geometry = build(data.get("coordinates"))
    except (GEOSException, ValueError, TypeError) as error:
        if isinstance(error, GeometryInputError):
            raise
        raise GeometryInputError("Not a valid geometry.") from None
    geometry.srid = SRID
    return geometry


def _check(geometry: GEOSGeometry) -> None:
    if geometry.empty:
        raise GeometryInputError("The geometry is empty.")
    if geometry.num_coords > MAX_VERTICES:
        raise GeometryInputError(f"The geometry has more than {MAX_VERTICES} vertices.")
    for lon, lat in _coords(geometry):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise GeometryInputError("Coordinates must be finite numbers.")
        if not -180 <= lon <= 180:
            raise GeometryInputError("Longitude must be between -180 and 180 (GeoJSON order is longitude, latitude).")
        if not -90 <= lat <= 90:
            raise GeometryInputError("Latitude must be between -90 and 90 (GeoJSON order is longitude, latitude).")
    if geometry.hasz:
        raise GeometryInputError("Only two-dimensional coordinates are accepted.")
    if not geometry.valid:
        raise GeometryInputError(f"The geometry is not valid: {geometry.valid_reason}.")


def _coords(geometry: GEOSGeometry):
    if isinstance(geometry, Point):
        yield geometry.x, geometry.y
        return
    if isinstance(geometry, LineString):
        yield from (c[:2] for c in geometry.coords)
        return
    if isinstance(geometry, Polygon):
        for ring in geometry:
            yield from (c[:2] for c in ring.coords)
        return
    for part in geometry:
        yield from _coords(part)
