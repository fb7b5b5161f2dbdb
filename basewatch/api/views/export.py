"""GET /api/v1/export.gpkg: everything at once in one GeoPackage, for a GIS user who wants a file.

Three layers, each what the caller may read: `sites` with their posture on `as_of` (and
`fresh`, `transient`, as on the sites list), and every `observations` and `movements` row
(published ones for the public), each with its dates, so one file replays the whole
history. The rows are the list exports' own (api.list_exports), with the same maximum per
layer; a larger layer is a 400 naming it rather than a file silently cut short.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError

from basewatch.api import list_exports
from basewatch.api.views.base import ApiView
from basewatch.api.views.claims import MovementList, ObservationList, visible_claims
from basewatch.api.views.sites import POSTURE_READ_PARAMETERS, SiteList, read_posture_options
from basewatch.core.models import Movement, Observation, Site


def _check_layer_sizes(layers: dict) -> None:
    """A 400 naming the first layer with more rows than one export holds."""
    for name, rows in layers.items():
        count = rows.count()
        if count > list_exports.MAX_ROWS:
            raise ValidationError(
                {name: [f"This layer would hold {count:,} rows; at most {list_exports.MAX_ROWS:,} fit in one export."]}
            )


class ExportGeoPackage(ApiView):
    """One GeoPackage with everything the caller may read: layers `sites` (posture as of `as_of`),
    `observations` and `movements`, at most 50,000 rows each."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        parameters=POSTURE_READ_PARAMETERS,
        responses={
            (200, list_exports.GPKG_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="A GeoPackage with layers sites, observations and movements."
            ),
            400: OpenApiResponse(description="A malformed parameter, or a layer over the maximum, named."),
        },
    )
    def get(self, request):
        options = read_posture_options(request)
        rows = {
            "sites": Site.objects.all(),
            "observations": visible_claims(Observation, request.user),
            "movements": visible_claims(Movement, request.user),
        }
        _check_layer_sizes(rows)
        absolute = request.build_absolute_uri
        layers = [
            SiteList.layer(rows["sites"], options, absolute),
            ObservationList.layer(rows["observations"], absolute),
            MovementList.layer(rows["movements"], absolute),
        ]
        return list_exports.gpkg_response(layers, f"basewatch-{options.as_of}.gpkg")
