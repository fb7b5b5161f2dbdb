"""Editor forms: sourced claims with their sources, and the catalogue they refer to.

Every form is a ModelForm, so the model's clean() and constraints check what an
editor types exactly as they check the API and the admin.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator

from basewatch.core.images import check_upload
from basewatch.core.models import Asset, AssetType, EvidenceImage, ImportReport, Movement, Observation, Site, Source
from basewatch.core.models.claims import COUNT_MAX, COUNT_TOO_LARGE, TRIPS_MESSAGE
from basewatch.front.uploads import LimitedUploadForm

# Text, not type=date, which the browser shows in its locale's order (mm/dd/yyyy): a date reads
# YYYY-MM-DD everywhere (templates/includes/_date_input.html, for the pages' own date boxes).
DATE = forms.DateInput(
    attrs={
        "inputmode": "numeric", "pattern": r"\d{4}-\d{2}-\d{2}", "maxlength": "10", "size": "10",
        "placeholder": "YYYY-MM-DD", "autocomplete": "off", "title": "YYYY-MM-DD",
    },
    format="%Y-%m-%d",
)  # fmt: skip


class VersionedForm(forms.ModelForm):
    """Carries the version of the item the form was opened on (basewatch.core.versions)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        # The locale's formats (12/13/2024) would take precedence: accept what the API accepts.
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.input_formats = settings.DATE_INPUT_FORMATS

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's rules speak of a field only where the field took its value: a date it
        could not read ("Enter a valid date.") is not also reported as missing."""
        if hasattr(errors, "error_dict"):
            errors.error_dict = {
                name: found
                for name, found in errors.error_dict.items()
                if name == NON_FIELD_ERRORS or name not in self._errors
            }
        super()._update_errors(errors)


class SiteChoiceField(forms.ModelChoiceField):
    """Sites by name with their other spellings, so typing any of them finds the site."""

    def label_from_instance(self, site: Site) -> str:
        return f"{site.name} ({', '.join(site.aliases)})" if site.aliases else site.name


def _searchable(field: forms.Field) -> None:
    field.widget.attrs["data-searchable"] = ""


class SourceForm(VersionedForm):
    class Meta:
        model = Source
        fields = ["kind", "title", "publisher", "url", "published", "captured", "archive_url", "reliability"]
        widgets = {"published": DATE, "captured": DATE}


class NewSourceForm(SourceForm):
    """A source typed into a claim form. A URL already on file is that source: basewatch.core.claims
    uses it instead, so the URL's uniqueness is not an error here."""

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        url = self.cleaned_data.get("url")
        if url and Source.objects.filter(url=url).exists():
            exclude.add("url")
        return exclude


NewSourceFormSet = forms.formset_factory(NewSourceForm, extra=1, max_num=10, absolute_max=10)


