"""CQL2 filters (OGC API - Features Part 3) on a collection's items, read into a Django Q.

Reading: pygeofilter parses CQL2-JSON, and CQL2 text through cql2_text.lark (its predicates,
literals and WKT under CQL2's precedence of AND over OR, which its own grammar lacks).
Whatever the input, reading it either gives pygeofilter's syntax tree or raises
InvalidFilter with a message for the client: pygeofilter and lark raise many kinds of
error on bad input (lark's, TypeError, ValueError, RecursionError...), so every one of
them from the parser is a bad filter, never a server error.

What a filter may name: the collection's queryables, each read from the FilterSet filter
its property filter uses (Queryable.of), so `?site=alpha` and `filter=site = 'alpha'`
mean one thing; and `geometry`, in S_INTERSECTS alone. Offered: Basic CQL2 (= <> < <= > >=,
IS NULL, AND, OR, NOT; string, number and date literals, and TRUE or FALSE as a whole
CQL2-JSON filter: no queryable is a boolean or a timestamp), the advanced comparison operators
(LIKE, BETWEEN, IN) and the basic spatial function S_INTERSECTS with a point, a box or a
polygon in longitude/latitude. Nothing else: a function, arithmetic, a temporal or other
spatial operator, one property compared with another, or a value of the wrong type for its
property is refused.

A comparison with a property that has no value (NULL) is neither true nor false, as in
SQL, and such a row is left out, negated or not: `count <> 3` and `NOT count = 3` leave
out the observations without a count, as `count = 3` does. NOTs are pushed down to the
comparisons (De Morgan) and each comparison is written negated so it is false on NULL;
Django's own negation (~Q) would count a NULL as a match.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import math
import operator
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import django_filters as filters
import lark
import pygeofilter.parsers
from django import forms
from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Lookup, Q, Subquery, Value
from lark.visitors import Transformer, merge_transformers, v_args
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json.parser import walk_cql_json
from pygeofilter.parsers.cql2_text.parser import CQLTransformer

from basewatch.core.filters import AssetKeyFilter, BBoxField, BBoxFilter
from basewatch.core.models import Asset
from basewatch.lib.dates import parse_day
from basewatch.lib.geometry import GeometryInputError, parse_geometry

# pygeofilter turns lark's logger to DEBUG when imported; back to lark's own level, so a
# bad filter never writes parser state to the log.
lark.logger.setLevel(logging.CRITICAL)

TEXT, JSON = "cql2-text", "cql2-json"
LANGUAGES = (TEXT, JSON)
# Characters. A filter comes in a URL, whose request line gunicorn (and nginx) read up to about
# 4 kB: room for a filter URL-encoded (up to three bytes a character) and the other parameters.
MAX_LENGTH = 1000
MAX_DEPTH = 20  # AND, OR and NOT inside one another; a run of one of them counts once
GEOMETRY = "geometry"  # the spatial queryable: each collection's one geometry
MAX_NAME = 40  # of an unknown property, in the error message


class InvalidFilter(ValueError):
    """A filter that cannot be read or applied; the message is for the client."""


@dataclasses.dataclass(frozen=True)
class Queryable:
    """A property a filter may compare: the type of its values and the column holding them."""

    type: str  # "string", "integer" or "date"
    column: str  # the ORM path to its value, also what IS NULL tests
    choices: tuple[str, ...] = ()  # its only values, when it has a fixed list
    # How `=` reads a key that names a row in several ways (an asset: registration, ICAO hex,
    # MMSI, IMO or id); such a property is compared for equality only.
    named_by: Callable[[str], Q] | None = None

    @classmethod
    def of(cls, found: filters.Filter) -> Queryable:
        """The queryable a property filter of a FilterSet stands for, compared as that filter compares."""
        if found.method is not None or found.lookup_expr != "exact" or found.exclude:
            raise ImproperlyConfigured(f"{found.field_name}: a CQL2 queryable needs a plain equality filter.")
        if isinstance(found, AssetKeyFilter):
            # The asset the key names best, as AssetKeyField reads it (Asset.objects.named), in the same query.
            name = found.field_name
            return cls("string", name, named_by=lambda key: Q(**{f"{name}__in": Subquery(_best_named(key))}))
        if isinstance(found, filters.ModelChoiceFilter):  # a row named by a field of its own: a slug
            if not found.extra.get("to_field_name"):
                raise ImproperlyConfigured(f"{found.field_name}: a CQL2 queryable names its rows by a field.")
            return cls("string", f"{found.field_name}__{found.extra['to_field_name']}")
        if isinstance(found, filters.ChoiceFilter):
            return cls("string", found.field_name, choices=tuple(str(value) for value, _ in found.extra["choices"]))
        if isinstance(found, filters.DateFilter):
            return cls("date", found.field_name)
        if isinstance(found, filters.NumberFilter) and issubclass(found.field_class, forms.IntegerField):
            return cls("integer", found.field_name)
        raise ImproperlyConfigured(f"{found.field_name}: no CQL2 reading of a {type(found).__name__}.")

    def schema(self) -> dict:
        """Its values as JSON Schema, for the queryables document."""
        if self.type == "date":
            return {"type": "string", "format": "date"}
        return {"type": self.type, **({"enum": list(self.choices)} if self.choices else {})}


def _best_named(key: str):
    return Asset.objects.named(key).values("pk")[:1]


# Reading --------------------------------------------------------------------------------

_ESCAPED_QUOTE = re.compile(r"''|\\'")


@v_args(inline=True)
class _Structure(Transformer):
    """The rules of cql2_text.lark itself; pygeofilter's transformer reads what it imports."""

    def or_(self, lhs, rhs):
        return ast.Or(lhs, rhs)

    def and_(self, lhs, rhs):
        return ast.And(lhs, rhs)

    def not_(self, node):
        return ast.Not(node)

    def SINGLE_QUOTED(self, token):  # lark names a terminal's callback after the terminal
        return _ESCAPED_QUOTE.sub("'", token[1:-1])


