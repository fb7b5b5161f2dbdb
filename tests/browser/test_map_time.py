"""Time on the map: a slider over the data's own dates, steps, Play, and Back that agrees with the URL.

The demo data speaks on 2024-11-01 (the first observation), 2024-12-09, 12-11, 12-13 and 12-17.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.helpers import set_date, wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)

DATA_DATES = ["2024-11-01", "2024-12-09", "2024-12-11", "2024-12-13", "2024-12-17"]
VIEW = "lat=30&lng=20&z=4"


def today(page) -> str:
    return page.evaluate("JSON.parse(document.getElementById('map-config').textContent).today")


def click_and_draw(page, selector: str) -> None:
    page.click(selector)
    wait_for_map(page)


def drawn_date(page) -> str:
    return page.evaluate("document.body.dataset.date")


def url_as_of(page) -> str:
    return dict(parse_qsl(urlsplit(page.url).query))["as_of"]


def test_the_slider_stops_at_the_data_dates_and_today(page, demo):
    page.goto(f"/?as_of=2024-12-20&{VIEW}")
    wait_for_map(page)
    assert page.evaluate("JSON.parse(document.getElementById('map-config').textContent).dates") == DATA_DATES
    assert page.get_attribute("#date-slider", "max") == "5"  # five data dates, then today
    assert page.input_value("#date-slider") == "4"  # 2024-12-20 shows at 2024-12-17, the stop before it
    page.fill("#date-slider", "0")  # the slider's first stop
    wait_for_map(page)
    assert drawn_date(page) == "2024-11-01" == page.input_value("#date-input") == url_as_of(page)
    page.fill("#date-slider", "5")
    wait_for_map(page)
    assert drawn_date(page) == today(page)
    set_date(page, "2024-12-10")  # any date may be typed; the slider shows the data date before it
    assert drawn_date(page) == "2024-12-10"
    assert page.input_value("#date-slider") == "1"
    assert page.errors == []


# A date written any other way than YYYY-MM-DD: 12/13/2024, 13.12.2024, Dec 13, 13 December.
MONTHS = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
OTHER_DATES = re.compile(rf"\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b|\b{MONTHS}[a-z]*\.? \d|\d {MONTHS}")


def test_dates_read_and_are_typed_as_iso(page, demo):
    page.goto("/?as_of=2024-12-20&lat=35.40&lng=35.95&z=10")  # Khmeimim, not clustered with Tartus
    wait_for_map(page)
    assert page.input_value("#date-input") == "2024-12-20"
    page.locator('.leaflet-marker-icon[title="Khmeimim Air Base"]').click()
    page.locator(".site-popup[data-loaded]").wait_for()
    shown = page.inner_text("body")
    assert "2024-12-13" in shown and "2024-12-20" in shown  # the popup's and the legend's dates
    assert not OTHER_DATES.search(shown), OTHER_DATES.search(shown)
    page.fill("#date-input", "12/11/2024")
    page.dispatch_event("#date-input", "change")
    assert page.inner_text("#map-message") == "Write the date as YYYY-MM-DD, for example 2024-12-17."
    assert page.get_attribute("#date-input", "aria-invalid") == "true"
    assert drawn_date(page) == "2024-12-20" and url_as_of(page) == "2024-12-20"  # nothing changed
    # Written right but no such day, or before the dates basewatch takes: said as such.
    for typed, said in (("2024-13-45", "2024-13-45 is not a date: that month has no such day."),
                        ("1899-12-31", "Give a date from 1900-01-01 on.")):  # fmt: skip
        page.fill("#date-input", typed)
        page.dispatch_event("#date-input", "change")
        assert page.inner_text("#map-message") == said
        assert drawn_date(page) == "2024-12-20"
    set_date(page, "2999-01-01")  # the future reads as today
    assert drawn_date(page) == today(page) == page.input_value("#date-input")
    assert page.get_attribute("#date-input", "aria-invalid") != "true"


def test_steps_go_from_data_date_to_data_date_or_by_the_chosen_step(page, demo):
    page.goto(f"/?as_of=2024-12-20&{VIEW}")
    wait_for_map(page)
    click_and_draw(page, "#step-back")
    assert drawn_date(page) == "2024-12-17" == url_as_of(page)
    click_and_draw(page, "#step-back")
    assert drawn_date(page) == "2024-12-13"
    click_and_draw(page, "#step-forward")
    click_and_draw(page, "#step-forward")
    assert drawn_date(page) == today(page)  # after the last data date: today, the slider's end

    page.select_option("#step", "week")
    assert url_as_of(page) == today(page)  # choosing a step changes nothing on the map
    set_date(page, "2024-12-13")
    click_and_draw(page, "#step-back")
    assert drawn_date(page) == "2024-12-06"
    page.select_option("#step", "month")
    set_date(page, "2025-01-31")
    click_and_draw(page, "#step-forward")
    assert drawn_date(page) == "2025-02-28"  # the month's last day, not 3 March
    page.select_option("#step", "day")
    set_date(page, "2024-11-01")
    page.click("#step-back")  # nothing before the first data date to step to
    page.wait_for_timeout(300)
    assert drawn_date(page) == "2024-11-01" == url_as_of(page)
    assert page.errors == []


# Every date the map draws, and the history's length when it does.
RECORD_DRAWS = """() => {
    window.draws = [];
    new MutationObserver(() => {
        const body = document.body.dataset;
        if (body.loading === "false") window.draws.push([body.date, history.length]);
    }).observe(document.body, {attributes: true, attributeFilter: ["data-loading"]});
}"""


def test_play_tells_the_story_from_the_first_observation_in_one_history_entry(page, demo):
    page.goto(f"/?as_of=2024-12-20&{VIEW}")
    wait_for_map(page)
    before = page.evaluate("history.length")
    page.evaluate(RECORD_DRAWS)
    page.click("#play")  # at or after the last data date: from the first
    page.wait_for_function("() => document.querySelector('#play').getAttribute('aria-pressed') === 'false'")
    draws = page.evaluate("window.draws")
    assert [day for day, _ in draws] == [*DATA_DATES, today(page)]
    assert {length for _, length in draws} == {before + 1}  # one entry for the whole play
    assert url_as_of(page) == today(page) == page.input_value("#date-input")
    assert page.input_value("#date-slider") == "5"
    page.go_back()  # to where the play began
    wait_for_map(page)
    assert drawn_date(page) == "2024-12-20" == url_as_of(page)
    assert page.errors == []


def test_a_play_of_few_frames_gives_each_time_to_be_read(page, demo):
    # The demo's five data dates and today went by in under a second at 150 ms a frame; a play
    # lasts 8 s at least, a frame at most 1.2 s.
    page.goto(f"/?as_of=2024-12-20&{VIEW}")
    wait_for_map(page)
    page.evaluate(
        """() => {
        window.drawn_at = [];
        new MutationObserver(() => {
            if (document.body.dataset.loading === "false") window.drawn_at.push(performance.now());
        }).observe(document.body, {attributes: true, attributeFilter: ["data-loading"]});
    }"""
    )
    page.click("#play")
    page.wait_for_function("() => document.querySelector('#play').getAttribute('aria-pressed') === 'false'")
    times = page.evaluate("window.drawn_at")
    assert len(times) == len(DATA_DATES) + 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 1000, gaps  # 1.2 s is due after each; a slow frame's drawing takes from the next


def test_play_from_a_date_before_the_last_goes_on_from_there_and_pauses(page, demo):
    page.goto(f"/?as_of=2024-12-10&{VIEW}")
    wait_for_map(page)
    # A day a frame, every 150 ms: two years of frames to today, so the pause lands on the way.
    page.select_option("#step", "day")
    page.click("#play")
    page.wait_for_function("() => document.body.dataset.date === '2024-12-11'")
    page.click("#play")  # pause (at 12-11, or a few frames after it)
    assert page.get_attribute("#play", "aria-pressed") == "false"
    paused = drawn_date(page)
    assert "2024-12-11" <= paused < today(page)
    page.wait_for_timeout(1500)  # ten frames' time
    assert drawn_date(page) == paused == url_as_of(page)


def filters_in_url(page) -> dict[str, str]:
    query = dict(parse_qsl(urlsplit(page.url).query))
    return {name: value for name, value in query.items() if name not in {"as_of", "lat", "lng", "z"}}


def assert_url_is_what_is_drawn(page, day: str, filters: dict[str, str]) -> None:
    wait_for_map(page)
    assert url_as_of(page) == drawn_date(page) == page.input_value("#date-input") == day
    drawn = dict(parse_qsl(page.evaluate("document.body.dataset.filters")))
    assert filters_in_url(page) == drawn == filters
    assert page.input_value("select[name=kind]") == filters.get("kind", "")


def pan(page) -> None:
    """Move the map a little, as a reader does between changes (the view is in the URL too)."""
    page.evaluate("() => { window.basewatchMap.panBy([80, 40], {animate: false}); }")


def test_back_and_the_address_bar_always_agree(page, demo):
    page.goto(f"/?as_of=2024-12-20&{VIEW}")
    wait_for_map(page)
    set_date(page, "2024-12-13")
    pan(page)
    page.select_option("select[name=kind]", "naval_base")
    wait_for_map(page)
    pan(page)
    set_date(page, "2024-11-01")
    assert_url_is_what_is_drawn(page, "2024-11-01", {"kind": "naval_base"})
    page.go_back()
    assert_url_is_what_is_drawn(page, "2024-12-13", {"kind": "naval_base"})
    page.go_back()
    assert_url_is_what_is_drawn(page, "2024-12-13", {})
    page.go_back()
    assert_url_is_what_is_drawn(page, "2024-12-20", {})
    page.go_forward()
    assert_url_is_what_is_drawn(page, "2024-12-13", {})
    assert page.errors == []
