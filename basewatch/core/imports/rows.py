"""One row of an import as a claim: its cells read, its site, asset type, asset and sources looked up.

Cells are read here only as far as a form field would (a date, a whole number); everything
the claim must satisfy is checked by basewatch.core.claims.write_claim, so an import says
what the forms and the API say. Errors are keyed by column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from basewatch.core.filters import SwitchField
from basewatch.core.models import Asset, AssetType, Movement, Observation, Site, Source
from basewatch.lib.dates import parse_day

# The columns of basewatch's own CSV export (api.views.claims csv_columns), in its order:
# an exported file imports back. `id` and `state` are read but not used: an import makes
# new drafts, whatever the claim was where it came from.
OBSERVATION_COLUMNS = [
    "id", "site", "observed", "asset_type", "asset", "count", "observed_precision", "count_low", "count_high",
    "activity", "presence", "credibility", "state", "notes", "sources",
]  # fmt: skip
MOVEMENT_COLUMNS = [
    "id", "origin", "destination", "departed", "arrived", "trips", "trips_at_least", "asset_type", "asset", "count",
    "state", "notes", "sources",
]  # fmt: skip
REQUIRED = {
    "observations": {"site", "observed", "asset_type", "sources"},
    "movements": {"origin", "destination", "asset_type", "sources"},
}
# `transfer` names a movement by its id on the instance that exported it, as `id` does.
IGNORED = {"id", "state", "site_name", "origin_name", "destination_name", "url", "transfer"}

# A source as the export writes it: `Publisher: Title <URL> (published, reliability)`.
SOURCE_TEXT = re.compile(r"^(?P<label>.*?)(?: <(?P<url>[^<>]*)>)? \((?P<published>[^(),]*), (?P<reliability>[A-F])\)$")
FORMULA_START = ("=", "+", "-", "@")


@dataclass
class Row:
    """A row read into a claim (not yet stored) and what it refers to."""

    claim: Observation | Movement | None = None
    sources: list[Source] = field(default_factory=list)  # on file
    new_sources: list[Source] = field(default_factory=list)  # typed: stored by write_claim unless on file
    matched: list[str] = field(default_factory=list)  # what the row named, found on file
    errors: dict[str, str] = field(default_factory=dict)  # column: reason


class Lookups:
    """Sites, asset types, assets and sources by the names a file uses, each looked up once per import."""

    def __init__(self):
        self.sites: dict[str, Site | str] = {}
        self.asset_types: dict[str, AssetType | str] = {}
        self.assets: dict[str, Asset | str] = {}
        # Sources without a URL stored by an earlier row of this file: later rows cite the same one.
        self.typed: dict[tuple, Source] = {}
        # Sources by URL, on file or stored by an earlier row (a file cites the same reports again and again).
        self.urls: dict[str, Source | None] = {}
        # Sites and sources an earlier row of a catalogue file gave (its key: that row's number).
        self.seen: dict[tuple, int] = {}

    def site(self, key: str) -> Site | str:
        """The site with this slug, else name, else alias (any case); or why there is none."""
        if key not in self.sites:
            found = list(Site.objects.filter(slug=key)[:1])
            for lookup in ({"name__iexact": key}, {"aliases__icontains": key}):
                if found:
                    break
                candidates = list(Site.objects.filter(**lookup)[:3])
                if lookup.get("aliases__icontains") is not None:
                    candidates = [s for s in candidates if key.lower() in (a.lower() for a in s.aliases)]
                if len(candidates) > 1:
                    names = ", ".join(site.slug for site in candidates)
                    self.sites[key] = f"“{key}” names more than one site ({names}): give the slug."
                    return self.sites[key]
                found = candidates
            self.sites[key] = found[0] if found else f"No site “{key}” on file (by slug, name or alias)."
        return self.sites[key]

    def asset_type(self, key: str) -> AssetType | str:
        if key not in self.asset_types:
            found = AssetType.objects.filter(slug=key).first() or AssetType.objects.designated(key).first()
            self.asset_types[key] = found or f"No asset type “{key}” on file (by slug or name)."
        return self.asset_types[key]

    def source_by_url(self, url: str) -> Source | None:
        if url not in self.urls:
            self.urls[url] = Source.objects.filter(url=url).first()
        return self.urls[url]

    def stored(self, source: Source) -> None:
        """Remember a source an earlier row stored (or found), for the rows after it."""
        if source.url:
            self.urls[source.url] = source
        else:
            self.typed[(source.publisher, source.title, "", source.published, source.reliability)] = source

    def asset(self, key: str) -> Asset | str:
        if key not in self.assets:
            found = Asset.objects.named(key).first()
            self.assets[key] = found or f"No asset “{key}” on file (by registration, ICAO hex, MMSI or IMO)."
        return self.assets[key]


def unquote(value: str) -> str:
    """The cell's text, without the quote the export puts before a leading = + - @ (api.csv_export)."""
    if value[:1] == "'" and value[1:2] in (*FORMULA_START, "\t", "\r"):
        return value[1:]
    return value


