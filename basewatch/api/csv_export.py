"""`?format=csv` and `?format=xlsx` on a list: every matching record, one row each, not paginated.

The two formats have the same columns in the same order (a list's `csv_columns`), so either
imports back (basewatch.core.imports). CSV is streamed as it is read. An XLSX workbook is a
ZIP that cannot be sent before it is complete, so it is written in openpyxl's write-only mode
(rows go to a temporary file, memory stays flat) and bounded like the other whole-file
exports (api.list_exports.MAX_ROWS). Its cells are typed where a spreadsheet gains from it
(dates as dates, counts and coordinates as numbers); every text is a text cell, so one that
begins with = + - @ is text, never a formula (CSV quotes those with a ').
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import openpyxl
from django.http import FileResponse, StreamingHttpResponse
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from rest_framework import renderers

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Columns = list[tuple[str, Callable[[Any], Any]]]


class CSVRenderer(renderers.BaseRenderer):
    """Names the format for content negotiation; the rows are streamed by `csv_response`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV is streamed by api.csv_export.csv_response()")


class XLSXRenderer(renderers.BaseRenderer):
    """Names the format for content negotiation; the workbook is written by `xlsx_response`."""

    media_type = XLSX_TYPE
    format = "xlsx"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("XLSX is written by api.csv_export.xlsx_response()")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    # Spreadsheets run cells that start with these as formulas; quote them.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def _lines(rows: Iterable[Any], columns: Columns) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([name for name, _ in columns])
    for row in rows:
        yield writer.writerow([_cell(get(row)) for _, get in columns])


def csv_response(rows: Iterable[Any], columns: Columns, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_lines(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="basewatch-{name}.csv"'
    return response


def _xlsx_cell(sheet, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()  # an aware time: a spreadsheet has no zone, the text keeps it
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    # Control characters XML cannot hold are left out (the CSV keeps them).
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # text, even "=SUM(A1)": openpyxl would otherwise write a formula
    return cell


def xlsx_response(rows: Iterable[Any], columns: Columns, name: str) -> FileResponse:
    """The rows as a one-sheet workbook named for the list, header first (the CSV's columns)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(name[:31])
    sheet.append([_xlsx_cell(sheet, column) for column, _ in columns])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, get(row)) for _, get in columns])
    handle = tempfile.TemporaryFile(prefix="basewatch-xlsx-")  # noqa: SIM115 (the response closes it: it is gone then)
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="basewatch-{name}.xlsx"'
    return response


def sources_text(claim) -> str:
    """Sources flattened for a CSV cell: `Publisher: Title <URL> (date, reliability)` joined by ` | `."""
    parts = []
    for source in claim.sources.all():
        text = str(source)
        if source.url:
            text += f" <{source.url}>"
        text += f" ({source.published or 'undated'}, {source.reliability})"
        parts.append(text)
    return " | ".join(parts)
