"""An asset's track for GPS and GIS tools: `?format=gpx`, `kml` or `csv` on assets/<key>/track/.

Every format lists the same stops (basewatch.core.tracks.stops) in the same order: a sighting
is one stop, a movement two (leaving its origin, reaching its destination). A stop's date is
a day (a sighting dated to a week or month: its first day, as the claim stores it); GPX and
KML want instants, so a day is written as its midnight UTC. A stop whose date
is unknown (a movement's departure that no source gives) keeps its place in the order and
has no time.

The XML is built with xml.etree, which escapes every text and attribute: names, notes and
source titles are whatever editors typed. Links are full URLs: the files leave the site.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from rest_framework import renderers

from basewatch.api import kml as kml_parts
from basewatch.api.csv_export import csv_response, sources_text
from basewatch.api.tracks import Track
from basewatch.core.models import Movement
from basewatch.core.tracks import Stop, stops

GPX_NS = "http://www.topografix.com/GPX/1/1"
CONTENT_TYPES = {"gpx": "application/gpx+xml", "kml": kml_parts.KML_TYPE}
EVENTS = {"seen": "Seen", "departed": "Left", "arrived": "Reached"}

Absolute = Callable[[str], str]  # a path on this site → its full URL


def _stem(track: Track) -> str:
    """RA-76845-track: the asset's key, with anything unsafe in a file name replaced."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", track.asset.key) + "-track"


def _attachment(root: ET.Element, track: Track, extension: str) -> HttpResponse:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    response = HttpResponse(body, content_type=f"{CONTENT_TYPES[extension]}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="basewatch-{_stem(track)}.{extension}"'
    return response


def _instant(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def stop_text(stop: Stop) -> str:
    """What happened at a stop and why we believe it (the name and time say where and when)."""
    return f"{EVENTS[stop.event]}: {stop.claim}. Sources: {sources_text(stop.claim)}"


_text = kml_parts.text


# --- GPX 1.1 -----------------------------------------------------------------------------


def _gpx_point(parent: ET.Element, tag: str, stop: Stop, absolute: Absolute, described: bool) -> None:
    # A wpt's and a trkpt's children come in the order the GPX schema fixes: time, name, desc, link.
    point = ET.SubElement(parent, tag, lat=str(stop.site.location.y), lon=str(stop.site.location.x))
    if stop.day:
        _text(point, "time", _instant(stop.day))
    _text(point, "name", stop.site.name)
    if described:
        _text(point, "desc", stop_text(stop))
        ET.SubElement(point, "link", href=absolute(stop.claim.get_absolute_url()))


def gpx(track: Track, absolute: Absolute) -> HttpResponse:
    """GPX 1.1: a waypoint per stop, and one track through the stops in order."""
    # The namespace as a plain attribute: the elements are written unprefixed, in GPX's default namespace.
    root = ET.Element("gpx", xmlns=GPX_NS, version="1.1", creator="basewatch")
    metadata = ET.SubElement(root, "metadata")
    _text(metadata, "name", track.asset.label)
    ET.SubElement(metadata, "link", href=absolute(track.asset.get_absolute_url()))
    places = stops(track.claims)
    for stop in places:
        _gpx_point(root, "wpt", stop, absolute, described=True)
    trk = ET.SubElement(root, "trk")
    _text(trk, "name", track.asset.label)
    segment = ET.SubElement(trk, "trkseg")
    for stop in places:
        _gpx_point(segment, "trkpt", stop, absolute, described=False)
    return _attachment(root, track, "gpx")


# --- KML 2.2 -----------------------------------------------------------------------------


_kml_placemark = kml_parts.placemark


def _coordinates(*sites) -> str:
    return kml_parts.coordinates((site.location.x, site.location.y) for site in sites)


def _kml_stop(folder: ET.Element, stop: Stop, absolute: Absolute) -> None:
    placemark = _kml_placemark(folder, stop.site.name, f"{stop_text(stop)} {absolute(stop.claim.get_absolute_url())}")
    if stop.day:
        _text(ET.SubElement(placemark, "TimeStamp"), "when", stop.day.isoformat())
    point = ET.SubElement(placemark, "Point")
    _text(point, "coordinates", _coordinates(stop.site))


def _kml_movement(folder: ET.Element, movement: Movement, absolute: Absolute) -> None:
    name = f"{movement.origin.name} → {movement.destination.name}"
    trips = f" ({movement.trips_text})" if movement.trips_text else ""
    description = f"{movement}{trips}. Sources: {sources_text(movement)} {absolute(movement.get_absolute_url())}"
    placemark = _kml_placemark(folder, name, description)
    span = ET.SubElement(placemark, "TimeSpan")
    if movement.departed:
        _text(span, "begin", movement.departed.isoformat())
    if movement.arrived:
        _text(span, "end", movement.arrived.isoformat())
    line = ET.SubElement(placemark, "LineString")
    _text(line, "tessellate", "1")
    _text(line, "coordinates", _coordinates(movement.origin, movement.destination))


def kml(track: Track, absolute: Absolute) -> HttpResponse:
    """KML 2.2: a folder of stops (Points with a TimeStamp) and one of movements (LineStrings with a TimeSpan)."""
    root, document = kml_parts.document(track.asset.label, absolute(track.asset.get_absolute_url()))
    stop_folder = ET.SubElement(document, "Folder")
    _text(stop_folder, "name", "Stops")
    for stop in stops(track.claims):
        _kml_stop(stop_folder, stop, absolute)
    movement_folder = ET.SubElement(document, "Folder")
    _text(movement_folder, "name", "Movements")
    for claim in track.claims:
        if isinstance(claim, Movement):
            _kml_movement(movement_folder, claim, absolute)
    return _attachment(root, track, "kml")


# --- CSV ---------------------------------------------------------------------------------


def csv(track: Track, absolute: Absolute):
    """One row per stop, in order."""
    columns = [
        ("date", lambda stop: stop.day),
        ("event", lambda stop: stop.event),
        ("site", lambda stop: stop.site.slug),
        ("site_name", lambda stop: stop.site.name),
        ("lon", lambda stop: stop.site.location.x),
        ("lat", lambda stop: stop.site.location.y),
        ("claim_url", lambda stop: absolute(stop.claim.get_absolute_url())),
        ("sources", lambda stop: sources_text(stop.claim)),
    ]
    return csv_response(stops(track.claims), columns, _stem(track))


EXPORTS = {"gpx": gpx, "kml": kml, "csv": csv}


class _ExportRenderer(renderers.BaseRenderer):
    """Names a format for content negotiation (`?format=`, Accept); the view writes the file."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("track files are written by api.track_exports")


class GPXRenderer(_ExportRenderer):
    media_type = CONTENT_TYPES["gpx"]
    format = "gpx"


class KMLRenderer(_ExportRenderer):
    media_type = CONTENT_TYPES["kml"]
    format = "kml"
