"""ADS-B traces in, movements out, for review (issue 15).

An editor or a command hands over a flight-trace file; basewatch finds the aircraft's
take-offs and landings, matches them to known sites and drafts one movement per leg
flown between two sites, submitted for review. Nothing is published by an import.

The package in reading order:

- `parsing`: the two file formats, checked row by row (a bad file is refused whole);
- `legs`: take-offs, landings, touch-and-goes and gaps found in the positions;
- `importing`: sites, the asset, the source (the file, kept under its SHA-256) and the
  movements, stored in one transaction, and the report every face shows.

What is read, exactly:

readsb / tar1090 `trace_full` JSON (what tar1090 and adsb.lol publish; gzip-compressed
or not):

- `icao`: the 24-bit ICAO address, six hex digits. One starting with `~` is a non-ICAO
  (TIS-B or anonymised) address that names no airframe: the file is refused.
- `r` (registration) and `t` (ICAO type designator, e.g. IL76), both optional.
- `timestamp`: epoch seconds; each trace row's time is relative to it.
- `trace`: rows of `[seconds after timestamp, lat, lon, altitude, ground speed, track,
  flags, vertical rate, …]`. Read: 0 (time), 1 and 2 (latitude, longitude in degrees),
  3 (barometric altitude in feet, `"ground"`, or null), 4 (ground speed in knots, or null)
  and 6 (flags): `flags & 1`, a stale position (readsb had no fresh one): the row is
  checked but not used to find legs; `flags & 2`, readsb starts a new leg here: the time
  before the row is a gap, whatever its length (see `legs`). Track, vertical rate and the
  later fields are not read. Rows need at least the first seven fields.

A CSV of positions with the header `time,lat,lon,altitude` (any order, an optional
`speed` column in knots, other columns ignored): time as ISO 8601 (UTC unless an offset
is given) or epoch seconds; altitude in feet, `ground`, or empty. The file does not name
the aircraft: the face asks for its ICAO hex or registration.
"""
