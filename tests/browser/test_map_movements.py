"""Movement arrows follow the site filters: none points at a site the filters leave out.

Demo movements by 2024-12-20: cargo aircraft Khmeimim → al-Khadim (arrived 2024-12-09) and the
Il-76 al-Khadim → Bamako (2024-12-17).
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)

WORLD = "lat=25&lng=15&z=3"


def drawn(page) -> tuple[str, str, int]:
    """Sites and movements the map says it drew, and the movement lines on it."""
    body = page.evaluate("[document.body.dataset.sites, document.body.dataset.movements]")
    return body[0], body[1], page.locator("path.movement-line").count()


def choose(page, name: str, value: str) -> None:
    page.select_option(f"select[name={name}]", value)
    wait_for_map(page)


def test_movements_follow_the_site_filters(page, demo):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"/?as_of=2024-12-20&{WORLD}")
    wait_for_map(page)
    assert drawn(page) == ("4", "2", 2)

    choose(page, "kind", "radar")  # no site is a radar
    assert drawn(page) == ("0", "0", 0)
    assert any("/api/v1/movements/" in url and "kind=radar" in url for url in requests)

    choose(page, "kind", "")
    choose(page, "host_country", "ML")  # Bamako: only the Il-76 reaches it
    assert drawn(page) == ("1", "1", 1)

    choose(page, "host_country", "")
    page.fill("input[name=q]", "Khmeimim")
    page.press("input[name=q]", "Enter")
    wait_for_map(page)
    assert drawn(page) == ("1", "1", 1)  # the cargo flights leaving it
    assert any("/api/v1/movements/" in url and "site_q=Khmeimim" in url for url in requests)

    choose(page, "category", "helicopter")  # the asset moved is a transport aircraft
    assert page.evaluate("document.body.dataset.movements") == "0"
    assert page.locator("path.movement-line").count() == 0
    assert page.errors == []
