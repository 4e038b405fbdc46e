"""The data export holds what became of one's comments (dispositions) and one's
applications for the council's empty seat, and nothing of anyone else's."""

import datetime

import pytest
from django.utils import timezone

from consultations.models import Disposition, Provision
from council.models import AgendaItem, CouncilSession, EmptySeatApplication
from discussions.models import Comment
from privacy import export_data
from tests.consultations.helpers import make_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _application(user, organisation, registration):
    session = CouncilSession.objects.create(
        kind="ordinaria",
        number=registration[-3:],
        starts_at=timezone.now() + datetime.timedelta(days=20),
        place="Salón de la Ciudad",
    )
    item = AgendaItem.objects.create(session=session, position=1, title="Ordenanza de arbolado")
    return EmptySeatApplication.objects.create(
        item=item,
        applicant=user,
        organisation=organisation,
        legal_registration=registration,
        legal_representative="Marta Quishpe",
        delegate="Luis Andrango",
        delegate_email="luis@example.ec",
        contact_email="barrio@example.ec",
    )


def test_dispositions_and_empty_seat_applications_are_exported(territory):
    person, other = UserFactory(), UserFactory()
    consultation = make_consultation(closes=-1, opens=-10)
    thread = Provision.objects.filter(version__consultation=consultation, key="art-1").get().thread
    mine = Comment.objects.create(thread=thread, author=person, body="Mío")
    theirs = Comment.objects.create(thread=thread, author=other, body="Ajeno")
    for comment, outcome, reason in (
        (mine, "no_acogida", "Fuera de plazo"),
        (theirs, "acogida", ""),
    ):
        Disposition.objects.create(
            consultation=consultation, comment=comment, outcome=outcome, reason=reason
        )
    _application(person, "Comité Barrial La Roldós", "MIES-2020-001")
    _application(other, "Liga Barrial Ajena", "MIES-2020-002")

    data = export_data.collect(person)

    assert [(row["comentario_id"], row["motivo"]) for row in data["disposiciones_comentarios"]] == [
        (mine.pk, "Fuera de plazo")
    ]
    assert [row["organizacion"] for row in data["solicitudes_silla_vacia"]] == [
        "Comité Barrial La Roldós"
    ]
    header, rows = export_data.flat_rows("solicitudes_silla_vacia", data["solicitudes_silla_vacia"])
    assert set(rows[0]) <= set(header)
