"""Reading an import file into rows of text cells, or refusing it whole with a reason.

A file is refused (FileRefused) when it cannot be read as what it claims to be, is over a
limit, or lacks a column the kind of claim needs; a bad cell is not a refusal here but an
error of its row, found later (basewatch.core.imports.rows) with the row's number.

Row numbers are the ones a spreadsheet shows: the header is row 1, the first claim row 2;
in a GeoJSON file, feature 1 is row 1, and a feature's geometry is its `location` cell (as
GeoJSON text), checked here as longitude/latitude.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

from basewatch.lib.geometry import GeometryInputError, parse_geometry, refuse_crs

BOM = b"\xef\xbb\xbf"
# What the CSV export puts a ' before (api.csv_export), so a spreadsheet does not run it.
QUOTED = ("=", "+", "-", "@", "\t", "\r")


class FileRefused(Exception):
    """The file cannot be imported at all; nothing was stored. `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ParsedFile:
    """The cells of each row by column name, and the header as given."""

    format: str  # csv, xlsx or geojson
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


def parse_file(content: bytes, file_name: str) -> ParsedFile:
    """Read `content` as CSV, XLSX or GeoJSON (by its first bytes, then its name)."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise FileRefused(f"The file is larger than {settings.IMPORT_MAX_BYTES:,} bytes, the limit for an import.")
    name = file_name.lower()
    if content.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return _xlsx(content)
    if name.endswith((".geojson", ".json")) or content.lstrip(BOM).lstrip()[:1] == b"{":
        return _geojson(content)
    return _csv(content)


def _too_many() -> FileRefused:
    limit = settings.IMPORT_MAX_ROWS
    return FileRefused(f"The file has more than {limit:,} rows, the limit for one import: split it.")


def _header(cells: list) -> list[str]:
    columns = [_text(cell).strip().lower() for cell in cells]
    while columns and not columns[-1]:
        columns.pop()  # spreadsheets pad the header with empty cells
    if not columns:
        raise FileRefused("The file has no header row: the first row must name the columns.")
    return columns


def _text(value) -> str:
    """A cell as text: a spreadsheet's numbers and dates as a person would type them. A NUL
    character (a GeoJSON `\\u0000`, an XLSX `_x0000_`) is refused: PostgreSQL cannot hold one,
    so the row's look-ups failed with a 500."""
    text = _plain_text(value)
    if "\x00" in text:
        raise FileRefused("The file holds a NUL character in a cell or name: remove it.")
    return text


def _plain_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _row(columns: list[str], cells: list) -> dict[str, str]:
    return {name: _text(cells[index]) if index < len(cells) else "" for index, name in enumerate(columns) if name}


def _csv(content: bytes) -> ParsedFile:
    # UTF-8 only (a BOM, as Excel writes, is dropped): a Latin-1 or Windows-1252 file decoded
    # by a guess would store wrong letters in names and notes, so it is refused at the first
    # undecodable byte, with its line, for the editor to save the file as UTF-8.
    if content.startswith(BOM):
        content = content[len(BOM) :]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        byte = content[error.start]
        raise FileRefused(
            f"Line {line} is not UTF-8 (byte 0x{byte:02X}): save the file as “CSV UTF-8” and import it again."
        ) from None
    if "\x00" in text:
        raise FileRefused("The file holds NUL characters: it is not a text CSV file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused("The file is empty.")
        columns = _header(header)
        rows = []
        # Numbered by record, as a spreadsheet numbers its rows: a cell of several lines is one row.
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, often at the end
            if len(rows) >= settings.IMPORT_MAX_ROWS:
                raise _too_many()  # stops reading here: a million rows are not all parsed
            rows.append((number, _row(columns, cells)))
    except csv.Error as error:
        raise FileRefused(f"Line {reader.line_num} is not valid CSV: {error}.") from None
    return ParsedFile("csv", columns, rows)


def _check_zip(content: bytes) -> None:
    """Refuse an archive that would unpack to too much, before any of it is unpacked.

    zipfile reads no more of a member than the size its header declares (and fails the CRC
    check if the data differs), so the declared sizes bound what openpyxl can unpack.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError):
        raise FileRefused("The file is not an XLSX workbook (not a ZIP archive).") from None
    members = archive.infolist()
    if len(members) > 1000:
        raise FileRefused("The workbook holds more than 1,000 parts: it is not a spreadsheet basewatch reads.")
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if unpacked > settings.IMPORT_XLSX_MAX_UNPACKED or unpacked > max(packed, 1) * settings.IMPORT_XLSX_MAX_RATIO:
        raise FileRefused(
            f"The workbook would unpack to {unpacked:,} bytes from {len(content):,}: refused as a likely ZIP bomb "
            f"(at most {settings.IMPORT_XLSX_MAX_UNPACKED:,} bytes, {settings.IMPORT_XLSX_MAX_RATIO}× the file)."
        )


def _xlsx_value(cell):
    value = cell.value
    if cell.data_type == "s" and isinstance(value, str) and value.startswith(QUOTED):
        return "'" + value
    return value


def _xlsx(content: bytes) -> ParsedFile:
    import openpyxl  # only imports of workbooks need it

    _check_zip(content)
    try:
        # Read-only streams the sheet; data_only=False gives a formula cell's text ("=SUM(A1)"),
        # which the rows then refuse: nothing is ever evaluated. A text cell is text, whatever it
        # begins with (basewatch's own XLSX export writes "=looked twice" as one): it is read as
        # the CSV export quotes it, with a ', so the rows take it as the text it is.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a malformed workbook; each means the same
        raise FileRefused("The file cannot be read as an XLSX workbook.") from None
    try:
        sheet = workbook.worksheets[0]
        cells_by_row: Iterator = (tuple(_xlsx_value(cell) for cell in cells) for cells in sheet.iter_rows())
        header = next(cells_by_row, None)
        if header is None:
            raise FileRefused("The workbook's first sheet is empty.")
        columns = _header(list(header))
        rows = []
        for number, cells in enumerate(cells_by_row, start=2):
            if not any(_text(cell).strip() for cell in cells):
                continue
            if len(rows) >= settings.IMPORT_MAX_ROWS:
                raise _too_many()
            rows.append((number, _row(columns, list(cells))))
    except FileRefused:
        raise
    except Exception:  # as above: a sheet that breaks the reader part way
        raise FileRefused("The workbook's first sheet cannot be read.") from None
    finally:
        workbook.close()
    return ParsedFile("xlsx", columns, rows)


def _count_vertices(coordinates, budget: int) -> int:
    """How many positions `coordinates` holds, counting without recursion; stops past `budget`."""
    count, stack = 0, [coordinates]
    while stack:
        item = stack.pop()
        if isinstance(item, list) and item and all(isinstance(n, int | float) for n in item):
            count += 1
            if count > budget:
                return count
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _geojson(content: bytes) -> ParsedFile:
    try:
        data = json.loads(content.removeprefix(BOM))
    except (ValueError, RecursionError):
        raise FileRefused("The file is not valid JSON (or nests too deeply).") from None
    is_collection = isinstance(data, dict) and data.get("type") == "FeatureCollection"
    if not is_collection or not isinstance(data.get("features"), list):
        raise FileRefused("A GeoJSON import must be a FeatureCollection.")
    try:
        refuse_crs(data)  # RFC 7946 has none; an old file's other system is not guessed at
    except GeometryInputError as error:
        raise FileRefused(f"The FeatureCollection: {error}") from None
    features = data["features"]
    if len(features) > settings.IMPORT_MAX_ROWS:
        raise _too_many()
    budget = settings.IMPORT_GEOJSON_MAX_VERTICES
    columns: list[str] = []
    rows = []
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
            raise FileRefused(f"Feature {number} is not a GeoJSON Feature with properties.")
        geometry = feature.get("geometry")
        if geometry is not None:
            if not isinstance(geometry, dict):
                raise FileRefused(f"Feature {number}'s geometry is not a GeoJSON object.")
            budget -= _count_vertices(geometry.get("coordinates"), budget)
            if budget < 0:
                raise FileRefused(
                    f"The file holds more than {settings.IMPORT_GEOJSON_MAX_VERTICES:,} vertices, "
                    "the limit for an import (claims need points and lines, not detailed shapes)."
                )
            try:
                parse_geometry(geometry)  # longitude first, in range: the file is what it says
            except GeometryInputError as error:
                raise FileRefused(f"Feature {number}'s geometry: {error}") from None
        properties = {_text(key).strip().lower(): value for key, value in feature["properties"].items()}
        if geometry is not None and "location" not in properties:
            # A site's place is its feature's geometry (a claim's row does not read it).
            properties["location"] = json.dumps(geometry)
        for key in properties:
            if key not in columns:
                columns.append(key)
        rows.append((number, {key: _text(value) for key, value in properties.items()}))
    return ParsedFile("geojson", columns, rows)
