"""The milestones download (CSV and JSON, through quitodecide.exports), its dataset in the
catalogue, and the exerciser tests/test_exports.py runs through the formula corpus."""

import csv
import io
import json

import pytest
from django.conf import settings
from django.utils import translation

from opendata import registry
from opengov.demo import load_opengov
from opengov.models import MilestoneStatus
from opengov.selectors import MILESTONE_COLUMNS
from quitodecide import exports
from tests.opengov.builders import add_verifiable, make_commitment, make_plan

pytestmark = pytest.mark.django_db
S = MilestoneStatus
NUMERIC = {
    "plan_start_year",
    "plan_end_year",
    "commitment_number",
    "commitment_progress_percent",
    "milestone_number",
}


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith(exports.BOM)
    return list(csv.DictReader(io.StringIO(text[len(exports.BOM) :], newline="")))


def exercise_opengov_milestones(client):
    """For tests/test_exports.py's EXERCISERS: formulas typed by staff as titles,
    responsible units, notes and verifiables run through both downloads (CSV escaped,
    JSON kept as typed)."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe, csv_cells

    plan = make_plan(title=CORPUS[0])
    for number, formula in enumerate(CORPUS, start=1):
        commitment = make_commitment(
            plan,
            number=number,
            title=formula,
            responsible=formula,
            counterpart=formula,
            statuses=[S.FULFILLED_WITH_NOTE],
        )
        milestone = commitment.milestones.get()
        milestone.title = formula
        milestone.note = formula
        milestone.save()
        add_verifiable(milestone, title=formula)
    csv_response = client.get("/gobierno-abierto/hitos.csv")
    json_response = client.get("/gobierno-abierto/hitos.json")
    rows = csv_cells(csv_response)
    assert_formula_safe(rows, numeric_columns=NUMERIC)
    assert_corpus_escaped(rows)
    milestones = json.loads(json_response.content)["milestones"]
    assert {row["milestone_title"] for row in milestones} == set(CORPUS)
    assert {v["title"] for row in milestones for v in row["verifiables"]} == set(CORPUS)
    return [csv_response, json_response]


def test_the_formula_corpus_through_the_milestones_downloads(client):
    responses = exercise_opengov_milestones(client)
    assert {response.export_format for response in responses} == {"csv", "json"}
    assert all(response.export == "opengov.milestones" for response in responses)


def test_the_csv_has_one_row_per_milestone_of_the_second_plan(client):
    load_opengov()
    response = client.get("/gobierno-abierto/hitos.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="gobierno-abierto-hitos.csv"'
    rows = csv_rows(response)
    assert len(rows) == 22 and list(rows[0]) == list(MILESTONE_COLUMNS)
    second = [row for row in rows if row["commitment_number"] == "2"]
    assert [row["status"] for row in second] == [
        "fulfilled",
        "fulfilled",
        "fulfilled_with_note",
        "pending",
    ]
    assert {row["commitment_progress_percent"] for row in second} == {"75.0"}
    assert [row["milestone_number"] for row in second] == ["1", "2", "3", "4"]
    with translation.override(settings.LANGUAGE_CODE):  # the data speaks the site's language
        assert second[2]["status_label"] == str(S.FULFILLED_WITH_NOTE.label)
    assert second[2]["verifiables"] == (
        "Anexo 2.3: solicitud de inclusión de un indicador | "
        "Anexo 2.4: informe de cumplimiento del hito 3"
    )
    linked = next(row for row in rows if "zonales.quito.gob.ec" in row["verifiable_urls"])
    assert linked["verifiable_urls"] == " | https://zonales.quito.gob.ec/?page_id=29988"


def test_the_json_keeps_the_verifiables_as_a_list_with_absolute_document_links(client):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model().objects.create(
        title="Acta", file=ContentFile(b"%PDF-1.4", name="acta.pdf")
    )
    commitment = make_commitment(make_plan(slug="paga-3"), statuses=[S.FULFILLED])
    add_verifiable(commitment.milestones.get(), title="Acta", document=document)
    response = client.get("/gobierno-abierto/hitos.json")
    data = json.loads(response.content)
    assert data["licence"] == registry.LICENCE
    (row,) = data["milestones"]
    assert row["verifiables"] == [{"title": "Acta", "url": "http://testserver" + document.url}]
    assert row["commitment_progress_percent"] == 100.0 and row["status"] == "fulfilled"


def test_a_plan_filter_and_an_unknown_plan(client):
    load_opengov()
    make_commitment(make_plan(slug="paga-3"), statuses=[S.PENDING])
    assert len(csv_rows(client.get("/gobierno-abierto/hitos.csv?plan=paga-3"))) == 1
    response = client.get("/gobierno-abierto/hitos.json?plan=paga-2")
    assert len(json.loads(response.content)["milestones"]) == 22
    assert 'filename="gobierno-abierto-hitos-paga-2.json"' in response["Content-Disposition"]
    for fmt in ("csv", "json"):
        response = client.get(f"/gobierno-abierto/hitos.{fmt}?plan=%3D1%2B1")
        assert response.status_code == 400
        assert "=1+1" in response.content.decode()


def test_the_dataset_is_in_the_catalogue_with_both_downloads():
    load_opengov()
    dataset = registry.dataset("gobierno-abierto-hitos")
    assert {d.format for d in dataset.distributions} == {"CSV", "JSON"}
    assert [column.name for column in dataset.dictionary] == list(MILESTONE_COLUMNS)
    assert dataset.modified() is not None
    assert "opengov.milestones" in exports.registry()
