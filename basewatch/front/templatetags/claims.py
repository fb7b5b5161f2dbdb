"""Template helpers for the claim pages (observations and movements together) and the editor forms."""

from __future__ import annotations

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def kind_of(claim) -> str:
    """ "observation" or "movement": the claim's name in URLs."""
    return claim._meta.model_name


@register.filter
def page_url(claim) -> str:
    return reverse(f"front:{kind_of(claim)}", args=[claim.pk])


@register.filter
def edit_url(claim) -> str:
    return reverse(f"front:{kind_of(claim)}-edit", args=[claim.pk])


@register.filter
def marks_fields(form) -> bool:
    """Whether the form's errors include one shown next to a field (not only the form's own)."""
    return any(name != "__all__" for name in form.errors)
