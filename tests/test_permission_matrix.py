"""Who may do what, for every URL name: a declarative table of URL, role and method → outcome.

Every URL name the project routes must be in MATRIX (the test fails on one that is not).
Each request runs in a savepoint that is rolled back, so every cell starts from the same
rows; a refused request must leave every table, history included, exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from basewatch.core import archiving, images
from basewatch.core.imports import importing
from basewatch.core.models import ApiToken, Capture, Site
from basewatch.webhooks import outbox
from basewatch.webhooks.models import Delivery, Endpoint
from tests.factories import make_asset, make_asset_type, make_movement, make_observation, make_site, make_source
from tests.images import encoded
from tests.test_deployment import assert_security_headers

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "editor_a", "editor_b", "reviewer", "admin"]

# Outcomes: an HTTP status, or LOGIN (a redirect to the login page).
LOGIN = "login"


def everyone(outcome) -> dict:
    return dict.fromkeys(ROLES, outcome)


def from_role(role: str, allowed, refused_signed_in=403, anonymous=LOGIN) -> dict:
    """`allowed` for `role` and the roles above it, refused below."""
    rank = ["viewer", "editor_a", "reviewer", "admin"]
    outcome = {"anonymous": anonymous}
    for name in ROLES[1:]:
        level = "editor_a" if name == "editor_b" else name
        outcome[name] = allowed if rank.index(level) >= rank.index(role) else refused_signed_in
    return outcome


PUBLIC_PAGE = {"GET": everyone(200), "POST": everyone(405)}
VIEWER_PAGE = {"GET": from_role("viewer", 200), "POST": everyone(405)}
EDITOR_FORM = {"GET": from_role("editor_a", 200), "POST": from_role("editor_a", 302)}
# The API: anonymous writes get 401 (no credentials), signed-in roles without the right 403.
API_READ = {"GET": everyone(200), "POST": everyone(405), "PUT": everyone(405), "DELETE": everyone(405)}
API_LIST = {**API_READ, "POST": from_role("editor_a", 201, anonymous=401)}
API_DETAIL = {**API_READ, "PATCH": from_role("editor_a", 200, anonymous=401)}
API_DECISION = {"GET": everyone(405), "POST": from_role("reviewer", 200, anonymous=401)}
OGC_READ = {"GET": everyone(200), "POST": everyone(405), "PUT": everyone(405), "DELETE": everyone(405)}
OWN_TOKEN = {"anonymous": LOGIN, "viewer": LOGIN, "editor_a": 200, "editor_b": 302, "reviewer": 302, "admin": 200}


def staff(editor, reviewer=None, admin=None) -> dict:
    """The admin: staff (editors and up) get in; anonymous users and viewers go to the login page."""
    reviewer = editor if reviewer is None else reviewer
    admin = reviewer if admin is None else admin
    others = {"editor_a": editor, "editor_b": editor, "reviewer": reviewer, "admin": admin}
    return {"anonymous": LOGIN, "viewer": LOGIN, **others}


ADMIN_VIEW = {"GET": staff(200)}
ADMIN_EDIT = {"GET": staff(200), "POST": staff(302)}
ADMIN_ONLY = {"GET": staff(403, admin=200)}
ADMIN_ONLY_FORM = {"GET": staff(403, admin=200), "POST": staff(403, admin=302)}
# The record is kept: nobody deletes sites, sources or claims, not even admins.
NO_DELETE = {"GET": staff(403), "POST": staff(403)}

MATRIX = {
    # --- pages for everyone -----------------------------------------------------------
    "front:index": PUBLIC_PAGE,
    "front:site": PUBLIC_PAGE,
    "front:sites": PUBLIC_PAGE,
    "front:observations": PUBLIC_PAGE,
    "front:asset": PUBLIC_PAGE,
    "front:movements": PUBLIC_PAGE,
    "front:assets": PUBLIC_PAGE,
    "front:observation-feed": PUBLIC_PAGE,
    "front:source": PUBLIC_PAGE,
    # An archived capture's WARC: a download for everyone (the source page links it).
    "front:capture-file": PUBLIC_PAGE,
    "front:movement-feed": PUBLIC_PAGE,
    # --- pages for viewers and up (a submitted claim: its published twin is public) -----
    "front:observation": VIEWER_PAGE,
    "front:movement": VIEWER_PAGE,
    "front:site-history": VIEWER_PAGE,
    # --- editors ------------------------------------------------------------------------
    "front:review": {"GET": from_role("editor_a", 200), "POST": everyone(405)},
    "front:last-count": {"GET": from_role("editor_a", 200), "POST": everyone(405)},
    "front:observation-create": EDITOR_FORM,
    "front:observation-edit": EDITOR_FORM,
    "front:movement-create": EDITOR_FORM,
    "front:movement-edit": EDITOR_FORM,
    "front:site-create": EDITOR_FORM,
    "front:site-edit": EDITOR_FORM,
    "front:source-create": EDITOR_FORM,
    "front:source-edit": EDITOR_FORM,
    "front:asset-type-create": EDITOR_FORM,
    "front:asset-type-edit": EDITOR_FORM,
    "front:asset-create": EDITOR_FORM,
    "front:asset-edit": EDITOR_FORM,
    # Evidence images: a POST without a file is a form error (400); the image of a draft is
    # served to viewers and up, and to nobody else (404: its existence is not told either).
    "front:image-add": {"GET": from_role("editor_a", 200), "POST": from_role("editor_a", 400)},
    "front:image-edit": EDITOR_FORM,
    "front:image": {"GET": from_role("viewer", 200, anonymous=404), "POST": everyone(405)},
    "front:image-variant": {"GET": from_role("viewer", 200, anonymous=404), "POST": everyone(405)},
    # A POST without a trace file is a form error (400), stored nothing.
    # Queue a new capture of a source: editors, by POST (then back to the source page).
    "front:source-archive": {"GET": everyone(405), "POST": from_role("editor_a", 302)},
    "front:adsb-import": {"GET": from_role("editor_a", 200), "POST": from_role("editor_a", 400)},
    # A spreadsheet import: a POST without a file is a form error (400); a report is its
    # importer's (editor A's) alone, confirmed by a POST (302 to the report, imported).
    "front:claim-import": {"GET": from_role("editor_a", 200), "POST": from_role("editor_a", 400)},
    "front:claim-import-report": {
        method: from_role("editor_a", status) | {"editor_b": 404, "reviewer": 404, "admin": 404}
        for method, status in (("GET", 200), ("POST", 302))
    },
    # Publishing editor A's submitted observation: reviewers and admins, not editors.
    "front:decide": {"GET": everyone(405), "POST": from_role("reviewer", 302)},
    # --- accounts -----------------------------------------------------------------------
    "login": {"GET": everyone(200), "POST": everyone(200)},  # POST: a wrong password
    "logout": {"GET": everyone(405), "POST": everyone(200)},
    "password_change": {"GET": from_role("viewer", 200), "POST": from_role("viewer", 200)},  # POST: invalid
    "password_change_done": {"GET": from_role("viewer", 200)},
    # --- API ----------------------------------------------------------------------------
    "api:site-list": API_LIST,
    "api:site-detail": API_DETAIL,
    "api:site-timeseries": API_READ,
    "api:site-totals": API_READ,
    "api:site-table": API_READ,
    # Open to all alike; asked without its window (`from`, `to`), a 400 for everyone.
    "api:site-steps": API_READ | {"GET": everyone(400)},
    "api:observation-list": API_LIST,
    # A published observation: changed by those who may publish it (not its author's peers).
    "api:observation-detail": API_DETAIL | {"PATCH": from_role("reviewer", 200, anonymous=401)},
    # Rejecting editor A's submitted observation: reviewers and admins.
    "api:observation-decision": API_DECISION,
    "api:movement-list": API_LIST,
    # A submitted movement: anonymous clients see published claims only.
    "api:movement-detail": API_DETAIL | {"GET": everyone(200) | {"anonymous": 404}},
    # Retracting a published movement: reviewers and admins.
    "api:movement-decision": API_DECISION,
    "api:assettype-list": API_LIST,
    "api:assettype-detail": API_DETAIL,
    "api:asset-list": API_LIST,
    "api:asset-detail": API_DETAIL,
    "api:asset-track": API_READ,
    "api:source-list": API_LIST,
    "api:source-detail": API_DETAIL,
    "api:source-archive": {"GET": everyone(405), "POST": from_role("editor_a", 202, anonymous=401)},
    "api:export-gpkg": API_READ,
    "api:root": {"GET": everyone(200), "POST": everyone(405)},
    "api:schema": {"GET": everyone(200), "POST": everyone(405)},
    "api:docs": {"GET": everyone(200), "POST": everyone(405)},
    # --- OGC API - Features: read-only; drafts are 404 to the roles that may not read them
    "ogc:landing": OGC_READ,
    "ogc:conformance": OGC_READ,
    "ogc:api": OGC_READ,
    "ogc:collections": OGC_READ,
    "ogc:collection": OGC_READ,
    "ogc:items": OGC_READ,
    "ogc:queryables": OGC_READ,
    "ogc:feature": OGC_READ | {"GET": everyone(200) | {"anonymous": 404}},
    # --- admin --------------------------------------------------------------------------
    "admin:index": ADMIN_VIEW,
    "admin:login": {"GET": everyone(LOGIN)},  # one login page: /accounts/login/
    "admin:logout": {"GET": staff(405) | {"anonymous": 302, "viewer": 302}},
    "admin:password_change": ADMIN_VIEW,
    "admin:password_change_done": ADMIN_VIEW,
    "admin:jsi18n": ADMIN_VIEW,
    "admin:app_list": ADMIN_VIEW,
    "admin:autocomplete": {"GET": staff(403)},  # 403: no field to complete was named
    "admin:view_on_site": {"GET": staff(302)},
    "admin:auth_user_changelist": ADMIN_ONLY,
    "admin:auth_user_add": ADMIN_ONLY_FORM,
    "admin:auth_user_change": ADMIN_ONLY,
    "admin:auth_user_history": ADMIN_ONLY,
    "admin:auth_user_delete": ADMIN_ONLY,
    "admin:auth_user_password_change": ADMIN_ONLY,
    "admin:auth_group_changelist": ADMIN_ONLY,
    "admin:auth_group_add": ADMIN_ONLY,
    "admin:auth_group_change": ADMIN_ONLY,
    "admin:auth_group_history": ADMIN_ONLY,
    "admin:auth_group_delete": ADMIN_ONLY,
    "admin:core_apitoken_changelist": ADMIN_VIEW,
    "admin:core_apitoken_add": ADMIN_VIEW,
    # Editor A's token: editors see only their own tokens, admins everyone's.
    "admin:core_apitoken_change": {"GET": OWN_TOKEN},
    "admin:core_apitoken_history": {"GET": OWN_TOKEN},
    "admin:core_apitoken_delete": {"GET": staff(403)},  # tokens are revoked, not deleted
    # Webhooks: admins only. The delivery log and the job queue are records: read, never written here.
    "admin:webhooks_endpoint_changelist": ADMIN_ONLY,
    "admin:webhooks_endpoint_add": ADMIN_ONLY,
    "admin:webhooks_endpoint_change": ADMIN_ONLY,
    "admin:webhooks_endpoint_history": ADMIN_ONLY,
    "admin:webhooks_endpoint_delete": ADMIN_ONLY,
    "admin:webhooks_delivery_changelist": ADMIN_ONLY,
    "admin:webhooks_delivery_add": {"GET": staff(403)},
    "admin:webhooks_delivery_change": ADMIN_ONLY,
    "admin:webhooks_delivery_history": ADMIN_ONLY,
    "admin:webhooks_delivery_delete": {"GET": staff(403)},
    "admin:procrastinate_procrastinatejob_changelist": ADMIN_ONLY,
    "admin:procrastinate_procrastinatejob_add": {"GET": staff(403)},
    "admin:procrastinate_procrastinatejob_change": ADMIN_ONLY,
    "admin:procrastinate_procrastinatejob_history": ADMIN_ONLY,
    "admin:procrastinate_procrastinatejob_delete": {"GET": staff(403)},
}
# An image added in the admin needs its file: the form's fields alone are shown again (200).
MATRIX |= {
    "admin:core_evidenceimage_changelist": ADMIN_VIEW,
    "admin:core_evidenceimage_add": {"GET": staff(200), "POST": staff(200)},
    "admin:core_evidenceimage_change": ADMIN_EDIT,
    "admin:core_evidenceimage_history": ADMIN_VIEW,
    "admin:core_evidenceimage_delete": ADMIN_ONLY,
}
for model in ["site", "source", "observation", "movement", "asset", "assettype"]:
    MATRIX |= {
        f"admin:core_{model}_changelist": ADMIN_VIEW,
        f"admin:core_{model}_add": ADMIN_EDIT if model in ("asset", "assettype", "source") else ADMIN_VIEW,
        f"admin:core_{model}_change": ADMIN_EDIT,
        f"admin:core_{model}_history": ADMIN_VIEW,
        f"admin:core_{model}_delete": NO_DELETE if model not in ("asset", "assettype") else ADMIN_ONLY,
    }


def url_names(resolver=None, namespace: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_every_url_name_is_in_the_matrix():
    assert set(url_names()) - set(MATRIX) == set()
    assert set(MATRIX) - set(url_names()) == set()


@pytest.fixture
def rows(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    for role in ROLES[1:]:
        user = User.objects.create_user(role, password="a-long-test-password", is_staff=role not in ("viewer",))
        group = {"editor_a": "editor", "editor_b": "editor"}.get(role, role)
        user.groups.add(Group.objects.get(name=group))
    User.objects.filter(username="admin").update(is_superuser=True)
    author = User.objects.get(username="editor_a")
    site, other = make_site(slug="alpha", name="Alpha"), make_site(slug="beta", name="Beta")
    jets = make_asset_type(slug="jets", name="Jets")
    source = make_source()
    settings.MEDIA_ROOT = tmp_path
    warc = tmp_path / "capture.warc.gz"
    warc.write_bytes(b"a stored capture")
    name, sha256, _size = archiving.store(warc, ".warc.gz")
    capture = Capture.objects.create(
        source=source, url=source.url, state="archived", warc=name, warc_sha256=sha256, wacz_sha256=sha256
    )
    published = make_observation(site, jets, dt.date(2024, 12, 1), sources=[source], entered_by=author)
    draft = make_observation(site, jets, dt.date(2024, 12, 2), sources=[source], entered_by=author, state="draft")
    submitted = make_observation(site, jets, dt.date(2024, 12, 3), sources=[source], entered_by=author)
    submitted.state = "submitted"
    submitted.save()
    movement = make_movement(site, other, jets, sources=[source], entered_by=author, state="submitted")
    published_movement = make_movement(site, other, jets, sources=[source], entered_by=author)
    token, _ = ApiToken.issue(author, "matrix")
    endpoint = Endpoint.objects.create(url="https://partner.example.org/hooks", events=["site.updated"])
    delivery = Delivery.objects.create(endpoint=endpoint, event="site.updated", body="{}")
    outbox.queue(delivery)
    sheet = b"site,observed,asset_type,sources\nalpha,2024-12-10,jets,https://news.example.org/matrix\n"
    image = images.attach(images.check_bytes(encoded("PNG")), observation=draft, credit="Matrix")
    return {
        "import_report": importing.preview(sheet, "matrix.csv", author),
        "image": image,
        "endpoint": endpoint,
        "delivery": delivery,
        "job": ProcrastinateJob.objects.get(args={"delivery_id": delivery.pk}),
        "site": site,
        "asset_type": jets,
        "asset": make_asset(asset_type=jets),
        "source": source,
        "capture": capture,
        "published": published,
        "draft": draft,
        "submitted": submitted,
        "movement": movement,
        "published_movement": published_movement,
        "token": token,
        "user": author,
    }


def url_for(name: str, rows) -> str:
    """The URL of `name` for the fixture's rows."""
    obs, move, site = rows["submitted"].pk, rows["movement"].pk, rows["site"]
    by_name = {
        "front:site": {"slug": "alpha"},
        "front:site-history": {"slug": "alpha"},
        "front:site-edit": {"slug": "alpha"},
        "front:observation": {"pk": rows["draft"].pk},
        "front:observation-edit": {"pk": rows["draft"].pk},
        "front:movement": {"pk": move},
        "front:movement-edit": {"pk": move},
        "front:decide": {"kind": "observation", "pk": obs},
        "front:claim-import-report": {"pk": rows["import_report"].pk},
        "front:source-edit": {"pk": rows["source"].pk},
        "front:image-add": {"kind": "observation", "pk": rows["draft"].pk},
        "front:image-edit": {"pk": rows["image"].pk},
        "front:image": {"pk": rows["image"].pk},
        "front:image-variant": {"pk": rows["image"].pk, "variant": "thumbnail"},
        "front:source": {"pk": rows["source"].pk},
        "front:source-archive": {"pk": rows["source"].pk},
        "front:capture-file": {"pk": rows["capture"].pk, "kind": "warc"},
        "api:source-archive": {"pk": rows["source"].pk},
        "front:asset-type-edit": {"slug": "jets"},
        "front:asset-edit": {"pk": rows["asset"].pk},
        "front:asset": {"key": rows["asset"].registration},
        "api:site-detail": {"slug": "alpha"},
        "api:site-timeseries": {"slug": "alpha"},
        "api:observation-detail": {"pk": rows["published"].pk},
        "api:observation-decision": {"pk": obs, "action": "reject"},
        "api:movement-detail": {"pk": move},
        "api:movement-decision": {"pk": rows["published_movement"].pk, "action": "retract"},
        "api:assettype-detail": {"slug": "jets"},
        "api:asset-detail": {"key": rows["asset"].registration},
        "api:asset-track": {"key": rows["asset"].registration},
        "api:source-detail": {"pk": rows["source"].pk},
        "ogc:collection": {"collection_id": "observations"},
        "ogc:queryables": {"collection_id": "observations"},
        "ogc:items": {"collection_id": "observations"},
        "ogc:feature": {"collection_id": "observations", "feature_id": rows["draft"].pk},
        "admin:app_list": {"app_label": "core"},
        "admin:view_on_site": {"content_type_id": ContentType.objects.get_for_model(Site).pk, "object_id": site.pk},
        "admin:auth_user_password_change": {"id": rows["user"].pk},
        "admin:password_change": {},
    }
    kwargs = by_name.get(name)
    if kwargs is None and name.startswith("admin:") and name.endswith(("_change", "_history", "_delete")):
        model = name.split(":")[1].rsplit("_", 1)[0]
        obj = {
            "auth_user": rows["user"],
            "auth_group": Group.objects.get(name="editor"),
            "core_apitoken": rows["token"],
            "core_site": site,
            "core_source": rows["source"],
            "core_observation": rows["draft"],
            "core_movement": rows["movement"],
            "core_asset": rows["asset"],
            "core_assettype": rows["asset_type"],
            "core_evidenceimage": rows["image"],
            "webhooks_endpoint": rows["endpoint"],
            "webhooks_delivery": rows["delivery"],
            "procrastinate_procrastinatejob": rows["job"],
        }[model]
        kwargs = {"object_id": obj.pk}
    return reverse(name, kwargs=kwargs)


