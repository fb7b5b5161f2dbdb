"""Load the demo data (core.demo) idempotently: a second run changes nothing."""

from __future__ import annotations

from typing import Any

import pghistory
from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand
from django.db import models, transaction

from basewatch.core import archiving, claims, demo
from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from basewatch.core.workflow import Action, State

OFFLINE = "Demo data: its links were not fetched when it was loaded. An editor can archive a source again."


class Command(BaseCommand):
    help = "Load the demo data from the seed reports (Russian drawdown from Syria, December 2024)."

    def handle(self, *args, **options) -> None:
        self.created = self.updated = 0
        with transaction.atomic(), pghistory.context(command="load_demo"):
            self.load()
        self.stdout.write(f"demo data: {self.created} created, {self.updated} updated")

    def upsert(self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]):
        """Create or update one row, saving only what differs."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            changed = True
            self.created += 1
        else:
            changed = [name for name, value in values.items() if getattr(obj, name) != value]
            for name in changed:
                setattr(obj, name, values[name])
            self.updated += bool(changed)
        if changed:
            obj.full_clean()
            obj.save()
        return obj

    def upsert_claim(self, model, lookup: dict[str, Any], values: dict[str, Any], sources: list[Source]) -> None:
        """Create a published claim, or bring one up to date, through the claims' write path.

        A claim someone has since retracted stays retracted.
        """
        claim = model.objects.filter(**lookup).first()
        if claim is None:
            claims.write_claim(model(**lookup, **values), claims.SYSTEM, sources=sources, action=Action.PUBLISH)
            self.created += 1
            return
        changed = [name for name, value in values.items() if getattr(claim, name) != value]
        if claim.state == State.RETRACTED or (not changed and set(claim.sources.all()) == set(sources)):
            return
        for name in changed:
            setattr(claim, name, values[name])
        claims.write_claim(claim, claims.SYSTEM, read_version=claim.version, sources=sources)
        self.updated += 1

    def load(self) -> None:
        sites = {}
        for record in demo.SITES:
            values = {k: v for k, v in record.items() if k not in ("slug", "lonlat")}
            values["location"] = Point(*record["lonlat"], srid=4326)
            sites[record["slug"]] = self.upsert(Site, {"slug": record["slug"]}, values)

        asset_types = {}
        for record in demo.ASSET_TYPES:
            values = {"notes": "", **{k: v for k, v in record.items() if k != "slug"}}
            asset_types[record["slug"]] = self.upsert(AssetType, {"slug": record["slug"]}, values)

        assets = {}
        for record in demo.ASSETS:
            values = {**record, "asset_type": asset_types[record["asset_type"]]}
            del values["registration"]
            assets[record["registration"]] = self.upsert(Asset, {"registration": record["registration"]}, values)

        sources = {}
        # The seeds' links are short links to posts that may be gone and, where the demo is
        # usually loaded (a laptop, CI), cannot be fetched: their captures say so, instead of
        # queuing jobs bound to fail or pretending they were archived.
        with archiving.offline(OFFLINE):
            for key, record in demo.SOURCES.items():
                values = {"captured": None, "archive_url": "", **record}
                lookup = {"title": values.pop("title"), "publisher": values.pop("publisher")}
                sources[key] = self.upsert(Source, lookup, values)

        for record in demo.OBSERVATIONS:
            lookup = {
                "site": sites[record["site"]],
                "asset_type": asset_types[record["asset_type"]],
                "observed": record["observed"],
                "activity": record["activity"],
            }
            values = {
                "asset": assets.get(record.get("asset")),
                "observed_precision": record.get("observed_precision", "day"),
                "presence": record.get("presence", Observation.Presence.BASED),
                "count": record["count"],
                "credibility": record["credibility"],
                "notes": record["notes"],
            }
            self.upsert_claim(Observation, lookup, values, [sources[key] for key in record["sources"]])

        for record in demo.MOVEMENTS:
            lookup = {
                "origin": sites[record["origin"]],
                "destination": sites[record["destination"]],
                "asset_type": asset_types[record["asset_type"]],
                "arrived": record["arrived"],
            }
            values = {
                "asset": assets.get(record.get("asset")),
                "departed": record["departed"],
                "count": record["count"],
                "trips": record.get("trips"),
                "trips_at_least": record.get("trips_at_least", False),
                "notes": record["notes"],
            }
            self.upsert_claim(Movement, lookup, values, [sources[key] for key in record["sources"]])