@v_args(inline=True)
class _Predicates(CQLTransformer):
    def wkt__geometry_with_srid(self, srid, geometry):
        raise InvalidFilter("Give coordinates as longitude/latitude, without an SRID.")

    def envelope(self, *numbers):
        raise InvalidFilter("ENVELOPE is not CQL2: write BBOX(minlon, minlat, maxlon, maxlat).")


_PYGEOFILTER_PARSERS = Path(pygeofilter.parsers.__file__).parent
_TEXT_PARSER = lark.Lark.open(
    str(Path(__file__).with_name("cql2_text.lark")),
    parser="lalr",
    maybe_placeholders=False,
    # `grammar` is pygeofilter's cql2_text/grammar.lark, which imports wkt.lark from parsers/.
    import_paths=[str(_PYGEOFILTER_PARSERS / "cql2_text"), str(_PYGEOFILTER_PARSERS)],
    transformer=merge_transformers(_Structure(), grammar=_Predicates()),
)


def parse(text: str, language: str = TEXT):
    """pygeofilter's syntax tree of `text`, a filter in `language` (cql2-text or cql2-json)."""
    if len(text) > MAX_LENGTH:
        raise InvalidFilter(f"At most {MAX_LENGTH} characters.")
    if not text.strip():
        raise InvalidFilter("Give a filter or leave the parameter out.")
    try:
        if language == JSON:
            return walk_cql_json(_standard_json(json.loads(text)))
        return _TEXT_PARSER.parse(text)
    except InvalidFilter:
        raise
    except lark.exceptions.UnexpectedInput as error:
        raise InvalidFilter(f"Not CQL2 text: unexpected input at character {error.column}.") from None
    except json.JSONDecodeError as error:
        raise InvalidFilter(f"Not JSON: {error.msg} at character {error.pos + 1}.") from None
    except RecursionError:
        raise InvalidFilter(f"Nested too deeply: at most {MAX_DEPTH} levels.") from None
    except Exception:  # pygeofilter's errors on bad input have no common type: see the module's doc
        raise InvalidFilter(f"Not {language}: see the CQL2 standard (OGC 21-065) for its grammar.") from None


