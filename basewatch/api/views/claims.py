"""Observations and movements: sourced claims, written through basewatch.core.claims.

These views only translate HTTP: the body's fields onto the claim, the state a client
asks for into the workflow action leading there, the version from If-Match or the body.
What may be stored, by whom, is basewatch.core's to decide.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from basewatch.api.conditional import read_version
from basewatch.api.csv_export import sources_text
from basewatch.api.errors import PreconditionRequired
from basewatch.api.list_exports import (
    BOOLEAN,
    DATE,
    INTEGER,
    INTEGER64,
    STRING,
    Column,
    ExportFeature,
    Layer,
    properties,
)
from basewatch.api.pagination import FeatureCollectionPagination, KeysetPagination
from basewatch.api.pg_json import observation_page
from basewatch.api.serializers import DecisionSerializer, MovementSerializer, ObservationSerializer
from basewatch.api.views.base import ApiView, DetailView, ListView
from basewatch.core import claims, workflow
from basewatch.core.filters import MovementFilter, ObservationFilter
from basewatch.core.models import Movement, Observation
from basewatch.core.roles import can_view_unpublished
from basewatch.core.workflow import Action, State


def visible_claims(model, user):
    """Claims `user` may read (core: ClaimQuerySet.visible_to), with what the API shows of them."""
    rows = model.objects.with_details()
    if model is Movement:
        rows = rows.with_journey()
    return rows.visible_to(user)


def write(claim, serializer, user, read: int | None = None):
    """Apply the validated body to `claim` and store it through the one write path."""
    data = dict(serializer.validated_data)
    sources = data.pop("source_ids", None)
    wanted = data.pop("state", None)
    reason = data.pop("reason", "")
    data.pop("version", None)
    state = claim.state if claim.pk else State.DRAFT
    for name, value in data.items():
        setattr(claim, name, value)
    action = None
    if wanted is not None and wanted != state:
        action = workflow.action_leading_to(state, wanted)
        if action is None:
            raise ValidationError({"state": [f"A {state} claim cannot become {wanted}."]})
    return claims.write_claim(claim, user, read_version=read, sources=sources, action=action, reason=reason).claim


def _claim_columns(first: list) -> list:
    return [
        ("id", lambda c: c.pk),
        *first,
        ("asset_type", lambda c: c.asset_type.slug),
        ("asset", lambda c: c.asset.registration if c.asset else ""),
        ("count", lambda c: c.count),
    ]


_CLAIM_TAIL = [("state", lambda c: c.state), ("notes", lambda c: c.notes), ("sources", sources_text)]


def _lonlat(site) -> tuple[float, float]:
    return (site.location.x, site.location.y)


def _claim_lines(claim, first: list[str]) -> list[str]:
    """A claim's description in a file: what it says, then its notes, sources and (unless published) state."""
    lines = [*first]
    if claim.notes:
        lines.append(f"Notes: {claim.notes}")
    lines.append(f"Sources: {sources_text(claim) or 'none'}")
    if claim.state != State.PUBLISHED:
        lines.append(f"State: {claim.state}")
    return lines


# A claim's properties in a file (api.list_exports.Column): its list's own, then these; the
# context is the request's URL maker.
_CLAIM_EXPORT_TAIL = [
    Column("asset_type", STRING, lambda claim, absolute: claim.asset_type.slug),
    Column("asset", STRING, lambda claim, absolute: claim.asset.registration if claim.asset else ""),
    Column("count", INTEGER),
    Column("state", STRING),
    Column("notes", STRING),
    Column("sources", STRING, lambda claim, absolute: sources_text(claim)),
    Column("url", STRING, lambda claim, absolute: absolute(claim.get_absolute_url())),
]
OBSERVATION_EXPORT = [
    Column("id", INTEGER64, lambda observation, absolute: observation.pk),
    Column("site", STRING, lambda observation, absolute: observation.site.slug),
    Column("site_name", STRING, lambda observation, absolute: observation.site.name),
    Column("observed", DATE),
    *(Column(name, STRING) for name in ("observed_precision", "activity", "presence")),
    *(Column(name, INTEGER) for name in ("count_low", "count_high", "credibility")),
    *_CLAIM_EXPORT_TAIL,
]
MOVEMENT_EXPORT = [
    Column("id", INTEGER64, lambda movement, absolute: movement.pk),
    Column("origin", STRING, lambda movement, absolute: movement.origin.slug),
    Column("origin_name", STRING, lambda movement, absolute: movement.origin.name),
    Column("destination", STRING, lambda movement, absolute: movement.destination.slug),
    Column("destination_name", STRING, lambda movement, absolute: movement.destination.name),
    Column("departed", DATE),
    Column("arrived", DATE),
    Column("trips", INTEGER),
    Column("trips_at_least", BOOLEAN),
    Column("transfer", INTEGER64, lambda movement, absolute: movement.transfer_id),
    *_CLAIM_EXPORT_TAIL,
]


