"""The public pages: /gobierno-abierto/ lists the plans with their commitments, progress and
milestone statuses; a commitment's page shows its milestones, the notes of "Cumplido*" and
the verifiables. Flat query counts; unknown plans and commitments are 404s."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from opengov.demo import load_opengov
from opengov.models import Milestone, MilestoneStatus
from tests.opengov.builders import add_verifiable, make_commitment, make_plan

pytestmark = pytest.mark.django_db
S = MilestoneStatus


def label(status):
    return str(S(status).label)


def test_the_list_shows_the_plan_its_commitments_progress_and_statuses(client):
    load_opengov()
    response = client.get("/gobierno-abierto/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Segundo Plan de Acción de Gobierno Abierto (2022-2023)" in html
    for number in range(1, 6):
        assert f'href="/gobierno-abierto/paga-2/compromiso-{number}/"' in html
    assert "Universidad Central del Ecuador" in html
    assert "Secretaría General del Concejo Metropolitano" in html
    # Progress bars with their figure in text (commitment 2: 3 of 4; commitment 5: 6 of 7).
    assert '<progress id="avance-paga-2-2" max="100" value="75.0">' in html
    assert '<progress id="avance-paga-2-5" max="100" value="85.7">' in html
    assert "85.7 %" in html or "85,7 %" in html
    for status in S.values:
        assert f'milestone-status-{status}">{label(status)}</span>' in html
    assert html.count("milestone-status-pending") == 3
    assert html.count("milestone-status-fulfilled_with_note") == 4


def test_a_commitment_page_shows_milestones_notes_and_verifiables(client):
    load_opengov()
    response = client.get("/gobierno-abierto/paga-2/compromiso-2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Programa cocreado de desarrollo económico local" in html
    assert html.count('class="milestone"') == 4
    # "Cumplido*" with the note its asterisk points to.
    assert f'milestone-status-fulfilled_with_note">{label(S.FULFILLED_WITH_NOTE)}</span>' in html
    assert "El 31 de marzo de 2023 CONQUITO pidió incluir un indicador" in html
    assert "Anexo 2.3: solicitud de inclusión de un indicador" in html
    assert f'milestone-status-pending">{label(S.PENDING)}</span>' in html
    assert "El evento no se realizó por el cambio de autoridades" in html
    assert 'href="https://drive.google.com/drive/folders/' in html  # the plan's repository
    linked = client.get("/gobierno-abierto/paga-2/compromiso-3/").content.decode()
    assert '<a href="https://zonales.quito.gob.ec/?page_id=29988">' in linked


def test_a_wagtail_document_verifiable_links_to_the_document(client):
    document = get_document_model().objects.create(
        title="Acta", file=ContentFile(b"%PDF-1.4", name="acta.pdf")
    )
    commitment = make_commitment(make_plan(slug="paga-3"), statuses=[S.FULFILLED])
    add_verifiable(commitment.milestones.get(), title="Acta firmada", document=document)
    html = client.get("/gobierno-abierto/paga-3/compromiso-1/").content.decode()
    assert f'<a href="{document.url}">Acta firmada</a>' in html and "(PDF)" in html


def test_the_plan_page_lists_its_commitments(client):
    load_opengov()
    response = client.get("/gobierno-abierto/paga-2/")
    assert response.status_code == 200
    assert response.content.decode().count('class="commitment-card"') == 5


@pytest.mark.parametrize(
    "path",
    [
        "/gobierno-abierto/paga-9/",
        "/gobierno-abierto/paga-9/compromiso-1/",
        "/gobierno-abierto/paga-2/compromiso-6/",
        "/gobierno-abierto/paga-2/compromiso-99999999999999999999999/",
    ],
)
def test_unknown_plans_and_commitments_are_not_found(client, path):
    load_opengov()
    assert client.get(path).status_code == 404


def test_an_empty_list_says_so(client):
    response = client.get("/gobierno-abierto/")
    assert response.status_code == 200
    assert response.context["plans"] == []


def _plans(count, milestones):
    for index in range(count):
        plan = make_plan()
        for number in range(1, 4):
            commitment = make_commitment(
                plan, number=number, statuses=[S.FULFILLED, S.PENDING] * (milestones // 2)
            )
            for milestone in commitment.milestones.all():
                add_verifiable(milestone, url=f"https://example.org/{index}/{milestone.pk}")


def test_the_list_makes_the_same_queries_for_one_plan_and_for_many(
    client, django_assert_num_queries
):
    _plans(1, 2)
    client.get("/gobierno-abierto/")  # warm the header's cached navigation
    with django_assert_num_queries(4) as small:
        client.get("/gobierno-abierto/")
    _plans(6, 20)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/gobierno-abierto/").status_code == 200


def test_a_commitment_page_makes_the_same_queries_for_few_and_many_milestones(
    client, django_assert_num_queries
):
    plan = make_plan(slug="pocos")
    few = make_commitment(plan, number=1, statuses=[S.FULFILLED])
    add_verifiable(few.milestones.get())
    many = make_commitment(plan, number=2, statuses=[S.FULFILLED, S.PENDING] * 15)
    for milestone in Milestone.objects.filter(commitment=many):
        add_verifiable(milestone)
        add_verifiable(milestone, title="Otro")
    client.get("/gobierno-abierto/pocos/compromiso-1/")  # warm the header's cached navigation
    with django_assert_num_queries(3):
        client.get("/gobierno-abierto/pocos/compromiso-1/")
    with django_assert_num_queries(3):
        assert client.get("/gobierno-abierto/pocos/compromiso-2/").status_code == 200
