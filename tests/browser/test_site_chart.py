"""The site page's chart in real Chromium: what it draws, and what a reader sees of it.

What is drawn is read from the chart's datasets (each item: the day, the value, the
observation it shows, whether the stretch after it is stale) and checked on the canvas's
pixels where a person would tell it apart: a faded line, the posture date's line.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone

from basewatch.core.models import AssetType, Site
from basewatch.core.posture import PostureOptions
from tests.browser.helpers import screenshot
from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db(transaction=True)

# Every dataset with its items as a reader would name them: dates as YYYY-MM-DD.
DATASETS = """() => {
    const chart = window.basewatchChart;
    const day = (x) => new Date(x * 86400000).toISOString().slice(0, 10);
    return chart.data.datasets.map((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        return {
            role: dataset.role, label: dataset.label, axis: dataset.yAxisID, transient: !!dataset.transient,
            items: dataset.data.map((item, j) => ({
                date: day(item.x), y: item.y, id: item.id, stale: !!item.stale, band: item.band, plus: item.plus,
                style: item.point ? meta.data[j].options.pointStyle : null,
                rotation: item.point ? meta.data[j].options.rotation : null,
                px: meta.data[j].x, py: meta.data[j].y,
            })),
        };
    });
}"""

# The darkest pixel (r + g + b, as seen on the white page) in a box of the chart's canvas,
# in CSS pixels.
DARKEST = """([left, right, y, half]) => {
    const canvas = document.getElementById("counts-chart");
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const box = canvas.getContext("2d").getImageData(
        Math.round(left * ratio), Math.round((y - half) * ratio),
        Math.max(1, Math.round((right - left) * ratio)), Math.max(1, Math.round(2 * half * ratio)));
    let darkest = 765;
    for (let i = 0; i < box.data.length; i += 4) {
        const alpha = box.data[i + 3] / 255;
        let sum = 0;
        for (let c = 0; c < 3; c++) sum += box.data[i + c] * alpha + 255 * (1 - alpha);
        darkest = Math.min(darkest, sum);
    }
    return darkest;
}"""

# The x axis's tick labels as drawn: their text and where each begins and ends.
TICKS = """() => {
    const chart = window.basewatchChart;
    const scale = chart.scales.x;
    const ctx = chart.ctx;
    ctx.save();
    ctx.font = Chart.helpers.toFont(scale.options.ticks.font).string;
    const labels = scale.ticks.map((tick, i) => {
        const width = ctx.measureText(tick.label).width;
        const x = scale.getPixelForTick(i);
        return {label: tick.label, left: x - width / 2, right: x + width / 2};
    });
    ctx.restore();
    return {labels: labels, width: chart.width};
}"""


def open_chart(page, url: str) -> dict[str, dict]:
    page.goto(url)
    page.wait_for_function("() => document.body.dataset.chartSeries !== undefined")
    return {(d["role"], d["label"]): d for d in page.evaluate(DATASETS)}


def posture_entry_stale(asset_type_name: str, day: str) -> bool:
    """Whether core.posture calls Khmeimim's entry for that asset type stale on `day`."""
    options = PostureOptions(as_of=dt.date.fromisoformat(day))
    site = Site.objects.with_posture(options).get(slug="khmeimim")
    (entry,) = [entry for entry in site.posture_state["posture"] if entry["asset_type_name"] == asset_type_name]
    return entry["stale"]


def pixel_of(page, axis: str, value) -> float:
    """Where a value (a day as YYYY-MM-DD on x, a number on a y axis) is drawn."""
    if axis == "x":
        value = (dt.date.fromisoformat(value) - dt.date(1970, 1, 1)).days
    return page.evaluate(f"(v) => window.basewatchChart.scales['{axis}'].getPixelForValue(v)", value)