def _standard_json(node, depth: int = 0):
    """CQL2-JSON as pygeofilter 0.4 reads it: BETWEEN's three arguments (it expects the draft's
    [property, [low, high]]), a BBOX of four or six numbers (it takes four, in the wrong order),
    dates and timestamps read strictly (it would read "yesterday" as a timestamp)."""
    if depth > 3 * MAX_DEPTH:  # a condition nests two JSON levels deeper than its parts
        raise InvalidFilter(f"Nested too deeply: at most {MAX_DEPTH} levels.")
    if isinstance(node, list):
        return [_standard_json(item, depth + 1) for item in node]
    if not isinstance(node, dict) or ("type" in node and "coordinates" in node):
        return node  # a value, or a GeoJSON geometry (read by _geometry)
    if "bbox" in node:
        return ast.Function("bbox", node["bbox"])
    if "date" in node:
        return _strict(parse_day, node["date"], "date")
    if "timestamp" in node:
        return _strict(_timestamp, node["timestamp"], "timestamp")
    arguments = node.get("args")
    if node.get("op") == "between" and isinstance(arguments, list) and len(arguments) == 3:
        node = {**node, "args": [arguments[0], arguments[1:]]}
    return {key: _standard_json(value, depth + 1) for key, value in node.items()}


def _strict(read, text, kind: str):
    try:
        if not isinstance(text, str):
            raise ValueError("not text")
        return read(text)
    except ValueError:
        raise InvalidFilter(f"Not a {kind}: {kind}s are written as RFC 3339 says.") from None


