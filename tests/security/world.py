"""A world of sites, sources and claims whose every free text is an attack (tests/security)."""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import Point

from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from tests.factories import make_movement, make_observation, make_source, make_user


def payload_world(payloads: list[str]) -> dict:
    """One site (with its asset type, asset, source, observation, movement) per payload."""
    author = make_user("editor", username="xss-editor")
    hub = Site.objects.create(
        slug="hub", name="Hub", kind="air_base", operator="RU", host_country="SY", location=Point(30, 30, srid=4326)
    )
    observations, movements = [], []
    for i, text in enumerate(payloads):
        site = Site.objects.create(
            slug=f"xss-{i}",
            name=text,
            aliases=[text, f"alias {i}"],
            description=text,
            kind="air_base",
            operator="RU",
            host_country="SY",
            location=Point(-170 + (i % 30) * 10, -60 + (i // 30) * 10, srid=4326),
        )
        asset_type = AssetType.objects.create(slug=f"type-{i}", name=f"{text} #{i}", nato_name=text[:100], notes=text)
        Asset.objects.create(asset_type=asset_type, registration=f"RA-{i}", name=text, operator=text, notes=text)
        source = make_source(title=text, publisher=text, url=f"https://example.org/{i}")
        state = "submitted" if i % 10 == 0 else "published"
        observations.append(
            make_observation(site, asset_type, dt.date(2024, 12, 1), sources=[source], notes=text, entered_by=author)
        )
        Observation.objects.filter(pk=observations[-1].pk).update(state=state, state_reason=text)
        movements.append(make_movement(hub, site, asset_type, sources=[source], notes=text, entered_by=author))
    return {"observations": observations, "movements": movements}


def make_harmless() -> None:
    """Replace every stored text with plain words, keeping every row and its shape."""
    for i, site in enumerate(Site.objects.exclude(slug="hub").order_by("pk")):
        plain = {"name": f"Site {i}", "aliases": [f"Site {i}", f"alias {i}"], "description": "Text"}
        Site.objects.filter(pk=site.pk).update(**plain)
    for model, fields in [
        (AssetType, {"nato_name": "Text", "notes": "Text"}),
        (Asset, {"name": "Text", "operator": "Text", "notes": "Text"}),
        (Source, {"title": "Text", "publisher": "Text"}),
        (Observation, {"notes": "Text", "state_reason": "Text"}),
        (Movement, {"notes": "Text"}),
    ]:
        model.objects.update(**fields)
    for asset_type in AssetType.objects.all():
        AssetType.objects.filter(pk=asset_type.pk).update(name=f"Type {asset_type.pk}")
