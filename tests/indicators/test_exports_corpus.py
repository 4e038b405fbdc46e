"""The indicators' downloads through the formula corpus: the exercisers for
tests/test_exports.py's EXERCISERS ("indicators.dataset" and "indicators.sheet"), run here
too. Parish names are the text that reaches the files (an admin types them)."""

import json
from decimal import Decimal

import pytest

from budgets.models import ParishEnvelope
from indicators import definitions as d
from territory.models import Parish, Zone
from tests.budgets.builders import make_cycle
from tests.works.builders import make_work

pytestmark = pytest.mark.django_db


def parishes_named_like_formulas():
    """One parish per corpus text, with a population (so each has a per-1,000 value), and
    a work so that the year has data."""
    from tests.test_exports import CORPUS

    zone = Zone.objects.get(slug="calderon")
    cycle = make_cycle("calderon", year=2026)
    for number, formula in enumerate(CORPUS):
        parish = Parish.objects.create(
            dpa_code=f"1790{number:02d}", name=formula, type=Parish.Type.RURAL, zone=zone
        )
        ParishEnvelope.objects.create(
            cycle=cycle,
            parish=parish,
            amount=Decimal("10.00"),
            method=ParishEnvelope.Method.MANUAL,
            population=1000 + number,
        )
    make_work("calderon", year=2026)


def exercise_indicators_dataset(client):
    from tests.test_exports import assert_corpus_escaped, assert_formula_safe, csv_cells, json_data

    parishes_named_like_formulas()
    csv_response = client.get("/indicadores/datos.csv")
    json_response = client.get("/indicadores/datos.json")
    rows = csv_cells(csv_response)
    assert_formula_safe(rows, numeric_columns={"year", "value"})
    assert_corpus_escaped(rows)
    data = json_data(json_response)
    assert len(data["values"]) == len(rows) - 1
    return [csv_response, json_response]


def exercise_indicators_sheet(client):
    from tests.test_exports import json_data

    parishes_named_like_formulas()
    response = client.get(f"/indicadores/{d.PER_THOUSAND}.json")
    data = json_data(response)
    assert data["methodology"]["slug"] == d.PER_THOUSAND
    return [response]


def test_formula_corpus_through_the_indicator_downloads(client, territory):
    responses = exercise_indicators_dataset(client)
    assert {response.export_format for response in responses} == {"csv", "json"}
    assert {response.export for response in responses} == {"indicators.dataset"}


def test_formula_corpus_through_a_methodology_sheet(client, territory):
    [response] = exercise_indicators_sheet(client)
    assert response.export == "indicators.sheet" and response.export_format == "json"
    values = json.loads(response.content)["values"]
    assert {value["unit"] for value in values} == {"per_1000_inhabitants"}
