"""ADS-B traces in, movements out (basewatch.core.adsb): the fixtures imported leg by leg, the
command, and bad files refused with nothing stored."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import tracemalloc
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.management import CommandError, call_command

from basewatch.core import claims
from basewatch.core.adsb.importing import SITE_REACH_M, import_trace
from basewatch.core.adsb.parsing import TraceRefused
from basewatch.core.adsb.report import report_text
from basewatch.core.models import Asset, AssetType, Movement, Site, Source
from basewatch.core.workflow import Action, State
from tests.factories import make_asset, make_site, make_user

FIXTURES = Path(__file__).parent / "fixtures" / "adsb"
D = dt.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Stored files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def edited(name: str, **changes) -> bytes:
    """A JSON fixture with top-level fields changed."""
    return json.dumps(json.loads(fixture(name)) | changes).encode()


def stored_rows() -> tuple[int, int, int]:
    return Source.objects.count(), Movement.objects.count(), Asset.objects.count()


def imported(name: str, user=claims.SYSTEM, **options):
    return import_trace(fixture(name), name, user, **options)


def legs_of(report) -> list[tuple]:
    """Each leg as (origin slug, destination slug, departed, arrived, state, transfer's first leg or None)."""
    return [
        (
            leg.origin.slug if leg.origin else None,
            leg.destination.slug if leg.destination else None,
            leg.movement and leg.movement.departed,
            leg.movement and leg.movement.arrived,
            leg.movement and leg.movement.state,
            leg.movement and leg.movement.transfer,
        )
        for leg in report.legs
    ]


# --- the fixtures, leg by leg -------------------------------------------------------------


def test_a_day_from_khmeimim_through_al_khadim_to_bamako_is_two_movements_in_one_transfer(demo, media):
    content = fixture("khmeimim_alkhadim_bamako.json")
    published_before = Movement.objects.published().count()
    report = import_trace(content, "/home/ana/Downloads/khmeimim_alkhadim_bamako.json", claims.SYSTEM)
    first, second = (leg.movement for leg in report.legs)
    assert legs_of(report) == [
        ("khmeimim", "al-khadim", D(2024, 12, 17), D(2024, 12, 17), State.SUBMITTED, None),
        ("al-khadim", "bamako-senou", D(2024, 12, 17), D(2024, 12, 17), State.SUBMITTED, first),
    ]
    ra_76845 = Asset.objects.get(registration="RA-76845")
    for movement in (first, second):
        movement.refresh_from_db()
        assert (movement.asset, movement.asset_type.slug, movement.count) == (ra_76845, "il-76", 1)
        assert list(movement.sources.all()) == [report.source]
        assert movement.entered_by is None  # the system: the command's operator
    assert [leg.pk for leg in first.transfer_legs()] == [first.pk, second.pk]
    assert Movement.objects.published().count() == published_before  # nothing published
    assert not report.asset_created and ra_76845.confirmed

    source = Source.objects.get(pk=report.source.pk)
    sha256 = hashlib.sha256(content).hexdigest()
    assert (source.kind, source.title) == ("flight_tracking", "ADS-B trace of RA-76845 (152C2D), 2024-12-17")
    assert (source.file_sha256, source.file_name) == (sha256, "khmeimim_alkhadim_bamako.json")
    assert source.file.name == f"sources/{sha256[:2]}/{sha256}"
    assert (media / source.file.name).read_bytes() == content
    assert "touch-and-go" not in second.notes and "70 min), in the air on both sides" in second.notes


def test_reimporting_the_same_file_creates_nothing(demo):
    first = imported("khmeimim_alkhadim_bamako.json")
    before = stored_rows()
    again = imported("khmeimim_alkhadim_bamako.json")
    assert stored_rows() == before
    assert again.duplicate_of == first.source and again.legs == []
    assert "imported before" in report_text(again)


def test_a_gzip_compressed_trace_reads_as_the_plain_one(demo):
    content = gzip.compress(fixture("khmeimim_alkhadim_bamako.json"))
    report = import_trace(content, "trace_full_152c2d.json.gz", claims.SYSTEM)
    assert [row[:2] for row in legs_of(report)] == [("khmeimim", "al-khadim"), ("al-khadim", "bamako-senou")]
    assert report.source.file_sha256 == hashlib.sha256(content).hexdigest()  # the bytes as given


def test_a_touch_and_go_is_not_a_landing(demo):
    report = imported("touch_and_go.json")
    assert legs_of(report) == [("khmeimim", "bamako-senou", D(2024, 12, 18), D(2024, 12, 18), State.SUBMITTED, None)]
    assert report.legs[0].leg.notes == ["Touch-and-go at lat 32.0030, lon 21.2100 at 07:02 UTC: not a landing."]


def test_a_landing_in_a_gap_is_placed_where_the_aircraft_is_found_and_said_to_be_unseen(demo):
    report = imported("gap.json")
    assert legs_of(report) == [("khmeimim", "al-khadim", D(2024, 12, 19), D(2024, 12, 19), State.SUBMITTED, None)]
    landing = report.legs[0].leg.landing
    assert not landing.seen
    assert (landing.earliest.time(), landing.latest.time()) == (dt.time(6, 20), dt.time(8, 5))
    assert "landed unseen" in report.legs[0].movement.notes
    assert "between 2024-12-19 06:20 and 2024-12-19 08:05 UTC (not seen)" in report_text(report)


def test_a_trace_ending_in_the_air_reports_the_open_leg_and_stores_nothing(demo):
    before = stored_rows()
    report = imported("ends_in_air.json")
    assert stored_rows() == before and report.source is None
    [leg] = report.legs
    assert (leg.origin.slug, leg.destination, leg.leg.landing) == ("bamako-senou", None, None)
    assert leg.skipped == "Where it landed is not in the trace."
    assert "The trace ends in the air at lat 20.0000, lon 2.0000" in report_text(report)


def test_a_leg_to_a_place_that_is_no_site_is_listed_with_coordinates(demo):
    report = imported("khadim_benina.json")
    assert [row[:2] for row in legs_of(report)] == [("khmeimim", "al-khadim"), ("al-khadim", None)]
    assert report.legs[0].movement is not None and report.legs[1].movement is None
    text = report_text(report)
    assert "landed   2024-12-16 09:50 UTC at lat 32.0968, lon 20.2695: no site within reach" in text
    assert "add the site and import the file again" in text


def test_a_csv_of_positions_names_the_aircraft_from_what_is_given(demo):
    report = imported("khmeimim_alkhadim.csv", registration="ra-76845")
    assert legs_of(report) == [("khmeimim", "al-khadim", D(2024, 12, 21), D(2024, 12, 21), State.SUBMITTED, None)]
    assert report.asset.registration == "RA-76845"
    assert report.source.title == "ADS-B trace of RA-76845, 2024-12-21"


def test_a_csv_without_the_aircraft_is_refused(demo):
    with pytest.raises(TraceRefused, match="give its ICAO hex or its registration"):
        imported("khmeimim_alkhadim.csv")


# --- the aircraft -------------------------------------------------------------------------


def test_an_unknown_aircraft_is_created_unconfirmed_and_publishing_confirms_it(demo):
    content = edited("khmeimim_alkhadim_bamako.json", icao="abc123", r="RA-78830")
    report = import_trace(content, "trace_full_abc123.json", make_user("editor"))
    asset = Asset.objects.get(icao_hex="ABC123")
    assert (asset.registration, asset.asset_type.slug, asset.confirmed) == ("RA-78830", "il-76", False)
    assert report.asset_created and not Asset.objects.public().filter(pk=asset.pk).exists()
    movement = report.legs[0].movement
    claims.decide(movement, make_user("reviewer"), Action.PUBLISH, read_version=movement.version)
    asset.refresh_from_db()
    assert asset.confirmed


def test_an_unknown_aircraft_of_an_unknown_type_needs_the_asset_type(demo):
    content = edited("khmeimim_alkhadim_bamako.json", icao="abc123", r="RA-78830", t="ZZ99")
    before = stored_rows()
    with pytest.raises(
        TraceRefused, match=r"its type designator ZZ99 names no asset type: give its asset type \(--asset-type SLUG"
    ):
        import_trace(content, "trace.json", claims.SYSTEM)
    assert stored_rows() == before
    report = import_trace(content, "trace.json", claims.SYSTEM, asset_type="an-124")
    assert report.asset.asset_type.slug == "an-124"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"icao": "4b1805"}, "ICAO hex 4B1805 is RA-11111 on file, but its registration RA-76845 is RA-76845 "),
        ({"r": "RA-11111"}, "ICAO hex 152C2D is RA-76845 on file, but its registration RA-11111 is RA-11111 "),
        ({"r": "RA-99999"}, "The file says RA-99999, but its ICAO hex 152C2D is RA-76845 on file"),
        ({"icao": "abc123", "r": "RA-11111"}, "says ICAO hex ABC123, but RA-11111 has the hex 4B1805"),
    ],
)
def test_a_hex_and_registration_that_disagree_with_the_assets_on_file_are_refused(demo, changes, message):
    make_asset(registration="RA-11111", icao_hex="4B1805", asset_type=AssetType.objects.get(slug="il-76"))
    before = stored_rows()
    with pytest.raises(TraceRefused, match=message):
        import_trace(edited("khmeimim_alkhadim_bamako.json", **changes), "trace.json", claims.SYSTEM)
    assert stored_rows() == before