class ClaimList(ListView):
    model: type[Observation] | type[Movement]
    # Each list's classmethod layer(rows, absolute): its rows as a file's layer.
    layer: Callable[..., Layer]

    def get_queryset(self):
        return visible_claims(self.model, self.request.user)

    def create_item(self, serializer):
        return write(self.model(), serializer, self.request.user)

    def export_layer(self, rows) -> Layer:
        return self.layer(rows, self.request.build_absolute_uri)


class ClaimDetail(DetailView):
    model: type[Observation] | type[Movement]

    def get_queryset(self):
        return visible_claims(self.model, self.request.user)

    def update_item(self, item, serializer, read_version: int):
        return write(item, serializer, self.request.user, read_version)


class ObservationList(ClaimList):
    """Sourced observations, newest first, paged by cursor. Create needs an editor and at least one source."""

    model = Observation
    serializer_class = ObservationSerializer
    filterset_class = ObservationFilter
    pagination_class = KeysetPagination
    csv_name = "observations"
    csv_columns = [
        *_claim_columns([("site", lambda o: o.site.slug), ("observed", lambda o: o.observed)]),
        ("observed_precision", lambda o: o.observed_precision),
        ("count_low", lambda o: o.count_low),
        ("count_high", lambda o: o.count_high),
        ("activity", lambda o: o.activity),
        ("presence", lambda o: o.presence),
        ("credibility", lambda o: o.credibility),
        *_CLAIM_TAIL,
    ]
    exports_files = True

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format != "json":
            return super().list(request, *args, **kwargs)
        # The page's ids by the filters and the cursor; PostgreSQL writes the rows (api.pg_json).
        rows = self.filtered().select_related(None).prefetch_related(None).values_list("id", "observed", named=True)
        ids = [row.id for row in self.paginate_queryset(rows)]
        head = self.paginator.get_paginated_response([]).data  # the links and count, in the page's order
        del head["results"]
        body = observation_page(ids, can_view_unpublished(request.user), head)
        return HttpResponse(body, content_type="application/json")

    @classmethod
    def layer(cls, rows, absolute) -> Layer:
        """The observations `rows` as a file's layer (here and in export.gpkg), URLs made by `absolute`."""
        # At its site on the day observed: Google Earth's time slider replays them.
        features = (cls.export_feature(observation, absolute) for observation in rows.iterator(chunk_size=2000))
        return Layer("observations", "observations", "POINT", features, OBSERVATION_EXPORT)

    @staticmethod
    def export_feature(observation: Observation, absolute) -> ExportFeature:
        count = "?" if observation.count is None else str(observation.count)
        first = [str(observation), f"Presence: {observation.get_presence_display()}"]
        if observation.count_low is not None or observation.count_high is not None:
            low, high = (("?" if n is None else n) for n in (observation.count_low, observation.count_high))
            first.append(f"Estimate: {low}–{high}")
        first.append(f"Credibility: {observation.get_credibility_display()}")
        return ExportFeature(
            id=observation.pk,
            name=f"{observation.site.name}: {count} × {observation.asset_type.name}",
            description=_claim_lines(observation, first),
            url=absolute(observation.get_absolute_url()),
            operator=observation.site.operator.code,
            points=(_lonlat(observation.site),),
            when=observation.observed,
            properties=properties(OBSERVATION_EXPORT, observation, absolute),
        )