def is_formula(value: str) -> bool:
    """Whether a spreadsheet would run the cell as a formula (a signed number it would not)."""
    if not value.startswith(FORMULA_START):
        return False
    return not re.fullmatch(r"[+-]\d+(\.\d+)?", value)


def cell_values(
    cells: dict[str, str], errors: dict[str, str], *, spreadsheet: bool, ignored=IGNORED, kept=("notes",)
) -> dict[str, str]:
    """The row's cells as text, stripped (but for the `kept` ones) and unquoted; a formula is an error
    of its column (in `errors`), and the cell is left out."""
    values: dict[str, str] = {}
    for column, raw in cells.items():
        if column in ignored:
            continue
        if not spreadsheet:
            values[column] = raw if column in kept else raw.strip()
            continue
        if is_formula(raw.strip()):
            errors[column] = (
                f"“{raw[:40]}” would run as a formula in a spreadsheet: basewatch never does; "
                "put a ' before it to mean the text."
            )
            continue
        values[column] = unquote(raw.strip()) if column in kept else unquote(raw).strip()
    return values


def read_row(kind: str, cells: dict[str, str], lookups: Lookups, *, spreadsheet: bool = True) -> Row:
    """The row's claim and references; `spreadsheet` (CSV, XLSX) refuses cells a spreadsheet would run.

    GeoJSON properties are JSON strings no spreadsheet reads, and the GeoJSON export writes
    them unquoted: there a leading "=" is text, as it was on file.
    """
    row = Row()
    values = cell_values(cells, row.errors, spreadsheet=spreadsheet)
    claim = Observation() if kind == "observations" else Movement()
    if kind == "observations":
        _site(row, values, "site", lookups, claim)
        _date(row, values, "observed", claim)
        for name, choice in (("observed_precision", "day"), ("activity", "present"), ("presence", "based")):
            setattr(claim, name, values.get(name) or choice)
        for name in ("count", "count_low", "count_high"):
            _number(row, values, name, claim)
        if values.get("credibility"):
            _number(row, values, "credibility", claim)
    else:
        _site(row, values, "origin", lookups, claim)
        _site(row, values, "destination", lookups, claim)
        _date(row, values, "departed", claim)
        _date(row, values, "arrived", claim)
        _number(row, values, "count", claim)
        _number(row, values, "trips", claim)
        _switch(row, values, "trips_at_least", claim)
    _asset_type(row, values, lookups, claim)
    if values.get("asset"):
        found = lookups.asset(values["asset"])
        if isinstance(found, str):
            row.errors["asset"] = found
        else:
            claim.asset = found
            row.matched.append(f"asset {found.label}")
    claim.notes = values.get("notes", "")
    _sources(row, values.get("sources", ""), lookups)
    row.claim = claim
    return row


def _site(row: Row, values: dict, column: str, lookups: Lookups, claim) -> None:
    key = values.get(column, "")
    if not key:
        if column not in row.errors:
            row.errors[column] = "Name the site (slug, name or alias)."
        return
    found = lookups.site(key)
    if isinstance(found, str):
        row.errors[column] = found
    else:
        setattr(claim, column, found)
        row.matched.append(f"{column} {found.name} ({found.slug})")