def test_the_hex_mismatch_fixture_is_refused(demo):
    with pytest.raises(TraceRefused, match="The file says ICAO hex 4B1805, but RA-76845 has the hex 152C2D on file"):
        imported("hex_mismatch.json")


def test_the_asset_types_match_type_designators_ignoring_case_and_punctuation(demo):
    assert [kind.slug for kind in AssetType.objects.designated("IL76")] == ["il-76"]
    assert [kind.slug for kind in AssetType.objects.designated("s 400")] == ["s-400"]
    assert not AssetType.objects.designated("A124").exists()
    assert not AssetType.objects.designated("--").exists()


# --- sites within reach -------------------------------------------------------------------


def test_a_site_is_within_reach_of_its_location_by_its_precision(db):
    exact = make_site(location=Point(10.0, 10.0, srid=4326), location_precision=Site.Precision.EXACT)
    # 0.045° of latitude is 5.0 km: beyond an exact site's reach (4.1 km), within an approximate one's (6 km).
    five_km_north = Point(10.0, 10.045, srid=4326)
    assert not Site.objects.within_reach(five_km_north, SITE_REACH_M).exists()
    exact.location_precision = Site.Precision.APPROXIMATE
    exact.save()
    [found] = Site.objects.within_reach(five_km_north, SITE_REACH_M)
    assert found == exact and 4_950 < found.distance_m < 5_050


