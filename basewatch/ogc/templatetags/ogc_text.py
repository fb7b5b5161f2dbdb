"""The OGC API documents' descriptions on its HTML pages.

The JSON descriptions mark parameter and property names as Markdown code spans (`datetime`),
which the OpenAPI document and many clients render; the pages show them as code too, rather
than with their backticks.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CODE_SPAN = re.compile(r"`([^`]+)`")


@register.filter
def code_spans(text: str) -> SafeString:
    """`text` escaped, each `name` in backticks written as <code>name</code>."""
    return mark_safe(CODE_SPAN.sub(r"<code>\1</code>", escape(text)))  # noqa: S308 (escaped first)
