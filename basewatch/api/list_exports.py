"""Files of a whole filtered list for GIS tools: `?format=kml`, `kmz`, `gpkg` and `geojson`
on sites/, observations/ and movements/.

A list view turns each row into an `ExportFeature` (its place, name, time and flat
properties); the writers here make every format from those, so the formats cannot disagree.

- KML/KMZ: a Placemark per row, in a Folder named for the list (GDAL reads it as the layer),
  styled by the operator (a Style per operator, in the map's colours). Time is what Google
  Earth's time slider reads: a site's posture carries a `TimeStamp` of its date, an
  observation the day it was observed, a movement a `TimeSpan` from departure to arrival.
  Google Earth shows a description as HTML: every piece of it that editors typed is
  HTML-escaped before it joins the markup, and xml.etree escapes the whole again for XML.
- GeoJSON: a FeatureCollection of every row (RFC 7946, longitude first).
- GeoPackage: the rows as CSV, each column's type declared beside it (Layer.columns, a .csvt
  file), converted by GDAL's ogr2ogr in a temporary directory of our own, one layer named for
  the list.

An export holds every row the filters select, not a page, up to MAX_ROWS; a larger one is
a 400 asking for a narrower filter (the JSON pages have no such limit).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from django.http import FileResponse, HttpResponse
from django_countries import countries
from rest_framework import renderers
from rest_framework.exceptions import ValidationError

from basewatch.api import kml as kml_parts
from basewatch.core.models import Site

MAX_ROWS = 50_000
OGR2OGR_SECONDS = 300
GPKG_TYPE = "application/geopackage+sqlite3"
FILE_FORMATS = ("kml", "kmz", "gpkg", "geojson")

# static/js/map.js PALETTE, given to operators in the order of their names, as the map does.
PALETTE = ["#c0392b", "#2471a3", "#1e8449", "#b9770e", "#7d3c98", "#117a65", "#a04000", "#2e4053"]
ICON = "https://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"


# The types of a layer's columns (Column.type): OGR's, as GDAL's CSV driver reads them from a
# .csvt file.
STRING, INTEGER, INTEGER64, DATE, BOOLEAN = "String", "Integer", "Integer64", "Date", "Integer(Boolean)"


@dataclass(frozen=True)
class Column:
    """A property of a list's rows in its files: its name, its type (STRING…) and its value of a
    row, `value(row, *context)` (the list's context: the request's URL maker, the posture
    options); without `value`, the row's attribute of that name."""

    name: str
    type: str
    value: Callable[..., Any] | None = None

    def of(self, row, *context) -> Any:
        return getattr(row, self.name) if self.value is None else self.value(row, *context)


def properties(columns: Sequence[Column], row, *context) -> dict[str, Any]:
    """The row's properties in a file (ExportFeature.properties), a value per column."""
    return {column.name: column.of(row, *context) for column in columns}


@dataclass(frozen=True)
class ExportFeature:
    """One row of a list as a file shows it."""

    id: int | str
    name: str
    description: list[str]  # lines of plain text, escaped when written as HTML
    url: str
    operator: str  # ISO code: the KML style
    points: tuple[tuple[float, float], ...]  # one: a Point; two: a LineString from the first
    properties: dict[str, Any] = field(default_factory=dict)
    when: dt.date | None = None  # a KML TimeStamp
    span: tuple[dt.date | None, dt.date | None] | None = None  # a KML TimeSpan (begin, end)


@dataclass(frozen=True)
class Layer:
    """What a list's export is called and holds: `name` names the KML folder, the GeoPackage
    layer and the file (basewatch-<name>.<format>, or basewatch-<name>-<dated>.<format>)."""

    name: str
    title: str
    geometry: str  # POINT or LINESTRING: declared in the GeoPackage even when it is empty
    features: Iterable[ExportFeature]
    # The columns every feature's properties were made from (`properties`): a GeoPackage column
    # has its type even where every value is null, or the layer is empty.
    columns: Sequence[Column]
    # The date the layer describes, in its file's name: the sites of two dates, downloaded to
    # be replayed in Google Earth, had the same name and the second overwrote the first.
    dated: dt.date | None = None


