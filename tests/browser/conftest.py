"""Browser tests: Debian's Chromium driven by Playwright against a live server.

Transactional: the live server's thread has a database connection of its own, which sees only
committed rows. The tests run on one xdist worker (group "browser", tests/conftest.py), with one
Chromium for them all.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, FLAGS

# Playwright's sync API runs an event loop in the test thread, where the tests'
# own ORM calls (making data, flushing the database) are plain synchronous code.
# This applies to the whole test run once this file is collected.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 800})
    page = context.new_page()
    # No internet here: map tiles fail fast instead of waiting for a timeout.
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # Chromium reports each thing the Content-Security-Policy blocked on the console.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text),
    )
    yield page
    context.close()
    assert page.csp_violations == [], "the Content-Security-Policy blocked part of a page"
