"""Spreadsheets of claims in: CSV, XLSX or GeoJSON of observations or movements (issue 17).

The columns are those of basewatch's own CSV export (`?format=csv` on the observation and
movement lists; README, "Importing spreadsheets"), so an exported file imports back. Every
import is a dry run first: each row goes through basewatch.core.claims.write_claim, the one
write path of claims, in a transaction rolled back at the end, and the report lists every
row with what it would create and every error with its row, column and reason. Confirming
imports the same rows, kept on the report, as drafts of the importer's.

The package in reading order:

- `parsing`: the file into rows of text cells, or refused whole (size, row count, encoding,
  ZIP bomb, vertices);
- `rows`: one row's cells into a claim, its site, asset type, asset and sources looked up;
- `importing`: the dry run, the confirm, and the report's text.
"""
