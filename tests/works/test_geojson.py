"""Open data of works: GeoJSON (RFC 7946) and CSV with the list's filters, their licence,
no personal data, server-side clustering whose counts add up, and the list, the map and the
CSV always showing the same set of works."""

import csv
import io
import json
import math
import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quitodecide import exports
from territory.models import Zone
from tests.budgets.builders import make_cycle, make_resident, make_staff
from tests.works.builders import make_work
from tests.works.test_views import bulk_works, listed_codes
from works import services
from works.models import CommitteeMember, Work
from works.status import WorkStatus

pytestmark = pytest.mark.django_db


def geojson(client, query=""):
    response = client.get(f"/obras/geojson/{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"  # RFC 7946, section 12
    return json.loads(response.content)


def csv_rows(client, query=""):
    response = client.get(f"/obras/csv/{query}")
    assert response.status_code == 200
    text = response.content.decode("utf-8").removeprefix(exports.BOM)
    return list(csv.DictReader(io.StringIO(text)))


def assert_rfc7946(data):
    """The members RFC 7946 requires, with [longitude, latitude] numbers."""
    assert data["type"] == "FeatureCollection"
    assert isinstance(data["features"], list)
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lon, lat))
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        if "bbox" in feature:
            west, south, east, north = feature["bbox"]
            assert west <= lon <= east and south <= lat <= north
    if "bbox" in data:
        assert len(data["bbox"]) == 4 and data["bbox"][0] <= data["bbox"][2]


# --- the format ---------------------------------------------------------------------------
def test_geojson_is_rfc7946_with_lon_lat_numbers_and_properties(client, territory):
    work = make_work(
        status=WorkStatus.UNDER_WAY, latitude=Decimal("-0.098123"), longitude=Decimal("-78.421987")
    )
    make_work(latitude=None, longitude=None, title="Sin ubicación")
    data = geojson(client)
    assert_rfc7946(data)
    [feature] = data["features"]  # the work without a position is counted, not drawn
    assert feature["geometry"]["coordinates"] == [-78.421987, -0.098123]  # lon first
    properties = feature["properties"]
    assert properties["code"] == work.code
    assert properties["status"] == WorkStatus.UNDER_WAY
    assert properties["physical_progress"] == 30 and properties["financial_progress"] == 40
    assert properties["amount_assigned_usd"] == 50000
    assert properties["url"] == f"/obras/{work.code}/"
    assert properties["count"] == 1 and properties["cluster"] is False
    assert data["total"] == 2 and data["located"] == 1 and data["without_location"] == 1


def test_open_data_carries_the_licence_and_attribution(client, territory):
    make_work()
    data = geojson(client)
    assert data["license"] == "CC BY 4.0"
    assert data["license_url"].startswith("https://creativecommons.org/licenses/by/4.0")
    assert "Quito" in data["attribution"]
    response = client.get("/obras/csv/")
    assert 'rel="license"' in response["Link"]
    rows = csv_rows(client)
    assert rows and {row["licence"] for row in rows} == {"CC BY 4.0"}
    assert re.fullmatch(r'attachment; filename="obras\.csv"', response["Content-Disposition"])


def test_open_data_has_no_personal_data(client, territory):
    staff = make_staff("calderon")
    staff.email = "tecnica.zonal@example.ec"
    staff.save()
    work = make_work(status=WorkStatus.UNDER_WAY, staff=staff, contractor_ruc="")
    CommitteeMember.objects.create(
        work=work,
        display_name="Rosa Comité",
        consents_to_publish_name=True,
        phone="0991234567",
        email="rosa.comite@example.ec",
    )
    resident = make_resident("calderon")
    resident.email = "vecina.observa@example.ec"
    resident.save()
    resident.resident.display_name = "Vecina Observadora"
    resident.resident.save()
    services.observation_post(
        work=work, user=resident, assessment="avanza", text="Se ve avance en la calzada."
    )
    payloads = [
        client.get("/obras/geojson/").content.decode(),
        client.get("/obras/geojson/?zoom=3").content.decode(),
        client.get("/obras/csv/").content.decode(),
    ]
    for payload in payloads:
        for secret in (
            "Rosa Comité",
            "0991234567",
            "rosa.comite@example.ec",
            "tecnica.zonal@example.ec",
            "vecina.observa@example.ec",
            "Vecina Observadora",
            "Se ve avance en la calzada.",
            "@example.ec",
        ):
            assert secret not in payload
    row = csv_rows(client)[0]
    assert not {"author", "author_id", "email", "committee", "contractor_ruc"} & set(row)


