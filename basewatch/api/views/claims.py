"""Observations and movements: sourced claims with a review workflow and versioned updates."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from basewatch.api.filters import MovementFilter, ObservationFilter
from basewatch.api.pagination import FeatureCollectionPagination, KeysetPagination
from basewatch.api.permissions import ReviewersOnly
from basewatch.api.serializers import DecisionSerializer, MovementSerializer, ObservationSerializer, ReasonSerializer
from basewatch.api.views.common import (
    CSVExportMixin,
    LastModifiedMixin,
    PatchOnlyMixin,
    RereadOnCreateMixin,
    VersionedUpdateMixin,
    sources_text,
)
from basewatch.core import workflow
from basewatch.core.models import Movement, Observation
from basewatch.core.roles import can_view_unpublished
from basewatch.core.workflow import State


class ClaimMixin(RereadOnCreateMixin, LastModifiedMixin):
    """Anonymous clients and users without a role see published claims only."""

    model: type[Observation] | type[Movement]
    related = ("asset_type", "asset", "entered_by", "reviewed_by")

    def get_queryset(self):
        claims = self.model.objects.select_related(*self.related).prefetch_related("sources")
        if not can_view_unpublished(self.request.user):
            claims = claims.published()
        return claims


class ObservationMixin(ClaimMixin):
    model = Observation
    related = ("site", *ClaimMixin.related)
    serializer_class = ObservationSerializer


class MovementMixin(ClaimMixin):
    model = Movement
    related = ("origin", "destination", *ClaimMixin.related)
    serializer_class = MovementSerializer

    def get_queryset(self):
        return super().get_queryset().with_journey()


def _claim_columns(first: list) -> list:
    return [
        ("id", lambda c: c.pk),
        *first,
        ("asset_type", lambda c: c.asset_type.slug),
        ("asset", lambda c: c.asset.registration if c.asset else ""),
        ("count", lambda c: c.count),
    ]


_CLAIM_TAIL = [
    ("state", lambda c: c.state),
    ("notes", lambda c: c.notes),
    ("sources", sources_text),
]


class ObservationList(ObservationMixin, CSVExportMixin, generics.ListCreateAPIView):
    """Sourced observations, newest first, paged by cursor. Create needs an editor and at least one source."""

    filterset_class = ObservationFilter
    pagination_class = KeysetPagination
    csv_name = "observations"
    csv_columns = [
        *_claim_columns([("site", lambda o: o.site.slug), ("observed", lambda o: o.observed)]),
        ("observed_precision", lambda o: o.observed_precision),
        ("count_low", lambda o: o.count_low),
        ("count_high", lambda o: o.count_high),
        ("activity", lambda o: o.activity),
        ("credibility", lambda o: o.credibility),
        *_CLAIM_TAIL,
    ]


class ObservationDetail(PatchOnlyMixin, ObservationMixin, VersionedUpdateMixin, generics.RetrieveUpdateAPIView):
    """One observation. Updates send the version they read (If-Match or `version`); stale ones get 412."""

    data_version_etag = False


class MovementList(MovementMixin, CSVExportMixin, generics.ListCreateAPIView):
    """Movements as GeoJSON LineStrings from origin to destination."""

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
            ]
        ),
        *_CLAIM_TAIL,
    ]


class MovementDetail(PatchOnlyMixin, MovementMixin, VersionedUpdateMixin, generics.RetrieveUpdateAPIView):
    """One movement. Updates send the version they read (If-Match or `version`); stale ones get 412."""

    data_version_etag = False


class ReviewDecision(generics.GenericAPIView):
    """Reject a submitted claim or retract a claim, with a reason. Reviewers only."""

    permission_classes = [ReviewersOnly]
    serializer_class = ReasonSerializer
    model: type[Observation] | type[Movement]
    representation: type
    outcome: State
    allowed_from: tuple[State, ...]

    @extend_schema(request=ReasonSerializer, responses=DecisionSerializer)
    def post(self, request, pk: int):
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        with transaction.atomic():
            claim = get_object_or_404(self.model.objects.select_for_update(), pk=pk)
            if claim.state not in self.allowed_from:
                raise ValidationError({"state": [f"A {claim.state} item cannot be {self.outcome}."]})
            claim.state = self.outcome
            claim.state_reason = reason.validated_data["reason"]
            workflow.stamp_review(claim, request.user)
            claim.save()
        return Response(DecisionSerializer(claim).data)

    def get_serializer_class(self):
        return ReasonSerializer


def review_view(model, outcome: State, allowed_from: tuple[State, ...]):
    return type(
        f"{model.__name__}{outcome.label}",
        (ReviewDecision,),
        {"model": model, "outcome": outcome, "allowed_from": allowed_from, "__doc__": ReviewDecision.__doc__},
    ).as_view()


observation_retract = review_view(Observation, State.RETRACTED, workflow.RETRACTABLE)
observation_reject = review_view(Observation, State.REJECTED, workflow.REJECTABLE)
movement_retract = review_view(Movement, State.RETRACTED, workflow.RETRACTABLE)
movement_reject = review_view(Movement, State.REJECTED, workflow.REJECTABLE)
