"""Public HTML pages."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from basewatch.core.models import Movement, Site


def index(request):
    """Every site with its current posture."""
    today = timezone.now().date()
    sites = Site.objects.with_posture(today)
    return render(request, "front/index.html", {"sites": sites, "today": today})


def site(request, slug: str):
    """One site: its details, current posture, counts over time and movements."""
    today = timezone.now().date()
    site = get_object_or_404(Site.objects.with_posture(today), slug=slug)
    movements = (
        Movement.objects.published()
        .filter(Q(origin=site) | Q(destination=site))
        .select_related("origin", "destination", "asset_type", "asset")
    )
    context = {"site": site, "today": today, "series": site.counts_over_time(), "movements": movements}
    return render(request, "front/site.html", context)
