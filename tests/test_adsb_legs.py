"""Finding legs in positions (basewatch.core.adsb.legs): the cases the fixture files do not cover."""

from __future__ import annotations

import datetime as dt

from basewatch.core.adsb.legs import GAP_SECONDS, find_legs, on_ground
from basewatch.core.adsb.parsing import Position

START = dt.datetime(2024, 12, 17, 4, 0, tzinfo=dt.UTC)
KHMEIMIM = (35.406, 35.95)
KHADIM = (32.002, 21.205)


def at(minutes: float, where=(34.0, 30.0), altitude=None, speed=None, **flags) -> Position:
    """A position `minutes` after 04:00; on the ground when altitude is "ground"."""
    ground = altitude == "ground"
    return Position(
        time=START + dt.timedelta(minutes=minutes),
        lat=where[0],
        lon=where[1],
        altitude=None if ground else altitude,
        ground=ground,
        speed=speed,
        **flags,
    )


def flight(start: float, end: float, altitude=30_000) -> list[Position]:
    """Airborne positions every 10 minutes from `start` to `end`."""
    return [at(minutes, altitude=altitude, speed=420) for minutes in range(int(start), int(end) + 1, 10)]


def test_low_and_slow_is_on_the_ground_even_without_ground_reported():
    assert on_ground(at(0, altitude=1_200, speed=12)) is True
    assert on_ground(at(0, altitude=1_200, speed=140)) is False  # a take-off run or final approach
    assert on_ground(at(0, altitude=9_000, speed=30)) is False
    assert on_ground(at(0)) is None  # says neither: keeps the state before


def test_a_seen_take_off_and_landing_make_a_leg():
    positions = [at(0, KHMEIMIM, "ground", 20), *flight(1, 120), at(121, KHADIM, "ground", 40)]
    [leg] = find_legs(positions)
    assert (leg.takeoff.lat, leg.takeoff.lon, leg.takeoff.seen) == (*KHMEIMIM, True)
    assert (leg.landing.lat, leg.landing.lon, leg.landing.latest) == (*KHADIM, START + dt.timedelta(minutes=121))
    assert leg.notes == []


def test_a_trace_starting_in_the_air_has_no_take_off():
    [leg] = find_legs([*flight(0, 60), at(61, KHADIM, "ground", 40)])
    assert leg.takeoff is None and leg.landing is not None
    assert "starts in the air" in leg.notes[0]


def test_a_long_ground_contact_is_a_landing_not_a_touch_and_go():
    positions = [
        at(0, KHMEIMIM, "ground", 20),
        *flight(1, 60),
        at(61, KHADIM, "ground", 120),
        at(62, KHADIM, "ground", 110),  # never slowed, but two minutes down: it stopped there
        at(64, KHADIM, "ground", 100),
        *flight(65, 100),
    ]
    legs = find_legs(positions)
    assert len(legs) == 2
    assert not any("Touch-and-go" in note for leg in legs for note in leg.notes)


def test_a_ground_contact_at_the_very_end_is_a_landing():
    legs = find_legs([at(0, KHMEIMIM, "ground", 20), *flight(1, 60), at(61, KHADIM, "ground", 120)])
    assert legs[0].landing is not None


def test_airborne_on_both_sides_of_a_gap_is_one_flight():
    positions = [at(0, KHMEIMIM, "ground", 20), *flight(1, 30), *flight(30 + GAP_SECONDS / 60 + 30, 120)]
    positions.append(at(121, KHADIM, "ground", 30))
    [leg] = find_legs(positions)
    assert leg.takeoff and leg.landing
    assert "in the air on both sides: taken as one flight" in leg.notes[0]


def test_a_new_leg_flag_across_a_gap_splits_the_flight_with_unknown_ends():
    later = at(200, altitude=12_000, speed=300, new_leg=True)
    positions = [at(0, KHMEIMIM, "ground", 20), *flight(1, 60), later, at(230, KHADIM, "ground", 30)]
    first, second = find_legs(positions)
    assert first.takeoff is not None and first.landing is None
    assert second.takeoff is None and second.landing is not None
    assert "probably landed unseen" in first.notes[-1]


def test_on_the_ground_at_two_places_across_a_gap_is_a_whole_unseen_flight():
    [leg] = find_legs([at(0, KHMEIMIM, "ground", 0), at(240, KHADIM, "ground", 0)])
    assert (leg.takeoff.earliest, leg.takeoff.latest) == (START, START + dt.timedelta(minutes=240))
    assert (leg.landing.lat, leg.landing.lon) == KHADIM
    assert not leg.takeoff.seen and "whole flight went unseen" in leg.notes[0]


def test_parked_across_a_gap_is_no_flight():
    assert find_legs([at(0, KHADIM, "ground", 0), at(240, (32.003, 21.206), "ground", 0)]) == []


def test_stale_rows_are_not_used():
    # A stale "ground" row in mid-flight (readsb carried an old position over) is no landing.
    positions = [at(0, KHMEIMIM, "ground", 20), *flight(1, 30), at(31, KHADIM, "ground", 0, stale=True)]
    positions += [*flight(32, 60), at(61, KHADIM, "ground", 30)]
    [leg] = find_legs(positions)
    assert leg.landing.latest == START + dt.timedelta(minutes=61)


def test_a_take_off_in_a_gap_spanning_midnight_has_no_day():
    late = dt.datetime(2024, 12, 17, 23, 50, tzinfo=dt.UTC)
    positions = [
        Position(late, *KHMEIMIM, altitude=None, ground=True, speed=0),
        Position(late + dt.timedelta(minutes=40), 35.0, 34.0, altitude=9_000, ground=False, speed=300),
    ]
    [leg] = find_legs(positions)
    assert leg.takeoff.day is None and not leg.takeoff.seen