# --- clustering ---------------------------------------------------------------------------
@pytest.mark.parametrize("zoom", [0, 5, 10, 13, 16, 20])
def test_cluster_counts_add_up_to_the_filtered_total(client, territory, zoom):
    bulk_works(300)
    for query in ("", "&zona=calderon", "&estado=en_ejecucion&anio=2026"):
        data = geojson(client, f"?zoom={zoom}{query}")
        assert_rfc7946(data)
        assert data["zoom"] == zoom
        counts = [feature["properties"]["count"] for feature in data["features"]]
        assert sum(counts) == data["located"]
        filters = {
            "": {},
            "&zona=calderon": {"zone__slug": "calderon"},
            "&estado=en_ejecucion&anio=2026": {"status": "en_ejecucion", "year": 2026},
        }[query]
        expected = Work.objects.filter(latitude__isnull=False, **filters).count()
        assert data["located"] == expected
        for feature in data["features"]:
            properties = feature["properties"]
            if properties["cluster"]:
                assert properties["count"] >= 2
                assert sum(properties["statuses"].values()) == properties["count"]
                assert "url" not in properties and "code" not in properties
            else:
                assert properties["count"] == 1


def test_zooming_in_splits_clusters(client, territory):
    bulk_works(200, zones=("calderon",))
    far = geojson(client, "?zoom=2")["features"]
    near = geojson(client, "?zoom=18")["features"]
    assert len(far) == 1 and far[0]["properties"]["count"] == 180  # one in ten has no position
    assert len(near) > len(far)
    assert any(not feature["properties"]["cluster"] for feature in near)


def test_without_zoom_every_work_is_a_plain_point(client, territory):
    bulk_works(60)
    data = geojson(client)
    assert data["zoom"] is None
    assert len(data["features"]) == Work.objects.filter(latitude__isnull=False).count()
    assert not any(feature["properties"]["cluster"] for feature in data["features"])


@pytest.mark.parametrize("zoom", ["-1", "21", "abc", "1e3"])  # NUL: tests/test_nul_input.py
def test_an_unusable_zoom_is_ignored(client, territory, zoom):
    bulk_works(10)
    data = geojson(client, f"?zoom={zoom}")
    assert data["zoom"] is None and "zoom" in data["ignored_filters"]
    assert not any(feature["properties"]["cluster"] for feature in data["features"])


def test_bbox_cuts_the_set_and_bad_bbox_is_ignored(client, territory):
    inside = make_work(latitude=Decimal("-0.10"), longitude=Decimal("-78.40"))
    make_work(latitude=Decimal("-0.30"), longitude=Decimal("-78.60"))
    data = geojson(client, "?bbox=-78.45,-0.15,-78.35,-0.05")
    assert [f["properties"]["code"] for f in data["features"]] == [inside.code]
    assert data["located"] == 1 and data["total"] == 2
    for bad in ("1,2,3", "a,b,c,d", "10,0,-10,5", "-78,-100,-77,0", "nan,0,1,1"):
        data = geojson(client, f"?bbox={bad}")
        assert "bbox" in data["ignored_filters"] and len(data["features"]) == 2


def test_unknown_filters_are_named_in_the_geojson(client, territory):
    bulk_works(8)
    data = geojson(client, "?zona=atlantida&anio=dos")
    assert set(data["ignored_filters"]) == {"zona", "anio"}
    assert data["total"] == 8 and data["filters"] == {}