def _asset_type(row: Row, values: dict, lookups: Lookups, claim) -> None:
    key = values.get("asset_type", "")
    if not key:
        row.errors.setdefault("asset_type", "Name the asset type (slug or name).")
        return
    found = lookups.asset_type(key)
    if isinstance(found, str):
        row.errors["asset_type"] = found
    else:
        claim.asset_type = found
        row.matched.append(f"asset type {found.name}")


def read_date(values: dict, column: str, errors: dict) -> dt.date | None:
    """A date cell (YYYY-MM-DD, or a timestamp's day); None when empty or "undated" (the export's
    word for a source without a date), or when it is not a date (an error of its column)."""
    text = values.get(column, "")
    if not text or text == "undated":
        return None
    try:
        return parse_day(text[:10] if "T" in text else text)
    except ValueError:
        errors[column] = f"“{text[:40]}” is not a date: write it as YYYY-MM-DD."
        return None


def _date(row: Row, values: dict, column: str, claim) -> None:
    # An empty one is left for the model to ask for, in its words.
    day = read_date(values, column, row.errors)
    if day is not None:
        setattr(claim, column, day)


def _number(row: Row, values: dict, column: str, claim) -> None:
    text = values.get(column, "")
    if not text:
        return
    try:
        setattr(claim, column, int(text))
    except ValueError:
        row.errors[column] = f"“{text}” is not a whole number."


def _switch(row: Row, values: dict, column: str, claim) -> None:
    """A yes/no cell, in the words the API's switches take (true/false, yes/no, 1/0; empty: no)."""
    text = values.get(column, "").lower()
    if text in SwitchField.VALUES:
        setattr(claim, column, SwitchField.VALUES[text])
    elif text:
        row.errors[column] = f"“{text[:20]}” is not true or false."


def _sources(row: Row, text: str, lookups: Lookups) -> None:
    """Sources separated by ` | `: an id, a URL, or the export's `Publisher: Title <URL> (date, reliability)`."""
    for part in (piece.strip() for piece in text.split(" | ")):
        if not part:
            continue
        if part.isascii() and part.isdigit():
            source = Source.objects.filter(pk=int(part)).first()
            if source is None:
                row.errors["sources"] = f"No source {part} on file."
                return
            row.sources.append(source)
            row.matched.append(f"source {source.pk}")
            continue
        match = SOURCE_TEXT.match(part)
        if match is None and "://" not in part:
            row.errors["sources"] = (
                f"“{part[:60]}” is not a source: give its id, its URL, or “Publisher: Title <URL> (date, reliability)”."
            )
            return
        if match is None:
            label, url, published, reliability = part, part, "", Source.Reliability.F
        else:
            label, url = match["label"], match["url"] or ""
            published, reliability = match["published"], match["reliability"]
        try:
            day = None if published in ("", "undated") else parse_day(published)
        except ValueError:
            row.errors["sources"] = f"“{published}” is not a source's date: write it as YYYY-MM-DD or “undated”."
            return
        if url:
            on_file = lookups.source_by_url(url)
            if on_file is not None:
                row.sources.append(on_file)
                row.matched.append(f"source {on_file.pk} ({url})")
                continue
        publisher, _, title = label.partition(": ") if ": " in label else ("", "", label)
        key = (publisher, title, url, day, reliability)
        if not url:
            on_file = (
                lookups.typed.get(key)
                or Source.objects.filter(url="", publisher=publisher, title=title, published=day).first()
            )
            if on_file is not None:
                row.sources.append(on_file)
                row.matched.append(f"source {on_file.pk} (“{on_file}”)")
                continue
        # The export does not say what kind of source it is: a reviewer sets it.
        row.new_sources.append(
            Source(
                kind=Source.Kind.OTHER,
                publisher=publisher,
                title=title or url,
                url=url,
                published=day,
                reliability=reliability,
            )
        )
