"""Slowing down guessing: failed logins and bad API tokens, counted in the database.

The count lives in the database (core.LoginFailure), not in a worker's memory, so every
gunicorn worker (and every server behind a load balancer) sees the same failures.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from basewatch.core.models import LoginFailure

MAX_FAILURES = 5  # failed logins for one user name, or failures of any kind from one address
WINDOW = dt.timedelta(minutes=15)
API_CLIENT = "(api client)"  # the user name recorded for a bad token


def client_address(request) -> str | None:
    """The client's IP address; behind the TLS proxy, the one it appended to X-Forwarded-For.

    Only the last entry is the proxy's own: the ones before it are whatever the client sent.
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR") or None


def is_throttled(username: str, address: str | None) -> bool:
    """Too many recent failures for this user name or from this address (logins)."""
    return LoginFailure.objects.recent(username, address, WINDOW).count() >= MAX_FAILURES


def address_is_throttled(address: str | None) -> bool:
    """Too many recent failures from this address (API tokens, which name no user)."""
    return address is not None and LoginFailure.objects.recent_from(address, WINDOW).count() >= MAX_FAILURES


def record_failure(username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], address=address)


def forget_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username).delete()
