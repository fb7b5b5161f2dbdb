"""Webhooks in the admin: admins register endpoints and read every delivery and attempt.

Only admins (the admin role, or superusers) see these pages: an endpoint's secret signs
what basewatch says, and its URL decides where the server sends requests.
"""

from __future__ import annotations

import ipaddress

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db import transaction

from basewatch.core.events import Event
from basewatch.core.roles import ADMIN, has_role
from basewatch.lib import safehttp
from basewatch.webhooks import outbox
from basewatch.webhooks.models import Attempt, Delivery, Endpoint, new_secret


class AdminsOnly:
    def has_module_permission(self, request) -> bool:
        return has_role(request.user, ADMIN)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


def check_endpoint_url(url: str) -> None:
    """What can be known of a receiver's URL before sending: http(s), no credentials, and no
    private address written out. A host name is resolved and checked at each delivery."""
    try:
        target = safehttp.parse_url(url)
    except safehttp.Refused as refused:
        raise forms.ValidationError(refused.message) from None
    try:
        literal = ipaddress.ip_address(target.host)
    except ValueError:
        return
    if not safehttp.is_public(literal) and target.host not in settings.OUTGOING_ALLOWED_HOSTS:
        raise forms.ValidationError(f"{literal} is not a public internet address.")


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https", help_text=Endpoint._meta.get_field("url").help_text)
    events = forms.MultipleChoiceField(choices=Event.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        check_endpoint_url(url)
        return url


@admin.register(Endpoint)
class EndpointAdmin(AdminsOnly, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "event_list", "active", "created"]
    list_filter = ["active"]
    search_fields = ["url", "description"]
    readonly_fields = ["created", "created_by"]
    actions = ["rotate_secret", "pause", "resume"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []  # nothing to show before it exists

    @admin.display(description="events")
    def event_list(self, endpoint: Endpoint) -> str:
        return ", ".join(endpoint.events)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            self._show_secret(request, obj, "Endpoint registered.")

    def _show_secret(self, request, endpoint: Endpoint, what: str) -> None:
        self.message_user(
            request,
            f"{what} Its signing secret for {endpoint.url} is shown this once; give it to the "
            f"receiver now: {endpoint.secret}",
        )

    @admin.action(description="Rotate the signing secret of selected endpoints")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint.secret = new_secret()
            endpoint.save(update_fields=["secret"])
            self._show_secret(request, endpoint, "Secret rotated: deliveries from now on use the new one.")

    @admin.action(description="Pause selected endpoints (no new deliveries)")
    def pause(self, request, queryset):
        queryset.update(active=False)

    @admin.action(description="Resume selected endpoints")
    def resume(self, request, queryset):
        queryset.update(active=True)


class AttemptInline(AdminsOnly, admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["number", "at", "ok", "status_code", "seconds", "error", "response"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(AdminsOnly, admin.ModelAdmin):
    list_display = ["created", "event", "endpoint", "state", "attempts", "delivered_at", "next_attempt_at"]
    list_filter = ["state", "event", "endpoint"]
    search_fields = ["message_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    fields = [
        "message_id",
        "endpoint",
        "event",
        "state",
        "attempts",
        "created",
        "delivered_at",
        "next_attempt_at",
        "body",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["deliver_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the log is what happened; only "deliver again" acts on it

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deleting its endpoint deletes it

    @admin.action(description="Deliver selected again (same message id and body)")
    def deliver_again(self, request, queryset):
        again = 0
        with transaction.atomic():
            for delivery in queryset.exclude(state=Delivery.State.DELIVERED).select_for_update():
                delivery.state, delivery.next_attempt_at = Delivery.State.PENDING, None
                delivery.save(update_fields=["state", "next_attempt_at"])
                outbox.queue(delivery)
                again += 1
        self.message_user(request, f"{again} queued again; delivered ones are left as they are.")
