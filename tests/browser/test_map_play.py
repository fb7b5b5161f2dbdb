"""▶ Play draws each date's posture from the steps it fetched ahead: every frame shows what the API
says of that date.

The demo data speaks on 2024-11-01, 2024-12-09, 12-11, 12-13 and 12-17; Khmeimim's S-400 unit
(present, not counted: "+") is joined on 12-13 by a counted Ka-52 ("1+").
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import wait_for_map

pytestmark = pytest.mark.django_db(transaction=True)

# Each date the map says it has drawn, with the label of every site marker on screen (by the
# site's name, the marker's title), read as the frame is drawn.
RECORD_FRAMES = """() => {
    window.frames_seen = [];
    new MutationObserver(() => {
        const body = document.body.dataset;
        if (body.loading !== "false") return;
        const labels = {};
        for (const marker of document.querySelectorAll(".leaflet-marker-icon.site-marker[title]")) {
            labels[marker.getAttribute("title")] = marker.querySelector(".site-badge").textContent;
        }
        window.frames_seen.push([body.date, labels]);
    }).observe(document.body, {attributes: true, attributeFilter: ["data-loading", "data-date"]});
}"""


def labels_on(page, day: str, names: dict[str, str]) -> dict[str, str]:
    """What the API says each site's marker shows on `day`: its label, "+" for assets only passing through."""
    rows = page.request.get(f"/api/v1/site-totals/?as_of={day}").json()["results"]
    return {
        names[row["site"]]: "+" if row["posture_label"] == "?" and row["transient_types"] else row["posture_label"]
        for row in rows
    }


def test_play_redraws_every_frame_as_the_api_says_for_its_date(page, demo):
    # Syria close up: Khmeimim and Tartus apart, each with its own marker.
    page.goto("/?as_of=2024-12-08&lat=35.2&lng=36.2&z=8")
    wait_for_map(page)
    page.select_option("#step", "day")
    page.evaluate(RECORD_FRAMES)
    page.click("#play")
    page.wait_for_function("() => document.body.dataset.date === '2024-12-18'")
    page.click("#play")  # pause
    frames = page.evaluate("window.frames_seen")
    sites = page.request.get("/api/v1/sites/?posture=none").json()["features"]
    names = {site["id"]: site["properties"]["name"] for site in sites}
    days = [day for day, _ in frames]
    assert days[: days.index("2024-12-18") + 1] == [f"2024-12-{n:02}" for n in range(8, 19)]  # a frame a day
    for day, shown in frames:
        expected = labels_on(page, day, names)
        assert shown, f"no site marker on screen on {day}"
        assert shown == {name: expected[name] for name in shown}, day
    khmeimim = [shown["Khmeimim Air Base"] for day, shown in frames]
    assert khmeimim[0] == "+" and khmeimim[-1] == "1+"  # redrawn when the Ka-52 was counted
    assert page.errors == []


def test_play_with_a_category_filter_loads_each_date(page, demo):
    # Which sites hold helicopters changes with the date: each frame asks the server.
    page.goto("/?as_of=2024-12-10&category=helicopter&lat=35.2&lng=36.2&z=8")
    wait_for_map(page)
    page.evaluate(RECORD_FRAMES)
    page.click("#play")
    page.wait_for_function("() => document.body.dataset.date === '2024-12-17'")
    page.click("#play")
    frames = page.evaluate("window.frames_seen")
    assert [day for day, _ in frames][:3] == ["2024-12-10", "2024-12-11", "2024-12-13"]
    assert "Khmeimim Air Base" in dict(frames)["2024-12-13"]  # its Ka-52 from 12-13 on
    assert "Khmeimim Air Base" not in dict(frames)["2024-12-11"]
    assert page.errors == []
