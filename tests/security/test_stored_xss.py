"""Stored XSS: every payload in every free-text field, rendered everywhere, stays text.

Each page is parsed and compared with the same page when every text is harmless: the same
elements must be there, no `on*` attribute and no link or source with a script URL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.test import Client

from basewatch.core.models import Asset, AssetType, Observation, Site, Source
from tests.factories import make_observation, make_source, make_token, make_user
from tests.security.payloads import PAYLOADS, URL_PAYLOADS
from tests.security.world import make_harmless, payload_world

SCRIPT_URL = re.compile(r"^(javascript|data|vbscript):", re.I)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"}


class Markup(HTMLParser):
    """Counts elements; collects links, event-handler attributes and script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: Counter[str] = Counter()
        self.dangers: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements[tag] += 1
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.links.append(value)
            if name.startswith("on"):
                self.dangers.append(f"<{tag} {name}=…>")
            squeezed = re.sub(r"[\x00-\x20]", "", value or "")
            if name in URL_ATTRIBUTES and SCRIPT_URL.match(squeezed):
                self.dangers.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def markup_of(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser


def pages(world) -> list[tuple[str, str]]:
    """(role, URL) of every page that shows the stored text."""
    sample = list(range(0, len(PAYLOADS), 7))
    observation_pages = -(-Observation.objects.count() // 50)
    observations = [world["observations"][i].pk for i in sample]
    movements = [world["movements"][i].pk for i in sample]
    sites = [Site.objects.get(slug=f"xss-{i}").pk for i in sample]
    anonymous = ["/", "/observations/", *(f"/sites/xss-{i}/" for i in range(len(PAYLOADS)))]
    anonymous += [f"/observations/?page={n}" for n in range(2, observation_pages + 1)]
    # The OGC API's pages: every feature in a table and as map data, and one at a time.
    anonymous += [f"/ogc/collections/{c}/items?f=html&limit=1000" for c in ("sites", "observations", "movements")]
    anonymous += [f"/ogc/collections/sites/items/xss-{i}?f=html" for i in sample]
    reviewer = ["/review/", "/new/observation/", "/new/movement/", *(f"/sites/xss-{i}/history/" for i in sample)]
    reviewer += [f"/observations/{pk}/" for pk in observations] + [f"/movements/{pk}/" for pk in movements]
    reviewer += [f"/ogc/collections/observations/items/{pk}?f=html" for pk in observations]
    reviewer += [f"/ogc/collections/movements/items/{pk}?f=html" for pk in movements]
    reviewer += [f"/edit/observations/{pk}/" for pk in observations] + [f"/edit/sites/xss-{i}/" for i in sample]
    reviewer += [f"/edit/sources/{pk}/" for pk in Source.objects.values_list("pk", flat=True)[:20]]
    reviewer += [f"/edit/asset-types/type-{i}/" for i in sample]
    admin = [f"/admin/core/{model}/" for model in ("site", "source", "observation", "movement", "assettype", "asset")]
    admin += [f"/admin/core/site/{pk}/change/" for pk in sites] + [f"/admin/core/site/{pk}/history/" for pk in sites]
    admin += [f"/admin/core/observation/{pk}/change/" for pk in observations]
    admin += [f"/admin/core/asset/{pk}/change/" for pk in Asset.objects.values_list("pk", flat=True)[:20]]
    by_role = {"anonymous": anonymous, "reviewer": reviewer, "admin": admin}
    return [(role, url) for role, urls in by_role.items() for url in urls]


def render_all(urls: list[tuple[str, str]]) -> dict[str, Markup]:
    clients = {"anonymous": Client(), "reviewer": Client(), "admin": Client()}
    clients["reviewer"].force_login(make_user("reviewer", username="xss-reviewer"))
    clients["admin"].force_login(User.objects.create_superuser("xss-admin", password="a-long-test-password"))
    rendered = {}
    for role, url in urls:
        response = clients[role].get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        rendered[url] = markup_of(response.content.decode())
    return rendered


@pytest.mark.django_db
def test_payloads_in_every_text_field_render_as_text_everywhere():
    assert len(PAYLOADS) >= 100
    world = payload_world(PAYLOADS)
    urls = pages(world)
    attacked = render_all(urls)
    make_harmless()
    User.objects.filter(username__in=["xss-reviewer", "xss-admin"]).delete()
    harmless = render_all(urls)
    problems = []
    for _, url in urls:
        if attacked[url].dangers:
            problems.append(f"{url}: {attacked[url].dangers[:3]}")
        extra = attacked[url].elements - harmless[url].elements
        if extra:
            problems.append(f"{url}: elements the payloads added: {dict(extra)}")
    assert problems == [], "\n".join(problems[:30])
    assert len(urls) > 250


@pytest.mark.django_db
def test_the_api_stores_text_payloads_as_given_and_refuses_script_urls(api):
    token = make_token("editor")
    for i, text in enumerate(PAYLOADS[:60]):
        created = api.post("sources/", json={"kind": "news_report", "title": text, "publisher": text}, token=token)
        assert created.status_code == 201, (text, created.text)
        assert created.headers["Content-Type"] == "application/json"
        assert Source.objects.get(pk=created.json()["id"]).title == text, i
    for url in URL_PAYLOADS:
        for field in ("url", "archive_url"):
            response = api.post("sources/", json={"kind": "news_report", "title": "x", field: url}, token=token)
            if SCRIPT_URL.match(re.sub(r"[\x00-\x20]", "", url)):
                assert response.status_code == 400 and field in response.json(), (field, url, response.text)
            elif response.status_code == 201:
                stored = getattr(Source.objects.get(pk=response.json()["id"]), field)
                assert stored.startswith("https://"), stored
    assert not Source.objects.filter(url__iregex=r"^\s*(javascript|data|vbscript)").exists()


@pytest.mark.django_db
def test_url_payloads_render_as_inert_links():
    """URLs that passed the http(s) check, with markup in them, are attributes, not markup."""
    sources = [make_source(url=url, archive_url=url) for url in URL_PAYLOADS if url.startswith("https://")]
    site = Site.objects.create(
        slug="links", name="Links", kind="air_base", operator="RU", host_country="SY", location=Point(1, 1, srid=4326)
    )
    asset_type = AssetType.objects.create(slug="jets", name="Jets", category="transport_aircraft")
    for day, source in zip(itertools.count(1), sources, strict=False):
        make_observation(site, asset_type, dt.date(2024, 12, day), sources=[source])
    page = markup_of(Client().get("/sites/links/").content.decode())
    assert len(sources) >= 4 and {source.url for source in sources} <= set(page.links)  # the links are there
    # The page's own scripts: Leaflet, the atlas reader, the base map, Chart.js, common, site, the chart's data.
    assert page.dangers == [] and page.elements["script"] <= 7 and page.elements["img"] == 0
