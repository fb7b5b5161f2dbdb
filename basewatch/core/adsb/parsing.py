"""Reading trace files: readsb/tar1090 `trace_full` JSON and CSVs of positions (formats in the
package docstring). A file is checked whole before anything is used: the first problem
found refuses it, named with its row, and nothing is stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

GZIP_MAGIC = b"\x1f\x8b"
HEX_PATTERN = re.compile(r"^[0-9A-F]{6}$")
# Traces from before ADS-B was in wide use, or dated more than a day ahead, are mistakes.
EARLIEST_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# A trace row's fields (readsb's trace_full): only these are read.
TIME, LAT, LON, ALTITUDE, SPEED, FLAGS = 0, 1, 2, 3, 4, 6
ROW_FIELDS_READ = FLAGS + 1
STALE_FLAG = 1  # readsb had no fresh position: this one is carried over
NEW_LEG_FLAG = 2  # readsb starts a new leg at this row
CSV_REQUIRED = ("time", "lat", "lon", "altitude")


class TraceRefused(Exception):
    """The file cannot be imported; the message says why, for the person who gave it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Position:
    time: dt.datetime  # UTC
    lat: float
    lon: float
    altitude: float | None  # feet, barometric; None when not given or on the ground
    ground: bool  # the transponder says it is on the ground
    speed: float | None  # ground speed, knots
    stale: bool = False
    new_leg: bool = False


@dataclass
class Trace:
    """What a file says: the aircraft as it names it, and its positions in time order."""

    icao_hex: str  # upper case, "" when not given
    registration: str  # upper case, "" when not given
    type_designator: str  # ICAO type designator (IL76), "" when not given
    positions: list[Position]
    kind: str  # "readsb trace_full JSON" or "CSV of positions"


def decompressed(content: bytes, max_bytes: int) -> bytes:
    """The file's bytes, gunzipped when it is gzip, refused when either passes `max_bytes`
    (a small gzip can unpack to gigabytes: never more than the limit is unpacked)."""
    if len(content) > max_bytes:
        raise TraceRefused(f"The file is larger than {max_bytes:,} bytes, the limit for a trace.")
    if not content.startswith(GZIP_MAGIC):
        return content
    unpacker = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = unpacker.decompress(content, max_bytes + 1)
    except zlib.error as error:
        raise TraceRefused(f"The file looks gzip-compressed but cannot be unpacked: {error}.") from None
    if len(data) > max_bytes:
        raise TraceRefused(f"The file unpacks to more than {max_bytes:,} bytes, the limit for a trace.")
    if not unpacker.eof:
        raise TraceRefused("The gzip file is cut short: it does not unpack completely.")
    return data


