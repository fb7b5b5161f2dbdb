"""Logged-in clients and form data for the editor pages."""

from __future__ import annotations

import re

from django.test import Client

from tests.factories import make_user

NO_NEW_SOURCE = {
    "new_source-TOTAL_FORMS": "1",
    "new_source-INITIAL_FORMS": "0",
    "new_source-MIN_NUM_FORMS": "0",
    "new_source-MAX_NUM_FORMS": "10",
    # What an untouched new-source block sends: its default reliability, nothing else.
    "new_source-0-reliability": "F",
}


def client_for(role: str | None, user=None) -> Client:
    """A client logged in as a new user holding `role` (None: anonymous)."""
    client = Client()
    if role is not None or user is not None:
        client.force_login(user or make_user(role))
    return client


def observation_data(site_, asset_type, sources=(), **fields) -> dict:
    """The observation form's fields; keyword arguments replace them (`site=` too)."""
    data = {
        "site": site_.pk,
        "asset_type": asset_type.pk,
        "asset": "",
        "observed": "2024-12-13",
        "observed_precision": "day",
        "count": "2",
        "count_low": "",
        "count_high": "",
        "activity": "loading",
        "credibility": "2",
        "presence": "based",
        "notes": "",
        "sources": [source.pk for source in sources],
        "version": "",
        "action": "submit",
        **NO_NEW_SOURCE,
    }
    return {**data, **fields}


def new_source(index: int = 0, **fields) -> dict:
    values = {
        "kind": "satellite_imagery",
        "title": "Khmeimim, 13 December 2024",
        "publisher": "Maxar Technologies",
        "url": "https://maxar.example.com/khmeimim-20241213",
        "published": "2024-12-14",
        "captured": "2024-12-13",
        "archive_url": "",
        "reliability": "A",
        **fields,
    }
    return {f"new_source-{index}-{name}": value for name, value in values.items()}


def version_in(html: str) -> str:
    match = re.search(r'name="version" value="([^"]*)"', html)
    assert match, "the form carries no version"
    return match.group(1)
