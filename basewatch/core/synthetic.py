"""A synthetic world for benchmarks, generated inside PostgreSQL.

Every row is made by set-based SQL over generate_series; nothing loops in
Python. "Random" values come from md5 of the row number and a salt, so the
same tier always gives the same world, on any machine. Skew follows busy
real-world trackers: half of all observations fall on the busiest 1 % of
sites, the other half spread over every site; ten years of dates.

Generated rows are marked (slugs and registrations start with `bench-`/`BENCH-`,
source URLs with BENCH_URL) and are replaced as a whole by the next run. They
are not editorial work, so the history triggers are off while writing them.

Speed (tier L, ten million observations, in minutes rather than hours) comes from
letting PostgreSQL do each kind of work once, in bulk, instead of row by row:
the secondary indexes and foreign keys of the tables written are dropped first and
made again at the end (an index built from sorted rows, a foreign key checked by one
join, instead of millions of probes); observations go in site by site; the history
triggers are disabled rather than called and told to skip each row. The posture
spans are still made by their own trigger (core.models.posture), once, at the end of
the one statement inserting every observation, with the one index it reads kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pgtrigger
from django.db import connection, transaction

BENCH_URL = "https://bench.example.org/source/"
HISTORY_TRIGGERS = [
    f"core.{model}:{trigger}"
    for model in ("Site", "Source", "Observation")
    for trigger in ("insert_insert", "update_update", "delete_delete")
] + ["core.ObservationSource:source_add_insert", "core.ObservationSource:source_remove_delete"]


@dataclass(frozen=True)
class Tier:
    sites: int
    assets: int
    observations: int
    draw: str = "md5"  # how u() below makes its numbers: "md5" or "hash"

    @property
    def sources(self) -> int:
        return max(1, self.observations // 10)

    @property
    def busy_sites(self) -> int:
        return max(1, self.sites // 100)


TIERS = {
    "XS": Tier(sites=20, assets=50, observations=500),  # for tests
    "S": Tier(sites=1_000, assets=10_000, observations=100_000),
    "M": Tier(sites=10_000, assets=100_000, observations=1_000_000),
    # M's shape at ten times the rows: twice the sites, so the busy 1 % (200 sites) hold
    # 25,000 observations each where M's hold 5,000; assets and sources stay one per ten.
    # Its numbers come from PostgreSQL's integer hash, not md5: ten calls of u() per
    # observation made md5 alone most of the time (about 3 µs a call against 0.2 µs).
    "L": Tier(sites=20_000, assets=1_000_000, observations=10_000_000, draw="hash"),
}

# The tables the bulk statements write, whose secondary indexes and foreign keys are made
# afresh at the end.
BULK_TABLES = ["core_asset", "core_source", "core_observation", "core_observation_sources", "core_posturespan"]
# Read by the posture spans' trigger as it runs (core_posturepoint, by site), so kept.
KEPT_INDEXES = ["observation_posture_idx"]

# u(k, salt): a uniform number in [0, 1), the same for the same k and salt: the first 32 bits
# of md5 (the text of salt and k), or of PostgreSQL's 64-bit hash of k seeded by salt. Both
# are written so PostgreSQL inlines them into the statement (an immutable body of one
# expression): called as a function, u() costs several times its own arithmetic.
_UNIFORM = """
CREATE FUNCTION pg_temp.u(k bigint, salt text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT {bits}::double precision / 4294967296
$$
"""
_BITS = {
    "md5": "('x' || substr(md5(salt || ':' || k::text), 1, 8))::bit(32)::bigint",
    "hash": "(hashint8extended(k, hashtext(salt)) & 4294967295)",
}

_DELETE = [
    """DELETE FROM core_observation_sources WHERE observation_id IN
       (SELECT o.id FROM core_observation o JOIN core_site s ON s.id = o.site_id WHERE s.slug LIKE 'bench-%%')""",
    "DELETE FROM core_observation WHERE site_id IN (SELECT id FROM core_site WHERE slug LIKE 'bench-%%')",
    "DELETE FROM core_source WHERE url LIKE %(url)s || '%%'",
    "DELETE FROM core_asset WHERE registration LIKE 'BENCH-%%'",
    "DELETE FROM core_assettype WHERE slug LIKE 'bench-%%'",
    "DELETE FROM core_site WHERE slug LIKE 'bench-%%'",
]

_OPERATORS = ["US", "RU", "CN", "FR", "GB", "TR", "IN", "AE", "IR", "DE"]
_HOSTS = [
    "SY", "LY", "ML", "DJ", "QA", "BH", "KW", "IQ", "JO", "SA", "OM", "AE", "EG", "SD", "ER", "SO", "KE", "NE",
    "TD", "CF", "BF", "SN", "GA", "CI", "JP", "KR", "PH", "GU", "AU", "DE", "IT", "ES", "PL", "RO", "BG", "GR",
    "CY", "TJ", "KG", "AM", "BY", "KZ", "VE", "CU", "NI", "VN", "KH", "LK", "PK", "MM",
]  # fmt: skip
_KINDS = ["air_base", "naval_base", "port_facility", "army_base", "airport", "radar", "logistics_hub", "other"]
_CATEGORIES = [
    "fixed_wing_combat", "transport_aircraft", "helicopter", "air_defence", "naval_vessel", "ground_vehicle",
    "personnel", "other",
]  # fmt: skip
ASSET_TYPES = 40


def _pick(values: list[str], expression: str) -> str:
    """SQL choosing one of `values` by a uniform number in [0, 1)."""
    literal = "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"
    return f"({literal})[1 + floor({expression} * {len(values)})::int]"


_ACTIVITY = _pick(["present"] * 16 + ["arriving", "departing", "loading", "absent"], "pg_temp.u(i, 'activity')")

# The f-strings below put this module's constants into SQL, never anything from input.
_INSERT = [
    f"""INSERT INTO core_site (name, slug, aliases, kind, operator, host_country, location, location_precision,
                               status, description, wikidata_id, created, updated)
        SELECT 'Synthetic site ' || lpad(i::text, 5, '0'), 'bench-' || lpad(i::text, 5, '0'),
               ARRAY['Site ' || i]::varchar[], {_pick(_KINDS, "pg_temp.u(i, 'kind')")},
               {_pick(_OPERATORS, "pg_temp.u(i, 'operator')")}, {_pick(_HOSTS, "pg_temp.u(i, 'host')")},
               ST_SetSRID(ST_MakePoint(-179.9 + 359.8 * pg_temp.u(i, 'lon'), -60 + 130 * pg_temp.u(i, 'lat')), 4326),
               'approximate', 'active', '', '', now(), now()
        FROM generate_series(1, %(sites)s) AS i""",  # noqa: S608
    f"""INSERT INTO core_assettype (name, slug, category, nato_name, notes, updated)
        SELECT 'Synthetic type ' || i, 'bench-type-' || i, {_pick(_CATEGORIES, "pg_temp.u(i, 'category')")},
               '', '', now()
        FROM generate_series(1, {ASSET_TYPES}) AS i""",  # noqa: S608
    """CREATE TEMP TABLE bench_type AS
        SELECT id, substr(slug, 12)::int AS n FROM core_assettype WHERE slug LIKE 'bench-type-%%'""",
    """CREATE TEMP TABLE bench_site AS
        SELECT id, substr(slug, 7)::int AS n FROM core_site WHERE slug LIKE 'bench-%%'""",
    f"""INSERT INTO core_asset (asset_type_id, registration, icao_hex, hull_number, mmsi, imo, name, aliases,
                                former_registrations, operator, notes, updated)
        -- Six digits at least: lpad alone would cut tier L's millionth asset to BENCH-100000.
        SELECT t.id, 'BENCH-' || lpad(i::text, greatest(6, length(i::text)), '0'), '', '', '', '', '', '{{}}', '{{}}',
               '', '', now()
        FROM generate_series(1, %(assets)s) AS i
        JOIN bench_type t ON t.n = 1 + floor(pg_temp.u(i, 'asset type') * {ASSET_TYPES})::int""",  # noqa: S608
    f"""INSERT INTO core_source (kind, title, publisher, url, published, captured, archive_url, file, file_name,
                                 file_sha256, reliability, created, updated)
        SELECT 'news_report', 'Synthetic report ' || i, 'Bench Wire', %(url)s || i,
               date '2016-01-01' + floor(pg_temp.u(i, 'published') * 3650)::int, NULL, '', '', '', '',
               {_pick(list("ABCDEF"), "pg_temp.u(i, 'reliability')")}, now(), now()
        FROM generate_series(1, %(sources)s) AS i""",  # noqa: S608
    # Half of the observations on the busiest 1 % of sites, half on any site.
    f"""INSERT INTO core_observation (notes, state, state_reason, created, updated, version, site_id,
                                      asset_type_id, observed, observed_precision, count, activity, credibility)
        SELECT 'Synthetic observation ' || i, CASE WHEN pg_temp.u(i, 'state') < 0.97 THEN 'published'
                        WHEN pg_temp.u(i, 'state') < 0.99 THEN 'draft' ELSE 'submitted' END,
               '', now(), now(), 1, s.id, t.id,
               date '2016-01-01' + floor(pg_temp.u(i, 'observed') * 3652)::int, 'day',
               CASE WHEN activity = 'absent' THEN 0 ELSE floor(pg_temp.u(i, 'count') * 30)::int END,
               activity, 1 + floor(pg_temp.u(i, 'credibility') * 6)::int
        FROM (
            SELECT i, {_ACTIVITY} AS activity,
                   1 + floor(pg_temp.u(i, 'site') * CASE WHEN pg_temp.u(i, 'busy') < 0.5
                                                          THEN %(busy_sites)s ELSE %(sites)s END)::int AS site_n
            FROM generate_series(1, %(observations)s) AS i
        ) AS row
        JOIN bench_site s ON s.n = row.site_n
        JOIN bench_type t ON t.n = 1 + floor(pg_temp.u(i, 'type') * {ASSET_TYPES})::int
        -- Site by site (ids still rising with i within a site, so same-day ties resolve as ever).
        ORDER BY row.site_n, i""",  # noqa: S608
    """INSERT INTO core_observation_sources (observation_id, source_id)
        SELECT o.id, src.id
        FROM core_observation o
        JOIN bench_site s ON s.id = o.site_id
        -- i from the note 'Synthetic observation <i>' (a substring: a regular expression cost ten times more;
        -- the test first, as the planner may compute this for rows the join with bench_site then drops).
        CROSS JOIN LATERAL (
            SELECT CASE WHEN o.notes LIKE 'Synthetic observation %%'
                        THEN substr(o.notes, length('Synthetic observation ') + 1)::bigint END AS i
        ) AS row
        JOIN core_source src ON src.url = %(url)s || (1 + floor(pg_temp.u(row.i, 'source') * %(sources)s)::int)
        ORDER BY o.id""",
]  # fmt: skip


_PARAMETER = r"%\((\w+)\)s"


def generate(tier: Tier) -> None:
    """Replace the synthetic world with a fresh one of `tier`'s size, in one transaction."""
    params = {
        "sites": tier.sites,
        "assets": tier.assets,
        "observations": tier.observations,
        "sources": tier.sources,
        "busy_sites": tier.busy_sites,
        "url": BENCH_URL,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # Memory for the sorts of the spans' trigger and of the index builds, this transaction only.
        cursor.execute("SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'")
        history = [
            (model._meta.db_table, trigger.get_pgid(model))
            for model, trigger in pgtrigger.registered(*HISTORY_TRIGGERS)
        ]
        for table, name in history:
            cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"')
        remade = _drop_indexes_and_foreign_keys(cursor)
        cursor.execute(_UNIFORM.format(bits=_BITS[tier.draw]))
        for statement in [*_DELETE, *_INSERT]:
            names = re.findall(_PARAMETER, statement)
            cursor.execute(re.sub(_PARAMETER, "%s", statement), [params[name] for name in names])
        cursor.execute("DROP TABLE bench_type, bench_site; DROP FUNCTION pg_temp.u(bigint, text)")
        # The deleted world's deferred checks (rows of other tables pointing at it) first: no
        # index can be made on a table with events pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in remade:
            cursor.execute(statement)
        for table, name in history:
            cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"')
    with connection.cursor() as cursor:
        # Fresh statistics, so the planner sees the new sizes at once.
        cursor.execute(
            "ANALYZE core_site, core_asset, core_source, core_observation, core_observation_sources, core_posturespan"
        )


def _drop_indexes_and_foreign_keys(cursor) -> list[str]:
    """Drop the secondary indexes and foreign keys of BULK_TABLES; the statements making them again.

    Taken from the catalogue as the migrations left them, so they come back exactly as they
    were. Unique indexes and those behind constraints (primary keys) stay: the inserts rely on
    them, and a duplicate fails its statement at once rather than the whole run at the end.
    """
    cursor.execute(
        """SELECT format('DROP INDEX %%I', c.relname), pg_get_indexdef(i.indexrelid)
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = ANY(%s::regclass[]) AND c.relname <> ALL(%s) AND NOT i.indisunique
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
           ORDER BY c.relname""",
        [BULK_TABLES, KEPT_INDEXES],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """SELECT format('ALTER TABLE %%s DROP CONSTRAINT %%I', conrelid::regclass, conname),
                  format('ALTER TABLE %%s ADD CONSTRAINT %%I %%s', conrelid::regclass, conname,
                         pg_get_constraintdef(oid))
           FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
           ORDER BY conrelid::regclass::text, conname""",
        [BULK_TABLES],
    )
    foreign_keys = cursor.fetchall()
    for drop, _ in [*foreign_keys, *indexes]:
        cursor.execute(drop)
    return [make for _, make in [*indexes, *foreign_keys]]
