"""KML 2.2 pieces shared by the track (api.track_exports) and the list exports (api.list_exports).

Built with xml.etree, which escapes every text and attribute: names, notes and source titles
are whatever editors typed.
"""

from __future__ import annotations

import io
import zipfile
from xml.etree import ElementTree as ET

KML_NS = "http://www.opengis.net/kml/2.2"
KML_TYPE = "application/vnd.google-earth.kml+xml"
KMZ_TYPE = "application/vnd.google-earth.kmz"


def text(parent: ET.Element, tag: str, value: str, **attributes) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = value
    return element


def document(name: str, description: str) -> tuple[ET.Element, ET.Element]:
    """A <kml> root and its <Document>."""
    root = ET.Element("kml", xmlns=KML_NS)
    body = ET.SubElement(root, "Document")
    text(body, "name", name)
    text(body, "description", description)
    return root, body


def placemark(folder: ET.Element, name: str, description: str) -> ET.Element:
    # A Placemark's children in the order KML's schema fixes: name, description, time, style, geometry.
    element = ET.SubElement(folder, "Placemark")
    text(element, "name", name)
    text(element, "description", description)
    return element


def coordinates(points) -> str:
    """`lon,lat lon,lat …` from (lon, lat) pairs."""
    return " ".join(f"{lon},{lat}" for lon, lat in points)


def to_bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def kmz(kml: bytes) -> bytes:
    """KMZ: the KML zipped as `doc.kml`, the name Google Earth opens first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", kml)
    return buffer.getvalue()
