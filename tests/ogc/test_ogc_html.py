"""OGC API - Features as HTML (conformance class html), in-process: which encoding each request gets,
the links between the two, the pages' content, caching headers and escaping."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point

from basewatch.ogc.templatetags.ogc_text import code_spans
from tests.factories import make_asset_type, make_movement, make_observation, make_site

pytestmark = pytest.mark.django_db

HTML = "text/html; charset=utf-8"
JSON_TYPES = ("application/json", "application/geo+json", "application/schema+json")
# What Chromium and Firefox send when following a link.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def rows():
    alpha = make_site(slug="alpha", name="Alpha", location=Point(10, 20, srid=4326))
    beta = make_site(slug="beta", name="Beta", location=Point(30, 40, srid=4326))
    jets = make_asset_type(slug="jets", name="Jets")
    return {
        "alpha": alpha,
        "beta": beta,
        "observation": make_observation(alpha, jets, dt.date(2024, 12, 1), count=3),
        "movement": make_movement(alpha, beta, jets, departed=dt.date(2024, 12, 10), arrived=dt.date(2024, 12, 12)),
    }


def every_page(rows) -> list[str]:
    return [
        "/ogc/",
        "/ogc/conformance",
        "/ogc/api",
        "/ogc/collections",
        "/ogc/collections/sites",
        "/ogc/collections/observations/queryables",
        "/ogc/collections/sites/items",
        "/ogc/collections/sites/items/alpha",
        "/ogc/collections/observations/items",
        f"/ogc/collections/observations/items/{rows['observation'].pk}",
        "/ogc/collections/movements/items",
        f"/ogc/collections/movements/items/{rows['movement'].pk}",
    ]


class Page(HTMLParser):
    """The links, tables' cells and json_script data of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []  # <a> and <link>, with their text
        self.scripts: dict[str, str] = {}
        self.tags: list[str] = []
        self._open: dict | None = None
        self._script: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag in ("a", "link"):
            self.links.append({**attrs, "text": ""})
            self._open = self.links[-1] if tag == "a" else None
        if tag == "script" and attrs.get("type") == "application/json":
            self._script = attrs["id"]
            self.scripts[self._script] = ""

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data
        if self._script is not None:
            self.scripts[self._script] += data

    def hrefs(self, text: str) -> list[str]:
        return [link["href"] for link in self.links if link["text"].strip() == text]


def page_of(response) -> Page:
    assert response["Content-Type"] == HTML, response.content[:300]
    return Page(response.content.decode())


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, False),  # OWSLib, curl, GDAL's requests for the OpenAPI document
        ("*/*", False),  # httpx, requests, ogctests
        ("application/json", False),  # QGIS
        ("application/geo+json, application/json", False),  # GDAL's OAPIF items
        ("text/html;q=0.5, application/json", False),
        ("application/json, text/html", False),  # a tie goes to JSON
        (BROWSER, True),
        ("text/html", True),
        ("text/*", True),
    ],
)
def test_the_accept_header_chooses_html_only_over_json(client, rows, accept, html):
    headers = {"Accept": accept} if accept else {}
    for path in ["/ogc/", "/ogc/collections/sites/items", f"/ogc/collections/movements/items/{rows['movement'].pk}"]:
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        if html:
            assert response["Content-Type"] == HTML
        else:
            assert response["Content-Type"].startswith(JSON_TYPES), (path, accept, response["Content-Type"])
            response.json()
        assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    ("f", "accept", "html"),
    [
        ("html", "application/json", True),
        ("html", None, True),
        ("json", BROWSER, False),
        ("geojson", BROWSER, False),
    ],
)
def test_f_overrides_the_accept_header(client, rows, f, accept, html):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/ogc/collections/sites/items", {"f": f}, headers=headers)
    assert response.status_code == 200
    assert (response["Content-Type"] == HTML) is html


def test_an_unknown_f_is_a_json_400_naming_it_even_for_a_browser(client, rows):
    response = client.get("/ogc/collections/sites/items", {"f": "xml"}, headers={"Accept": BROWSER})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["parameter"] == "f"


def test_every_endpoint_is_a_page_linking_its_json(client, rows):
    for path in every_page(rows):
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 200, path
        page = page_of(response)
        [head] = [link for link in page.links if link.get("rel") == "alternate" and "f=json" in link["href"]]
        assert head["type"].startswith(("application/json", "application/geo+json", "application/schema+json",
                                        "application/vnd.oai.openapi+json"))  # fmt: skip
        json_form = client.get(head["href"], headers={"Accept": BROWSER})
        assert json_form["Content-Type"] == head["type"], path
        json_form.json()
        assert "main" in page.tags and "nav" in page.tags  # the site's own page, with its navigation


