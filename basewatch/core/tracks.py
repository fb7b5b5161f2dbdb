"""An identified asset's track: where it was seen and where it went, in date order.

Pages, the API and its GPX/KML/CSV exports all read the track from here, so they show the
same stops in the same order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from basewatch.core.models import Asset, Movement, Observation, Site


@dataclass(frozen=True)
class Stop:
    """The asset at a site: seen there (`claim` an observation), leaving it or reaching it (a movement).
    `day` is None for the unknown end of a movement (departed or arrived not given)."""

    day: dt.date | None
    site: Site
    claim: Observation | Movement
    event: str  # "seen", "departed" or "arrived"


def seen_on(claim: Observation | Movement) -> dt.date:
    """When a claim saw its asset: an observation's date; a movement's arrival, else departure."""
    if isinstance(claim, Observation):
        return claim.observed
    return claim.arrived or claim.departed


def timeline(asset: Asset, observations=None, movements=None) -> list[Observation | Movement]:
    """The asset's sightings and movements (published ones unless the querysets given say otherwise),
    with their sites and sources, oldest first. On one day a movement comes after a sighting of
    the asset departing and before any other sighting (it arrived, then was seen there)."""
    if observations is None:
        observations = Observation.objects.published()
    if movements is None:
        movements = Movement.objects.published()
    claims = [
        *observations.filter(asset=asset).with_details(),
        *movements.filter(asset=asset).with_details(),
    ]
    return sorted(claims, key=lambda claim: (seen_on(claim), _order_in_day(claim), claim.pk))


def _order_in_day(claim: Observation | Movement) -> int:
    if isinstance(claim, Movement):
        return 1
    return 0 if claim.activity == Observation.Activity.DEPARTING else 2


def stops(claims: list[Observation | Movement]) -> list[Stop]:
    """The timeline as the places the asset was at, in order: a movement is two stops (leaving its
    origin, reaching its destination)."""
    found: list[Stop] = []
    for claim in claims:
        if isinstance(claim, Observation):
            found.append(Stop(claim.observed, claim.site, claim, "seen"))
        else:
            found.append(Stop(claim.departed, claim.origin, claim, "departed"))
            found.append(Stop(claim.arrived, claim.destination, claim, "arrived"))
    return found
