"""One row of a sites or sources file: matched on file, changed or created, or refused with reasons.

The columns are those of the sites' and sources' CSV exports (`?format=csv` on
/api/v1/sites/ and /api/v1/sources/), so an export imports back into another basewatch.

- A site is matched by its slug, then by name or alias (as claim rows name sites). A matched
  site whose cells say something else is changed (each field: old → new); a row naming no
  site on file creates one. Only the cells a row fills are compared and changed (a file of
  slugs and statuses changes statuses): an import never blanks what is on file, and a new
  site takes a field's default from an empty cell. Either is written by
  basewatch.core.sites.write_site, the one write path of sites (who may, validation), as the
  site form, the API and the admin write them: a site is catalogue, on the map once stored,
  not a draft (core.sites says why). The place is longitude and latitude (or a `location`
  cell: GeoJSON or WKT; a GeoJSON feature's geometry), in SRID 4326 only, read by
  basewatch.lib.geometry.
- A source is matched by its URL (as stored: the project keeps URLs as typed), one without a
  URL by publisher, title and date (as claim rows cite them); otherwise it is created,
  checked by the model as the source form checks it. A source on file is not changed.
- A second row naming what an earlier row of the file named is a duplicate, reported.

Outcomes: create, change, match (on file, nothing to change), duplicate, error. The result
keeps the stored item's id under "claim" (the key every kind's results share).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from basewatch.core import sites
from basewatch.core.claims import SYSTEM, NotAllowed
from basewatch.core.imports.rows import Lookups, cell_values, read_date
from basewatch.core.models import Site, Source
from basewatch.core.posture import SUMMARY_FIELDS
from basewatch.core.roles import can_edit
from basewatch.lib.geometry import GeometryInputError, parse_geometry

# api.views.sites.SiteList.csv_columns, then columns an import also reads.
SITE_COLUMNS = [
    "slug", "name", "aliases", "kind", "operator", "host_country", "status", "longitude", "latitude",
    "location_precision",
]  # fmt: skip
SITE_EXTRA_COLUMNS = ["location", "description", "wikidata_id"]
# api.views.catalogue.SourceList.csv_columns.
SOURCE_COLUMNS = [
    "id", "kind", "title", "publisher", "url", "published", "captured", "archive_url", "reliability",
]  # fmt: skip
REQUIRED = {
    "sites": {"name", "kind", "operator", "host_country"},
    "sources": {"title", "reliability"},
}
# Posture is computed, not imported; an id is the other basewatch's.
SITE_IGNORED = {*SUMMARY_FIELDS, "posture", "as_of", "url", "id"}
SOURCE_IGNORED = {"id", "captures", "archived"}
KINDS = ("sites", "sources")

_SITE_TEXT = ("slug", "name", "kind", "operator", "host_country", "status", "location_precision", "description")
_CHOICES = {
    "kind": Site.Kind,
    "status": Site.Status,
    "location_precision": Site.Precision,
}


def import_row(kind: str, number: int, cells: dict[str, str], user, lookups: Lookups, spreadsheet: bool) -> dict:
    """Write one row of a sites or sources file (in a savepoint of its own); its result."""
    result = {"row": number, "outcome": "error", "summary": "", "matched": [], "new": [], "changes": [], "claim": None}
    errors: dict[str, str] = {}
    if kind == "sites":
        values = cell_values(cells, errors, spreadsheet=spreadsheet, ignored=SITE_IGNORED, kept=("description",))
        # What the row says it is, until a stored site names it.
        result["summary"] = " ".join(
            filter(None, [values.get("name"), f"({values['slug']})" * bool(values.get("slug"))])
        )
        _site(result, values, errors, user, lookups)
    else:
        values = cell_values(cells, errors, spreadsheet=spreadsheet, ignored=SOURCE_IGNORED, kept=())
        result["summary"] = values.get("title") or values.get("url", "")
        _source(result, values, errors, user, lookups)
    result["errors"] = [{"column": column, "message": message} for column, message in errors.items()]
    if errors and result["outcome"] != "duplicate":
        result["outcome"] = "error"
    return result


# --- sites ------------------------------------------------------------------------------


def _choice(values: dict, column: str, choices, errors: dict, default: str | None = None) -> str | None:
    """A choice cell as stored: its code or its label, in any case (“Air base”, “b”); `default` if empty."""
    text = values.get(column, "")
    if not text:
        return default
    known = {value.lower(): value for value in choices.values}
    known.update((label.lower(), value) for value, label in choices.choices)
    if text.lower() in known:
        return known[text.lower()]
    errors[column] = f"“{text[:40]}” is not one of: {', '.join(choices.values)}."
    return default


def _location(values: dict, errors: dict):
    """The site's place from `location` (GeoJSON or WKT) or longitude/latitude; None if the row gives none."""
    if values.get("location"):
        try:
            geometry = parse_geometry(values["location"])
        except GeometryInputError as error:
            errors["location"] = str(error)
            return None
        if geometry.geom_type != "Point":
            errors["location"] = "A site's location is a Point."
            return None
        return geometry
    lon, lat = values.get("longitude", ""), values.get("latitude", "")
    if not lon and not lat:
        return None
    numbers = []
    for column, text in (("longitude", lon), ("latitude", lat)):
        try:
            numbers.append(float(text))
        except ValueError:
            errors[column] = f"“{text[:40]}” is not a number of degrees." if text else f"Give the {column} too."
    if len(numbers) < 2:
        return None
    try:
        return parse_geometry({"type": "Point", "coordinates": numbers})
    except GeometryInputError as error:
        errors["latitude" if str(error).startswith("Latitude") else "longitude"] = str(error)
        return None


