"""The body of a delivery: Standard Webhooks' `{"type", "timestamp", "data"}`.

`data` is what the REST API answers an anonymous reader for the same object (a claim as
GET /api/v1/observations/{id}/ or /api/v1/movements/{id}/ gives it, its state included, so
a retraction says so; not the team's names or review notes), a site as its identity and
place: a receiver needs no second request to know what changed. Links in it are paths on
the basewatch server that sent it.
"""

from __future__ import annotations

import json

from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from basewatch.api.serializers import MovementSerializer, ObservationSerializer
from basewatch.core.events import Event
from basewatch.core.models import Movement, Observation, Site


def _site(site: Site) -> dict:
    return {
        "id": site.pk,
        "slug": site.slug,
        "name": site.name,
        "aliases": site.aliases,
        "kind": site.kind,
        "operator": str(site.operator),
        "host_country": str(site.host_country),
        "status": site.status,
        "location": {"type": "Point", "coordinates": [site.location.x, site.location.y]},
        "location_precision": site.location_precision,
        "description": site.description,
        "wikidata_id": site.wikidata_id,
        "version": site.version,
        "url": site.get_absolute_url(),
    }


def data(instance) -> dict:
    public = {"reader": AnonymousUser()}
    if isinstance(instance, Observation):
        return ObservationSerializer(instance, context=public).data
    if isinstance(instance, Movement):
        return MovementSerializer(instance, context=public).data
    if isinstance(instance, Site):
        return _site(instance)
    raise TypeError(f"No webhook payload for {type(instance).__name__}")


def body(event: Event, instance) -> str:
    document = {
        "type": str(event),
        "timestamp": timezone.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "data": data(instance),
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
