"""Django admin for every model, with Leaflet maps for geometry."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from leaflet.admin import LeafletGeoAdmin

from basewatch.core import workflow
from basewatch.core.fields import LonLatLeafletAdminWidget
from basewatch.core.models import ApiToken, Asset, AssetType, Movement, Observation, Site, Source
from basewatch.core.roles import can_review


class NoDeleteMixin:
    """The record is kept: claims are retracted, sources and sites stay behind old claims."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ClaimAdminForm(forms.ModelForm):
    """Carries the version the page was opened on: a save over someone else's newer one is refused."""

    edited_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edited_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin saves in the same transaction, so the row stays locked until then.
            stored = type(self.instance).objects.select_for_update().only("version").get(pk=self.instance.pk)
            if cleaned.get("edited_version") != stored.version:
                raise forms.ValidationError(
                    f"Someone else saved this item (now version {stored.version}) while you were editing it. "
                    "Nothing was saved: open it again to see their changes."
                )
        return cleaned


class ClaimAdmin(NoDeleteMixin, admin.ModelAdmin):
    """Observations and movements follow the same workflow rules here as in the forms and the API."""

    form = ClaimAdminForm
    readonly_fields = ["entered_by", "reviewed_by", "reviewed_at", "created", "updated", "version"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # The admin leaves out many-to-many fields with a declared link model; the
        # source links have no fields of their own, so the usual widget can set them.
        if db_field.name == "sources":
            kwargs.setdefault(
                "widget", AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
            )
            return db_field.formfield(**kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if can_review(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "state", "state_reason"]

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.may_change(request.user, obj))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class WorkflowForm(form_class):
            def clean_state(self):
                state = self.cleaned_data["state"]
                author_id = self.instance.entered_by_id or request.user.pk
                if state != self.initial.get("state") and not workflow.may_set_state(request.user, state, author_id):
                    raise forms.ValidationError("Publishing needs a reviewer other than the author.")
                return state

        return form_class if "state" not in form_class.base_fields else WorkflowForm

    def save_model(self, request, obj, form, change):
        if not change and obj.entered_by_id is None:
            obj.entered_by = request.user
        if "state" in form.changed_data:
            workflow.stamp_review(obj, request.user)
        super().save_model(request, obj, form, change)


@admin.register(Site)
class SiteAdmin(NoDeleteMixin, LeafletGeoAdmin):
    widget = LonLatLeafletAdminWidget
    list_display = ["name", "kind", "operator", "host_country", "status", "location_precision"]
    list_filter = ["kind", "status", "operator", "host_country", "location_precision"]
    search_fields = ["name", "slug", "aliases", "description"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created", "updated"]


@admin.register(AssetType)
class AssetTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "nato_name"]
    list_filter = ["category"]
    search_fields = ["name", "nato_name", "notes"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "asset_type", "registration", "icao_hex", "hull_number", "operator"]
    list_filter = ["asset_type"]
    search_fields = ["registration", "icao_hex", "hull_number", "name", "operator"]
    autocomplete_fields = ["asset_type"]


@admin.register(Source)
class SourceAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "publisher", "published", "reliability"]
    list_filter = ["kind", "reliability"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "published"
    readonly_fields = ["created"]


@admin.register(Observation)
class ObservationAdmin(ClaimAdmin):
    list_display = ["observed", "site", "asset_type", "count", "activity", "credibility", "state"]
    list_filter = ["state", "activity", "credibility", "asset_type__category", "site"]
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
