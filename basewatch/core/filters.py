"""The filters of every list, for the pages and the API alike.

A FilterSet here only narrows a queryset: it adds no annotation and has no side effect;
what a list shows of each row is the view's business. A bad value is a 400 naming the
parameter (django-filter's form errors). The posture date is `as_of` everywhere, parsed
by AsOfField alone.
"""

from __future__ import annotations

import datetime as dt
import math

import django_filters as filters
from django import forms
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django_countries import countries

from basewatch.core.models import Asset, AssetType, Movement, Observation, PostureSpan, Site, Source
from basewatch.core.posture import PostureOptions
from basewatch.core.posture_steps import MAX_DAYS as MAX_STEP_DAYS
from basewatch.core.workflow import State
from basewatch.lib.dates import EARLIEST_DATE, latest_allowed_date


class SharedChoices(tuple):
    """Choices that never change, handed on as they are when django-filter deep-copies a
    filterset's filters (it does for every request: 249 countries were copied each time)."""

    def __deepcopy__(self, memo):
        return self


COUNTRIES = SharedChoices((code, name) for code, name in countries)


class CountryField(forms.ChoiceField):
    """An ISO 3166-1 alpha-2 code. Its form is made for every request, and a ChoiceField
    deep-copies its choices into each: these 249 are shared instead."""

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)


class CountryFilter(filters.ChoiceFilter):
    field_class = CountryField

    def __init__(self, **kwargs):
        super().__init__(choices=COUNTRIES, **kwargs)


class FilterSet(filters.FilterSet):
    """django-filter's FilterSet, its form class made once per filterset class. django-filter
    makes it for every request, a form field per filter with its choices normalised: two thirds
    of the observation list's filter validation under cProfile. The fields depend on the class alone,
    never on the request, and each form still gets copies of them."""

    def get_form_class(self):
        cls = type(self)
        if "_form_class" not in cls.__dict__:  # its own, not a parent's
            cls._form_class = super().get_form_class()
        return cls._form_class


class AsOfField(forms.DateField):
    """The posture date: YYYY-MM-DD, today (UTC) when not given, from EARLIEST_DATE to today
    anywhere on Earth (no observation is later: a later posture would only be every entry
    gone stale)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(input_formats=settings.DATE_INPUT_FORMATS, **kwargs)

    def clean(self, value) -> dt.date:
        day = super().clean(value) or timezone.now().date()
        latest = latest_allowed_date()
        if not EARLIEST_DATE <= day <= latest:
            raise ValidationError(f"Give a date from {EARLIEST_DATE} to {latest}.", code="out_of_range")
        return day


class SwitchField(forms.Field):
    """An on/off query parameter: true/false, 1/0, yes/no, on/off; absent or empty is off."""

    VALUES = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value) -> bool:
        if value in (None, ""):
            return False
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise ValidationError("Give true or false.") from None


class PostureReadForm(forms.Form):
    """How one site's posture is read: `as_of`, `fresh`, `transient` (core.posture.PostureOptions)."""

    as_of = AsOfField()
    fresh = SwitchField()
    transient = SwitchField()


def parse_posture_options(query) -> PostureOptions:
    """PostureOptions from a query string (a QueryDict); ValidationError naming the parameter at fault."""
    form = PostureReadForm(query)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return PostureOptions.from_filters(form.cleaned_data)


class BBoxField(forms.CharField):
    """`minlon,minlat,maxlon,maxlat` in degrees; minlon > maxlon crosses the antimeridian.

    With `heights`, also OGC API's six numbers minlon,minlat,minheight,maxlon,maxlat,maxheight,
    read as the box's horizontal corners: every feature here is 2D, so a height range leaves none out.
    """

    def __init__(self, *, heights: bool = False, **kwargs):
        self.heights = heights
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        wanted = "Give four numbers: minlon,minlat,maxlon,maxlat" + (
            " (or six, with heights)." if self.heights else "."
        )
        try:
            numbers = [float(part) for part in value.split(",")]
        except ValueError:
            raise forms.ValidationError(wanted) from None
        if self.heights and len(numbers) == 6:
            if not numbers[2] <= numbers[5]:
                raise forms.ValidationError("The lower height must not exceed the upper one.")
            numbers = numbers[0:2] + numbers[3:5]
        if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
            raise forms.ValidationError(wanted)
        minlon, minlat, maxlon, maxlat = numbers
        if not (-180 <= minlon <= 180 and -180 <= maxlon <= 180):
            raise forms.ValidationError("Longitudes must be between -180 and 180.")
        if not (-90 <= minlat <= maxlat <= 90):
            raise forms.ValidationError("Latitudes must be between -90 and 90, minlat ≤ maxlat.")
        return minlon, minlat, maxlon, maxlat