def test_pages_show_the_descriptions_code_spans_as_code_not_backticks(client, rows):
    """The JSON descriptions mark names as Markdown code (`datetime`); a page shows them as code."""
    for path in ("/ogc/", "/ogc/collections", "/ogc/collections/sites", "/ogc/collections/sites/queryables"):
        html = client.get(path, headers={"Accept": BROWSER}).content.decode()
        assert "`" not in html, path
    html = client.get("/ogc/collections/sites", headers={"Accept": BROWSER}).content.decode()
    assert "as of the <code>datetime</code> day" in html
    assert code_spans("<b>`a<b>` & `c`") == "&lt;b&gt;<code>a&lt;b&gt;</code> &amp; <code>c</code>"  # escaped first


def test_every_json_document_with_links_links_its_html_form(client, rows):
    for path in every_page(rows):
        document = client.get(path).json()
        if "links" not in document:  # the conformance declaration, the OpenAPI and JSON Schema documents
            continue
        [alternate] = [link for link in document["links"] if link["rel"] == "alternate"]
        assert alternate["type"] == "text/html"
        assert alternate["href"] == f"http://testserver{path}?f=html"
        assert client.get(alternate["href"])["Content-Type"] == HTML


def test_the_landing_page_links_its_documentation_and_navigates_to_the_features(client, rows):
    links = {link["rel"]: link for link in client.get("/ogc/").json()["links"]}
    assert links["service-doc"]["type"] == "text/html"
    docs = client.get(links["service-doc"]["href"])
    assert docs.status_code == 200 and docs["Content-Type"] == HTML
    assert 'data-url="http://testserver/ogc/api?f=json"' in docs.content.decode()

    landing = page_of(client.get("/ogc/", headers={"Accept": BROWSER}))
    assert landing.hrefs("All collections") == ["/ogc/collections"]
    assert landing.hrefs("Conformance classes") == ["/ogc/conformance"]
    collections = page_of(client.get("/ogc/collections", headers={"Accept": BROWSER}))
    assert collections.hrefs("Browse the movements") == ["/ogc/collections/movements/items"]
    assert collections.hrefs("Filters (queryables)") == [f"/ogc/collections/{c}/queryables" for c in
                                                         ("sites", "observations", "movements")]  # fmt: skip


def test_the_items_page_tables_every_feature_with_its_page_properties_and_map(client, rows):
    response = client.get("/ogc/collections/sites/items", {"f": "html", "datetime": "2024-12-02"})
    page = page_of(response)
    # A row per feature, linked to its page (with the posture day), and a column per property.
    assert page.hrefs("Alpha") == ["/ogc/collections/sites/items/alpha?datetime=2024-12-02"]
    assert page.hrefs("Beta") == ["/ogc/collections/sites/items/beta?datetime=2024-12-02"]
    text = response.content.decode()
    headers = re.findall(r'<th scope="col">([^<]*)</th>', text)
    assert headers[:4] == ["Feature", "slug", "name", "aliases"]
    assert "posture_total" in headers and "posture" in headers
    assert '<td data-label="posture_total"><div class="cell">3</div></td>' in text  # alpha's jets on 2 December
    drawn = json.loads(page.scripts["ogc-map"])["features"]["features"]
    assert [feature["geometry"] for feature in drawn] == [
        {"type": "Point", "coordinates": [10.0, 20.0]},
        {"type": "Point", "coordinates": [30.0, 40.0]},
    ]
    assert drawn[0]["properties"] == {"title": "Alpha", "url": "/ogc/collections/sites/items/alpha?datetime=2024-12-02"}


def test_the_items_page_pages_as_its_json_does(client, rows):
    first = page_of(client.get("/ogc/collections/sites/items", {"f": "html", "limit": "1"}))
    assert first.hrefs("Alpha") == ["/ogc/collections/sites/items/alpha"]
    assert first.hrefs("← Previous page") == []
    [following] = set(first.hrefs("Next page →"))
    assert set(parse_qs(urlsplit(following).query)) == {"f", "limit", "cursor"}  # the page stays a page
    second = page_of(client.get(following))
    assert second.hrefs("Beta") == ["/ogc/collections/sites/items/beta"]
    assert second.hrefs("Next page →") == []
    [back] = set(second.hrefs("← Previous page"))
    assert page_of(client.get(back)).hrefs("Alpha") == ["/ogc/collections/sites/items/alpha"]