def test_inside_a_footprint_is_at_the_site_and_the_nearest_site_wins(db):
    square = Polygon.from_bbox((20.0, 20.0, 20.5, 20.5))
    # A location point far from its outline (a site placed at the town, drawn at the airfield).
    outlined = make_site(location=Point(21.0, 21.0, srid=4326), footprint=MultiPolygon(square, srid=4326))
    near = make_site(location=Point(20.26, 20.25, srid=4326), location_precision=Site.Precision.APPROXIMATE)
    far = make_site(location=Point(20.30, 20.25, srid=4326), location_precision=Site.Precision.AREA)
    inside = Point(20.25, 20.25, srid=4326)
    found = list(Site.objects.within_reach(inside, SITE_REACH_M))
    assert found == [outlined, near, far]
    assert found[0].distance_m == 0


# --- nothing half-stored ------------------------------------------------------------------


def test_a_write_refused_on_the_second_leg_stores_nothing(demo, monkeypatch, media):
    write_claim = claims.write_claim
    calls = []

    def refusing_the_second(claim, user, **kwargs):
        calls.append(claim)
        if len(calls) == 2:
            raise claims.ClaimRefused({"arrived": "Refused for the test."})
        return write_claim(claim, user, **kwargs)

    monkeypatch.setattr(claims, "write_claim", refusing_the_second)
    content = edited("khmeimim_alkhadim_bamako.json", icao="abc123", r="RA-78830")
    before = stored_rows()
    with pytest.raises(TraceRefused, match="A movement was refused, so nothing was stored: arrived: Refused"):
        import_trace(content, "trace.json", claims.SYSTEM)
    assert stored_rows() == before
    assert not media.exists() or not any(media.rglob("*.*"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not_json.json", "neither readsb/tar1090 trace_full JSON .* nor a CSV of positions"),
        ("truncated.json", "The file is not valid JSON: .* \\(line 3\\)"),
        ("no_trace.json", "The file has no trace"),
        ("short_rows.json", "Trace row 2 is too short"),
        ("out_of_range.json", "Trace row 2: the latitude 135.4085 is out of range"),
        ("time_backwards.json", "Trace row 3: time goes backwards"),
        ("non_icao.json", "~2A1B3C is not an ICAO address"),
    ],
)
def test_malformed_files_are_refused_naming_the_problem(demo, media, name, message):
    before = stored_rows()
    with pytest.raises(TraceRefused, match=message):
        imported(name)
    assert stored_rows() == before
    assert not media.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"icao": "152c2d", "timestamp": 1734393600, "trace": [[0, NaN, 35.9, "ground", 0, 0, 0]]}', "NaN"),
        (b'{"icao": "152c2d", "trace": [[0, 35.4, 35.9, "ground", 0, 0, 0]]}', "no `timestamp`"),
        (b'{"icao": "152c2d", "timestamp": 1734393600, "trace": [[0, 35.4, 35.9, "up", 0, 0, 0]]}', "altitude must"),
        (b'{"icao": "152c2d", "timestamp": 1734393600, "trace": [[0, 35.4, 35.9, 9, 0, 0, "x"]]}', "flags must"),
        (b'{"icao": "15", "timestamp": 1734393600, "trace": [[0, 35.4, 35.9, 9, 0, 0, 0]]}', "six hexadecimal"),
        (b"[1, 2]", "neither readsb"),
        (b"\xff\xfe\x00", "not UTF-8 text"),
        (b"time,lat,lon\n2024-12-17T04:00:00Z,35.4,35.9\n", "missing: altitude"),
        (b"time,lat,lon,altitude\nyesterday,35.4,35.9,ground\n", "CSV line 2: the time 'yesterday'"),
        (b"time,lat,lon,altitude\n2024-12-17T04:00:00Z,35.4,200,ground\n", "CSV line 2: the longitude 200.0"),
        (b"time,lat,lon,altitude\n2024-12-17T04:00:00Z,35.4\n", "CSV line 2 does not have as many fields"),
        (b"\x1f\x8b\x08\x00garbage", "The gzip file is cut short"),
        (b"\x1f\x8b\x63\x00\x00\x00\x00\x00\x00\xffgarbage", "gzip-compressed but cannot be unpacked"),
    ],
)
def test_bad_content_is_refused_naming_the_problem(db, content, message):
    with pytest.raises(TraceRefused, match=message):
        import_trace(content, "bad", claims.SYSTEM, registration="RA-76845")