class BBoxFilter(filters.Filter):
    field_class = BBoxField

    def filter(self, qs, value):
        return qs if value is None else qs.filter(self.condition(value))

    def condition(self, value) -> Q:
        """The rows whose `field_name` geometry intersects the box `value` (as BBoxField cleans it)."""
        minlon, minlat, maxlon, maxlat = value
        if minlon <= maxlon:
            boxes = [(minlon, minlat, maxlon, maxlat)]
        else:  # across the antimeridian: two boxes
            boxes = [(minlon, minlat, 180, maxlat), (-180, minlat, maxlon, maxlat)]
        condition = Q()
        for box in boxes:
            condition |= Q(**{f"{self.field_name}__intersects": Polygon.from_bbox(box)})
        return condition


class SearchFilter(filters.CharFilter):
    """Free text, up to 200 characters."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


class SlugFilter(filters.ModelChoiceFilter):
    """A row named by its slug; an unknown slug is a 400."""

    def __init__(self, model, **kwargs):
        super().__init__(queryset=model.objects.all(), to_field_name="slug", **kwargs)


class AssetKeyField(forms.CharField):
    """An asset named as its pages are (AssetQuerySet.named): registration, ICAO hex, MMSI, IMO or id."""

    def clean(self, value) -> Asset | None:
        value = super().clean(value)
        if not value:
            return None
        asset = Asset.objects.named(value).first()
        if asset is None:
            raise ValidationError("No asset has this registration, ICAO address, MMSI, IMO or id.")
        return asset


class AssetKeyFilter(filters.Filter):
    """Claims about one asset, named by registration, ICAO hex, MMSI, IMO or id; a key naming no asset is a 400."""

    field_class = AssetKeyField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "Asset: registration (RA-76845), ICAO hex (152C2D), MMSI, IMO or id.")
        super().__init__(*args, field_name="asset", **kwargs)


def searching(help_text: str) -> SearchFilter:
    """`q`: the model's QuerySet.search, ignoring case and accents."""
    return SearchFilter(method=lambda queryset, name, value: queryset.search(value), help_text=help_text)


def slug_filter(model, field_name: str, help_text: str) -> SlugFilter:
    return SlugFilter(model, field_name=field_name, help_text=help_text)


def with_date_range(filterset: type[filters.FilterSet], help_text: str, from_field: str, to_field: str) -> None:
    """Add `from` and `to` (reserved words in Python, so not class attributes)."""
    filterset.base_filters["from"] = filters.DateFilter(
        field_name=from_field, lookup_expr="gte", help_text=f"{help_text} on or after this date (YYYY-MM-DD)."
    )
    filterset.base_filters["to"] = filters.DateFilter(
        field_name=to_field, lookup_expr="lte", help_text=f"{help_text} on or before this date (YYYY-MM-DD)."
    )


class AsOfFilter(filters.Filter):
    """The posture date. Not a filter of its own: `asset_type` and `category` filter on the posture then."""

    field_class = AsOfField

    def filter(self, qs, value):
        return qs


class PostureOptionFilter(filters.BooleanFilter):
    """How posture is read (core.posture.PostureOptions), not a filter of the sites."""

    field_class = SwitchField

    def filter(self, qs, value):
        return qs


