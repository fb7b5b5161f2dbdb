"""Spreadsheets in: CSV, XLSX or GeoJSON of observations, movements, sites or sources (issue 17).

The columns are those of basewatch's own CSV export (`?format=csv` on the observation,
movement, site and source lists; README, "Importing spreadsheets"), so an exported file
imports back. Every import is a dry run first: each row goes through the one write path of
its kind (basewatch.core.claims.write_claim for claims, core.sites.write_site for sites) in
a transaction rolled back at the end, and the report lists every row with what it would
create, match or change and every error with its row, column and reason. Confirming imports
the same rows, kept on the report: claims as drafts of the importer's.

The package in reading order:

- `parsing`: the file into rows of text cells, or refused whole (size, row count, encoding,
  ZIP bomb, vertices);
- `rows`: one row's cells into a claim, its site, asset type, asset and sources looked up;
- `catalogue`: one row of a sites or sources file matched, changed or created (sites through
  basewatch.core.sites.write_site, the one write path of sites);
- `importing`: the dry run, the confirm, and the report's text.
"""
