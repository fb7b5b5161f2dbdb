"""Typed readers for settings from environment variables.

Each returns the default when the variable is unset or empty and raises
ImproperlyConfigured on a malformed value, so a typo stops start-up instead of
silently running with the wrong configuration.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "", *, keep_empty: bool = False) -> str:
    """With keep_empty, a variable set to "" means "" (something switched off), not the default."""
    value = os.environ.get(name)
    if value is None or (not value and not keep_empty):
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks around items are ignored."""
    value = os.environ.get(name, "")
    if not value.strip():
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int_list(name: str, default: list[int]) -> list[int]:
    """A comma-separated list of whole numbers from 0 up, e.g. a schedule in seconds."""
    items = env_list(name, [])
    if not items:
        return default
    if not all(item.isascii() and item.isdigit() for item in items):
        raise ImproperlyConfigured(f"{name}={','.join(items)!r} is not a list of whole numbers")
    return [int(item) for item in items]
