"""Posture entries in the words of core.posture, for the templates."""

from __future__ import annotations

from django import template

from basewatch.core import posture
from basewatch.core.models import Observation

register = template.Library()


@register.filter
def badge(summary: dict) -> dict:
    return posture.badge(summary)


@register.filter
def count_text(entry: dict) -> str:
    return posture.count_text(entry)


@register.filter
def age_text(days: int) -> str:
    return posture.age_text(days)


@register.filter
def seen_day(entry: dict) -> str:
    return posture.seen_day(entry)


@register.filter
def activity_label(activity: str) -> str:
    return Observation.Activity(activity).label