class ObservationDetail(ClaimDetail):
    """One observation. Changes send the version they read (If-Match or `version`); stale ones get 412."""

    model = Observation
    serializer_class = ObservationSerializer


class MovementList(ClaimList):
    """Movements as GeoJSON LineStrings from origin to destination."""

    model = Movement
    serializer_class = MovementSerializer
    filterset_class = MovementFilter
    pagination_class = FeatureCollectionPagination
    csv_name = "movements"
    csv_columns = [
        *_claim_columns(
            [
                ("origin", lambda m: m.origin.slug),
                ("destination", lambda m: m.destination.slug),
                ("departed", lambda m: m.departed),
                ("arrived", lambda m: m.arrived),
                # "At least 7 flights" and the transfer a leg continues: the JSON has them, and
                # an export without them lost them.
                ("trips", lambda m: m.trips),
                ("trips_at_least", lambda m: m.trips_at_least),
                ("transfer", lambda m: m.transfer_id),
            ]
        ),
        *_CLAIM_TAIL,
    ]
    exports_files = True
    json_is_geojson = True

    @classmethod
    def layer(cls, rows, absolute) -> Layer:
        """The movements `rows` as a file's layer (here and in export.gpkg), URLs made by `absolute`."""
        features = (cls.export_feature(movement, absolute) for movement in rows.iterator(chunk_size=2000))
        return Layer("movements", "movements", "LINESTRING", features, MOVEMENT_EXPORT)

    @staticmethod
    def export_feature(movement: Movement, absolute) -> ExportFeature:
        # Styled by the origin's operator: the force that moves out of its own site.
        trips = f" ({movement.trips_text})" if movement.trips_text else ""
        count = "" if movement.count is None else f"{movement.count} × "
        first = [f"{count}{movement}{trips}"]
        first.append(f"Departed {movement.departed or 'on an unknown date'}, arrived {movement.arrived or 'unknown'}")
        return ExportFeature(
            id=movement.pk,
            name=f"{movement.origin.name} → {movement.destination.name}",
            description=_claim_lines(movement, first),
            url=absolute(movement.get_absolute_url()),
            operator=movement.origin.operator.code,
            points=(_lonlat(movement.origin), _lonlat(movement.destination)),
            span=(movement.departed, movement.arrived),
            properties=properties(MOVEMENT_EXPORT, movement, absolute),
        )


class MovementDetail(ClaimDetail):
    """One movement. Changes send the version they read (If-Match or `version`); stale ones get 412."""

    model = Movement
    serializer_class = MovementSerializer


ACTION_PARAMETER = OpenApiParameter(
    "action", str, OpenApiParameter.PATH, enum=Action.values, description="The workflow action to take."
)


class ClaimDecision(ApiView):
    """Take a workflow action (submit, withdraw, publish, reject, retract) on a claim, naming the version
    decided on (If-Match or `version`) and, to reject or retract, a reason. Who may take which is the
    README's permission table."""

    model: type[Observation] | type[Movement]
    http_method_names = ["post", "options"]

    def get_queryset(self):
        return visible_claims(self.model, self.request.user)

    def post(self, request, pk: int, action: str):
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        read = read_version(request)
        if read is None:
            raise PreconditionRequired()
        claim = get_object_or_404(self.get_queryset(), pk=pk)
        claims.decide(claim, request.user, action, read_version=read, reason=decision.validated_data.get("reason", ""))
        response = Response(self.represent(claim))
        response.item_version = claim.version
        return response


class ObservationDecision(ClaimDecision):
    model = Observation
    serializer_class = ObservationSerializer

    @extend_schema(
        operation_id="observations_decide",
        request=DecisionSerializer,
        responses=ObservationSerializer,
        parameters=[ACTION_PARAMETER],
    )
    def post(self, request, pk: int, action: str):
        return super().post(request, pk, action)


class MovementDecision(ClaimDecision):
    model = Movement
    serializer_class = MovementSerializer

    @extend_schema(
        operation_id="movements_decide",
        request=DecisionSerializer,
        responses=MovementSerializer,
        parameters=[ACTION_PARAMETER],
    )
    def post(self, request, pk: int, action: str):
        return super().post(request, pk, action)