# --- request bodies: what a user allowed to write would send --------------------------


class FormFields(HTMLParser):
    """The fields of the page's main POST form, as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.forms.append({})
        if not self.forms or ("name" not in attrs and tag != "option"):
            return
        fields = self.forms[-1]
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs["name"]
            fields.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in attrs:
            fields[self._select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            fields[self._textarea] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][self._textarea][0] += data


def form_body(client: Client, url: str) -> dict[str, list[str]]:
    response = client.get(url)
    if response.streaming:  # a file (an image), not a page with a form
        return {}
    parser = FormFields()
    parser.feed(response.content.decode())
    forms = [form for form in parser.forms if "csrfmiddlewaretoken" in form and len(form) > 1]
    return max(forms, key=len) if forms else {}


def front_body(name: str, url: str, rows, admin: Client) -> dict:
    """A valid form submission for editor forms and admin forms (fetched as the admin)."""
    if name == "front:decide":
        return {"decision": "publish", "version": str(rows["submitted"].version)}
    if name == "login":
        return {"username": "editor_a", "password": "wrong"}
    if name in ("logout", "password_change", "front:capture-file", "front:source-archive"):
        return {}  # a download, and a button with no fields
    if not name.startswith(("front:", "admin:")):
        return {}
    body = form_body(admin, url)
    body.pop("csrfmiddlewaretoken", None)
    if name.endswith(("-create", "_add")):
        body |= {
            key: [value]
            for key, value in new_item_values(name, rows).items()
            if key in body and body[key] in ([], [""])
        }
        body |= {"password1": ["a-long-test-password"], "password2": ["a-long-test-password"]}
    if name in ("front:observation-create", "front:observation-edit", "front:movement-create", "front:movement-edit"):
        body |= {"action": ["save"], "sources": [str(rows["source"].pk)]}
    return body


def new_item_values(name: str, rows) -> dict[str, str]:
    """Values for the required fields a blank form leaves empty."""
    return {
        "name": "Matrix",
        "slug": "matrix",
        "username": "matrix-user",
        "registration": "RA-99999",
        "title": "Matrix report",
        "kind": "news_report" if "source" in name else "air_base",
        "category": "transport_aircraft",
        "operator": "RU",
        "host_country": "SY",
        "location": '{"type": "Point", "coordinates": [36.1, 35.4]}',
        "site": str(rows["site"].pk),
        "origin": str(rows["site"].pk),
        "destination": str(rows["published_movement"].destination_id),
        "asset_type": str(rows["asset_type"].pk),
        "observed": "2024-12-09",
        "arrived": "2024-12-09",
        "count": "2",
    }


def api_body(name: str, method: str, rows) -> dict:
    source = [rows["source"].pk]
    bodies = {
        "api:site-list": {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [1, 2]},
            "properties": {"slug": "new", "name": "New", "kind": "other", "operator": "RU", "host_country": "SY"},
        },
        "api:site-detail": {"properties": {"name": "Renamed"}, "version": rows["site"].version},
        "api:observation-list": {
            "site": "alpha",
            "asset_type": "jets",
            "observed": "2024-12-09",
            "count": 1,
            "source_ids": source,
        },
        "api:observation-detail": {"notes": "edited", "version": rows["published"].version},
        "api:movement-list": {
            "origin": "alpha",
            "destination": "beta",
            "asset_type": "jets",
            "arrived": "2024-12-09",
            "source_ids": source,
        },
        "api:movement-detail": {"count": 3, "version": rows["movement"].version},
        "api:assettype-list": {"slug": "su-34", "name": "Su-34", "category": "fixed_wing_combat"},
        "api:assettype-detail": {"nato_name": "Jet", "version": rows["asset_type"].version},
        "api:asset-list": {"asset_type": "jets", "registration": "RF-95070"},
        "api:asset-detail": {"name": "Renamed", "version": rows["asset"].version},
        "api:source-list": {"kind": "news_report", "title": "New report"},
        "api:source-detail": {"title": "Renamed", "version": rows["source"].version},
    }
    if name == "api:observation-decision":
        return {"reason": "matrix", "version": rows["submitted"].version}
    if name == "api:movement-decision":
        return {"reason": "matrix", "version": rows["published_movement"].version}
    return bodies.get(name, {})


# --- the check -------------------------------------------------------------------------

TABLES_SQL = """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
      AND table_name NOT IN ('django_session', 'core_loginfailure', 'django_migrations', 'spatial_ref_sys')
    ORDER BY table_name
