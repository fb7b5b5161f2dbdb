"""Atom feeds of newly published observations and movements, for feed readers and partner tools.

`/feeds/observations/` and `/feeds/movements/` take the lists' own filters (core.filters:
`site`, `operator`, `asset`, `asset_type`, `category`, …), so a feed per site, operator or
asset is a query string away. Entries are the latest published claims, newest decision first,
each with its sources. Published claims only, whoever asks. Conditional GET: the ETag and
Last-Modified come from the data version (core.models.DataVersion), as in the API.
"""

from __future__ import annotations

import hashlib

from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import condition

from basewatch.core.filters import MovementFilter, ObservationFilter
from basewatch.core.models import DataVersion, Movement, Observation

ENTRIES = 50  # a feed is what is new, not the archive: the lists and the API page through it all


class ClaimFeed(Feed):
    feed_type = Atom1Feed
    filterset_class = None  # the list's FilterSet
    model = None
    what = ""  # "observations", "movements"
    # Atom requires an author of the feed when its entries name none (RFC 4287, 4.1.1).
    author_name = "basewatch"

    def __call__(self, request, *args, **kwargs):
        self.filterset = self.filterset_class(request.GET, queryset=self.model.objects.published())
        if not self.filterset.is_valid():
            problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in self.filterset.errors.items())
            return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
        self.query = request.GET.urlencode()
        self.request_path = request.path
        return super().__call__(request, *args, **kwargs)

    def title(self):
        # A reader lists feeds by title: one per site or asset must say which.
        return f"basewatch: newly published {self.what}" + (f" ({self.query})" if self.query else "")

    def link(self):
        return reverse(self.list_url) + (f"?{self.query}" if self.query else "")

    def feed_url(self):
        # rel="self", which a reader subscribes to again: with the filters (Django's is the path alone).
        return self.request_path + (f"?{self.query}" if self.query else "")

    def subtitle(self):
        return "Newly published, with their sources. Filters: " + (self.query or "none")

    def items(self):
        rows = self.filterset.qs.with_details().order_by("-reviewed_at", "-id")
        return rows[:ENTRIES]

    def item_link(self, claim):
        return claim.get_absolute_url()

    def item_guid(self, claim):
        return f"basewatch:{self.model._meta.model_name}:{claim.pk}"

    def item_guid_is_permalink(self, claim):
        return False

    def item_pubdate(self, claim):
        return claim.reviewed_at or claim.created

    def item_updateddate(self, claim):
        return claim.updated

    def item_description(self, claim):
        """The notes and each source (title, publisher, date, reliability, link), all user text escaped."""
        sources = format_html_join("", "<li>{}</li>", ((_source_html(source),) for source in claim.sources.all()))
        return format_html("<p>{}</p><p>Sources:</p><ul>{}</ul>", claim.notes or "No notes.", sources)


def _source_html(source) -> str:
    link = source.url or source.archive_url
    title = format_html('<a href="{}">{}</a>', link, source.title) if link else source.title
    publisher = source.publisher or "publisher unknown"
    published = source.published or "undated"
    return format_html("{} — {}, {}, reliability {}", title, publisher, published, source.reliability)


class ObservationFeed(ClaimFeed):
    what = "observations"
    list_url = "front:observations"
    filterset_class = ObservationFilter
    model = Observation

    def item_title(self, observation):
        what = observation.asset.label if observation.asset_id else observation.asset_type.name
        counted = f"{what}, count unknown," if observation.count is None else f"{observation.count} × {what}"
        return (
            f"{observation.observed:%Y-%m-%d}: {counted} at {observation.site.name} "
            f"({observation.get_activity_display().lower()})"
        )


class MovementFeed(ClaimFeed):
    what = "movements"
    list_url = "front:movements"
    filterset_class = MovementFilter
    model = Movement

    def item_title(self, movement):
        what = movement.asset.label if movement.asset_id else movement.asset_type.name
        when = movement.arrived or movement.departed
        trips = f", {movement.trips_text}" if movement.trips_text else ""
        return f"{when:%Y-%m-%d}: {what}{trips}, {movement.origin.name} → {movement.destination.name}"


def _etag(request, *args, **kwargs) -> str:
    version, changed = DataVersion.current()
    digest = hashlib.sha256(f"{changed}|{request.get_full_path()}".encode()).hexdigest()[:16]
    return f'"f{version}.{digest}"'


def _changed(request, *args, **kwargs):
    return DataVersion.current()[1]


def _serving(feed_class: type[ClaimFeed]):
    """A view answering with a new `feed_class` for each request (a feed keeps its request's filters)."""

    @condition(etag_func=_etag, last_modified_func=_changed)
    def view(request):
        return feed_class()(request)

    return view


observations = _serving(ObservationFeed)
movements = _serving(MovementFeed)
