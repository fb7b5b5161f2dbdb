"""Small factory functions: each makes one valid row, overridable by keyword."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.gis.geos import Point

from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from basewatch.core.workflow import State

_serial = itertools.count(1)


def make_site(**fields) -> Site:
    n = next(_serial)
    values = {
        "name": f"Site {n}",
        "slug": f"site-{n}",
        "kind": Site.Kind.AIR_BASE,
        "operator": "RU",
        "host_country": "SY",
        "location": Point(35.9 + n / 1000, 35.4, srid=4326),
    }
    return Site.objects.create(**{**values, **fields})


def make_asset_type(**fields) -> AssetType:
    n = next(_serial)
    values = {"name": f"Type {n}", "slug": f"type-{n}", "category": AssetType.Category.TRANSPORT_AIRCRAFT}
    return AssetType.objects.create(**{**values, **fields})


def make_asset(**fields) -> Asset:
    n = next(_serial)
    values = {"registration": f"RA-{10000 + n}"}
    if "asset_type" not in fields:
        values["asset_type"] = make_asset_type()
    return Asset.objects.create(**{**values, **fields})


def make_source(**fields) -> Source:
    n = next(_serial)
    values = {
        "kind": Source.Kind.NEWS_REPORT,
        "title": f"Report {n}",
        "publisher": "Example News",
        "url": f"https://news.example.org/{n}",
        "published": dt.date(2024, 12, 13),
        "reliability": Source.Reliability.B,
    }
    return Source.objects.create(**{**values, **fields})


def make_observation(site: Site, asset_type: AssetType, observed: dt.date, count: int | None = 1, **fields):
    sources = fields.pop("sources", None) or [make_source()]
    values = {"activity": Observation.Activity.PRESENT, "state": State.PUBLISHED, "credibility": 2}
    observation = Observation.objects.create(
        site=site, asset_type=asset_type, observed=observed, count=count, **{**values, **fields}
    )
    observation.sources.set(sources)
    return observation


def make_movement(origin: Site, destination: Site, asset_type: AssetType, **fields) -> Movement:
    sources = fields.pop("sources", None) or [make_source()]
    values = {"arrived": dt.date(2024, 12, 17), "state": State.PUBLISHED}
    movement = Movement.objects.create(
        origin=origin, destination=destination, asset_type=asset_type, **{**values, **fields}
    )
    movement.sources.set(sources)
    return movement


def make_user(role: str | None = None, username: str | None = None):
    """A user holding `role` (viewer, editor, reviewer, admin) or no role."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username or f"{role or 'user'}-{next(_serial)}", password="a-long-test-password")
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_token(role: str | None = None, username: str | None = None) -> str:
    """The key of a fresh API token for a new user holding `role`."""
    from basewatch.core.models import ApiToken

    _, key = ApiToken.issue(make_user(role, username), "test")
    return key
