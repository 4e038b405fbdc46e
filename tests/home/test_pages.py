"""Public pages: content, query counts, weight, search, health, security headers."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.demo import load_demo
from territory.models import NewsPage, ZonePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(territory):
    load_demo()


def count_queries(client, url):
    client.get(url)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


def test_home_lists_the_ten_zones_in_spanish(client, site):
    response = client.get("/")
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert html.count('class="card"><a href="/zonas/') == 10
    assert "Administraciones zonales" in html
    assert 'href="#contenido"' in html  # skip link


def test_zone_page_shows_parishes_contact_and_news(client, site):
    html = client.get("/zonas/choco-andino/").content.decode()
    assert "Administración Zonal Chocó Andino" in html
    assert "6 parroquias rurales" in html
    for parish in ("Nanegalito", "Pacto", "Nono"):
        assert parish in html
    assert "02 395 2300" in html
    assert "Asambleas barriales 2026 en Chocó Andino" in html
    assert "03/11/2026" in html  # dd/mm/aaaa


def test_mariscal_explains_it_holds_no_whole_parish(client, site):
    html = client.get("/zonas/la-mariscal/").content.decode()
    assert "no contiene parroquias completas" in html


def test_home_query_count_does_not_grow_with_zones_news(client, site):
    first, _ = count_queries(client, "/")
    calderon = ZonePage.objects.get(zone__slug="calderon")
    for n in range(5):
        calderon.add_child(instance=NewsPage(title=f"Más {n}", slug=f"mas-{n}", date="2026-10-01"))
    second, _ = count_queries(client, "/")
    assert first == second
    assert first <= 13  # 12, and one for the public works summary (counts and money at once)


def test_zone_page_query_count_is_flat(client, site):
    first, _ = count_queries(client, "/zonas/calderon/")
    calderon = ZonePage.objects.get(zone__slug="calderon")
    for n in range(8):
        calderon.add_child(
            instance=NewsPage(title=f"Nota {n}", slug=f"nota-{n}", date="2026-10-01")
        )
    second, _ = count_queries(client, "/zonas/calderon/")
    assert first == second
    assert first <= 26  # the zone page also lists consultations, assemblies and budgets


def test_home_page_weight_is_under_100_kb(client, site):
    html = client.get("/").content
    total = len(html)
    for path in re.findall(rb'(?:href|src)="/static/([^"]+)"', html):
        found = finders.find(path.decode())
        assert found, path
        with open(found, "rb") as handle:
            total += len(handle.read())
    assert total < 100 * 1024, total


def test_search_is_accent_insensitive(client, site):
    html = client.get("/buscar/", {"q": "Choco Andino"}).content.decode()
    assert "Administración Zonal Chocó Andino" in html
    html = client.get("/buscar/", {"q": "politica de privacidad"}).content.decode()
    assert "Política de privacidad" in html


def test_search_without_query_and_with_garbage(client, site):
    assert client.get("/buscar/").status_code == 200
    response = client.get("/buscar/", {"q": "x" * 5000, "page": "abc"})
    assert response.status_code == 200


def test_english_is_available(client, site):
    client.cookies["django_language"] = "en"
    html = client.get("/zonas/calderon/").content.decode()
    assert '<html lang="en">' in html
    assert "Parishes" in html


def test_csp_header_has_a_nonce_free_strict_script_policy(client, site):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "<script>" not in response.content.decode()
