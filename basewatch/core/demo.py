"""Demo data: the Russian drawdown from Syria, December 2024.

Every record comes from the two seed reports (shared/seeds/): an unattributed
news compilation citing CNN, Maxar and posts on X, and The Moscow Times of
13 December 2024 (with AFP). Where a report gives no number ("parts of an S-400
air defense unit", "tactical aviation is still there") the observation records
presence and activity with no count. Transports that fly in to carry equipment
away, or arrive on a flight, are `transient`: seen there, not based there.
Coordinates are from the public record
and marked approximate. Sources without a URL in the reports have none here.
"""

from __future__ import annotations

import datetime as dt

D = dt.date

SITES = [
    {
        "slug": "khmeimim",
        "name": "Khmeimim Air Base",
        "aliases": ["Hmeimim", "Hmeymim", "Humaymim", "حميميم", "Хмеймим"],
        "kind": "air_base",
        "operator": "RU",
        "host_country": "SY",
        "lonlat": (35.9486, 35.4075),
        "location_precision": "approximate",
        "status": "drawing_down",
        "description": (
            "Russia's air base in Latakia province, shared with Basel al-Assad International Airport. "
            "In December 2024, after the fall of the Assad government, Maxar imagery showed An-124 "
            "transports loading, a Ka-52 being dismantled and S-400 components being readied for transport."
        ),
    },
    {
        "slug": "tartus",
        "name": "Tartus naval facility",
        "aliases": ["Tartous", "Tartous naval base", "طرطوس", "Тартус"],
        "kind": "naval_base",
        "operator": "RU",
        "host_country": "SY",
        "lonlat": (35.8725, 34.9050),
        "location_precision": "approximate",
        "status": "active",
        "description": (
            "Russian Navy facility in the port of Tartus, Russia's only Mediterranean naval outpost. "
            "Maxar imagery of 13 December 2024 showed it largely unchanged since 11 December."
        ),
    },
    {
        "slug": "al-khadim",
        "name": "al-Khadim Air Base",
        "aliases": ["Al Khadim", "Al-Khadim", "Al Khadem", "الخادم"],
        "kind": "air_base",
        "operator": "RU",
        "host_country": "LY",
        "lonlat": (21.1953, 31.9987),
        "location_precision": "area",
        "status": "active",
        "description": (
            "Air base in eastern Libya, east of Benghazi. Russian-registered cargo aircraft arrived there "
            "at least seven times in under a week in December 2024."
        ),
    },
    {
        "slug": "bamako-senou",
        "name": "Bamako–Sénou (Base Aérienne 101)",
        "aliases": ["Bamako-Senou", "Base Aérienne 101", "BA 101", "Sénou", "Senou"],
        "kind": "air_base",
        "operator": "RU",
        "host_country": "ML",
        "lonlat": (-7.9499, 12.5335),
        "location_precision": "approximate",
        "status": "active",
        "description": "Malian Air Force base at Bamako–Sénou international airport.",
    },
]

ASSET_TYPES = [
    {"slug": "s-400", "name": 'S-400 "Triumf"', "category": "air_defence", "nato_name": "SA-21 Growler"},
    {"slug": "an-124", "name": "An-124 Ruslan", "category": "transport_aircraft", "nato_name": "Condor"},
    {"slug": "ka-52", "name": "Ka-52 Alligator", "category": "helicopter", "nato_name": "Hokum-B"},
    {"slug": "il-76", "name": "Il-76", "category": "transport_aircraft", "nato_name": "Candid"},
    {
        "slug": "tactical-aviation",
        "name": "Tactical combat aircraft (type not reported)",
        "category": "fixed_wing_combat",
        "nato_name": "",
        "notes": "Fixed-wing combat aircraft reported as a group, without types or numbers.",
    },
    {
        "slug": "cargo-aircraft",
        "name": "Cargo aircraft (type not reported)",
        "category": "transport_aircraft",
        "nato_name": "",
        "notes": "Transport aircraft reported as a group, without types.",
    },
    {
        "slug": "naval-vessels",
        "name": "Naval vessels (types not reported)",
        "category": "naval_vessel",
        "nato_name": "",
        "notes": "A naval presence reported as a whole, without classes or numbers.",
    },
]

ASSETS = [
    {
        "registration": "RA-76845",
        "asset_type": "il-76",
        "icao_hex": "152C2D",
        "name": "Il-76TD",
        "operator": "EMERCOM of Russia (MChS)",
    },
]

