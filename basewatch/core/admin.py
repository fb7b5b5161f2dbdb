"""Django admin for every model, with Leaflet maps for geometry.

The admin writes through the same core rules as the pages and the API: an item is
saved only over the version its page was opened on (basewatch.core.versions), and a
claim is written by basewatch.core.claims, its state moved by an explicit action.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.db import transaction
from leaflet.admin import LeafletGeoAdmin

from basewatch.core import archiving, claims, images, sites
from basewatch.core.duplicates import DuplicateObservation
from basewatch.core.fields import LonLatLeafletAdminWidget
from basewatch.core.models import (
    ApiToken,
    Asset,
    AssetType,
    Capture,
    EvidenceImage,
    Movement,
    Observation,
    Site,
    Source,
)
from basewatch.core.versions import StaleVersion, VersionRequired, locked_if_current

STALE = (
    "Someone else saved this item (now version {version}) while you were editing it. "
    "Nothing was saved: open it again to see their changes."
)


class NoDeleteMixin:
    """The record is kept: claims are retracted, sources and sites stay behind old claims."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the page was opened on: a save over someone else's newer one is refused."""

    read_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["read_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                # The admin saves in the same transaction, so the row stays locked until then.
                locked_if_current(self.instance, cleaned.get("read_version"))
            except (StaleVersion, VersionRequired) as error:
                version = error.current.version if isinstance(error, StaleVersion) else "?"
                raise forms.ValidationError(STALE.format(version=version)) from None
        return cleaned


class VersionedAdmin(admin.ModelAdmin):
    form = VersionedAdminForm
    readonly_fields = ["version"]


class ClaimAdminForm(VersionedAdminForm):
    """A claim's content, and optionally a workflow action to take, written by basewatch.core.claims
    (after clean() has locked the row and checked the version read)."""

    action = forms.ChoiceField(
        required=False, label="Action", help_text="Taken when saving; the first choice keeps the state it is in."
    )
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Why, to reject or retract."
    )
    user = None  # set by ClaimAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = claims.actions_for(self.user, self.instance)
        self.fields["action"].choices = [("", "keep the state"), *((a.value, a.label) for a in allowed)]

    def _post_clean(self):
        super()._post_clean()  # the changes are on the instance, checked by the model
        if self.errors:
            return
        try:
            claims.write_claim(
                self.instance,
                self.user,
                read_version=self.cleaned_data.get("read_version"),
                sources=self.cleaned_data.get("sources"),  # read-only (absent) when only deciding
                action=self.cleaned_data.get("action") or None,
                reason=self.cleaned_data.get("reason", ""),
            )
        except claims.ClaimRefused as refused:
            for name, message in refused.errors.items():
                self.add_error(name if name in self.fields else None, message)
        except DuplicateObservation as duplicate:
            self.add_error(None, duplicate.message)


class ClaimAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Observations and movements: the form's validation writes the claim through core (the admin's
    request is one transaction, so a refusal leaves nothing behind); saving then has nothing left to do."""

    form = ClaimAdminForm
    readonly_fields = [
        "state",
        "state_reason",
        "entered_by",
        "reviewed_by",
        "reviewed_at",
        "created",
        "updated",
        "version",
    ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # The admin leaves out many-to-many fields with a declared link model; the
        # source links have no fields of their own, so the usual widget can set them.
        if db_field.name == "sources":
            kwargs.setdefault(
                "widget", AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            )
            return db_field.formfield(**kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        # To change its content, or to take a decision on it (a reviewer retracts their own claim).
        allowed = super().has_change_permission(request, obj)
        return allowed and (
            obj is None or claims.may_change(request.user, obj) or bool(claims.actions_for(request.user, obj))
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None or claims.may_change(request.user, obj):
            return self.readonly_fields
        content = [
            f.name for f in self.model._meta.concrete_fields if f.editable and f.name not in self.readonly_fields
        ]
        return [*self.readonly_fields, *content, "sources"]  # decisions only

    def get_fields(self, request, obj=None):
        # The state it is in first, the action to take last; a page that only shows has no action.
        workflow_fields = ["state", "state_reason", "action", "reason"]
        content = [name for name in super().get_fields(request, obj) if name not in [*workflow_fields, "notes"]]
        content.insert(content.index("sources"), "notes")  # with what the claim says, not before the site
        changeable = obj is None or self.has_change_permission(request, obj)
        return ["state", "state_reason", *content, *(["action", "reason"] if changeable else [])]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestClaimForm(form_class):
            user = request.user

        return RequestClaimForm

    def save_model(self, request, obj, form, change):
        pass  # written by ClaimAdminForm._post_clean

    def save_related(self, request, form, formsets, change):
        pass  # the sources too


@admin.register(Site)
class SiteAdmin(NoDeleteMixin, LeafletGeoAdmin):
    form = VersionedAdminForm
    widget = LonLatLeafletAdminWidget
    list_display = ["name", "kind", "operator", "host_country", "status", "location_precision"]
    list_filter = ["kind", "status", "operator", "host_country", "location_precision"]
    search_fields = ["name", "slug", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created", "updated", "version"]

    def save_model(self, request, obj, form, change):
        # The form's clean() locked the row at the version read; core.sites writes it, as every face does.
        sites.write_site(obj, request.user, read_version=form.cleaned_data.get("read_version"))


@admin.register(AssetType)
class AssetTypeAdmin(VersionedAdmin):
    list_display = ["name", "category", "nato_name", "fresh_days"]
    list_filter = ["category"]
    search_fields = ["name", "nato_name", "notes"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Asset)
class AssetAdmin(VersionedAdmin):
    list_display = ["__str__", "asset_type", "registration", "icao_hex", "hull_number", "mmsi", "operator", "confirmed"]
    list_filter = ["confirmed", "asset_type"]
    search_fields = ["registration"]  # the search box; what it matches is AssetQuerySet.search
    autocomplete_fields = ["asset_type"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False


class CaptureInline(admin.TabularInline):
    """A source's captures, as the worker recorded them: read, never edited (the files are evidence)."""

    model = Capture
    fields = [
        "requested",
        "state",
        "reason",
        "message",
        "final_url",
        "status",
        "fetched_at",
        "warc_sha256",
        "manifest_sha256",
        "page_changed",
        "timestamp",
        "timestamp_time",
        "timestamp_authority",
        "timestamp_reason",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(NoDeleteMixin, VersionedAdmin):
    list_display = ["title", "kind", "publisher", "published", "reliability"]
    list_filter = ["kind", "reliability"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "published"
    readonly_fields = ["created", "version"]
    inlines = [CaptureInline]
    actions = ["archive_again"]

    @admin.action(description="Archive selected sources again")
    def archive_again(self, request, queryset):
        with transaction.atomic():  # each capture with its job, or none
            queued = [archiving.queue(source) for source in queryset.exclude(url="")]
        self.message_user(request, f"{len(queued)} capture(s) queued; sources without a URL were skipped.")


@admin.register(Observation)
class ObservationAdmin(ClaimAdmin):
    list_display = ["observed", "site", "asset_type", "count", "activity", "presence", "credibility", "state"]
    list_filter = ["state", "activity", "presence", "credibility", "asset_type__category", "site"]
    search_fields = ["site__name", "asset_type__name", "asset__registration", "notes"]
    date_hierarchy = "observed"
    autocomplete_fields = ["site", "asset_type", "asset", "sources"]
    list_select_related = ["site", "asset_type"]


@admin.register(Movement)
class MovementAdmin(ClaimAdmin):
    list_display = ["__str__", "departed", "arrived", "count", "state"]
    list_filter = ["state", "asset_type"]
    search_fields = ["origin__name", "destination__name", "asset_type__name", "asset__registration", "notes"]
    autocomplete_fields = ["origin", "destination", "asset_type", "asset", "sources"]
    list_select_related = ["origin", "destination", "asset_type"]


class EvidenceImageAddForm(forms.ModelForm):
    """A new image: the file goes through basewatch.core.images like the editors' form."""

    upload = forms.FileField(label="Image", help_text="JPEG, PNG, WebP or TIFF; stored re-encoded, without EXIF.")

    class Meta:
        model = EvidenceImage
        fields = ["observation", "source", "captured", "credit", "caption"]

    def clean_upload(self):
        try:
            return images.check_upload(self.cleaned_data["upload"])
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["file"]) from None

    def clean(self):
        data = super().clean()
        if bool(data.get("observation")) == bool(data.get("source")):
            raise forms.ValidationError("Choose an observation or a source (one of them).")
        if "upload" in data:
            try:
                images.refuse_duplicate(data["upload"], observation=data["observation"], source=data["source"])
            except forms.ValidationError as error:
                self.add_error("upload", error.message_dict["file"])
        return data


@admin.register(EvidenceImage)
class EvidenceImageAdmin(admin.ModelAdmin):
    """Images are added through core.images; afterwards only what the editor confirms may change."""

    list_display = ["__str__", "observation", "source", "captured", "credit", "format", "uploaded"]
    list_filter = ["format", "original_format"]
    search_fields = ["caption", "credit", "sha256", "original_sha256"]
    autocomplete_fields = ["observation", "source"]
    list_select_related = ["observation__site", "observation__asset_type", "source"]
    readonly_fields = [
        "observation",
        "source",
        "sha256",
        "original_sha256",
        "original_format",
        "format",
        "width",
        "height",
        "size",
        "uploaded_by",
        "uploaded",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EvidenceImageAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["observation", "source", "upload", "captured", "credit", "caption"]
        return [*self.readonly_fields, "captured", "credit", "caption"]

    def has_change_permission(self, request, obj=None) -> bool:
        # As on the pages: an image of a claim changes with the claim's rules.
        if obj is not None and obj.observation_id and not claims.may_change(request.user, obj.observation):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        saved = images.attach(
            data["upload"],
            observation=data["observation"],
            source=data["source"],
            user=request.user,
            captured=data["captured"],
            credit=data["credit"],
            caption=data["caption"],
        )
        for field in EvidenceImage._meta.concrete_fields:  # what was stored, for the admin's log and redirect
            setattr(obj, field.attname, getattr(saved, field.attname))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Editors issue and revoke their own tokens; admins see everyone's."""

    list_display = ["__str__", "user", "created", "last_used", "revoked"]
    list_filter = [("revoked", admin.EmptyFieldListFilter)]
    search_fields = ["name", "key_prefix", "user__username"]
    fields = ["user", "name", "key_prefix", "created", "last_used", "revoked"]
    readonly_fields = ["key_prefix", "created", "last_used", "revoked"]
    actions = ["revoke"]

    def get_queryset(self, request):
        tokens = super().get_queryset(request).select_related("user")
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        fixed = list(self.readonly_fields)
        if obj is not None:
            fixed.append("name")
        if obj is not None or not request.user.is_superuser:
            fixed.append("user")
        return fixed

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, key = ApiToken.issue(obj.user if obj.user_id else request.user, obj.name)
        obj.pk = token.pk
        self.message_user(
            request, f"Token issued. Copy the key now; it is not stored and will not be shown again: {key}"
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the record of a key stays

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked__isnull=True):
            token.revoke()
        self.message_user(request, "Revoked.")