class _FileRenderer(renderers.BaseRenderer):
    """Names a format for content negotiation (`?format=`, Accept); list_exports writes the file."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("list files are written by api.list_exports")


class KMLRenderer(_FileRenderer):
    media_type = kml_parts.KML_TYPE
    format = "kml"
    charset = "utf-8"


class KMZRenderer(_FileRenderer):
    media_type = kml_parts.KMZ_TYPE
    format = "kmz"
    charset = None


class GeoPackageRenderer(_FileRenderer):
    media_type = GPKG_TYPE
    format = "gpkg"
    charset = None


class GeoJSONRenderer(renderers.JSONRenderer):
    """`?format=geojson`: the list's GeoJSON; where the list's JSON is GeoJSON already, that same answer."""

    media_type = "application/geo+json"
    format = "geojson"


RENDERERS = [KMLRenderer(), KMZRenderer(), GeoPackageRenderer(), GeoJSONRenderer()]


def check_size(rows) -> None:
    """A 400 naming `format` when the filtered rows are more than an export holds."""
    count = rows.count()
    if count > MAX_ROWS:
        raise ValidationError(
            {"format": [f"This export would hold {count:,} rows; at most {MAX_ROWS:,} fit in one: narrow the filters."]}
        )


def operator_colours() -> dict[str, str]:
    """Each operator's colour (#rrggbb), as the map gives it."""
    codes = Site.objects.order_by().values_list("operator", flat=True).distinct()
    named = sorted(codes, key=lambda code: countries.name(code))
    return {code: PALETTE[index % len(PALETTE)] for index, code in enumerate(named)}


def _kml_colour(rgb: str, alpha: str = "ff") -> str:
    # KML writes colours as aabbggrr.
    return alpha + rgb[5:7] + rgb[3:5] + rgb[1:3]


def _style(document: ET.Element, operator: str, rgb: str) -> None:
    style = ET.SubElement(document, "Style", id=f"operator-{operator}")
    icon_style = ET.SubElement(style, "IconStyle")
    kml_parts.text(icon_style, "color", _kml_colour(rgb))
    kml_parts.text(ET.SubElement(icon_style, "Icon"), "href", ICON)
    line_style = ET.SubElement(style, "LineStyle")
    kml_parts.text(line_style, "color", _kml_colour(rgb, "cc"))
    kml_parts.text(line_style, "width", "3")


def _html(feature: ExportFeature) -> str:
    lines = [html.escape(line) for line in feature.description]
    lines.append(f'<a href="{html.escape(feature.url)}">{html.escape(feature.url)}</a>')
    return "<br>".join(lines)


def _placemark(folder: ET.Element, feature: ExportFeature) -> None:
    placemark = kml_parts.placemark(folder, feature.name, _html(feature))
    if feature.when:
        kml_parts.text(ET.SubElement(placemark, "TimeStamp"), "when", feature.when.isoformat())
    if feature.span:
        span = ET.SubElement(placemark, "TimeSpan")
        for tag, day in zip(("begin", "end"), feature.span, strict=True):
            if day:
                kml_parts.text(span, tag, day.isoformat())
    kml_parts.text(placemark, "styleUrl", f"#operator-{feature.operator}")
    if len(feature.points) == 1:
        geometry = ET.SubElement(placemark, "Point")
    else:
        geometry = ET.SubElement(placemark, "LineString")
        kml_parts.text(geometry, "tessellate", "1")
    kml_parts.text(geometry, "coordinates", kml_parts.coordinates(feature.points))


def kml_bytes(layer: Layer, description: str) -> bytes:
    root, document = kml_parts.document(f"basewatch: {layer.title}", description)
    for operator, rgb in operator_colours().items():
        _style(document, operator, rgb)
    folder = ET.SubElement(document, "Folder")
    kml_parts.text(folder, "name", layer.name)
    for feature in layer.features:
        _placemark(folder, feature)
    return kml_parts.to_bytes(root)


