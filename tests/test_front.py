"""Public pages: the site list and a site page, rendered from the demo data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import make_asset_type, make_observation, make_site

pytestmark = pytest.mark.django_db


def test_index_lists_demo_sites_with_current_posture(client, demo):
    response = client.get(reverse("front:index"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("Khmeimim Air Base", "Tartus naval facility", "al-Khadim Air Base", "Bamako–Sénou"):
        assert name in page
    assert "An-124 Ruslan: 2" in page


def test_site_page_shows_counts_over_time_and_movements(client, demo):
    response = client.get(reverse("front:site", args=["bamako-senou"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Il-76" in page
    assert "RA-76845" in page and "al-Khadim Air Base" in page


def test_unknown_site_is_404(client, db):
    assert client.get(reverse("front:site", args=["nowhere"])).status_code == 404


def test_site_without_observations_says_so(client, db):
    site = make_site()
    page = client.get(site.get_absolute_url()).content.decode()
    assert "No published observations of this site yet." in page


def test_user_text_is_escaped(client, db):
    site = make_site(name="<script>alert(1)</script>")
    response = client.get(site.get_absolute_url())
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


@pytest.mark.parametrize("sites", [2, 15])
def test_query_counts_do_not_grow_with_rows(client, db, sites, django_assert_max_num_queries):
    asset_type = make_asset_type()
    for _ in range(sites):
        site = make_site()
        for day in (1, 2, 3):
            make_observation(site, asset_type, dt.date(2024, 12, day))
    with django_assert_max_num_queries(2):
        client.get(reverse("front:index"))
    with django_assert_max_num_queries(4):
        client.get(site.get_absolute_url())
