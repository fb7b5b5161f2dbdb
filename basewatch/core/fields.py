"""Geometry fields that only accept longitude/latitude (SRID 4326) input.

Every ModelForm built on these models (admin, editor forms) parses geometry
with basewatch.lib.geometry instead of GDAL (see that module for why).
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from leaflet.admin import LeafletAdminWidget
from leaflet.forms.fields import GeometryField as LeafletGeometryField
from leaflet.forms.widgets import LeafletWidget

from basewatch.lib.geometry import SRID, GeometryInputError, as_footprint, parse_geometry


class LonLatDeserializeMixin:
    """Widgets re-read submitted text to redraw it after a form error: not through GDAL."""

    def deserialize(self, value):
        try:
            return parse_geometry(value)
        except GeometryInputError:
            return None


class LonLatLeafletWidget(LonLatDeserializeMixin, LeafletWidget):
    pass


class LonLatLeafletAdminWidget(LonLatDeserializeMixin, LeafletAdminWidget):
    pass


def allow_map_widget_scripts(form, nonce) -> None:
    """Let the form's map widgets run their inline set-up script under the page's CSP nonce."""
    for field in form.fields.values():
        if isinstance(field.widget, LeafletWidget):
            field.widget.csp_nonce = nonce


class LonLatFormField(LeafletGeometryField):
    """A Leaflet-widget geometry form field that parses input without GDAL."""

    widget = LonLatLeafletWidget

    def __init__(self, *args, csp_nonce=None, **kwargs):
        super().__init__(*args, csp_nonce=csp_nonce, **kwargs)
        if csp_nonce is None:
            # django-leaflet's admin puts the request's CSP nonce on the widget class; the
            # parent has just hidden it behind None on the instance.
            del self.widget.csp_nonce

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, GEOSGeometry):
            return value
        try:
            geometry = parse_geometry(value)
            # The map widget draws single polygons; a footprint is stored as a MultiPolygon.
            return as_footprint(geometry) if self.geom_type == "MULTIPOLYGON" else geometry
        except GeometryInputError as error:
            raise ValidationError(str(error), code="invalid_geom") from None


# Django's own message for another type is "Invalid geometry type.": it says neither what was
# wrong nor what is wanted.
class LonLatPointFormField(LonLatFormField):
    geom_type = "POINT"
    default_error_messages = {"invalid_geom_type": "Give a point (one longitude, latitude), not a line or an outline."}


class LonLatMultiPolygonFormField(LonLatFormField):
    geom_type = "MULTIPOLYGON"
    default_error_messages = {
        "invalid_geom_type": "Give an outline (a Polygon or MultiPolygon), not a point or a line."
    }


class HttpURLField(models.URLField):
    """A URL that must be http:// or https://; a scheme-less entry is taken as https."""

    MESSAGE = "Enter an http:// or https:// URL."
    default_validators = [URLValidator(schemes=["http", "https"], message=MESSAGE)]

    def formfield(self, **kwargs):
        # Forms say the same as the model and the API, whatever part of the URL is wrong.
        return super().formfield(**{"assume_scheme": "https", "error_messages": {"invalid": self.MESSAGE}, **kwargs})


class LonLatPointField(models.PointField):
    form_class = LonLatPointFormField

    def __init__(self, *args, **kwargs):
        kwargs["srid"] = SRID
        super().__init__(*args, **kwargs)


class LonLatMultiPolygonField(models.MultiPolygonField):
    form_class = LonLatMultiPolygonFormField

    def __init__(self, *args, **kwargs):
        kwargs["srid"] = SRID
        super().__init__(*args, **kwargs)
