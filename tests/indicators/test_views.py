"""/indicadores/: year against year, the charts' accessible structure (the numbers in each
chart's table are the computed values), the zone filter, parishes without participation,
the methodology sheets (page and JSON), the dataset, and bad filters that never fail."""

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup

from indicators import definitions as d
from indicators.compute import compute
from quitodecide import exports

from .builders import A, build_history

pytestmark = pytest.mark.django_db


def soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def chart(document, chart_id):
    """The chart's SVG and its data table as {row label: [numbers]}."""
    box = document.find(id=chart_id)
    svg = box.find("svg", class_="chart-svg")
    table = box.find("table")
    data = {
        tr.th.get_text(strip=True): [float(td["data-value"]) for td in tr.find_all("td")]
        for tr in table.tbody.find_all("tr")
    }
    header = [th.get_text(strip=True) for th in table.thead.find_all("th")][1:]
    return svg, data, header


def assert_accessible_svg(svg):
    assert svg["role"] == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert title.get_text(strip=True) and desc.get_text(strip=True)
    assert svg["aria-labelledby"].split() == [title["id"], desc["id"]]
    # Every bar says its series and value in text: meaning never rests on colour alone.
    texts = [t.get_text() for t in svg.find_all("text", class_="chart-value")]
    assert len(texts) == len(svg.find_all("rect", recursive=True)) - _pattern_rects(svg)
    assert all(": " in text for text in texts)


def _pattern_rects(svg):
    return sum(len(pattern.find_all("rect")) for pattern in svg.find_all("pattern"))


def test_year_against_year_with_accessible_charts_whose_tables_hold_the_values(client, territory):
    build_history()
    rows = compute()["rows"]
    document = soup(client.get("/indicadores/"))  # the latest year (2022) against 2021

    comparison = {
        (tr["data-indicator"], tr["data-category"]): [
            td.get_text(strip=True) for td in tr.find_all("td")
        ]
        for tr in document.find(id="comparison").tbody.find_all("tr")
    }
    assert comparison[(d.COMMENTS, "")] == ["1", "4", "+3"]  # city: 1 in 2021, 4 in 2022
    assert comparison[(d.ASSEMBLIES, "barrial")] == ["2", "4", "+2"]
    assert comparison[(d.ASSEMBLIES, "zonal")] == ["1", "0", "−1"]
    assert comparison[(d.PARTICIPANTS, "")] == ["1", "3", "+2"]
    assert comparison[(d.PROGRESS, "")] == ["—", "40,00", "—"]  # no works in 2021
    assert comparison[(d.PER_THOUSAND, "")] == ["0,33", "0,67", "+0,34"]

    svgs = document.find_all("svg", class_="chart-svg")
    # participation, assemblies, attendance, per 1,000, works, social actors, training
    assert len(svgs) == 7
    for svg in svgs:
        assert_accessible_svg(svg)

    svg, data, header = chart(document, "chart-assemblies")
    assert header == ["2021", "2022"]
    labels = d.category_labels()[d.ASSEMBLIES]
    for kind, label in labels.items():
        expected = [
            next(
                r["value"]
                for r in rows
                if r["indicator"] == d.ASSEMBLIES
                and r["zone"] is None
                and r["year"] == year
                and r["category"] == kind
            )
            for year in (2021, 2022)
        ]
        assert data[str(label)] == expected
    assert data[str(labels["barrial"])] == [2, 4]

    _svg, works, _header = chart(document, "chart-works")
    assert works[str(d.category_labels()[d.WORKS]["en_ejecucion"])] == [0, 2]
    _svg, per_parish, header = chart(document, "chart-per-thousand")
    assert header == ["2022"] and sorted(per_parish.values()) == [[0.0], [1.0]]
    _svg, attendance, _header = chart(document, "chart-attendance")
    assert attendance[str(labels["barrial"])] == [0, 23]

    history = document.find(id="assembly-history").tbody.find_all("tr")
    assert [tr.th.get_text() for tr in history] == ["2021", "2022"]
    assert history[0].find_all("td")[-1].get_text() == "3"  # 2 barrio + 1 zonal in 2021
    assert history[1].find_all("td")[-1].get_text() == "5"  # 4 barrio + 1 parish in 2022


