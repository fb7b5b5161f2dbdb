"""`?format=xlsx` on every list with a CSV export: the CSV's columns in its order, typed cells,
text that looks like a formula kept as text, the export's row cap, read back by GDAL too."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from basewatch.api import list_exports
from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site, make_source
from tests.gis_readers import layer_counts, ogrinfo

pytestmark = pytest.mark.django_db
D = dt.date
HOSTILE = '=HYPERLINK("http://evil.example","click")'
LISTS = ["observations/", "movements/", "sites/", "sources/", "assets/"]


@pytest.fixture
def rows():
    site = make_site(slug="khmeimim", name="+Khmeimim", aliases=["@hmeimim", "-latakia"])
    other = make_site(slug="tartus", name="Tartus")
    su34 = make_asset_type(slug="su-34", name="Su-34")
    source = make_source(title=HOSTILE, publisher="@someone", url="https://example.org/a", captured=D(2024, 12, 12))
    make_asset(asset_type=su34, registration="RF-95070", notes="-minus")
    make_observation(site, su34, D(2024, 12, 13), 12, count_low=10, notes=HOSTILE, sources=[source])
    make_movement(site, other, su34, departed=D(2024, 12, 8), arrived=D(2024, 12, 9), count=2, notes="@mention")


def _workbook(api, path: str, **params):
    before = timezone.now().date()
    response = api.get(path, params={"format": "xlsx", **params})
    after = timezone.now().date()  # a run may cross midnight UTC
    assert response.status_code == 200, response.content[:300]
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    names = {path.rstrip("/")}
    if names == {"sites"} and params.get("posture") != "none":  # named for the posture's date, today unless asked
        names = {f"sites-{params.get('as_of', day.isoformat())}" for day in (before, after)}
    assert response.headers["Content-Disposition"] in {
        f'attachment; filename="basewatch-{name}.xlsx"' for name in names
    }
    content = response.content
    return content, openpyxl.load_workbook(io.BytesIO(content))


def _csv_rows(api, path: str) -> list[list[str]]:
    response = api.get(path, params={"format": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.text)))


def _as_csv_text(value) -> str:
    """A typed cell as the CSV writes the same value."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.mark.parametrize("path", LISTS)
def test_each_list_as_xlsx_has_the_csv_columns_and_rows_as_typed_cells(api, rows, path):
    _, workbook = _workbook(api, path)
    sheet = workbook.worksheets[0]
    cells = list(sheet.iter_rows())
    expected = _csv_rows(api, path)
    assert [cell.value for cell in cells[0]] == expected[0]  # the same columns, in the same order
    assert len(cells) == len(expected) > 1
    for row, csv_row in zip(cells[1:], expected[1:], strict=True):
        assert [_as_csv_text(cell.value) for cell in row] == [
            # A number's cell holds the number, not the CSV's way of writing it: 36.0 reads back
            # as 36, and a spreadsheet keeps 15 significant digits (36.001999999999995 is 36.002).
            _as_csv_text(cell.value)
            if _is_number(cell.value) and float(text) == pytest.approx(cell.value, rel=1e-12)
            else text
            for cell, text in zip(row, csv_row, strict=True)
        ]
    # Nothing a spreadsheet would run: every cell is a value, text ones stay text.
    assert not [cell.coordinate for row in cells for cell in row if cell.data_type == "f"]


def test_cells_are_typed_and_formula_looking_text_is_text(api, rows):
    _, workbook = _workbook(api, "observations/")
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["observed"].value == dt.datetime(2024, 12, 13) and row["observed"].is_date
    assert row["observed"].number_format == "yyyy-mm-dd"
    assert (row["count"].value, row["count"].data_type) == (12, "n")
    assert (row["count_low"].value, row["count_high"].value) == (10, None)
    assert (row["notes"].value, row["notes"].data_type) == (HOSTILE, "s")
    assert row["sources"].value.startswith("@someone: =HYPERLINK")

    _, workbook = _workbook(api, "sites/", posture="none")
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert "posture_total" not in header  # posture=none leaves the same columns out as the CSV
    site = {name: cell for name, cell in zip(header, workbook.worksheets[0][2], strict=True)}
    assert (site["name"].value, site["name"].data_type) == ("+Khmeimim", "s")
    assert site["aliases"].value == "@hmeimim; -latakia"
    assert isinstance(site["longitude"].value, float) and site["longitude"].data_type == "n"


def test_gdal_reads_the_workbook(api, rows, tmp_path):
    content, _ = _workbook(api, "sources/")
    path = tmp_path / "sources.xlsx"
    path.write_bytes(content)
    text = ogrinfo(path, "sources")
    assert layer_counts(ogrinfo(path, summary=True)) == {"sources": len(_csv_rows(api, "sources/")) - 1}
    assert f"title (String) = {HOSTILE}" in text
    assert "publisher (String) = @someone" in text
    assert "captured (Date) = 2024/12/12" in text


def test_an_xlsx_export_is_capped_like_the_other_file_exports(api, rows, monkeypatch):
    make_source()
    monkeypatch.setattr(list_exports, "MAX_ROWS", 1)
    for path in ("sources/", "sites/"):
        response = api.get(path, params={"format": "xlsx"})
        assert response.status_code == 400
        assert "at most 1 fit in one" in response.json()["format"][0]