def test_a_feature_page_shows_its_properties_and_map(client, rows):
    movement = rows["movement"]
    response = client.get(f"/ogc/collections/movements/items/{movement.pk}", headers={"Accept": BROWSER})
    page = page_of(response)
    text = response.content.decode()
    assert "<h1>Jets: Alpha → Beta</h1>" in text
    assert "<dt>departed</dt><dd>2024-12-10</dd>" in text
    assert "<dt>count</dt><dd>—</dd>" in text  # none given
    assert page.hrefs("its page on basewatch") == [movement.get_absolute_url()]
    [drawn] = json.loads(page.scripts["ogc-map"])["features"]["features"]
    assert drawn["geometry"] == {"type": "LineString", "coordinates": [[10.0, 20.0], [30.0, 40.0]]}


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/ogc/collections/bases", 404, "No collection `bases`"),
        ("/ogc/collections/sites/items/nowhere", 404, "No site `nowhere`"),
        ("/ogc/collections/sites/items?limit=0", 400, "limit: A whole number from 1 to 1000."),
    ],
)
def test_errors_are_pages_for_a_browser_and_json_for_clients(client, rows, path, status, words):
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == status
    assert page["Content-Type"] == HTML
    assert words in page.content.decode()
    assert "Accept" in page["Vary"]
    for accept in (None, "*/*", "application/json"):
        answer = client.get(path, headers={"Accept": accept} if accept else {})
        assert answer.status_code == status
        assert answer["Content-Type"] == "application/json"
        assert words in answer.json()["description"]


def test_the_html_and_json_forms_have_their_own_etags(client, rows):
    path = "/ogc/collections/sites/items"
    json_form = client.get(path)
    page = client.get(path, headers={"Accept": BROWSER})
    assert json_form["ETag"] != page["ETag"]
    # A cache holding the JSON does not answer a browser with it, nor the reverse.
    assert client.get(path, headers={"Accept": BROWSER, "If-None-Match": json_form["ETag"]}).status_code == 200
    assert client.get(path, headers={"If-None-Match": page["ETag"]}).status_code == 200
    again = client.get(path, headers={"Accept": BROWSER, "If-None-Match": page["ETag"]})
    assert again.status_code == 304
    assert set(re.split(r",\s*", again["Vary"])) >= {"Accept", "Authorization", "Cookie"}
    assert client.get(f"{path}?f=html")["ETag"] not in (json_form["ETag"], page["ETag"])  # another URL


def test_user_text_is_escaped_in_tables_headings_and_map_data(client):
    site = make_site(slug="xss", name=XSS, aliases=[XSS], location=Point(1, 2, srid=4326))
    other = make_site(slug="other", name="Other")
    jets = make_asset_type(slug="jets", name=f"Jets {XSS}")
    observation = make_observation(site, jets, dt.date(2024, 12, 1), notes=XSS)
    movement = make_movement(site, other, jets, notes=f'"><img src=x onerror=alert(2)>{XSS}')
    for path in [
        "/ogc/collections/sites/items",
        "/ogc/collections/sites/items/xss",
        "/ogc/collections/observations/items",
        f"/ogc/collections/observations/items/{observation.pk}",
        "/ogc/collections/movements/items",
        f"/ogc/collections/movements/items/{movement.pk}",
    ]:
        response = client.get(path, {"f": "html"})
        text = response.content.decode()
        assert XSS not in text and "<img" not in text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, path
        page = Page(text)
        # The page's own: Leaflet, common, the atlas reader, the base map, ogc.js and the map's data.
        assert page.tags.count("script") == 6, path
        # The map's data is JSON inside a script element: no "<" that could close it.
        assert "<" not in page.scripts["ogc-map"]
        titles = [f["properties"]["title"] for f in json.loads(page.scripts["ogc-map"])["features"]["features"]]
        assert any(XSS in title for title in titles), path  # the text itself, for textContent


def test_the_items_page_takes_a_fixed_number_of_queries(client, rows, django_assert_max_num_queries):
    jets = rows["observation"].asset_type
    for day in range(1, 21):
        make_observation(make_site(), jets, dt.date(2024, 3, day))
    # As the JSON (test_ogc_http): the data version, count, page, sources, the test client's savepoint.
    with django_assert_max_num_queries(5):
        response = client.get("/ogc/collections/observations/items", {"f": "html", "limit": "50"})
    assert response.content.decode().count('<th scope="row"') == 21


def test_the_api_document_offers_html_and_describes_every_error(client):
    document = client.get("/ogc/api").json()
    for path, operations in document["paths"].items():
        get = operations["get"]
        [f] = [parameter for parameter in get["parameters"] if parameter["name"] == "f"]
        assert f["schema"]["enum"] == ["json", "geojson", "html"], path
        assert "text/html" in get["responses"]["200"]["content"], path
        for status in ("400", "404"):
            assert set(get["responses"][status]["content"]) == {"application/json", "text/html"}, path
