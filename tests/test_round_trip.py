"""The round trip, for real: the demo data exported through the HTTP API as CSV and as XLSX,
imported into an emptied basewatch through the upload pages (dry run, then confirm), and
compared field by field with what was exported.

What a researcher moving data between two basewatch instances does: sites and sources first,
then the observations and movements that name them. Asset types and assets have no import
(they are named, never made, by a claim's row), so they stay; everything the four imports
make is removed first. The second instance is this test database emptied of those tables:
the same schema, nothing on file.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from basewatch.core.models import Capture, ImportReport, Movement, Observation, Site, Source
from basewatch.core.posture import SUMMARY_FIELDS
from basewatch.core.workflow import State
from tests.factories import make_token
from tests.test_claim_import import editor_client, movement_facts, observation_facts, upload

ORDER = ["sites", "sources", "observations", "movements"]
# Columns that are the other instance's, not the data: its ids (a movement's transfer is one),
# the claim's review state (an import makes drafts), and the sites' posture (computed from
# published claims).
NOT_CARRIED = {"id", "state", "transfer", "posture", *SUMMARY_FIELDS}


def export(kind: str, wanted: str) -> bytes:
    api = Client(headers={"Authorization": f"Token {make_token('editor')}"})
    response = api.get(f"/api/v1/{kind}/", {"format": wanted})
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


def table(content: bytes, wanted: str) -> list[dict[str, str]]:
    """The exported rows as text, by column, without what does not travel; in a stable order."""
    if wanted == "csv":
        rows = list(csv.DictReader(io.StringIO(content.decode())))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    kept = [{name: value for name, value in row.items() if name not in NOT_CARRIED} for row in rows]
    return sorted(kept, key=lambda row: repr(sorted(row.items())))


def site_facts() -> list[tuple]:
    return sorted(
        (
            site.slug,
            site.name,
            tuple(site.aliases),
            site.kind,
            site.operator.code,
            site.host_country.code,
            site.status,
            round(site.location.x, 9),
            round(site.location.y, 9),
            site.location_precision,
        )
        for site in Site.objects.all()
    )


def source_facts() -> list[tuple]:
    fields = ["kind", "title", "publisher", "url", "published", "captured", "archive_url", "reliability"]
    return sorted(Source.objects.values_list(*fields), key=repr)


def everything() -> dict[str, list]:
    return {
        "sites": site_facts(),
        "sources": source_facts(),
        "observations": sorted(observation_facts(o) for o in Observation.objects.all()),
        "movements": sorted(movement_facts(m) for m in Movement.objects.all()),
    }


def empty_the_instance() -> None:
    """What the four imports make, gone: the second basewatch has nothing on file."""
    Observation.objects.all().delete()
    Movement.objects.all().delete()
    Capture.objects.all().delete()
    Source.objects.all().delete()
    Site.objects.all().delete()
    assert not any(model.objects.exists() for model in (Site, Source, Observation, Movement))


@pytest.mark.parametrize("wanted", ["csv", "xlsx"])
def test_the_demo_data_moves_to_an_empty_basewatch(demo, wanted):
    before = everything()
    assert all(before.values()), "the demo data has rows of every kind"
    files = {kind: export(kind, wanted) for kind in ORDER}
    empty_the_instance()
    client, user = editor_client()

    for kind in ORDER:
        response = upload(client, files[kind], f"basewatch-{kind}.{wanted}")
        assert response.status_code == 302, response.content[:500]
        report = ImportReport.objects.latest("pk")
        assert report.kind == kind
        rows = len(table(files[kind], wanted))
        # The dry run: every row would be created, none has an error, nothing is stored yet.
        assert [r["outcome"] for r in report.results] == ["create"] * rows, report.results
        assert report.file_format == wanted
        model = {"sites": Site, "sources": Source, "observations": Observation, "movements": Movement}[kind]
        assert not model.objects.exists()
        assert client.post(response["Location"]).status_code == 302
        report.refresh_from_db()
        assert report.state == ImportReport.State.IMPORTED
        assert model.objects.count() == rows

    # What is stored is what was exported, field by field...
    assert everything() == before
    # ... and exporting it again gives the same file, but for the ids and review states.
    for kind in ORDER:
        assert table(export(kind, wanted), wanted) == table(files[kind], wanted), kind
    # Claims arrive as the importer's drafts, for review.
    assert set(Observation.objects.values_list("state", "entered_by")) == {(State.DRAFT, user.pk)}
    assert set(Movement.objects.values_list("state", "entered_by")) == {(State.DRAFT, user.pk)}
