"""basewatch settings, all from environment variables (see README, "Configuration").

Development works with no variables set; production sets DEBUG=0 and SECRET_KEY.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import pghistory
from django.core.exceptions import ImproperlyConfigured

from basewatch.lib.env import env_bool, env_int, env_int_list, env_list, env_str
from basewatch.lib.tiles import tile_origin

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "development-only-key-never-use-in-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "django_countries",
    "leaflet",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "procrastinate.contrib.django",
    "basewatch.core",
    "basewatch.api",
    "basewatch.ogc",
    "basewatch.front",
    "basewatch.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry these headers too.
    "basewatch.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "basewatch.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # ETag (content hash) on every GET and 304 answers to If-None-Match / If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Where this request reads: anonymous reads from the replica, if any (basewatch.core.replica).
    "basewatch.core.replica.ReplicaMiddleware",
    # Stamps every history row with the user and URL, also for API tokens checked in the view.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Innermost: its page then goes out through the session, CSRF and messages like any other.
    "basewatch.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "basewatch.urls"
WSGI_APPLICATION = "basewatch.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "basewatch.front.context_processors.roles",
            ],
        },
    },
]

# The project-local cluster (scripts/db.sh) unless DATABASE_URL names another.
DB_PORT = env_int("BASEWATCH_DB_PORT", 54329)


def database(variable: str, url: str, connect_timeout: int) -> dict:
    """A DATABASES entry for `url` (read from `variable`), with the options every basewatch connection uses."""
    entry = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    if entry["ENGINE"] != "django.contrib.gis.db.backends.postgis":
        raise ImproperlyConfigured(f"{variable} must use the postgis:// scheme")
    # No JIT compilation: every statement here is short, and compiling the big ones (the sites
    # list over a million observations) took 0.1-0.3 s, more than it saved (bench/README.md).
    entry.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # A database that does not answer fails the request within seconds (a 503), not at the
    # worker's timeout.
    entry["OPTIONS"]["connect_timeout"] = connect_timeout
    return entry


DATABASES = {
    "default": database(
        "DATABASE_URL",
        env_str("DATABASE_URL", f"postgis://basewatch@127.0.0.1:{DB_PORT}/basewatch"),
        env_int("DB_CONNECT_TIMEOUT", 3),
    )
}
# A streaming replica of that database (README, "Production"): anonymous reads go to it, everything
# else to the primary (basewatch.core.replica). Empty: no replica, every query on the primary.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
# Short: past it the replica counts as down and its readers move to the primary (core.replica).
DB_REPLICA_CONNECT_TIMEOUT = env_int("DB_REPLICA_CONNECT_TIMEOUT", 1)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database("DATABASE_REPLICA_URL", DATABASE_REPLICA_URL, DB_REPLICA_CONNECT_TIMEOUT)
    # A replica that stops answering mid-query (a network cut, not a refusal) fails the query after
    # as long, in milliseconds of data sent and not acknowledged, instead of the kernel's minutes.
    DATABASES["replica"]["OPTIONS"]["tcp_user_timeout"] = 1000 * DB_REPLICA_CONNECT_TIMEOUT
    # Tests run on one test database, and the replica alias reads that same database, as a real
    # replica holds the same rows (tests/test_replica.py runs a real one).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["basewatch.core.replica.ReplicaRouter"]
# Reads go to the primary while the replica is further behind than this (seconds of WAL not yet
# replayed), checked at most every REPLICA_CHECK_SECONDS; a replica that fails is left alone for
# REPLICA_RETRY_SECONDS, so no request waits for its timeout meanwhile.
REPLICA_MAX_LAG = env_int("BASEWATCH_REPLICA_MAX_LAG", 5)
REPLICA_CHECK_SECONDS = env_int("BASEWATCH_REPLICA_CHECK_SECONDS", 2)
REPLICA_RETRY_SECONDS = env_int("BASEWATCH_REPLICA_RETRY_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates are entered as YYYY-MM-DD everywhere (the browser's date input sends that), so a
# form and the API accept exactly the same dates; 12/11/2024 is no one's guess.
DATE_INPUT_FORMATS = ["%Y-%m-%d"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence (source files): stored under their hash, served only through views
# that set safe headers, never straight from this folder.
MEDIA_ROOT = Path(env_str("BASEWATCH_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media/"
# The largest ADS-B trace file an import takes (basewatch.core.adsb), in bytes, and the most
# a gzip-compressed one may unpack to. A day of one aircraft is a few megabytes.
TRACE_MAX_BYTES = env_int("BASEWATCH_TRACE_MAX_BYTES", 20_000_000)
# Spreadsheets of claims (basewatch.core.imports): the largest file, the most rows one import
# takes (the API's exports hold at most 50,000), the most an XLSX may unpack to and by what
# ratio (a ZIP bomb is refused before it is opened), and the most vertices a GeoJSON may hold.
IMPORT_MAX_BYTES = env_int("BASEWATCH_IMPORT_MAX_BYTES", 20_000_000)
# Rows of one file (parsing stops past it); a file of more than IMPORT_ROWS_WHILE_YOU_WAIT rows
# is checked and imported by the job queue's worker, not within the request (README, "Throughput").
IMPORT_MAX_ROWS = env_int("BASEWATCH_IMPORT_MAX_ROWS", 20_000)
IMPORT_ROWS_WHILE_YOU_WAIT = env_int("BASEWATCH_IMPORT_ROWS_WHILE_YOU_WAIT", 200)
IMPORT_XLSX_MAX_UNPACKED = env_int("BASEWATCH_IMPORT_XLSX_MAX_UNPACKED", 200_000_000)
IMPORT_XLSX_MAX_RATIO = env_int("BASEWATCH_IMPORT_XLSX_MAX_RATIO", 200)
IMPORT_GEOJSON_MAX_VERTICES = env_int("BASEWATCH_IMPORT_GEOJSON_MAX_VERTICES", 100_000)
# Evidence images (basewatch.core.images): the largest upload taken, in bytes, and the most
# pixels (width x height) one may declare. The pixel limit is read from the file's header
# before anything is decoded, so a small file that would unpack to gigabytes is refused
# at once; 40 million pixels is a 6,300 x 6,300 satellite crop.
IMAGE_MAX_BYTES = env_int("BASEWATCH_IMAGE_MAX_BYTES", 20_000_000)
IMAGE_MAX_PIXELS = env_int("BASEWATCH_IMAGE_MAX_PIXELS", 40_000_000)
# Where captures and evidence images are stored (README, "Storage"): "local" (MEDIA_ROOT) or
# "s3", any S3-compatible object store. Files are read back only through basewatch's views,
# which set safe headers: the bucket should stay private, and no bucket URL is ever shown.
STORAGE = env_str("BASEWATCH_STORAGE", "local")
if STORAGE == "local":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE == "s3":
    if not env_str("BASEWATCH_S3_BUCKET"):
        raise ImproperlyConfigured("BASEWATCH_STORAGE=s3 needs BASEWATCH_S3_BUCKET")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("BASEWATCH_S3_BUCKET"),
            "endpoint_url": env_str("BASEWATCH_S3_ENDPOINT_URL") or None,  # None: AWS itself
            "region_name": env_str("BASEWATCH_S3_REGION") or None,
            # Unset: boto3's own chain (AWS_* variables, an instance role).
            "access_key": env_str("BASEWATCH_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("BASEWATCH_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("BASEWATCH_S3_ADDRESSING_STYLE") or None,  # "path" for most non-AWS stores
            "default_acl": None,  # the bucket's own (private) policy; never public-read
            "querystring_auth": True,
            # Names are SHA-256 hashes and checked before saving: the same name is the same bytes.
            "file_overwrite": True,
        },
    }
else:
    raise ImproperlyConfigured(f"BASEWATCH_STORAGE={STORAGE!r}: use local or s3")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = None  # show registration/logged_out.html

# Messages may carry a newly issued API key: keep them server-side, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- maps -------------------------------------------------------------------------
# Every map draws the offline world outline (static/js/basemap.js) and, over it, map tiles:
# the only thing a page loads from the internet. BASEWATCH_TILE_URL="" switches tiles off
# (the outline alone); the Content-Security-Policy's img-src names the tiles' origin
# (basewatch.middleware). The attribution is HTML, shown as it is under the maps.
OPENSTREETMAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_URL = env_str("BASEWATCH_TILE_URL", OPENSTREETMAP_TILES, keep_empty=True).strip()
TILE_ATTRIBUTION = env_str(
    "BASEWATCH_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors" if TILE_URL == OPENSTREETMAP_TILES else ""
)
TILE_ORIGIN = ""
if TILE_URL:
    try:
        TILE_ORIGIN = tile_origin(TILE_URL)
    except ValueError as error:
        raise ImproperlyConfigured(f"BASEWATCH_TILE_URL={TILE_URL!r} {error}") from None
# The map page, the site page and the editors' map widgets all read TILES: one tile layer or
# none (django-leaflet draws no tiles for an empty list).
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (33.0, 25.0),
    "DEFAULT_ZOOM": 4,
    "MIN_ZOOM": 2,
    "MAX_ZOOM": 18,
    "TILES": [("Map tiles", TILE_URL, {"attribution": TILE_ATTRIBUTION, "maxZoom": 19})] if TILE_URL else [],
    "RESET_VIEW": False,
}

# --- editorial workflow ---------------------------------------------------------
# By default an observation is published by a reviewer other than its author; a
# small team can let editors publish their own work.
EDITORS_MAY_PUBLISH = env_bool("EDITORS_MAY_PUBLISH", False)

# --- background jobs and outgoing requests ----------------------------------------
# One durable job queue in PostgreSQL (procrastinate, basewatch/webhooks/tasks.py says why):
# `manage.py procrastinate worker` runs its jobs; `make run` starts one beside the server.
# Every request basewatch sends (webhook deliveries) goes to public internet addresses
# only (basewatch.lib.safehttp); the hosts listed here may resolve to any address: a
# receiver on the operator's own network, or the tests' local servers.
OUTGOING_ALLOWED_HOSTS = env_list("BASEWATCH_OUTGOING_ALLOWED_HOSTS", [])
# Receivers and archived sites see who is asking; an operator adds a contact address here.
OUTGOING_USER_AGENT = env_str("BASEWATCH_USER_AGENT", "basewatch/1 (open-source military base posture tracker)")
# Webhooks: seconds for a whole delivery (connect, send, answer), and the waits between
# tries of a failing one (Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
WEBHOOK_TIMEOUT = env_int("BASEWATCH_WEBHOOK_TIMEOUT", 10)
WEBHOOK_RETRY_SCHEDULE = env_int_list("BASEWATCH_WEBHOOK_RETRY_SCHEDULE", [5, 300, 1800, 7200, 18000, 36000, 36000])
# Source archiving (basewatch.core.archiving): the limits of one capture of a source link
# (redirects followed, bytes of any one answer, bytes of the page and all it loads, seconds
# for the whole capture, requests the page may make), the Chromium that renders it, and the
# waits between tries after a transient failure (timeouts, unreachable hosts, HTTP 5xx).
ARCHIVE_MAX_REDIRECTS = env_int("BASEWATCH_ARCHIVE_MAX_REDIRECTS", 5)
ARCHIVE_RESPONSE_BYTES = env_int("BASEWATCH_ARCHIVE_RESPONSE_MB", 20) * 1024 * 1024
ARCHIVE_TOTAL_BYTES = env_int("BASEWATCH_ARCHIVE_TOTAL_MB", 50) * 1024 * 1024
ARCHIVE_SECONDS = env_int("BASEWATCH_ARCHIVE_SECONDS", 60)
ARCHIVE_RESOURCES = env_int("BASEWATCH_ARCHIVE_RESOURCES", 300)
ARCHIVE_CHROMIUM = env_str("BASEWATCH_CHROMIUM", "/usr/bin/chromium")
ARCHIVE_RETRY_SCHEDULE = env_int_list("BASEWATCH_ARCHIVE_RETRY_SCHEDULE", [60, 600, 3600, 21600])
# Optional RFC 3161 timestamps of each capture's manifest (basewatch.lib.timestamping): the
# time-stamping authority's URL (empty: none asked for), a PEM bundle of its root and
# certificates to verify its answers against (empty: the answer's nonce and hash are checked,
# its signature is not), and the seconds one request may take. The TSA is an outgoing request
# like any other: a TSA on a private address needs its host in OUTGOING_ALLOWED_HOSTS.
ARCHIVE_TSA_URL = env_str("BASEWATCH_ARCHIVE_TSA_URL")
ARCHIVE_TSA_CERTS = env_str("BASEWATCH_ARCHIVE_TSA_CERTS")
if ARCHIVE_TSA_CERTS and not Path(ARCHIVE_TSA_CERTS).is_file():
    raise ImproperlyConfigured(f"BASEWATCH_ARCHIVE_TSA_CERTS={ARCHIVE_TSA_CERTS!r} is not a file")
ARCHIVE_TSA_SECONDS = env_int("BASEWATCH_ARCHIVE_TSA_SECONDS", 10)
# Captures' thumbnails: the top of the screenshot, this many pixels wide (4:3).
ARCHIVE_THUMBNAIL_WIDTH = 480

# --- history (django-pghistory) --------------------------------------------------
# Triggers copy every insert, update and delete of sites, sources, observations,
# movements and their source links into event tables, whatever wrote them (forms,
# API, admin, bulk updates, SQL). Who and where is stored in each event row (not
# in a shared, mutable context table), and the event tables refuse UPDATE and
# DELETE, so the application cannot rewrite its own history.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()

# --- REST API (/api/v1/) ---------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "basewatch.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["basewatch.api.permissions.EditorsWrite"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "basewatch.api.pagination.PagePagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["basewatch.api.parsers.TextSafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "basewatch.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATE_INPUT_FORMATS": DATE_INPUT_FORMATS,
}
# Anonymous API answers kept per worker between writes (basewatch.api.response_cache).
RESPONSE_CACHE_BYTES = env_int("RESPONSE_CACHE_MB", 64) * 1_000_000
# How long a browser or a shared cache (a CDN in front of nginx) may keep an anonymous API or
# OGC API answer, and serve it while it asks again in the background (Cache-Control's
# max-age and stale-while-revalidate, basewatch.api.conditional). Short: a write is seen by
# everyone within max-age + stale-while-revalidate seconds. Answers to a logged-in user or a
# token are `private` and never kept by a shared cache.
API_MAX_AGE = env_int("BASEWATCH_API_MAX_AGE", 10)
API_STALE_WHILE_REVALIDATE = env_int("BASEWATCH_API_STALE_WHILE_REVALIDATE", 30)

SPECTACULAR_SETTINGS = {
    "TITLE": "basewatch API",
    "DESCRIPTION": (
        "Foreign military base posture from open sources: sites (GeoJSON), posture at any date, "
        "counts over time, sourced observations and movements. Anonymous clients read published "
        "data; writes need an editor's token (`Authorization: Token <key>`) or session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "basewatch.api.schema.document_errors_and_formats",
    ],
    # Some read-only fields are left out for anonymous clients (editors' names).
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "ENUM_NAME_OVERRIDES": {
        "SiteKindEnum": "basewatch.core.models.Site.Kind",
        "SiteStatusEnum": "basewatch.core.models.Site.Status",
        "ObservationActivityEnum": "basewatch.core.models.Observation.Activity",
        "ObservationPrecisionEnum": "basewatch.core.models.Observation.Precision",
        "LocationPrecisionEnum": "basewatch.core.models.Site.Precision",
        "SourceKindEnum": "basewatch.core.models.Source.Kind",
        "StateEnum": "basewatch.core.workflow.State",
        "CountryEnum": "django_countries.countries",
        "GisFeatureEnum": ("Feature",),
        "GisFeatureCollectionEnum": ("FeatureCollection",),
    },
}

# --- security -----------------------------------------------------------------
# Production (DEBUG=0) defaults to HTTPS-only; each can be overridden.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: forms carry the token, API clients use tokens.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # and frame-ancestors 'none' in the Content-Security-Policy (basewatch.middleware)
CSRF_FAILURE_VIEW = "basewatch.error_pages.csrf_failure"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    # The proxy terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SILENCED_SYSTEM_CHECKS = [
    # GDAL 3.6 (Debian 12) cannot block file/network access from spatial
    # reference strings. basewatch never builds a spatial reference from user
    # input: geometry input is parsed by basewatch.lib.geometry, which accepts
    # longitude/latitude in SRID 4326 only and rejects anything naming a CRS.
    "gis.W001",
    # HSTS preload is a commitment to browser vendors that only the operator of
    # a domain can make; set SECURE_HSTS_PRELOAD=1 once it is made.
    "security.W021",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The job queue tells of every task it registers at start-up; its warnings and errors are enough.
    "loggers": {"procrastinate": {"level": env_str("JOBS_LOG_LEVEL", "WARNING")}},
}
