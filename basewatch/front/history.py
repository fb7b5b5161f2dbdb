"""Readable history from the event tables that django-pghistory's triggers fill.

Each event row is a copy of the changed row plus the context the request set
(user id and URL; none for management commands and raw SQL). A change lists
the fields that differ from the object's previous event; foreign keys,
choices and geometries are shown as people read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.utils.dateparse import parse_datetime
from pghistory.models import Events

from basewatch.core.models import (
    Asset,
    AssetType,
    Movement,
    MovementSource,
    Observation,
    ObservationSource,
    Site,
    Source,
)

_RELATED = {
    "site_id": Site,
    "origin_id": Site,
    "destination_id": Site,
    "asset_type_id": AssetType,
    "asset_id": Asset,
    "source_id": Source,
    "entered_by_id": User,
    "reviewed_by_id": User,
}
# Bookkeeping that changes with every save; the content fields say what happened.
_HIDDEN = {"id", "created", "updated", "version", "observation_id", "movement_id"}
# A source link's change is shown as a change to its claim.
_LINKED_CLAIM = {ObservationSource: Observation, MovementSource: Movement}
_LABELS = {
    "insert": "created",
    "update": "changed",
    "delete": "deleted",
    "source.add": "source added",
    "source.remove": "source removed",
}


@dataclass
class Change:
    when: object
    who: str
    via: str
    subject: str
    what: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


def history_of(item) -> list[Change]:
    """Every recorded change to `item` and to rows that point at it (its source links, a site's claims)."""
    events = list(Events.objects.references(item).order_by("pgh_created_at", "pgh_id"))
    names = _related_names(events)
    return [_change(event, names) for event in events]


def _related_names(events) -> dict[tuple[type, int], str]:
    wanted: dict[type, set[int]] = {}
    for event in events:
        for column, model in _RELATED.items():
            for value in _values(event, column):
                wanted.setdefault(model, set()).add(value)
        user = (event.pgh_context or {}).get("user")
        if isinstance(user, int):
            wanted.setdefault(User, set()).add(user)
    names = {}
    for model, ids in wanted.items():
        for row in model.objects.filter(pk__in=ids):
            names[(model, row.pk)] = row.get_username() if model is User else str(row)
    return names


def _values(event, column: str) -> list[int]:
    values = [(event.pgh_data or {}).get(column)]
    values += (event.pgh_diff or {}).get(column, [])
    return [value for value in values if isinstance(value, int)]


def _change(event, names) -> Change:
    context = event.pgh_context or {}
    user = context.get("user")
    url = context.get("url") or ""
    model = apps.get_model(event.pgh_obj_model)
    subject_model = _LINKED_CLAIM.get(model, model)
    subject_id = _subject_id(event, subject_model)
    return Change(
        when=event.pgh_created_at,
        who=names.get((User, user), "—") if user else "system",
        via=_via(url, context),
        subject=f"{subject_model._meta.verbose_name.capitalize()} #{subject_id}",
        what=_LABELS.get(event.pgh_label, event.pgh_label),
        fields=_fields(event, model, names),
    )


def _subject_id(event, subject_model) -> object:
    data = event.pgh_data or {}
    return data.get(f"{subject_model._meta.model_name}_id", data.get("id", event.pgh_obj_id))


def _via(url: str, context: dict) -> str:
    if "command" in context:
        return f"command {context['command']}"
    if not context:
        return "command or SQL"
    if url.startswith("/api/"):
        return "API"
    if url.startswith("/admin/"):
        return "admin"
    return "web form"


def _fields(event, model, names) -> list[tuple[str, str, str]]:
    # An update with no earlier event (a row older than the history) shows the state it left.
    if event.pgh_label == "update" and event.pgh_diff is not None:
        pairs = {column: tuple(values) for column, values in event.pgh_diff.items()}
    else:
        pairs = {column: (None, value) for column, value in (event.pgh_data or {}).items()}
    order = [model_field.attname for model_field in model._meta.concrete_fields]
    rows = []
    for column, (old, new) in sorted(pairs.items(), key=lambda pair: _position(order, pair[0])):
        if column in _HIDDEN or column.startswith("pgh_") or (old in (None, "", []) and new in (None, "", [])):
            continue
        if event.pgh_label == "delete":
            old, new = new, None
        label = _label(model, column)
        rows.append((label, _show(model, column, old, names), _show(model, column, new, names)))
    return rows


def _position(order: list[str], column: str) -> int:
    return order.index(column) if column in order else len(order)


def _model_field(model, column: str):
    return next((f for f in model._meta.concrete_fields if f.attname == column), None)


def _label(model, column: str) -> str:
    model_field = _model_field(model, column)
    return str(model_field.verbose_name) if model_field is not None else column


def _show(model, column: str, value, names) -> str:
    if value in (None, "", []):
        return "—"
    if column in _RELATED:
        return names.get((_RELATED[column], value), f"#{value} (no longer on file)")
    model_field = _model_field(model, column)
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if column in ("location", "footprint"):
        return _geometry_text(value)
    if column in ("reviewed_at",) and isinstance(value, str):
        stamp = parse_datetime(value)
        return f"{stamp:%Y-%m-%d %H:%M} UTC" if stamp else value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _geometry_text(value) -> str:
    """A stored geometry in words: a point's coordinates, an outline's size. It comes as hex EWKB
    (read by GEOS, no spatial reference lookup) or, from the events' JSON copy of the row, as
    the GeoJSON PostGIS writes (read as plain numbers: its `crs` member is never looked up)."""
    if isinstance(value, dict):
        kind, coordinates = value.get("type"), value.get("coordinates")
        if kind == "Point" and isinstance(coordinates, list) and len(coordinates) >= 2:
            return f"{coordinates[0]:.5f}, {coordinates[1]:.5f} (lon, lat)"
        return f"{kind} outline with {_positions(coordinates)} points"
    try:
        geometry = GEOSGeometry(value)
    except (GEOSException, ValueError, TypeError):
        return "a geometry that cannot be read"
    if geometry.geom_type == "Point":
        return f"{geometry.x:.5f}, {geometry.y:.5f} (lon, lat)"
    return f"{geometry.geom_type} outline with {geometry.num_coords} points"


def _positions(coordinates) -> int:
    """How many positions nested GeoJSON coordinates hold."""
    if not isinstance(coordinates, list) or not coordinates:
        return 0
    if not isinstance(coordinates[0], list):
        return 1
    return sum(_positions(part) for part in coordinates)