class SiteFilter(FilterSet):
    as_of = AsOfFilter(help_text="Posture date (YYYY-MM-DD); default today.")
    fresh = PostureOptionFilter(help_text="true: leave out posture entries older than their type's freshness horizon.")
    transient = PostureOptionFilter(help_text="true: count transient assets (passing through) in the totals too.")
    operator = CountryFilter(help_text="Operating country, ISO 3166-1 alpha-2.")
    host_country = CountryFilter(help_text="Host country, ISO 3166-1 alpha-2.")
    kind = filters.ChoiceFilter(choices=Site.Kind.choices)
    asset_type = SlugFilter(
        AssetType,
        method="filter_holding",
        help_text="Sites holding this asset type (slug) as of `as_of`; their posture counts it alone.",
    )
    category = filters.ChoiceFilter(
        choices=AssetType.Category.choices,
        method="filter_holding",
        help_text="Sites holding an asset type of this category as of `as_of`; their posture counts those alone.",
    )
    q = SearchFilter(method="filter_search", help_text="Name or alias, ignoring case and accents.")
    bbox = BBoxFilter(field_name="location", help_text="minlon,minlat,maxlon,maxlat (WGS 84 degrees).")

    class Meta:
        model = Site
        fields = []

    def filter_holding(self, queryset, name, value):
        return queryset.holding(self.posture_options())

    def posture_options(self) -> PostureOptions:
        """How the filtered sites' posture is read: the date, the asset types filtered on, the options
        (worked out once: the filters and the view both ask)."""
        if not hasattr(self, "_posture_options"):
            self._posture_options = PostureOptions.from_filters(self.form.cleaned_data)
        return self._posture_options

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class SiteStepsFilter(SiteFilter):
    """The sites of a posture-steps window (core.posture_steps): the sites filters that do not
    depend on the date. `from` and `to` (the window) are added below; `as_of` is each step's day."""

    as_of = None
    asset_type = None
    category = None

    def posture_options(self) -> PostureOptions:
        if not hasattr(self, "_posture_options"):
            data = self.form.cleaned_data
            self._posture_options = PostureOptions.from_filters({**data, "as_of": data["from"]})
        return self._posture_options

    def is_valid(self) -> bool:
        valid = super().is_valid()
        data = self.form.cleaned_data
        if valid and data["to"] < data["from"]:
            self.form.add_error("to", "Give a date on or after `from`.")
        elif valid and (data["to"] - data["from"]).days >= MAX_STEP_DAYS:
            self.form.add_error("to", f"A window holds at most {MAX_STEP_DAYS} days: give an earlier date.")
        return not self.errors


CLAIM_SEARCH = (
    "Text in the notes, a site's name or alias (any script), the asset type, the asset (registration, "
    "ICAO hex, hull number, MMSI, IMO, alias) or a source's title or publisher; ignoring case and accents."
)


class ClaimFilter(FilterSet):
    asset_type = slug_filter(AssetType, "asset_type", "Asset type slug.")
    category = filters.ChoiceFilter(field_name="asset_type__category", choices=AssetType.Category.choices)
    state = filters.ChoiceFilter(choices=State.choices, help_text="Workflow state (unpublished: viewers and up).")
    source_kind = filters.ChoiceFilter(field_name="sources__kind", choices=Source.Kind.choices, distinct=True)


class ObservationFilter(ClaimFilter):
    site = slug_filter(Site, "site", "Site slug.")
    operator = CountryFilter(field_name="site__operator", help_text="The site's operating country (ISO code).")
    activity = filters.ChoiceFilter(choices=Observation.Activity.choices)
    asset = AssetKeyFilter()
    q = searching(CLAIM_SEARCH)

    class Meta:
        model = Observation
        fields = []


