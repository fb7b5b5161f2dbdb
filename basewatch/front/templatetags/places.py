"""Places in the words people read them in, for the templates."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def place(point, decimals: int = 4) -> str:
    """A point as people read it: latitude then longitude, each with its hemisphere
    ("12.5335° N, 7.9499° W"), never a signed number under a fixed N or E."""
    y, x = round(point.y, decimals), round(point.x, decimals)  # what rounds to 0 is N or E
    latitude = f"{abs(y):.{decimals}f}° {'S' if y < 0 else 'N'}"
    longitude = f"{abs(x):.{decimals}f}° {'W' if x < 0 else 'E'}"
    return f"{latitude}, {longitude}"
