"""Defects a hostile review found in the staff's matching corrections, kept fixed."""

import datetime

import pytest
from django.utils import timezone

from consultations import enacted, matching, services
from consultations.models import ConsultationPage
from quitodecide.errors import DomainError
from territory.models import ZonePage
from tests.consultations.helpers import make_consultation
from tests.consultations.test_identity import TEXTS, ordinance, provision, publish, save_draft, say
from tests.verification.helpers import zone_staff

pytestmark = pytest.mark.django_db

REWRITTEN = "Representación.- Cada barrio designa delegados por votación directa."


def test_the_same_draft_has_the_same_hash_whatever_its_line_ends():
    assert matching.draft_sha("Art. 1.- Uno.\n") == matching.draft_sha("Art. 1.- Uno.")
    assert matching.draft_sha("Art. 1.- Uno.\r\nArt. 2.- Dos.\r\n") == matching.draft_sha(
        "Art. 1.- Uno.\nArt. 2.- Dos."
    )
    assert matching.draft_sha("Art. 1.- Uno.") != matching.draft_sha("Art. 1.- Dos.")


def test_a_correction_of_an_uploaded_draft_applies_when_the_editor_publishes_it(territory):
    """An uploaded file ends with a newline; the editor's text field strips it on the
    publishing save. The correction, made for the uploaded text, must still apply."""
    page = make_consultation(
        ZonePage.objects.get(zone__slug="calderon"), slug="subida", text=ordinance(TEXTS)
    )
    comment = say(page, "art-3", "Sobre las asambleas")
    uploaded = ordinance([TEXTS[0], TEXTS[1], REWRITTEN, TEXTS[3], TEXTS[4]]) + "\r\n"
    page = save_draft(page, uploaded)
    services.matching_correct(
        consultation=page, actor=zone_staff("calderon"), pairs={"art-3": "art-3"}
    )
    publish(page, uploaded.rstrip())
    assert provision(page, 2, "art-3").thread_id == comment.thread_id


def test_an_enacted_text_correction_cannot_give_one_article_the_comments_of_another(territory):
    page = make_consultation(
        ZonePage.objects.get(zone__slug="calderon"),
        slug="sancion",
        text=ordinance(TEXTS),
        opens=-20,
        closes=-1,
    )
    page = ConsultationPage.objects.get(pk=page.pk)
    with pytest.raises(DomainError) as refused:
        enacted.enacted_attach(
            consultation=page,
            actor=zone_staff("calderon"),
            text=ordinance(TEXTS),
            enacted_on=timezone.localdate() - datetime.timedelta(days=1),
            ordinance_number="PMQ-2026-001",
            corrections={"art-2": "art-1"},  # art-1 is unchanged and keeps its own thread
        )
    assert "art" in refused.value.message.lower() or "Artículo 1" in refused.value.message
    assert not page.versions.filter(is_enacted=True).exists()