class ClaimForm(VersionedForm):
    """Shared by observations and movements: notes and the sources on file that back the claim."""

    sources = forms.ModelMultipleChoiceField(
        Source.objects.all(),
        required=False,
        label="Sources on file",
        help_text="Pick sources already entered (type to search), or add new ones below.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("site", "origin", "destination", "asset", "sources"):
            if name in self.fields:
                _searchable(self.fields[name])
        self.fields["asset"].queryset = Asset.objects.select_related("asset_type")
        # Core's bound, in its words, before the database column's (2,147,483,647) speaks as well.
        for name in ("count", "count_low", "count_high"):
            if name in self.fields:
                self.fields[name].validators.append(MaxValueValidator(COUNT_MAX, COUNT_TOO_LARGE))


class ObservationForm(ClaimForm):
    site = SiteChoiceField(Site.objects.all())

    class Meta:
        model = Observation
        fields = [
            "site",
            "asset_type",
            "asset",
            "observed",
            "observed_precision",
            "count",
            "count_low",
            "count_high",
            "activity",
            "presence",
            "credibility",
            "notes",
            "sources",
        ]
        widgets = {"observed": DATE, "notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"credibility": "How likely the information is true, Admiralty code (STANAG 2511)."}


class MovementForm(ClaimForm):
    origin = SiteChoiceField(Site.objects.all())
    destination = SiteChoiceField(Site.objects.all())

    class Meta:
        model = Movement
        fields = [
            "origin",
            "destination",
            "asset_type",
            "asset",
            "count",
            "departed",
            "arrived",
            "trips",
            "trips_at_least",
            "transfer",
            "notes",
            "sources",
        ]
        widgets = {"departed": DATE, "arrived": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A transfer is named by its first leg (one that continues none), never by this movement.
        first_legs = Movement.objects.filter(transfer=None).select_related("origin", "destination", "asset_type")
        if self.instance.pk:
            first_legs = first_legs.exclude(pk=self.instance.pk)
        self.fields["transfer"].queryset = first_legs
        _searchable(self.fields["transfer"])
        # The field's own bound (0, a positive integer) would speak before core's rule, in other words.
        self.fields["trips"].error_messages["min_value"] = TRIPS_MESSAGE


class SiteForm(VersionedForm):
    aliases = SimpleArrayField(
        forms.CharField(max_length=200),
        required=False,
        help_text="Other spellings and scripts, comma-separated (Hmeimim, حميميم, Хмеймим).",
    )

    class Meta:
        model = Site
        fields = [
            "name",
            "slug",
            "aliases",
            "kind",
            "operator",
            "host_country",
            "location",
            "location_precision",
            "footprint",
            "status",
            "description",
            "wikidata_id",
        ]


class AssetTypeForm(VersionedForm):
    class Meta:
        model = AssetType
        fields = ["name", "slug", "category", "nato_name", "fresh_days", "notes"]


class AssetForm(VersionedForm):
    aliases = SimpleArrayField(
        forms.CharField(max_length=200),
        required=False,
        help_text="Other names and spellings, comma-separated (Ил-76ТД, callsigns, nicknames).",
    )
    former_registrations = SimpleArrayField(
        forms.CharField(max_length=30), required=False, help_text="Registrations it carried before, comma-separated."
    )

    class Meta:
        model = Asset
        fields = [
            "asset_type",
            "registration",
            "icao_hex",
            "hull_number",
            "mmsi",
            "imo",
            "name",
            "aliases",
            "former_registrations",
            "operator",
            "confirmed",
            "notes",
        ]


class TraceImportForm(LimitedUploadForm):
    """An ADS-B trace to import (basewatch.core.adsb), and what names the aircraft when the file does not."""

    file = forms.FileField(
        label="Trace file",
        help_text="readsb/tar1090 trace_full JSON (gzip-compressed or not), or a CSV with the header "
        "time,lat,lon,altitude.",
    )
    icao_hex = forms.CharField(
        label="ICAO hex", max_length=6, required=False, help_text="For a CSV: the aircraft's address, e.g. 152C2D."
    )
    registration = forms.CharField(max_length=30, required=False, help_text="For a CSV: e.g. RA-76845.")
    asset_type = forms.ModelChoiceField(
        AssetType.objects.all(),
        to_field_name="slug",
        required=False,
        help_text="Only for an aircraft not on file whose type the file does not name.",
    )
    dry_run = forms.BooleanField(label="Check only: store nothing", required=False)

    limit_setting, limit_of = "TRACE_MAX_BYTES", "a trace"


class ClaimImportForm(LimitedUploadForm):
    """A spreadsheet of observations, movements, sites or sources to check, then import
    (basewatch.core.imports)."""

    file = forms.FileField(
        help_text="CSV (UTF-8), XLSX or GeoJSON with the columns of basewatch's own CSV export.",
    )
    kind = forms.ChoiceField(
        label="The file holds",
        choices=[("", "Whatever its columns say"), *ImportReport.Kind.choices],
        required=False,
        help_text="Needed only when the header has the columns of two kinds.",
    )
    all_or_nothing = forms.BooleanField(label="All or nothing: store no row if any row has an error", required=False)

    limit_setting, limit_of = "IMPORT_MAX_BYTES", "an import"


class ImageForm(forms.Form):
    """An evidence image and what the editor confirms about it; core.images checks the file."""

    file = forms.FileField(
        label="Image",
        help_text="JPEG, PNG, WebP or TIFF. Stored re-encoded: EXIF (GPS, camera) and anything appended are dropped.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/tiff"}),
    )
    captured = forms.DateField(
        label="Captured on",
        required=False,
        widget=DATE,
        input_formats=settings.DATE_INPUT_FORMATS,
        help_text="Leave empty to be offered the date the camera recorded, if the file has one.",
    )
    credit = forms.CharField(max_length=200, required=False, help_text="Maxar Technologies, @handle …")
    caption = forms.CharField(max_length=500, required=False)

    def clean_file(self):
        try:
            return check_upload(self.cleaned_data["file"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from None


class ImageDetailsForm(forms.ModelForm):
    """What an editor may change about a stored image: never its pixels."""

    class Meta:
        model = EvidenceImage
        fields = ["captured", "credit", "caption"]
        widgets = {"captured": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captured"].input_formats = settings.DATE_INPUT_FORMATS