def test_a_file_over_the_limit_is_refused(demo, settings):
    settings.TRACE_MAX_BYTES = 1_000
    with pytest.raises(TraceRefused, match="larger than 1,000 bytes"):
        imported("khmeimim_alkhadim_bamako.json")


def test_a_gzip_that_unpacks_past_the_limit_is_refused_unpacking_no_more(db, settings):
    settings.TRACE_MAX_BYTES = 1_000_000
    bomb = gzip.compress(b" " * 50_000_000)
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(TraceRefused, match="unpacks to more than 1,000,000 bytes"):
            import_trace(bomb, "bomb.json.gz", claims.SYSTEM)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000


# --- the command --------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_adsb", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_the_report_of_each_file(demo):
    out, err = run(str(FIXTURES / "khmeimim_alkhadim_bamako.json"), str(FIXTURES / "ends_in_air.json"))
    first, second = Movement.objects.filter(state=State.SUBMITTED, notes__contains="ADS-B").order_by("pk")
    assert "  Leg 1: Khmeimim Air Base → al-Khadim Air Base" in out
    second_line = (
        f"    movement {second.pk} (leg of transfer {first.pk}), submitted for review: /movements/{second.pk}/"
    )
    assert second_line in out
    assert "2 movements submitted for review; nothing is published until a reviewer does." in out
    assert "No leg joins two sites: nothing was stored." in out
    assert err == ""


def test_the_command_enters_movements_as_the_user_given(demo):
    editor = make_user("editor")
    run(str(FIXTURES / "touch_and_go.json"), "--user", editor.username)
    assert Movement.objects.get(notes__contains="touch_and_go.json").entered_by == editor
    viewer = make_user("viewer")
    with pytest.raises(CommandError, match="not an editor"):
        run(str(FIXTURES / "gap.json"), "--user", viewer.username)


def test_the_command_dry_run_stores_nothing(demo):
    before = stored_rows()
    out, _ = run(str(FIXTURES / "khmeimim_alkhadim_bamako.json"), "--dry-run")
    assert stored_rows() == before
    assert "Dry run: 2 movements would be submitted for review; nothing was stored." in out


def test_the_command_names_refused_files_and_imports_the_others(demo):
    with pytest.raises(CommandError, match="1 of 2 files refused"):
        call_command(
            "import_adsb",
            str(FIXTURES / "time_backwards.json"),
            str(FIXTURES / "gap.json"),
            stdout=io.StringIO(),
            stderr=(err := io.StringIO()),
        )
    assert "time_backwards.json: refused, nothing stored. Trace row 3: time goes backwards" in err.getvalue()
    assert Movement.objects.filter(notes__contains="gap.json").count() == 1


def test_the_command_refuses_a_200_mb_file_without_reading_it(db, tmp_path):
    huge = tmp_path / "huge.json"
    with huge.open("wb") as file:
        file.truncate(200_000_000)  # sparse: 200 MB that take no disk
    tracemalloc.start()
    try:
        with pytest.raises(CommandError):
            call_command("import_adsb", str(huge), stdout=io.StringIO(), stderr=(err := io.StringIO()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "larger than 20,000,000 bytes" in err.getvalue()
    assert peak < 10_000_000
