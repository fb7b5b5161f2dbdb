"""Take-offs and landings in a trace, and the legs flown between them.

Each fresh position (stale rows are left out: readsb carried them over) is on the ground
or in the air. On the ground: the transponder says "ground", or the aircraft is low and
slow (below LOW_ALTITUDE_FT at under GROUND_SPEED_MAX_KT: no transport flies that slowly,
and some transponders never report "ground"). A position with neither altitude nor speed
keeps the state before it.

Consecutive positions in one state make a spell. Between two spells the trace either
changes state on the spot (a take-off: the last ground position; a landing: the first
one) or has a gap: no positions for GAP_SECONDS or more, or readsb marking a new leg.
Across a gap nothing is seen, so the import reasons from both sides and says so:

- in the air, then on the ground: it landed during the gap, where it is found on the
  ground (an aircraft does not taxi far); the landing time is somewhere in the gap;
- on the ground, then in the air: it took off during the gap from where it stood;
- on the ground at two places more than SAME_PLACE_M apart: a whole flight went unseen;
- in the air on both sides: one flight, unless readsb marks a new leg, when it probably
  landed somewhere unseen: the leg's end and the next one's start are unknown.

A touch-and-go is a brief ground contact at speed (shorter than TOUCH_AND_GO_MAX_SECONDS,
never slowing below GROUND_SPEED_MAX_KT) between two airborne spells: noted, not a
landing. A trace that starts or ends in the air has a leg whose start or end is unknown:
it is reported as such, never guessed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

from basewatch.core.adsb.parsing import Position

# Low and slow is on the ground (altitude is barometric, above sea level: most airfields
# lie well below this).
LOW_ALTITUDE_FT = 2_500
GROUND_SPEED_MAX_KT = 50
# No positions for this long is a gap in reception, not a pause between messages.
GAP_SECONDS = 15 * 60
# Ground contacts this short that never slow to taxiing speed are touch-and-goes.
TOUCH_AND_GO_MAX_SECONDS = 120
# On the ground within this distance before and after a gap: it did not fly in between.
SAME_PLACE_M = 10_000

EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Event:
    """A take-off or landing: where, and when (between `earliest` and `latest` when it was not seen)."""

    lat: float
    lon: float
    earliest: dt.datetime
    latest: dt.datetime

    @property
    def seen(self) -> bool:
        return self.earliest == self.latest

    @property
    def day(self) -> dt.date | None:
        """The UTC date it happened on, None when the gap it fell in spans midnight."""
        first, last = self.earliest.date(), self.latest.date()
        return first if first == last else None


@dataclass
class Leg:
    """One flight: take-off to landing; None where the trace does not show that end."""

    takeoff: Event | None = None
    landing: Event | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Spell:
    ground: bool
    positions: list[Position]
    touches: list[Position] = field(default_factory=list)  # touch-and-goes during a flight

    @property
    def first(self) -> Position:
        return self.positions[0]

    @property
    def last(self) -> Position:
        return self.positions[-1]

    @property
    def seconds(self) -> float:
        return (self.last.time - self.first.time).total_seconds()


def on_ground(position: Position) -> bool | None:
    """Whether the position is on the ground; None when it says neither."""
    if position.ground:
        return True
    if position.altitude is None and position.speed is None:
        return None
    low = position.altitude is not None and position.altitude < LOW_ALTITUDE_FT
    slow = position.speed is not None and position.speed < GROUND_SPEED_MAX_KT
    return low and slow


def gap_before(position: Position, previous: Position) -> bool:
    return position.new_leg or (position.time - previous.time).total_seconds() >= GAP_SECONDS


def find_legs(positions: list[Position]) -> list[Leg]:
    """The legs flown in the positions (in time order), with notes on what was inferred."""
    spells = _without_touch_and_goes(_spells([p for p in positions if not p.stale]))
    legs: list[Leg] = []
    if not spells:
        return legs
    current = None
    if not spells[0].ground:
        current = Leg(notes=[f"The trace starts in the air {_where(spells[0].first)}: where it took off is unknown."])
    current = _carry_notes(spells[0], current)
    for before, after in itertools.pairwise(spells):
        if gap_before(after.first, before.last):
            current = _across_gap(before, after, current, legs)
        elif before.ground:
            current = Leg(takeoff=_seen(before.last))
        else:
            current.landing = _seen(after.first)
            legs.append(current)
            current = None
        current = _carry_notes(after, current)
    if current is not None:
        current.notes.append(f"The trace ends in the air {_where(spells[-1].last)}: where it landed is unknown.")
        legs.append(current)
    return legs


def _spells(positions: list[Position]) -> list[Spell]:
    """Runs of positions in one state; a gap always ends a run."""
    spells: list[Spell] = []
    for position in positions:
        state = on_ground(position)
        last = spells[-1] if spells else None
        if state is None:
            if last is None:
                continue  # nothing known yet to carry over
            state = last.ground
        if last is not None and last.ground == state and not gap_before(position, last.last):
            last.positions.append(position)
        else:
            spells.append(Spell(state, [position]))
    return spells


def _without_touch_and_goes(spells: list[Spell]) -> list[Spell]:
    """The spells with each touch-and-go merged into the flight around it (and noted on it)."""
    merged: list[Spell] = []
    index = 0
    while index < len(spells):
        spell = spells[index]
        following = spells[index + 1] if index + 1 < len(spells) else None
        if merged and following is not None and _touch_and_go(merged[-1], spell, following):
            merged[-1].touches.append(spell.first)
            merged[-1].positions.extend(following.positions)
            index += 2
        else:
            merged.append(spell)
            index += 1
    return merged


def _touch_and_go(before: Spell, spell: Spell, after: Spell) -> bool:
    """A brief ground spell at speed, in the air right before and right after (no gap)."""
    in_flight = not before.ground and spell.ground and not after.ground
    seen_throughout = not gap_before(spell.first, before.last) and not gap_before(after.first, spell.last)
    return in_flight and seen_throughout and _brief_and_fast(spell)


def _brief_and_fast(spell: Spell) -> bool:
    speeds = [p.speed for p in spell.positions if p.speed is not None]
    return spell.seconds < TOUCH_AND_GO_MAX_SECONDS and all(speed >= GROUND_SPEED_MAX_KT for speed in speeds)


def _carry_notes(spell: Spell, current: Leg | None) -> Leg | None:
    for touch in spell.touches:
        current.notes.append(f"Touch-and-go {_where(touch)} at {touch.time:%H:%M} UTC: not a landing.")
    return current


def _across_gap(before: Spell, after: Spell, current: Leg | None, legs: list[Leg]) -> Leg | None:
    """Reason across a gap in the trace; the leg in the air after it (None on the ground)."""
    start, end = before.last, after.first
    gap = f"No positions from {start.time:%H:%M} to {end.time:%H:%M} UTC ({_duration(start.time, end.time)})"
    if not before.ground and after.ground:
        current.landing = Event(end.lat, end.lon, start.time, end.time)
        current.notes.append(f"{gap}: in the air before, on the ground after, so it landed unseen where it was found.")
        legs.append(current)
        return None
    if before.ground and not after.ground:
        leg = Leg(takeoff=Event(start.lat, start.lon, start.time, end.time))
        leg.notes.append(f"{gap}: on the ground before, in the air after, so it took off unseen from where it stood.")
        return leg
    if before.ground:
        if distance_m(start, end) > SAME_PLACE_M:
            legs.append(
                Leg(
                    takeoff=Event(start.lat, start.lon, start.time, end.time),
                    landing=Event(end.lat, end.lon, start.time, end.time),
                    notes=[f"{gap}: on the ground at two places, so a whole flight went unseen in between."],
                )
            )
        return None
    if after.first.new_leg:
        current.notes.append(f"{gap} and readsb starts a new leg: it probably landed unseen; where is unknown.")
        legs.append(current)
        return Leg(notes=[f"{gap}: where this leg took off is unknown (readsb starts a new leg)."])
    current.notes.append(f"{gap}, in the air on both sides: taken as one flight.")
    return current


def _seen(position: Position) -> Event:
    return Event(position.lat, position.lon, position.time, position.time)


def _where(position: Position) -> str:
    return f"at lat {position.lat:.4f}, lon {position.lon:.4f}"


def _duration(start: dt.datetime, end: dt.datetime) -> str:
    minutes = round((end - start).total_seconds() / 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"


def distance_m(a: Position, b: Position) -> float:
    """Great-circle distance (haversine): only to tell "the same place" across a gap."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlambda = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