def _timestamp(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if "T" not in text or moment.tzinfo is None:
        raise ValueError("a timestamp needs a time and an offset")
    return moment


# Applying -------------------------------------------------------------------------------

_COMPARISONS = {
    ast.Equal: "=",
    ast.NotEqual: "<>",
    ast.LessThan: "<",
    ast.LessEqual: "<=",
    ast.GreaterThan: ">",
    ast.GreaterEqual: ">=",
}
_NEGATED = {"=": "<>", "<>": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
_MIRRORED = {"=": "=", "<>": "<>", "<": ">", ">": "<", "<=": ">=", ">=": "<="}  # a value on the left
_LOOKUPS = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
# Every row, and none: Q() stands for "no condition", which OR would drop rather than keep.
_EVERY = Q(pk__isnull=False)
_NONE = Q(pk__isnull=True)


class _Like(Lookup):
    """CQL2's LIKE is SQL's: % any characters, _ one, \\ escapes the next."""

    lookup_name = "cql2_like"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", [*lhs_params, *rhs_params]


def condition(tree, queryables: Mapping[str, Queryable], geometry: str) -> Q:
    """The rows `tree` (as `parse` gives it) selects, over `queryables` and the `geometry` column."""
    return _Reader(queryables, geometry).condition(tree, negated=False, depth=0)


class _Reader:
    def __init__(self, queryables: Mapping[str, Queryable], geometry: str):
        self.queryables = queryables
        self.geometry = geometry

    def condition(self, node, negated: bool, depth: int) -> Q:
        if depth > MAX_DEPTH:
            raise InvalidFilter(f"Nested too deeply: at most {MAX_DEPTH} levels of AND, OR and NOT.")
        if type(node) is bool:  # a filter that is just TRUE or FALSE
            return _EVERY if node != negated else _NONE
        if isinstance(node, ast.Not):
            return self.condition(node.sub_node, not negated, depth + 1)
        if isinstance(node, ast.And | ast.Or):
            parts = [self.condition(part, negated, depth + 1) for part in _run(node)]
            both = isinstance(node, ast.And) != negated  # NOT (a AND b) is NOT a OR NOT b
            return functools.reduce(operator.and_ if both else operator.or_, parts)
        if type(node) in _COMPARISONS:
            return self.comparison(node, negated)
        if isinstance(node, ast.IsNull):
            queryable = self.property(node.lhs)[1]
            return Q(**{f"{queryable.column}__isnull": node.not_ == negated})
        if isinstance(node, ast.Like):
            return self.like(node, negated != node.not_)
        if isinstance(node, ast.Between):
            return self.between(node, negated != node.not_)
        if isinstance(node, ast.In):
            return self.within(node, negated != node.not_)
        if isinstance(node, ast.GeometryIntersects):
            return self.intersects(node, negated)
        raise InvalidFilter(_unsupported(node))

    def property(self, node) -> tuple[str, Queryable]:
        if not isinstance(node, ast.Attribute) or not isinstance(node.name, str):
            raise InvalidFilter(f"Expected a property, found {_described(node)}.")
        if node.name == GEOMETRY:
            raise InvalidFilter(f"`{GEOMETRY}` is compared by S_INTERSECTS only.")
        if node.name not in self.queryables:
            raise InvalidFilter(
                f"`{node.name[:MAX_NAME]}` is not a queryable here; these are: "
                f"{', '.join([*self.queryables, GEOMETRY])} (see the collection's queryables)."
            )
        return node.name, self.queryables[node.name]

    def comparison(self, node, negated: bool) -> Q:
        sign, lhs, rhs = _COMPARISONS[type(node)], node.lhs, node.rhs
        if isinstance(rhs, ast.Attribute) and not isinstance(lhs, ast.Attribute):
            sign, lhs, rhs = _MIRRORED[sign], rhs, lhs
        name, queryable = self.property(lhs)
        if negated:
            sign = _NEGATED[sign]
        value = _value(name, queryable, rhs, equality=sign in ("=", "<>"))
        if sign == "=":
            return _equal(queryable, [value])
        if sign == "<>":
            return _unequal(queryable, [value])
        _ordered(name, queryable, sign)
        return Q(**{f"{queryable.column}__{_LOOKUPS[sign]}": value})

    def like(self, node, negated: bool) -> Q:
        name, queryable = self.property(node.lhs)
        _ordered(name, queryable, "LIKE")
        if queryable.type != "string":
            raise InvalidFilter(f"LIKE compares text; `{name}` is a {_TYPE_NAMES[queryable.type]}.")
        pattern = _value(name, queryable, node.pattern, equality=False)
        if (len(pattern) - len(pattern.rstrip("\\"))) % 2:
            raise InvalidFilter("A LIKE pattern cannot end with an escaping backslash.")
        matches = Q(_Like(F(queryable.column), Value(pattern)))
        return ~matches & Q(**{f"{queryable.column}__isnull": False}) if negated else matches

    def between(self, node, negated: bool) -> Q:
        name, queryable = self.property(node.lhs)
        _ordered(name, queryable, "BETWEEN")
        low, high = (_value(name, queryable, end, equality=False) for end in (node.low, node.high))
        column = queryable.column
        if negated:
            return Q(**{f"{column}__lt": low}) | Q(**{f"{column}__gt": high})
        return Q(**{f"{column}__gte": low, f"{column}__lte": high})

    def within(self, node, negated: bool) -> Q:
        name, queryable = self.property(node.lhs)
        if not isinstance(node.sub_nodes, list) or not node.sub_nodes:
            raise InvalidFilter("IN takes a list of one or more values.")
        found = [_value(name, queryable, item, equality=True) for item in node.sub_nodes]
        return _unequal(queryable, found) if negated else _equal(queryable, found)

    def intersects(self, node, negated: bool) -> Q:
        attribute, shape = node.lhs, node.rhs
        if isinstance(shape, ast.Attribute) and not isinstance(attribute, ast.Attribute):
            attribute, shape = shape, attribute
        if not (isinstance(attribute, ast.Attribute) and attribute.name == GEOMETRY):
            raise InvalidFilter(f"S_INTERSECTS compares `{GEOMETRY}` with a point, a BBOX or a polygon.")
        if isinstance(shape, ast.Function) and shape.name == "bbox":
            found = BBoxFilter(field_name=self.geometry).condition(_box(shape.arguments))
        else:
            found = Q(**{f"{self.geometry}__intersects": _geometry(shape)})
        return ~found if negated else found  # a feature always has its geometry


def _run(node) -> list:
    """The parts of a run of one operator (a AND b AND c), left to right, read without recursion."""
    parts, pending = [], [node]
    while pending:
        current = pending.pop()
        if type(current) is type(node):
            pending += [current.rhs, current.lhs]
        else:
            parts.append(current)
    return parts


_TYPE_NAMES = {"string": "text", "integer": "whole number", "date": "date"}
_LITERALS = {"string": "a 'quoted string'", "integer": "a whole number", "date": "DATE('YYYY-MM-DD')"}


def _value(name: str, queryable: Queryable, value, equality: bool):
    """`value` as `name`'s values are, or InvalidFilter: a literal of the queryable's type (for `=`,
    `<>` and IN one of its fixed values, if it has any), within what its column holds."""
    kind = queryable.type
    if kind == "string" and type(value) is str:
        if "\x00" in value:
            raise InvalidFilter("Text cannot hold a NUL character.")
        if equality and queryable.choices and value not in queryable.choices:
            raise InvalidFilter(f"`{name}` is one of: {', '.join(queryable.choices)}.")
        return value
    if kind == "integer" and type(value) in (int, float) and math.isfinite(value) and value == int(value):
        if not -(2**63) < value < 2**63:
            raise InvalidFilter(f"`{name}`: {value:g} is out of range.")
        return int(value)
    if kind == "date" and type(value) is dt.date:
        return value
    raise InvalidFilter(
        f"`{name}` is a {_TYPE_NAMES[kind]}: compare it with {_LITERALS[kind]}, not {_described(value)}."
    )


def _equal(queryable: Queryable, found: list) -> Q:
    if queryable.named_by:
        return functools.reduce(operator.or_, (queryable.named_by(key) for key in found))
    return Q(**{f"{queryable.column}__in": found}) if len(found) > 1 else Q(**{queryable.column: found[0]})


def _unequal(queryable: Queryable, found: list) -> Q:
    return ~_equal(queryable, found) & Q(**{f"{queryable.column}__isnull": False})


def _ordered(name: str, queryable: Queryable, sign: str) -> None:
    if queryable.named_by:
        raise InvalidFilter(f"`{name}` names a row in several ways: compare it with =, <>, IN or IS NULL, not {sign}.")


def _box(numbers) -> tuple[float, float, float, float]:
    """BBOX(minlon, minlat, maxlon, maxlat), or six numbers with heights, as the `bbox` parameter reads it."""
    if not isinstance(numbers, list) or not all(type(n) in (int, float) for n in numbers):
        raise InvalidFilter("BBOX takes four numbers (minlon, minlat, maxlon, maxlat) or six (with heights).")
    try:
        return BBoxField(heights=True).clean(",".join(repr(float(n)) for n in numbers))
    except forms.ValidationError as error:
        raise InvalidFilter(f"BBOX: {' '.join(error.messages)}") from None


def _geometry(shape) -> Point | Polygon:
    """A point or polygon literal (WKT or GeoJSON) in longitude/latitude, read by lib.geometry, the
    one reader of coordinates from outside (2D, in range, valid, a bounded number of vertices)."""
    if not isinstance(shape, values.Geometry) or not isinstance(shape.geometry, dict):
        raise InvalidFilter(f"S_INTERSECTS takes a point, a BBOX or a polygon, not {_described(shape)}.")
    geojson = shape.geometry
    if set(geojson) - {"type", "coordinates"}:
        raise InvalidFilter("A geometry has a type and coordinates only: longitude/latitude, no CRS.")
    kind = geojson["type"]
    if kind not in ("Point", "Polygon"):
        raise InvalidFilter(f"S_INTERSECTS takes a point, a BBOX or a polygon, not a {str(kind)[:MAX_NAME]}.")
    try:
        return parse_geometry({"type": kind, "coordinates": _without_heights(geojson.get("coordinates"))})
    except GeometryInputError as error:
        raise InvalidFilter(f"Not a valid {kind.lower()} in CRS84 (longitude, latitude): {error}") from None


def _without_heights(coordinates):
    """The coordinates with each position's height left out: CQL2 allows one, and every feature
    here is 2D. (Anything else is left for lib.geometry to refuse.)"""
    if not isinstance(coordinates, list | tuple):
        return coordinates
    if len(coordinates) == 3 and not any(isinstance(number, list | tuple) for number in coordinates):
        return list(coordinates[:2])
    return [_without_heights(part) for part in coordinates]


def _described(value) -> str:
    if isinstance(value, ast.Attribute):
        return f"the property `{str(value.name)[:MAX_NAME]}`"
    if isinstance(value, ast.Node):
        return f"an expression ({type(value).__name__})"
    names = {str: "text", bool: "a boolean", int: "a number", float: "a number", dt.date: "a date"}
    names |= {dt.datetime: "a timestamp", values.Geometry: "a geometry", values.Interval: "an interval"}
    return names.get(type(value), "a value of another kind")


def _unsupported(node) -> str:
    if isinstance(node, ast.Function):
        name = "CASEI" if node.name == "lower" else str(node.name)[:MAX_NAME].upper()  # pygeofilter's name for CASEI
        return f"The function {name} is not offered."
    if isinstance(node, ast.SpatialComparisonPredicate):
        return "Of the spatial functions, S_INTERSECTS alone is offered."
    if isinstance(node, ast.TemporalPredicate):
        return "Temporal functions are not offered: compare dates with <, >, BETWEEN."
    if isinstance(node, ast.Arithmetic):
        return "Arithmetic is not offered."
    return f"Expected a condition, found {_described(node)}."