"""


def snapshot() -> dict[str, str]:
    """A hash of every table's content (sessions and login failures aside: reading them is their job)."""
    with connection.cursor() as cursor:
        cursor.execute(TABLES_SQL)
        tables = [row[0] for row in cursor.fetchall()]
        parts = [f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {t} t)" for t in tables]  # noqa: S608 (names from the catalogue)
        cursor.execute("SELECT " + ", ".join(parts))
        return dict(zip(tables, cursor.fetchone(), strict=True))


class Rollback(Exception):
    pass


def outcome_of(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(("/accounts/login/", "/admin/login/")):
        return LOGIN
    return response.status_code


def clients() -> dict[str, Client]:
    signed_in = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(User.objects.get(username=role))
        signed_in[role] = client
    return signed_in


def send(client: Client, method: str, url: str, name: str, body: dict):
    if name.startswith("api:"):
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    return client.post(url, body) if method == "POST" else client.generic(method, url)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(rows, name):
    by_role = clients()
    url = url_for(name, rows)
    problems = []
    for method, expected in MATRIX[name].items():
        body = (
            api_body(name, method, rows) if name.startswith("api:") else front_body(name, url, rows, by_role["admin"])
        )
        for role in ROLES:
            before = snapshot()
            try:
                with transaction.atomic():
                    response = send(by_role[role], method, url, name, body)
                    refused = response.status_code >= 400 or outcome_of(response) == LOGIN
                    changed = refused and snapshot() != before
                    raise Rollback
            except Rollback:
                pass
            assert_security_headers(response)
            if outcome_of(response) != expected[role] or changed:
                errors = re.findall(
                    r'class="(?:errorlist|field-error)[^"]*"[^>]*>(.*?)</(?:ul|p)>',
                    "" if response.streaming else response.content.decode(),
                )
                problems.append(
                    f"{method} {url} as {role}: {outcome_of(response)} (expected {expected[role]})"
                    + (" and it changed rows" if changed else "")
                    + (f" {' '.join(errors)[:300]}" if errors else "")
                )
    assert not problems, "\n".join(problems)
