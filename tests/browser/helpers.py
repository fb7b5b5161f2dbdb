"""Helpers for the browser tests."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under var/screenshots/ (a test artifact)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def wait_for_map(page) -> None:
    """Until the map has drawn what the current date and filters ask for."""
    page.wait_for_function("() => document.body.dataset.loading === 'false'")


def set_date(page, day: str) -> None:
    """Type a date into the map's date field and wait until the map has drawn it."""
    page.fill("#date-input", day)
    page.dispatch_event("#date-input", "change")
    wait_for_map(page)