# Keyed by a short name the observations below refer to.
SOURCES = {
    "maxar": {
        "kind": "satellite_imagery",
        "title": "Satellite imagery of Khmeimim air base and Tartus naval base",
        "publisher": "Maxar Technologies",
        "url": "",
        "published": D(2024, 12, 13),
        "reliability": "A",
    },
    "moscow-times": {
        "kind": "news_report",
        "title": "Russia appears to be packing up military equipment at its airbase in Syria, satellite images show",
        "publisher": "The Moscow Times (with AFP)",
        "url": "",
        "published": D(2024, 12, 13),
        "reliability": "B",
    },
    "compilation": {
        "kind": "news_report",
        "title": "Russian military forces are preparing to leave Syria in a controlled, methodical manner",
        "publisher": "News compilation citing CNN, Maxar and posts on X (publisher not named in the copy held)",
        "url": "",
        "published": None,
        "reliability": "F",
    },
    "koomar-s400": {
        "kind": "social_media",
        "title": "S-400 unit seen in Nov being removed as seen in Friday's satellite pictures of @Maxar",
        "publisher": "@AnkiitKoomar",
        "url": "https://pic.twitter.com/1P2i3O5RGt",
        "published": D(2024, 12, 14),
        "captured": D(2024, 12, 13),
        "reliability": "C",
    },
    "koomar-ka52": {
        "kind": "social_media",
        "title": "Ominous signs: Ka-52 attack helicopter is being dismantled at the base",
        "publisher": "@AnkiitKoomar",
        "url": "https://pic.twitter.com/tmOgvKgVwb",
        "published": D(2024, 12, 14),
        "captured": D(2024, 12, 13),
        "reliability": "C",
    },
    "fabsenbln": {
        "kind": "social_media",
        "title": "A 3rd flight of Russia's MChS arrived this morning in Bamako from Al Khadim",
        "publisher": "@fabsenbln",
        "url": "https://t.co/FCRyY3nGIs",
        "published": D(2024, 12, 17),
        "reliability": "C",
    },
}

OBSERVATIONS = [
    {
        "site": "khmeimim",
        "asset_type": "s-400",
        "observed": D(2024, 11, 1),
        "observed_precision": "month",
        "count": None,
        "activity": "present",
        "credibility": 2,
        "notes": "S-400 unit deployed at the base in November imagery (the 'before' picture).",
        "sources": ["koomar-s400"],
    },
    {
        "site": "khmeimim",
        "asset_type": "s-400",
        "observed": D(2024, 12, 13),
        "count": None,
        "activity": "loading",
        "credibility": 2,
        "notes": "Parts of an S-400 unit prepared for transport; moved from their previous deployment site.",
        "sources": ["maxar", "moscow-times", "compilation", "koomar-s400"],
    },
    {
        "site": "khmeimim",
        "asset_type": "an-124",
        "observed": D(2024, 12, 13),
        "count": 2,
        "activity": "loading",
        "presence": "transient",
        "credibility": 1,
        "notes": "Two An-124s with nose cones open to load heavy equipment: transports come to carry "
        "equipment away, not aircraft based at Khmeimim.",
        "sources": ["maxar", "moscow-times", "compilation"],
    },
    {
        "site": "khmeimim",
        "asset_type": "ka-52",
        "observed": D(2024, 12, 13),
        "count": 1,
        "activity": "dismantled",
        "credibility": 2,
        "notes": "A Ka-52 attack helicopter being dismantled for transport.",
        "sources": ["maxar", "compilation", "koomar-ka52"],
    },
    {
        "site": "khmeimim",
        "asset_type": "tactical-aviation",
        "observed": D(2024, 12, 13),
        "count": None,
        "activity": "present",
        "credibility": 3,
        "notes": '"While tactical aviation is still there" (Michael Kofman, quoted by The Moscow Times).',
        "sources": ["moscow-times"],
    },
    {
        "site": "tartus",
        "asset_type": "naval-vessels",
        "observed": D(2024, 12, 11),
        "count": None,
        "activity": "present",
        "credibility": 3,
        "notes": 'Baseline for the 13 December comparison ("unchanged since Wednesday").',
        "sources": ["maxar", "moscow-times"],
    },
    {
        "site": "tartus",
        "asset_type": "naval-vessels",
        "observed": D(2024, 12, 13),
        "count": None,
        "activity": "present",
        "credibility": 2,
        "notes": "The base remained largely unchanged since Wednesday 11 December.",
        "sources": ["maxar", "moscow-times"],
    },
    {
        "site": "al-khadim",
        "asset_type": "cargo-aircraft",
        "observed": D(2024, 12, 9),
        "observed_precision": "week",
        "count": None,
        "activity": "arriving",
        "presence": "transient",
        "credibility": 3,
        "notes": "Russian-registered cargo planes arrived at least seven times in less than a week "
        "(satellite imagery and flight records). The report is undated: dated here to the week before "
        "the 17 December flight on to Bamako that it also describes.",
        "sources": ["compilation"],
    },
    {
        "site": "bamako-senou",
        "asset_type": "il-76",
        "asset": "RA-76845",
        "observed": D(2024, 12, 17),
        "count": 1,
        "activity": "arriving",
        "presence": "transient",
        "credibility": 2,
        "notes": "Third MChS flight; parked on the apron of Base Aérienne 101 de Sénou. Cargo unknown.",
        "sources": ["fabsenbln", "compilation"],
    },
]

MOVEMENTS = [
    {
        "origin": "khmeimim",
        "destination": "al-khadim",
        "asset_type": "cargo-aircraft",
        "departed": None,
        "arrived": D(2024, 12, 9),
        "count": None,
        "trips": 7,
        "trips_at_least": True,
        "notes": "At least seven arrivals of Russian-registered cargo aircraft in under a week. The report "
        "ties them to the withdrawal from Syria; it does not name each flight's origin.",
        "sources": ["compilation"],
    },
    {
        "origin": "al-khadim",
        "destination": "bamako-senou",
        "asset_type": "il-76",
        "asset": "RA-76845",
        "departed": None,
        "arrived": D(2024, 12, 17),
        "count": 1,
        "notes": "Il-76TD RA-76845 (ICAO 152C2D), the third MChS flight into Bamako.",
        "sources": ["fabsenbln", "compilation"],
    },
]
