"""Generate the synthetic benchmark world (core.synthetic) in the configured database."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from basewatch.core.synthetic import TIERS, generate


class Command(BaseCommand):
    help = "Replace the synthetic benchmark data with a tier: XS (tests), S, M or L. Deterministic."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tier", choices=sorted(TIERS), default="S")

    def handle(self, *args, tier: str, **options) -> None:
        size = TIERS[tier]
        started = time.monotonic()
        generate(size)
        self.stdout.write(
            f"tier {tier}: {size.sites} sites, {size.assets} assets, {size.sources} sources, "
            f"{size.observations} observations in {time.monotonic() - started:.1f} s"
        )