def _find_site(values: dict, errors: dict) -> tuple[Site | None, str]:
    """The site the row names (by slug, then name or alias), and how it was found."""
    slug = values.get("slug", "")
    if slug:
        found = Site.objects.filter(slug=slug).first()
        if found is not None:
            return found, "slug"
    # By name or alias: the row's name, or (a file without names) its slug as another spelling.
    column = "name" if values.get("name") else "slug"
    key = values.get(column, "")
    if not key:
        return None, ""
    found = Lookups().site(key)  # a fresh look: sites this file made are on file now
    if isinstance(found, Site):
        return found, "alias" if found.name.lower() != key.lower() and found.slug != key else "name"
    if "more than one site" in found:
        errors[column] = found
    return None, ""


def _site_fields(values: dict, errors: dict) -> dict:
    """The fields the row gives (its columns), read; a bad cell is an error of its column."""
    fields: dict = {}
    for name in _SITE_TEXT:
        if values.get(name):
            fields[name] = _choice(values, name, _CHOICES[name], errors) if name in _CHOICES else values[name]
    for name in ("operator", "host_country"):
        if name in fields:
            fields[name] = fields[name].upper()  # ISO 3166 codes, as stored
    if values.get("aliases"):
        fields["aliases"] = [alias.strip() for alias in values["aliases"].split(";") if alias.strip()]
    if values.get("wikidata_id"):
        fields["wikidata_id"] = values["wikidata_id"]
    location = _location(values, errors)
    if location is not None:
        fields["location"] = location
    return {name: value for name, value in fields.items() if value is not None}


def _shown(name: str, value) -> str:
    if name == "location":
        return f"{value.x:.6f}, {value.y:.6f}" if value is not None else "—"
    if name == "aliases":
        return "; ".join(value) or "—"
    return str(value) if value not in (None, "") else "—"


def _same(name: str, stored, given) -> bool:
    if name == "location":
        return stored is not None and (round(stored.x, 9), round(stored.y, 9)) == (round(given.x, 9), round(given.y, 9))
    if name in ("operator", "host_country"):
        return getattr(stored, "code", stored) == given
    return stored == given


