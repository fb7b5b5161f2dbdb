"""Query parameters read outside a FilterSet; a bad value is a 400 naming the parameter."""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from rest_framework.exceptions import ValidationError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_param(request, name: str) -> dt.date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        if not _ISO_DATE.match(raw):
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["Enter a date as YYYY-MM-DD."]}) from None


def slug_param(request, name: str, model: type[models.Model]) -> models.Model | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    found = model.objects.filter(slug=raw).first()
    if found is None:
        raise ValidationError({name: [f"No {model._meta.verbose_name} with slug {raw[:100]!r}."]})
    return found


def choice_param(request, name: str, choices: type[models.TextChoices]) -> str | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if raw not in choices.values:
        raise ValidationError({name: [f"Choose one of: {', '.join(choices.values)}."]})
    return raw
