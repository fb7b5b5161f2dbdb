"""The basewatch domain: sites, what is seen there, and the sources behind it.

Every number shown to a researcher is an Observation: a dated, sourced claim
that some count of an asset type was at a site. Invariants are database
constraints (named, so an error says which) mirrored in clean() so forms and
the API report them against the field at fault.
"""

from basewatch.core.models.access import ApiToken, LoginFailure
from basewatch.core.models.captures import Capture
from basewatch.core.models.catalogue import FUTURE_DATE_MESSAGE, Asset, AssetType, Site, Source
from basewatch.core.models.changes import DataVersion
from basewatch.core.models.claims import Movement, MovementSource, Observation, ObservationSource, SourcedClaim
from basewatch.core.models.images import EvidenceImage
from basewatch.core.models.imports import ImportReport
from basewatch.core.models.posture import (
    PosturePoint,
    PostureSeries,
    PostureSpan,
    PostureStatus,
    SiteSummaryStep,
    Trend,
)

__all__ = [
    "FUTURE_DATE_MESSAGE",
    "ApiToken",
    "Asset",
    "AssetType",
    "Capture",
    "DataVersion",
    "EvidenceImage",
    "ImportReport",
    "LoginFailure",
    "Movement",
    "MovementSource",
    "Observation",
    "ObservationSource",
    "PosturePoint",
    "PostureSeries",
    "PostureSpan",
    "PostureStatus",
    "Site",
    "SiteSummaryStep",
    "Source",
    "SourcedClaim",
    "Trend",
]
