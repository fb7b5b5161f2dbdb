"""Places in the words people read them in, for the templates."""

from __future__ import annotations

from django import template

from basewatch.lib.geometry import place_text

register = template.Library()


@register.filter
def place(point) -> str:
    return place_text(point)
