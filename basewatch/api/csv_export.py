"""`?format=csv` on a list: every matching record, one row each, streamed (not paginated)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from rest_framework import renderers

Columns = list[tuple[str, Callable[[Any], Any]]]


class CSVRenderer(renderers.BaseRenderer):
    """Names the format for content negotiation; the rows are streamed by `csv_response`."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("CSV is streamed by api.csv_export.csv_response()")


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