# --- list, map and CSV show the same set --------------------------------------------------
ZONES = ["", "calderon", "eloy-alfaro", "no-existe"]
STATUSES = ["", *WorkStatus.values, "inventado"]
YEARS = ["", "2025", "2026", "1999", "dos"]
SOURCES = ["", "municipal", "presupuesto_participativo", "privado"]


@pytest.fixture
def spread_works(territory):
    cycle = make_cycle("calderon")
    bulk_works(48, cycle=cycle)
    return Work.objects.count()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    zone=st.sampled_from(ZONES),
    status=st.sampled_from(STATUSES),
    year=st.sampled_from(YEARS),
    source=st.sampled_from(SOURCES),
    parish_index=st.sampled_from([None, 0, 1]),
)
def test_list_geojson_and_csv_agree_on_the_set(
    client, spread_works, zone, status, year, source, parish_index
):
    params = {"zona": zone, "estado": status, "anio": year, "origen": source}
    if parish_index is not None:
        parishes = Zone.objects.get(slug="calderon").parishes.order_by("name")
        params["parroquia"] = str(parishes[parish_index].pk)
    query = "?" + "&".join(f"{key}={value}" for key, value in params.items() if value)
    listed = set(listed_codes(client.get(query.replace("?", "/obras/?por_pagina=100&", 1))))
    located = set(
        Work.objects.filter(code__in=listed, latitude__isnull=False).values_list("code", flat=True)
    )
    mapped = {f["properties"]["code"] for f in geojson(client, query)["features"]}
    downloaded = {row["code"] for row in csv_rows(client, query)}
    assert downloaded == listed
    assert mapped == located
    clustered = geojson(client, (query + "&" if query != "?" else "?") + "zoom=12")
    assert sum(f["properties"]["count"] for f in clustered["features"]) == len(located)


# --- the export registry --------------------------------------------------------------------
def test_both_downloads_are_the_declared_export(client, territory):
    make_work()
    for url, fmt in (("/obras/csv/", "csv"), ("/obras/geojson/", "json")):
        response = client.get(url)
        assert response.export == "works.opendata" and response.export_format == fmt
    assert "works.opendata" in exports.registry()


def exercise_works_opendata(client):
    """For tests/test_exports.py's EXERCISERS: residents' formulas typed as titles run
    through both downloads (CSV escaped, GeoJSON kept as typed)."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe, csv_cells

    for formula in CORPUS:
        make_work(title=formula, barrio_name=formula)
    csv_response = client.get("/obras/csv/")
    json_response = client.get("/obras/geojson/")
    rows = csv_cells(csv_response)
    numeric = {
        "year",
        "physical_progress",
        "financial_progress",
        "amount_assigned_usd",
        "amount_contracted_usd",
        "amount_executed_usd",
        "latitude",
        "longitude",
    }
    assert_formula_safe(rows, numeric_columns=numeric)
    assert_corpus_escaped(rows)
    titles = {f["properties"]["title"] for f in json.loads(json_response.content)["features"]}
    assert set(CORPUS) <= titles
    return [csv_response, json_response]


def test_formula_corpus_through_the_works_downloads(client, territory):
    responses = exercise_works_opendata(client)
    assert {response.export_format for response in responses} == {"csv", "json"}


def test_clustering_is_independent_of_order(territory):
    """The same works in another order give the same clusters (cells, not first-come)."""
    from works import selectors

    bulk_works(120)
    one = selectors.geojson(selectors.filtered_works({"orden": "codigo"}), zoom=11)
    two = selectors.geojson(selectors.filtered_works({"orden": "monto"}), zoom=11)

    def key(data):
        return sorted(
            (f["properties"]["count"], *[round(c, 6) for c in f["geometry"]["coordinates"]])
            for f in data["features"]
        )

    assert key(one) == key(two)
    assert all(math.isfinite(c) for f in one["features"] for c in f["geometry"]["coordinates"])
