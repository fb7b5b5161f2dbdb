"""The before/after swipe of two evidence images, in real Chromium: by mouse and by keyboard."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.core import images
from tests.browser.helpers import screenshot
from tests.factories import make_asset_type, make_observation, make_site
from tests.images import encoded

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def compared(settings, tmp_path):
    """A published observation with a November "before" and a December "after" image."""
    settings.MEDIA_ROOT = tmp_path / "media"
    site = make_site(name="Khmeimim test", slug="khmeimim-test")
    observation = make_observation(site, make_asset_type(), dt.date(2024, 12, 13))
    for day, colour, caption in [(dt.date(2024, 11, 20), "RGB", "Before"), (dt.date(2024, 12, 13), "RGBA", "After")]:
        checked = images.check_bytes(encoded("PNG", size=(400, 300), mode=colour))
        images.attach(checked, observation=observation, captured=day, credit="Maxar Technologies", caption=caption)
    return observation


def revealed(page) -> float:
    """How wide the "before" image shows, as a share of the frame."""
    return page.evaluate(
        """() => document.getElementById("swipe-clip").getBoundingClientRect().width
                 / document.getElementById("swipe-frame").getBoundingClientRect().width"""
    )


def test_the_swipe_moves_by_mouse_drag_and_by_arrow_keys(page, compared):
    page.goto(compared.site.get_absolute_url())
    swipe = page.locator("#swipe")
    swipe.scroll_into_view_if_needed()
    assert swipe.is_visible()
    assert page.locator("#swipe-before option:checked").inner_text().startswith("Before")
    assert page.locator("#swipe-after option:checked").inner_text().startswith("After")
    page.wait_for_function("() => document.getElementById('swipe-after-image').complete")
    assert revealed(page) == pytest.approx(0.5, abs=0.02)

    frame = page.locator("#swipe-frame").bounding_box()
    middle_y = frame["y"] + frame["height"] / 2
    page.mouse.move(frame["x"] + frame["width"] * 0.5, middle_y)
    page.mouse.down()
    page.mouse.move(frame["x"] + frame["width"] * 0.2, middle_y, steps=5)
    page.mouse.up()
    assert revealed(page) == pytest.approx(0.2, abs=0.02)
    assert page.input_value("#swipe-position") == "20"

    # The labelled range input is the keyboard's way in: focus it and press the arrows.
    page.get_by_label("Divide between before (left) and after (right)").focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert page.input_value("#swipe-position") == "30"
    assert revealed(page) == pytest.approx(0.3, abs=0.02)
    page.keyboard.press("End")
    assert revealed(page) == pytest.approx(1.0, abs=0.01)
    page.keyboard.press("Home")
    assert revealed(page) == pytest.approx(0.0, abs=0.01)
    assert page.get_attribute("#swipe-position", "aria-valuetext") == "0% before, 100% after"
    screenshot(page, "image-swipe")
    assert page.errors == []


def test_the_claim_page_swaps_the_compared_images(page, compared):
    page.goto(f"/observations/{compared.pk}/")
    before = page.get_attribute("#swipe-before-image", "src")
    page.select_option("#swipe-before", index=1)
    assert page.get_attribute("#swipe-before-image", "src") != before
    assert page.get_attribute("#swipe-before-image", "alt").startswith("Before: After")
    assert page.errors == []