def _site(result: dict, values: dict, errors: dict, user, lookups: Lookups) -> None:
    site, found_by = _find_site(values, errors)
    fields = _site_fields(values, errors)
    if errors:
        return
    if site is not None:
        key = ("site", site.pk)
        if key in lookups.seen:
            # Not its id: the site may be one this file makes, which a dry run rolls back.
            result.update(outcome="duplicate", summary=f"{site.name} ({site.slug})")
            errors["slug" if "slug" in values else "name"] = (
                f"Row {lookups.seen[key]} already gives the site {site.slug}: one row per site."
            )
            return
        result["matched"].append(f"site {site.name} ({site.slug}), by {found_by}")
        for name, value in fields.items():
            stored = getattr(site, name)
            if not _same(name, stored, value):
                result["changes"].append({"field": name, "old": _shown(name, stored), "new": _shown(name, value)})
                setattr(site, name, value)
        if not result["changes"]:
            result.update(outcome="match", summary=str(site), claim=site.pk)
            lookups.seen[key] = result["row"]
            return
        outcome = "change"
        read_version = site.version
    else:
        site = Site(**fields)
        outcome, read_version = "create", None
    stored = _write(errors, values, lambda: sites.write_site(site, user, read_version=read_version))
    if stored is not None:
        lookups.seen[("site", stored.pk)] = result["row"]
        result.update(outcome=outcome, summary=f"{stored.name} ({stored.slug})", claim=stored.pk)


def _write(errors: dict, values: dict, write):
    """Run `write` in a savepoint; its errors by column (a refused row takes nothing with it)."""
    try:
        with transaction.atomic():
            return write()
    except NotAllowed as refused:
        errors[""] = " ".join(refused.errors.values())
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            column = "" if name == "__all__" else name
            if name == "location" and "location" not in values:
                column = "longitude"
            errors[column] = " ".join(messages)
    except DatabaseError as error:
        errors[""] = f"The database refused the row: {error.__class__.__name__}."
    return None


# --- sources ----------------------------------------------------------------------------


def _source(result: dict, values: dict, errors: dict, user, lookups: Lookups) -> None:
    # A file that does not say what kind of source each is (a claim export's way) leaves it to a reviewer.
    source = Source(
        kind=_choice(values, "kind", Source.Kind, errors, Source.Kind.OTHER),
        title=values.get("title", ""),
        publisher=values.get("publisher", ""),
        url=values.get("url", ""),
        published=read_date(values, "published", errors),
        captured=read_date(values, "captured", errors),
        archive_url=values.get("archive_url", ""),
        reliability=_choice(values, "reliability", Source.Reliability, errors, Source.Reliability.F),
    )
    if errors:
        return
    key = ("source", source.url) if source.url else ("source", source.publisher, source.title, source.published)
    if key in lookups.seen:
        result.update(outcome="duplicate", summary=str(source))
        what = "URL" if source.url else "publisher, title and date"
        errors["url" if source.url else "title"] = f"Row {lookups.seen[key]} gives a source with the same {what}."
        return
    lookups.seen[key] = result["row"]
    if source.url:
        on_file = Source.objects.filter(url=source.url).first()
    else:
        on_file = Source.objects.filter(
            url="", publisher=source.publisher, title=source.title, published=source.published
        ).first()
    if on_file is not None:
        by = "URL" if source.url else "publisher, title and date"
        result["matched"].append(f"source {on_file.pk}, by {by}")
        result.update(outcome="match", summary=str(on_file), claim=on_file.pk)
        return
    stored = _write(errors, values, lambda: _store_source(source, user))
    if stored is not None:
        result.update(outcome="create", summary=str(stored), claim=stored.pk)


def _store_source(source: Source, user) -> Source:
    # As the source form and the claim write path store a source: an editor's, checked by the model.
    if user is not SYSTEM and not can_edit(user):
        raise NotAllowed({None: "Adding sources needs an editor."})
    source.full_clean()
    source.save()
    return source
