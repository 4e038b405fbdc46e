"""The dataset catalogue at /datos/: every registered dataset is listed and has its page with
description, licence, frequency, formats, last update and a data dictionary that names
exactly the columns of its CSV; the datasets of budget results and consultation reports
follow what is published; the territory downloads (parishes and zones)."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets import services as budget_services
from opendata import registry
from quitodecide import exports
from quitodecide.mfa import mark_user
from territory.models import Parish, Zone
from tests.budgets.builders import make_cycle, make_request, make_staff
from tests.consultations.helpers import make_consultation
from tests.works.builders import make_work

pytestmark = pytest.mark.django_db


def published_cycle(zone="calderon", year=2026):
    cycle = make_cycle(zone, year=year, total=Decimal("50000.00"), phase="results")
    make_request(cycle, title="Parque de Carapungo", cost=Decimal("1000.00"))
    staff = make_staff(zone)
    mark_user(staff, True)
    budget_services.results_publish(cycle=cycle, actor=staff)
    return cycle, staff


def closed_consultation(slug="cerrada"):
    return make_consultation(slug=slug, opens=-20, closes=-1)


@pytest.fixture
def published(territory):
    """One of each kind of dataset: works, a cycle with results, a closed consultation."""
    make_work(title="Adoquinado de la calle Quito")
    cycle, staff = published_cycle()
    consultation = closed_consultation()
    return {"cycle": cycle, "staff": staff, "consultation": consultation}


def csv_rows(response):
    text = response.content.decode("utf-8").removeprefix(exports.BOM)
    return list(csv.reader(io.StringIO(text, newline="")))


def test_every_dataset_is_listed_with_its_formats_frequency_and_date(client, published):
    items = registry.datasets()
    slugs = {item.slug for item in items}
    assert {"obras-publicas", "parroquias", "zonas"} <= slugs
    assert "presupuestos-calderon-2026-resultados" in slugs
    assert "consulta-cerrada-informe" in slugs
    response = client.get("/datos/")
    assert response.status_code == 200
    html = response.content.decode()
    for item in items:
        assert f'href="/datos/{item.slug}/"' in html, item.slug
        assert f'data-dataset="{item.slug}"' in html
    assert "CC BY 4.0" in html and registry.LICENCE_URL in html
    assert 'rel="alternate" type="application/ld+json" href="/datos/catalogo.jsonld"' in html


def test_each_dataset_page_has_its_facts_downloads_and_dictionary(client, published):
    for item in registry.datasets():
        response = client.get(f"/datos/{item.slug}/")
        assert response.status_code == 200, item.slug
        html = response.content.decode()
        assert str(item.title) in html or str(item.title).replace("“", "&ldquo;") in html
        assert item.licence_url in html and item.frequency_label in html
        assert item.distributions, item.slug
        for distribution in item.distributions:
            assert f'href="http://testserver{distribution.url()}"' in html, distribution
        for column in item.dictionary:
            assert f"<code>{column.name}</code>" in html, (item.slug, column.name)
        assert response.context["modified"] == item.modified()


def test_every_distribution_downloads_in_its_declared_format(client, published):
    for item in registry.datasets():
        for distribution in item.distributions:
            response = client.get(distribution.url())
            assert response.status_code == 200, distribution.url()
            content_type = response["Content-Type"].split(";")[0]
            assert content_type == distribution.media_type, distribution.url()
            assert response["Content-Disposition"].startswith("attachment")


def test_the_dictionary_names_exactly_the_columns_of_each_csv(client, published):
    """A column added to a download and not described (or described and dropped) fails."""
    checked = 0
    for item in registry.datasets():
        for distribution in item.distributions:
            if distribution.format != "CSV":
                continue
            header = csv_rows(client.get(distribution.url()))[0]
            assert header == [column.name for column in item.dictionary], item.slug
            checked += 1
    assert checked >= 5


def test_every_dataset_declares_what_the_catalogue_shows(published):
    for item in registry.datasets():
        assert item.description and item.title and item.theme, item.slug
        assert item.licence == "CC-BY-4.0"
        assert item.frequency in registry.FREQUENCY_LABELS, item.slug
        assert set(item.formats) <= {"CSV", "JSON", "GeoJSON", "ZIP"}
        assert {"CSV", "JSON"} & set(item.formats), item.slug
        assert {column.type for column in item.dictionary} <= set(registry.TYPE_LABELS)


def test_datasets_with_geography_offer_geojson(published):
    for slug in ("obras-publicas", "parroquias", "zonas"):
        assert "GeoJSON" in registry.dataset(slug).formats


def test_a_cycle_leaves_the_catalogue_when_its_results_are_withdrawn(client, published):
    cycle, staff = published["cycle"], published["staff"]
    slug = "presupuestos-calderon-2026-resultados"
    item = registry.dataset(slug)
    assert item.modified() == cycle.results.latest("computed_at").computed_at
    assert client.get(f"/datos/{slug}/").status_code == 200
    download = item.distributions[0].url()
    assert download == f"/datos/descargas/{slug}/csv/"  # ours, whatever the page's address
    assert client.get(download).status_code == 200
    budget_services.results_withdraw(
        cycle=cycle, actor=staff, confirm=True, reason="Error en un acta"
    )
    assert registry.dataset(slug) is None
    assert client.get(f"/datos/{slug}/").status_code == 404
    assert client.get(download).status_code == 404
    assert f"/datos/{slug}/" not in client.get("/datos/").content.decode()


def test_only_closed_consultations_have_a_report_dataset(client, territory):
    make_consultation(slug="abierta", opens=-1, closes=10)
    closed_consultation("cerrada")
    slugs = {item.slug for item in registry.datasets()}
    assert "consulta-cerrada-informe" in slugs
    assert "consulta-abierta-informe" not in slugs


def test_unknown_dataset_and_territory_downloads_answer_404(client, territory):
    assert client.get("/datos/no-existe/").status_code == 404
    assert client.get("/datos/territorio/barrios/csv/").status_code == 404
    assert client.get("/datos/territorio/parroquias/xlsx/").status_code == 404


def test_parishes_download_in_csv_json_and_geojson(client, territory):
    parishes = Parish.objects.count()
    rows = csv_rows(client.get("/datos/territorio/parroquias/csv/"))
    header, body = rows[0], rows[1:]
    assert len(body) == parishes == 65
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert by_code["170103"]["name"] == "Centro Histórico"
    assert by_code["170103"]["zone_slug"] == "manuela-saenz"

    data = json.loads(client.get("/datos/territorio/parroquias/json/").content)
    assert data["license"] == "CC BY 4.0"
    located = [p for p in data["parroquias"] if p["latitude"] is not None]
    assert located and all(isinstance(p["latitude"], float) for p in located)

    geo = client.get("/datos/territorio/parroquias/geojson/")
    assert geo["Content-Type"] == "application/geo+json"
    features = json.loads(geo.content)["features"]
    assert len(features) == parishes
    with_point = [f for f in features if f["geometry"]]
    assert len(with_point) == Parish.objects.exclude(lat=None).exclude(lon=None).count()
    lon, lat = with_point[0]["geometry"]["coordinates"]
    parish = Parish.objects.get(dpa_code=with_point[0]["id"])
    assert (lon, lat) == (float(parish.lon), float(parish.lat))  # RFC 7946: lon first


def test_zones_download_counts_their_parishes(client, territory):
    rows = csv_rows(client.get("/datos/territorio/zonas/csv/"))
    header, body = rows[0], rows[1:]
    assert len(body) == Zone.objects.count()
    counts = {row[0]: int(row[header.index("parishes")]) for row in body}
    assert sum(counts.values()) == Parish.objects.count()
    assert counts["la-mariscal"] == 0
    moved = Parish.objects.filter(zone__slug="calderon").first()
    moved.zone = Zone.objects.get(slug="tumbaco")
    moved.save()
    rows = csv_rows(client.get("/datos/territorio/zonas/csv/"))
    after = {row[0]: int(row[header.index("parishes")]) for row in rows[1:]}
    assert after["calderon"] == counts["calderon"] - 1
    assert after["tumbaco"] == counts["tumbaco"] + 1


def test_catalogue_queries_do_not_grow_with_the_data(client, published):
    def queries():
        client.get("/datos/")  # warm what a change invalidates (page URLs, cached figures)
        with CaptureQueriesContext(connection) as context:
            assert client.get("/datos/").status_code == 200
        return len(context)

    before = queries()
    for number in range(10):
        make_work(title=f"Obra {number}")
    published_cycle("tumbaco")
    closed_consultation("otra-cerrada")
    assert queries() == before


def exercise_territory_opendata(client):
    """For tests/test_exports.py's EXERCISERS: parish and zone names typed as formulas run
    through the territory downloads (CSV escaped, JSON kept as typed)."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe, csv_cells

    parishes = list(Parish.objects.order_by("dpa_code")[: len(CORPUS)])
    for parish, formula in zip(parishes, CORPUS, strict=True):
        parish.name = formula
        parish.save()
    Zone.objects.filter(slug="calderon").update(note=CORPUS[0])
    csv_response = client.get("/datos/territorio/parroquias/csv/")
    json_response = client.get("/datos/territorio/parroquias/json/")
    rows = csv_cells(csv_response)
    assert_formula_safe(rows, numeric_columns={"latitude", "longitude"})
    assert_corpus_escaped(rows)
    names = {parish["name"] for parish in json.loads(json_response.content)["parroquias"]}
    assert set(CORPUS) <= names
    zones = csv_cells(client.get("/datos/territorio/zonas/csv/"))
    assert_formula_safe(zones, numeric_columns={"latitude", "longitude", "parishes"})
    return [csv_response, json_response]


def test_formula_corpus_through_the_territory_downloads(client, territory):
    responses = exercise_territory_opendata(client)
    assert {response.export_format for response in responses} == {"csv", "json"}
    assert "opendata.territory" in exports.registry()


def test_last_update_of_the_works_dataset_follows_the_works(published):
    item = registry.dataset("obras-publicas")
    before = item.modified()
    assert before is not None and before <= timezone.now()
    make_work(title="Otra obra")
    assert item.modified() > before