class MovementFilter(ClaimFilter):
    origin = slug_filter(Site, "origin", "Origin site slug.")
    destination = slug_filter(Site, "destination", "Destination site slug.")
    site = SlugFilter(Site, method="filter_site", help_text="Either end (slug).")
    asset = AssetKeyFilter()
    q = searching(CLAIM_SEARCH)
    # The map's site filters: a movement shows when it leaves or reaches a site that matches
    # all of them (one site, either end). Applied together in filter_queryset.
    operator = CountryFilter(method="by_either_end", help_text="An end's operating country (ISO code).")
    host_country = CountryFilter(method="by_either_end", help_text="An end's host country (ISO code).")
    kind = filters.ChoiceFilter(choices=Site.Kind.choices, method="by_either_end", help_text="An end's kind.")
    site_q = SearchFilter(method="by_either_end", help_text="An end's name or alias (as the sites' `q`).")
    END_FILTERS = ("operator", "host_country", "kind", "site_q")

    class Meta:
        model = Movement
        fields = []

    def filter_site(self, queryset, name, value):
        return queryset.filter(Q(origin=value) | Q(destination=value))

    def by_either_end(self, queryset, name, value):
        return queryset  # see filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        wanted = {name: self.form.cleaned_data.get(name) for name in self.END_FILTERS}
        if not any(wanted.values()):
            return queryset
        sites = Site.objects.all()
        if wanted["site_q"]:
            sites = sites.search(wanted.pop("site_q"))
        sites = sites.filter(**{name: value for name, value in wanted.items() if value})
        ends = sites.values("pk")
        return queryset.filter(Q(origin__in=ends) | Q(destination__in=ends))


class AssetTypeFilter(FilterSet):
    category = filters.ChoiceFilter(choices=AssetType.Category.choices)
    q = searching("Name, slug or NATO reporting name, ignoring case and accents.")

    class Meta:
        model = AssetType
        fields = []


class AssetFilter(FilterSet):
    asset_type = slug_filter(AssetType, "asset_type", "Asset type slug.")
    category = filters.ChoiceFilter(field_name="asset_type__category", choices=AssetType.Category.choices)
    operator = filters.CharFilter(
        field_name="operator", lookup_expr="unaccent__icontains", max_length=200, help_text="Text in the operator."
    )
    registration = filters.CharFilter(lookup_expr="iexact", max_length=30)
    icao_hex = filters.CharFilter(lookup_expr="iexact", max_length=6)
    seen_from = filters.DateFilter(method="filter_last_seen", help_text="Last seen on or after (YYYY-MM-DD).")
    seen_to = filters.DateFilter(method="filter_last_seen", help_text="Last seen on or before (YYYY-MM-DD).")
    q = searching(
        "Registration (with or without its dash), ICAO hex, hull number, MMSI, IMO, name, alias, former "
        "registration or operator, ignoring case and accents."
    )

    class Meta:
        model = Asset
        fields = []

    def filter_last_seen(self, queryset, name, value):
        return queryset  # both ends at once, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        start, end = self.form.cleaned_data.get("seen_from"), self.form.cleaned_data.get("seen_to")
        return queryset.last_seen_between(start, end) if start or end else queryset


class SourceFilter(FilterSet):
    kind = filters.ChoiceFilter(choices=Source.Kind.choices)
    reliability = filters.ChoiceFilter(choices=Source.Reliability.choices)
    url = filters.CharFilter(max_length=1000, help_text="Exact URL: find a source before creating it.")
    publisher = SearchFilter(lookup_expr="icontains")
    q = searching("Title or publisher, ignoring case and accents.")

    class Meta:
        model = Source
        fields = []


class PostureSeriesFilter(FilterSet):
    """A site's counts over time, narrowed to some dates or asset types."""

    asset_type = slug_filter(AssetType, "asset_type", "Asset type slug.")
    category = filters.ChoiceFilter(field_name="asset_type__category", choices=AssetType.Category.choices)

    class Meta:
        model = PostureSpan
        fields = []


with_date_range(ObservationFilter, "Observed", "observed", "observed")
with_date_range(PostureSeriesFilter, "Observed", "observed", "observed")
with_date_range(SourceFilter, "Published", "published", "published")
# A movement is in [from, to] when its journey overlaps it (MovementQuerySet.with_journey).
with_date_range(MovementFilter, "Moving", "journey_end", "journey_start")
for _name, _help in (("from", "First day of the window"), ("to", "Last day of the window")):
    SiteStepsFilter.base_filters[_name] = AsOfFilter(required=True, help_text=f"{_help} (YYYY-MM-DD).")