def test_khmeimim_counts_step_presence_has_lanes_and_the_total_counts_based_assets_only(page, demo):
    datasets = open_chart(page, "/sites/khmeimim/?as_of=2024-12-14")
    roles = {key for key in datasets}
    # Counted series are lines on the count axis; presence-only ones have rows of their own.
    assert {label for role, label in roles if role == "count"} == {"Ka-52 Alligator", "An-124 Ruslan"}
    assert {label for role, label in roles if role == "lane"} == {
        'S-400 "Triumf"',
        "Tactical combat aircraft (type not reported)",
    }
    assert all(d["axis"] == "lanes" for (role, _), d in datasets.items() if role == "lane")

    # Ka-52: one, being dismantled on 2024-12-13 (a leaving marker, ▼), holding to the axis end.
    ka52 = datasets["count", "Ka-52 Alligator"]["items"]
    assert [(i["date"], i["y"], i["id"] is not None) for i in ka52] == [
        ("2024-12-13", 1, True),
        ("2024-12-27", 1, False),
    ]
    assert (ka52[0]["style"], ka52[0]["rotation"]) == ("triangle", 180)

    # The two lanes lie apart, under the count plot: neither is a line at 0, nor hides the other.
    s400 = datasets["lane", 'S-400 "Triumf"']["items"]
    tactical = datasets["lane", "Tactical combat aircraft (type not reported)"]["items"]
    zero = pixel_of(page, "y", 0)
    assert s400[0]["py"] > zero + 10 and tactical[0]["py"] > zero + 10
    assert abs(s400[0]["py"] - tactical[0]["py"]) >= 24
    assert [(i["date"], i["band"], i["style"]) for i in s400 if i["id"]] == [
        ("2024-11-01", True, "circle"),
        ("2024-12-13", True, "triangle"),
    ]

    # The total: Ka-52's one; the An-124s are passing through and S-400s are not counted.
    [total] = [d for (role, _), d in datasets.items() if role == "total"]
    assert [(i["date"], i["y"], i["plus"]) for i in total["items"]] == [
        ("2024-12-13", 1, True),
        ("2024-12-27", 1, True),
    ]

    an124 = datasets["count", "An-124 Ruslan"]
    assert an124["transient"] and an124["items"][0]["y"] == 2
    legend = page.inner_text("#chart-legend")
    assert "An-124 Ruslan — passing through, not in the total" in legend
    assert "Ka-52 Alligator" in legend and "Total counted, based" in legend
    key = page.inner_text(".chart-key")
    for words in ("shaded rows under the counts: present, count unknown", "▼ leaving", "passing through"):
        assert words in key, words
    assert "stale" not in key  # nothing is stale on this axis
    assert page.errors == []


def test_the_posture_date_is_a_labelled_line(page, demo):
    open_chart(page, "/sites/khmeimim/?as_of=2024-12-14")
    x = pixel_of(page, "x", "2024-12-14")
    y = pixel_of(page, "y", 2.5)  # between the An-124s (2) and the top: nothing else drawn there
    assert page.evaluate(DARKEST, [x - 1.5, x + 1.5, y, 3]) < 300
    assert page.evaluate(DARKEST, [x - 40, x - 20, y, 3]) > 600
    # Its label, above the plot, is the date.
    assert page.evaluate("() => window.basewatchChart.options.plugins.asOfLine.label") == "as of 2024-12-14"


def test_stale_stretches_are_faded_from_the_freshness_horizon_on(page, demo):
    datasets = open_chart(page, "/sites/khmeimim/?as_of=2026-01-01")
    # Helicopters stay fresh 60 days: Ka-52's line is stale from 2025-02-12 (61 days old) to the
    # axis end, as core.posture says of the same entry.
    ka52 = datasets["count", "Ka-52 Alligator"]["items"]
    assert [(i["date"], i["stale"]) for i in ka52] == [
        ("2024-12-13", False),
        ("2025-02-12", True),
        ("2026-01-01", True),
    ]
    # Air defence stays fresh 180 days: the S-400 lane from 2025-06-11.
    s400 = datasets["lane", 'S-400 "Triumf"']["items"]
    assert [(i["date"], i["stale"]) for i in s400] == [
        ("2024-11-01", False),
        ("2024-12-13", False),
        ("2025-06-12", True),
        ("2026-01-01", True),
    ]
    for name, first_stale in (("Ka-52 Alligator", "2025-02-12"), ('S-400 "Triumf"', "2025-06-12")):
        assert posture_entry_stale(name, first_stale) is True
        day_before = (dt.date.fromisoformat(first_stale) - dt.timedelta(days=1)).isoformat()
        assert posture_entry_stale(name, day_before) is False
    # And a reader sees it: the An-124 line (alone at 2) and the S-400 band are paler there.
    y = pixel_of(page, "y", 2)
    fresh = page.evaluate(DARKEST, [pixel_of(page, "x", "2024-12-20"), pixel_of(page, "x", "2025-01-20"), y, 2])
    stale = page.evaluate(DARKEST, [pixel_of(page, "x", "2025-06-01"), pixel_of(page, "x", "2025-07-01"), y, 2])
    assert fresh < 400 and stale > fresh + 150
    band = s400[0]["py"]
    fresh = page.evaluate(DARKEST, [pixel_of(page, "x", "2025-01-01"), pixel_of(page, "x", "2025-02-01"), band, 2])
    stale = page.evaluate(DARKEST, [pixel_of(page, "x", "2025-08-01"), pixel_of(page, "x", "2025-09-01"), band, 2])
    assert stale > fresh + 100
    assert "faded and dashed: stale" in page.inner_text(".chart-key")
    screenshot(page, "site-chart-stale")


@pytest.mark.parametrize("width", [1200, 360])
@pytest.mark.parametrize(
    "url", ["/sites/khmeimim/?as_of=2024-12-14", "/sites/khmeimim/?as_of=2026-01-01", "/sites/tartus/"]
)
def test_time_axis_labels_do_not_overlap(page, demo, width, url):
    page.set_viewport_size({"width": width, "height": 800})
    open_chart(page, url)
    ticks = page.evaluate(TICKS)
    labels = ticks["labels"]
    assert len(labels) >= 2
    assert all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", tick["label"]) for tick in labels), labels
    assert all(later["left"] - earlier["right"] >= 8 for earlier, later in itertools.pairwise(labels))
    assert labels[0]["left"] >= 0 and labels[-1]["right"] <= ticks["width"]