def _geojson_feature(feature: ExportFeature) -> dict:
    if len(feature.points) == 1:
        geometry = {"type": "Point", "coordinates": list(feature.points[0])}
    else:
        geometry = {"type": "LineString", "coordinates": [list(point) for point in feature.points]}
    return {"type": "Feature", "id": feature.id, "geometry": geometry, "properties": feature.properties}


def geojson_bytes(layer: Layer) -> bytes:
    features = [_geojson_feature(feature) for feature in layer.features]
    collection = {"type": "FeatureCollection", "name": layer.name, "features": features}
    return json.dumps(collection, default=_json_value, ensure_ascii=False).encode()


def _json_value(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _attachment(body, content_type: str, filename: str, response_class=HttpResponse):
    response = response_class(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_value(value: Any) -> str | int | float:
    # Empty is null to GDAL in a column of numbers, dates or booleans (and an empty text in a
    # column of text: no text property is ever null).
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (str, int, float)):
        return value
    raise TypeError(f"{type(value).__name__} has no column type")


def _wkt(feature: ExportFeature) -> str:
    kind = "POINT" if len(feature.points) == 1 else "LINESTRING"
    return f"{kind} ({', '.join(f'{x!r} {y!r}' for x, y in feature.points)})"


def csv_source(layer: Layer, directory: Path) -> Path:
    """`layer` as a CSV file for GDAL, its place as WKT, each column's type in a .csvt file beside
    it. From GeoJSON, GDAL guessed the types from the values: a column of nulls became text,
    and an empty layer had no columns at all."""
    path = directory / f"{layer.name}.csv"
    names = [column.name for column in layer.columns]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["WKT", *names])
        for feature in layer.features:
            writer.writerow([_wkt(feature), *(_csv_value(feature.properties[name]) for name in names)])
    path.with_suffix(".csvt").write_text(",".join(["WKT", *(column.type for column in layer.columns)]))
    return path


def ogr2ogr_gpkg(layers: list[Layer], directory: Path) -> Path:
    """A GeoPackage holding `layers`, written by GDAL's ogr2ogr in `directory` (ours, temporary)."""
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        raise RuntimeError("GDAL's ogr2ogr is needed to write GeoPackages")
    target = directory / "export.gpkg"
    for layer in layers:
        source = csv_source(layer, directory)
        command = [ogr2ogr, "-f", "GPKG", str(target), str(source), "-nln", layer.name, "-nlt", layer.geometry]
        command += ["-a_srs", "EPSG:4326", "-lco", "GEOMETRY_NAME=geom"]
        # The WKT is the place, not a column too; a row may be longer than GDAL's 10 MB default.
        command += ["-oo", "KEEP_GEOM_COLUMNS=NO", "-oo", "MAX_LINE_SIZE=-1"]
        if target.exists():
            command.append("-update")
        subprocess.run(command, check=True, capture_output=True, timeout=OGR2OGR_SECONDS)  # noqa: S603 (our arguments)
    return target


def gpkg_response(layers: list[Layer], filename: str) -> FileResponse:
    with tempfile.TemporaryDirectory(prefix="basewatch-gpkg-") as directory:
        path = ogr2ogr_gpkg(layers, Path(directory))
        # The open file outlives its directory (removed on leaving the block); the response closes it.
        handle = path.open("rb")
    return _attachment(handle, GPKG_TYPE, filename, FileResponse)


def export(layer: Layer, wanted: str, description: str) -> HttpResponse | FileResponse:
    """The file `wanted` (FILE_FORMATS) of `layer`, as an attachment named after it (Layer)."""
    filename = f"basewatch-{layer.name}{f'-{layer.dated}' if layer.dated else ''}.{wanted}"
    if wanted == "kml":
        return _attachment(kml_bytes(layer, description), f"{kml_parts.KML_TYPE}; charset=utf-8", filename)
    if wanted == "kmz":
        return _attachment(kml_parts.kmz(kml_bytes(layer, description)), kml_parts.KMZ_TYPE, filename)
    if wanted == "gpkg":
        return gpkg_response([layer], filename)
    return _attachment(geojson_bytes(layer), "application/geo+json", filename)