def parse_trace(content: bytes, max_bytes: int) -> Trace:
    """The trace in `content`: readsb JSON when it starts with `{`, else a CSV of positions."""
    data = decompressed(content, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TraceRefused("This is not a trace: neither JSON nor a CSV of positions (it is not UTF-8 text).") from None
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return _parse_json(stripped)
    first_line = stripped.split("\n", 1)[0].strip().lower()
    if first_line.startswith("time"):
        return _parse_csv(stripped)
    raise TraceRefused(
        "This is not a trace: it is neither readsb/tar1090 trace_full JSON (an object with "
        "icao, timestamp and trace) nor a CSV of positions with the header time,lat,lon,altitude."
    )


# --- readsb trace_full JSON -------------------------------------------------------------


def _refuse_constant(name: str):
    raise TraceRefused(f"The file is not valid JSON: {name} is not a JSON number.")


def _parse_json(text: str) -> Trace:
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise TraceRefused(f"The file is not valid JSON: {error.msg} (line {error.lineno}).") from None
    except RecursionError:
        raise TraceRefused("The file is not a trace: its JSON is nested too deeply.") from None
    if not isinstance(document, dict):
        raise TraceRefused("The file is JSON but not a trace: a trace_full file is one object.")
    icao_hex = _icao_hex(document.get("icao"))
    base = _base_time(document.get("timestamp"))
    rows = document.get("trace")
    if not isinstance(rows, list) or not rows:
        raise TraceRefused("The file has no trace: `trace` must be a list of position rows.")
    positions = [_json_position(number, row, base) for number, row in enumerate(rows, start=1)]
    _check_time_order(positions)
    return Trace(
        icao_hex=icao_hex,
        registration=_text(document, "r").upper(),
        type_designator=_text(document, "t").upper(),
        positions=positions,
        kind="readsb trace_full JSON",
    )


def _icao_hex(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TraceRefused("The file does not name the aircraft: `icao` (its 24-bit ICAO address) is missing.")
    value = value.strip().upper()
    if value.startswith("~"):
        raise TraceRefused(
            f"The address {value} is not an ICAO address (readsb marks TIS-B and anonymised "
            "addresses with ~): it names no airframe, so the trace cannot be imported."
        )
    if not HEX_PATTERN.match(value):
        raise TraceRefused(f"`icao` must be six hexadecimal digits (e.g. 152c2d), not {value!r}.")
    return value


def _base_time(value) -> dt.datetime:
    if not _is_number(value):
        raise TraceRefused("The file has no `timestamp` (the epoch seconds its rows count from).")
    return _epoch_time(value, "`timestamp`")


def _text(document: dict, key: str) -> str:
    value = document.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TraceRefused(f"`{key}` must be text.")
    return value.strip()


def _json_position(number: int, row, base: dt.datetime) -> Position:
    where = f"Trace row {number}"
    if not isinstance(row, list) or len(row) < ROW_FIELDS_READ:
        raise TraceRefused(
            f"{where} is too short: a row is [seconds, lat, lon, altitude, ground speed, track, flags, …], "
            f"at least {ROW_FIELDS_READ} fields."
        )
    offset, altitude, speed, flags = row[TIME], row[ALTITUDE], row[SPEED], row[FLAGS]
    if not _is_number(offset):
        raise TraceRefused(f"{where}: the time (seconds after `timestamp`) must be a number.")
    if not (flags is None or (isinstance(flags, int) and not isinstance(flags, bool) and flags >= 0)):
        raise TraceRefused(f"{where}: the flags must be a whole number.")
    flags = flags or 0
    return Position(
        time=_epoch_time(base.timestamp() + offset, where),
        lat=_coordinate(row[LAT], 90, "latitude", where),
        lon=_coordinate(row[LON], 180, "longitude", where),
        altitude=_altitude(altitude, where),
        ground=altitude == "ground",
        speed=_speed(speed, where),
        stale=bool(flags & STALE_FLAG),
        new_leg=bool(flags & NEW_LEG_FLAG),
    )


# --- CSV of positions -------------------------------------------------------------------


def _parse_csv(text: str) -> Trace:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in CSV_REQUIRED if name not in header]
    if missing:
        raise TraceRefused(f"The CSV header must name time,lat,lon,altitude; missing: {','.join(missing)}.")
    reader.fieldnames = header
    try:
        positions = [_csv_position(number, row) for number, row in enumerate(reader, start=2)]
    except csv.Error as error:
        raise TraceRefused(f"The CSV cannot be read: {error}.") from None
    if not positions:
        raise TraceRefused("The CSV has a header but no positions.")
    _check_time_order(positions, row_offset=2)
    return Trace(icao_hex="", registration="", type_designator="", positions=positions, kind="CSV of positions")


def _csv_position(number: int, row: dict) -> Position:
    where = f"CSV line {number}"
    if None in row or any(row.get(name) is None for name in CSV_REQUIRED):
        raise TraceRefused(f"{where} does not have as many fields as the header.")
    altitude = row["altitude"].strip().lower()
    speed = (row.get("speed") or "").strip()
    return Position(
        time=_csv_time(row["time"].strip(), where),
        lat=_coordinate(_number(row["lat"], "latitude", where), 90, "latitude", where),
        lon=_coordinate(_number(row["lon"], "longitude", where), 180, "longitude", where),
        altitude=None if altitude in ("", "ground") else _altitude(_number(altitude, "altitude", where), where),
        ground=altitude == "ground",
        speed=_speed(_number(speed, "speed", where), where) if speed else None,
    )


def _csv_time(value: str, where: str) -> dt.datetime:
    try:
        return _epoch_time(float(value), where)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise TraceRefused(
            f"{where}: the time {value!r} is neither ISO 8601 (2024-12-17T05:10:00Z) nor epoch seconds."
        ) from None
    try:
        moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    except OverflowError:  # an offset past the calendar's end: 9999-12-31T23:00:00-05:00
        raise TraceRefused(f"{where}: the time {value!r} is outside the calendar in UTC.") from None
    return _in_time_range(moment, where)


def _number(value: str, name: str, where: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise TraceRefused(f"{where}: the {name} {value.strip()!r} is not a number.") from None
    if not math.isfinite(number):
        raise TraceRefused(f"{where}: the {name} must be a finite number.")
    return number


# --- checks shared by both formats ------------------------------------------------------


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _epoch_time(seconds: float, where: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise TraceRefused(f"{where}: the time {seconds} is not a date.") from None
    return _in_time_range(moment, where)


def _in_time_range(moment: dt.datetime, where: str) -> dt.datetime:
    latest = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    if not EARLIEST_TIME <= moment <= latest:
        raise TraceRefused(f"{where}: the time {moment:%Y-%m-%d %H:%M} UTC is out of range (2000 to today).")
    return moment


def _coordinate(value, limit: int, name: str, where: str) -> float:
    if not _is_number(value):
        raise TraceRefused(f"{where}: the {name} must be a number.")
    if not -limit <= value <= limit:
        raise TraceRefused(f"{where}: the {name} {value} is out of range (−{limit} to {limit}).")
    return float(value)


def _altitude(value, where: str) -> float | None:
    if value is None or value == "ground":
        return None
    if not _is_number(value):
        raise TraceRefused(f'{where}: the altitude must be feet, "ground" or null.')
    if not -2_000 <= value <= 150_000:
        raise TraceRefused(f"{where}: the altitude {value} ft is out of range (−2,000 to 150,000).")
    return float(value)


def _speed(value, where: str) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or not 0 <= value <= 5_000:
        raise TraceRefused(f"{where}: the ground speed must be knots between 0 and 5,000, or null.")
    return float(value)


def _check_time_order(positions: Iterable[Position], row_offset: int = 1) -> None:
    previous = None
    for number, position in enumerate(positions, start=row_offset):
        if previous is not None and position.time < previous.time:
            noun = "CSV line" if row_offset == 2 else "Trace row"
            raise TraceRefused(
                f"{noun} {number}: time goes backwards ({position.time:%H:%M:%S} after "
                f"{previous.time:%H:%M:%S} UTC); a trace is in time order."
            )
        previous = position