def test_the_axis_reaches_the_posture_date(page, demo):
    open_chart(page, "/sites/khmeimim/?as_of=2026-01-01")
    scale = page.evaluate("() => [window.basewatchChart.scales.x.min, window.basewatchChart.scales.x.max]")
    days = [(dt.date(*d) - dt.date(1970, 1, 1)).days for d in ((2024, 11, 1), (2026, 1, 1))]
    assert scale[0] < days[0] and scale[1] == days[1]


def test_absent_drops_a_count_to_zero_and_ends_a_presence_band(page, db):
    site = make_site(slug="gone")
    jets = make_asset_type(name="Jets", category=AssetType.Category.FIXED_WING_COMBAT)
    radars = make_asset_type(name="Radars", category=AssetType.Category.AIR_DEFENCE)
    lifters = make_asset_type(name="Lifters")
    make_observation(site, jets, dt.date(2024, 12, 1), count=3)
    make_observation(site, jets, dt.date(2024, 12, 5), count=None)  # present, count unknown
    make_observation(site, jets, dt.date(2024, 12, 9), count=None, activity="absent")
    make_observation(site, radars, dt.date(2024, 12, 1), count=None)
    make_observation(site, radars, dt.date(2024, 12, 9), count=None, activity="absent")
    make_observation(site, lifters, dt.date(2024, 12, 3), count=4, presence="transient")
    datasets = open_chart(page, "/sites/gone/?as_of=2024-12-10")

    # Jets: 3, then a break while the count is unknown, then 0 (✕) to the axis end.
    jets_line = datasets["count", "Jets"]["items"]
    assert [(i["date"], i["y"]) for i in jets_line] == [
        ("2024-12-01", 3),
        ("2024-12-05", 3),
        ("2024-12-05", None),
        ("2024-12-09", 0),
        ("2024-12-23", 0),
    ]
    assert [i["style"] for i in jets_line if i["id"]] == ["circle", "crossRot"]
    # Its stretch of unknown count is in a lane too, as is the radars' presence, ended by ✕.
    assert [(i["date"], i["band"]) for i in datasets["lane", "Jets"]["items"] if i["id"]] == [
        ("2024-12-01", True),
        ("2024-12-05", True),
        ("2024-12-09", False),
    ]
    radar_lane = datasets["lane", "Radars"]["items"]
    assert [(i["date"], i["band"], i["style"]) for i in radar_lane if i["id"]] == [
        ("2024-12-01", True, "circle"),
        ("2024-12-09", False, "crossRot"),
    ]
    # The total sums the based jets only, not the transient lifters: 3, unknown, then 0.
    [total] = [d for (role, _), d in datasets.items() if role == "total"]
    assert [(i["date"], i["y"]) for i in total["items"]] == [
        ("2024-12-01", 3),
        ("2024-12-05", None),
        ("2024-12-09", 0),
        ("2024-12-23", 0),
    ]
    assert "✕ absent (looked, not there: 0)" in page.inner_text(".chart-key")
    assert page.errors == []


def test_an_observation_made_today_is_drawn_at_the_axis_end(page, db):
    site, jets = make_site(slug="today"), make_asset_type(name="Jets")
    today = timezone.now().date()  # the server's today, as the page has it
    make_observation(site, jets, today - dt.timedelta(days=3), count=2)
    make_observation(site, jets, today, count=4)
    datasets = open_chart(page, "/sites/today/")
    assert [(i["date"], i["y"]) for i in datasets["count", "Jets"]["items"]] == [
        ((today - dt.timedelta(days=3)).isoformat(), 2),
        (today.isoformat(), 4),
    ]
    [total] = [d for (role, _), d in datasets.items() if role == "total"]
    assert [i["y"] for i in total["items"]] == [2, 4]
    assert page.errors == []


def test_clicking_a_lane_point_shows_its_observation(page, demo):
    datasets = open_chart(page, "/sites/khmeimim/?as_of=2024-12-14")
    point = datasets["lane", 'S-400 "Triumf"']["items"][1]
    page.locator("#counts-chart").click(position={"x": point["px"], "y": point["py"]})
    detail = page.locator("#observation-detail")
    detail.wait_for()
    assert "2024-12-13: present, count unknown (Loading)" in detail.inner_text()
    assert page.errors == []


def test_on_a_phone_the_chart_fits_and_keeps_its_lanes_apart(page, demo):
    page.set_viewport_size({"width": 360, "height": 740})
    datasets = open_chart(page, "/sites/khmeimim/?as_of=2026-01-01")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    box = page.locator("#counts-chart").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 200
    s400 = datasets["lane", 'S-400 "Triumf"']["items"][0]
    tactical = datasets["lane", "Tactical combat aircraft (type not reported)"]["items"][0]
    assert abs(s400["py"] - tactical["py"]) >= 24
    screenshot(page, "site-chart-phone")
