"""`opengov.selectors.plans()`, what the API serves (docs in /work/notes/OPENDATA.md): each
plan with its commitments (number, title, responsible, counterpart, progress %) and their
milestones (title, status, status note, verifiables [{title, url}]), in four queries."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from opengov import selectors
from opengov.demo import load_opengov
from opengov.models import MilestoneStatus
from tests.opengov.builders import add_verifiable, make_commitment, make_plan

pytestmark = pytest.mark.django_db
S = MilestoneStatus


def test_plans_structure_for_the_second_plan():
    load_opengov()
    (plan,) = selectors.plans()
    assert {
        "slug",
        "number",
        "title",
        "start_year",
        "end_year",
        "progress_percent",
        "commitments",
    } <= set(plan)
    assert (plan["slug"], plan["start_year"], plan["end_year"]) == ("paga-2", 2022, 2023)
    assert plan["progress_percent"] == 86.4
    commitments = plan["commitments"]
    assert [c["number"] for c in commitments] == [1, 2, 3, 4, 5]
    assert [c["progress_percent"] for c in commitments] == [100.0, 75.0, 80.0, 100.0, 85.7]
    second = commitments[1]
    assert second["responsible"].startswith("Secretaría de Desarrollo Productivo")
    assert second["counterpart"] == "Universidad de los Hemisferios"
    assert (second["milestones_fulfilled"], second["milestones_total"]) == (3, 4)
    milestone = second["milestones"][2]
    assert set(milestone) == {
        "number",
        "title",
        "status",
        "status_label",
        "status_note",
        "verifiables",
    }
    assert milestone["number"] == 3 and milestone["status"] == "fulfilled_with_note"
    assert "CONQUITO" in milestone["status_note"]
    assert milestone["verifiables"] == [
        {"title": "Anexo 2.3: solicitud de inclusión de un indicador", "url": ""},
        {"title": "Anexo 2.4: informe de cumplimiento del hito 3", "url": ""},
    ]
    json.dumps(selectors.plans(), cls=DjangoJSONEncoder)  # serialisable as it is


def test_plans_come_newest_first_with_site_paths_or_absolute_document_links():
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    old = make_plan(number=1, slug="paga-1")
    new = make_plan(number=3, slug="paga-3")
    document = get_document_model().objects.create(
        title="Acta", file=ContentFile(b"%PDF-1.4", name="acta.pdf")
    )
    make_commitment(old, statuses=[S.PENDING])
    add_verifiable(make_commitment(new, statuses=[S.FULFILLED]).milestones.get(), document=document)
    plans = selectors.plans()
    assert [plan["slug"] for plan in plans] == [new.slug, old.slug]
    (verifiable,) = plans[0]["commitments"][0]["milestones"][0]["verifiables"]
    assert verifiable["url"] == document.url and verifiable["url"].startswith("/")
    absolute = selectors.plans(base_url="https://quitodecide.example/")
    url = absolute[0]["commitments"][0]["milestones"][0]["verifiables"][0]["url"]
    assert url == "https://quitodecide.example" + document.url


def test_plans_reads_in_four_queries_whatever_the_size(django_assert_num_queries):
    for number in range(1, 4):
        plan = make_plan()
        for commitment_number in range(1, 6):
            commitment = make_commitment(
                plan, number=commitment_number, statuses=[S.FULFILLED, S.PENDING] * number
            )
            for milestone in commitment.milestones.all():
                add_verifiable(milestone, url="https://example.org/x")
    with django_assert_num_queries(4):
        plans = selectors.plans()
    assert len(plans) == 3 and sum(len(p["commitments"]) for p in plans) == 15