def test_zone_and_year_filters_and_parishes_without_participation(client, territory):
    history = build_history()
    document = soup(client.get("/indicadores/", {"zona": A, "anio": "2022"}))
    listed = {li["data-dpa"] for li in document.select(".quiet-list li")}
    assert listed == {p.dpa_code for p in history["A"][5:]}
    assert document.find(id="quiet-count")["data-count"] == "4"
    _svg, data, header = chart(document, "chart-assemblies")
    barrial = str(d.category_labels()[d.ASSEMBLIES]["barrial"])
    assert data[barrial] == [2, 3]  # zone A: 2 in 2021, 3 in 2022

    document = soup(client.get("/indicadores/", {"zona": A, "anio": "2021"}))
    _svg, data, header = chart(document, "chart-assemblies")
    assert header == ["2020", "2021"] and data[barrial] == [0, 2]
    listed = {li["data-dpa"] for li in document.select(".quiet-list li")}
    assert listed == {p.dpa_code for p in history["A"][1:]}

    document = soup(client.get("/indicadores/", {"anio": "2022"}))  # the whole city
    assert document.find(id="quiet-count")["data-count"] == "59"


@pytest.mark.parametrize(
    "query",
    [
        {"zona": "no-existe"},
        {"anio": "dos mil"},
        {"anio": "99999999999999999999999"},
        {"anio": "-1", "zona": "calderon"},
        {"anio": "1990"},
        {"zona": "<script>", "anio": "2021.5"},
    ],
)
def test_bad_filters_are_ignored_with_a_notice(client, territory, query):
    response = client.get("/indicadores/", query)
    assert response.status_code == 200
    assert b'role="alert"' in response.content
    assert b"<script>" not in response.content


def test_no_data_yet_and_repeated_parameters(client, territory):
    response = client.get("/indicadores/")
    assert response.status_code == 200
    response = client.get("/indicadores/?zona=calderon&zona=eloy-alfaro&anio=&anio=x")
    assert response.status_code == 200
    assert client.post("/indicadores/").status_code == 405


def test_methodology_sheet_page_and_json(client, territory):
    build_history()
    document = soup(client.get(f"/indicadores/{d.ASSEMBLIES}/"))
    fields = [dt.get_text(strip=True) for dt in document.select(".sheet-fields dt")]
    # definition, formula, source, unit, breakdowns, periodicity, responsible
    assert len(fields) == 7
    assert document.find(id="values").tbody.find_all("tr")

    response = client.get(f"/indicadores/{d.ASSEMBLIES}.json")
    assert response.status_code == 200 and response.export == "indicators.sheet"
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    sheet = data["methodology"]
    assert sheet["slug"] == d.ASSEMBLIES and sheet["unit"] == "assemblies"
    assert set(sheet) == {
        "slug",
        "name",
        "definition",
        "formula",
        "source",
        "unit",
        "breakdowns",
        "periodicity",
        "responsible",
    }
    city_2022 = {
        v["category"]: v["value"] for v in data["values"] if v["zone"] is None and v["year"] == 2022
    }
    assert city_2022 == {"barrial": 4, "parroquial": 1, "zonal": 0, "quito": 0}

    assert client.get("/indicadores/no-existe/").status_code == 404
    missing = client.get("/indicadores/no-existe.json")
    assert missing.status_code == 404 and "error" in json.loads(missing.content)


def test_every_sheet_renders(client, territory):
    for indicator in d.INDICATORS:
        assert client.get(f"/indicadores/{indicator.slug}/").status_code == 200
        assert client.get(f"/indicadores/{indicator.slug}.json").status_code == 200


def test_the_dataset_downloads(client, territory):
    build_history()
    response = client.get("/indicadores/datos.csv")
    assert response.status_code == 200 and response.export == "indicators.dataset"
    text = response.content.decode("utf-8")
    assert text.startswith(exports.BOM)
    rows = list(csv.DictReader(io.StringIO(text.removeprefix(exports.BOM))))
    barrial = [
        r
        for r in rows
        if r["indicator"] == d.ASSEMBLIES
        and r["zone"] == ""
        and r["year"] == "2022"
        and r["category"] == "barrial"
    ]
    assert len(barrial) == 1 and barrial[0]["value"] == "4"
    response = client.get("/indicadores/datos.json")
    data = json.loads(response.content)
    assert len(data["values"]) == len(rows)
    assert [m["slug"] for m in data["methodologies"]] == [i.slug for i in d.INDICATORS]


def test_the_dataset_is_in_the_catalogue(territory):
    from opendata import registry

    dataset = registry.dataset("indicadores-participacion")
    assert [dist.url() for dist in dataset.distributions] == [
        "/indicadores/datos.csv",
        "/indicadores/datos.json",
    ]
    assert dataset.modified() is None  # nothing yet


def test_every_methodology_sheet_is_in_the_catalogue(client, territory):
    from opendata import registry

    dataset = registry.dataset("indicadores-fichas-metodologicas")
    urls = [dist.url() for dist in dataset.distributions]
    assert urls == [f"/indicadores/{indicator.slug}.json" for indicator in d.INDICATORS]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and response.export == "indicators.sheet"
