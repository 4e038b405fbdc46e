"""The law-making demo: a consultation that went through two versions (an article inserted,
one deleted, one moved, one edited), comments and observations on both, a disposition for
every contribution, and the enacted text; it loads twice without changing anything."""

import pytest
from django.conf import settings

from consultations import demo_lawmaking, selectors
from consultations.models import ConsultationPage, Disposition, Provision, SessionObservation
from discussions.models import Comment

pytestmark = pytest.mark.django_db


def test_demo_builds_the_whole_law_making_once(territory, client):
    made = demo_lawmaking.load_demo_lawmaking()
    page = ConsultationPage.objects.get(slug=demo_lawmaking.SLUG)
    assert made == [page.url, f"{page.url}texto-sancionado/"]
    assert all(url.startswith("/zonas/calderon/") for url in made)
    assert demo_lawmaking.load_demo_lawmaking() == []  # the second run changes nothing
    assert ConsultationPage.objects.filter(slug=demo_lawmaking.SLUG).count() == 1

    v1, v2, v3 = page.versions.order_by("number")
    assert (v1.is_enacted, v2.is_enacted, v3.is_enacted) == (False, False, True)
    assert v3.ordinance_number == demo_lawmaking.ORDINANCE_NUMBER and v3.enacted_on
    assert page.status in {"cerrada", "informe"}

    # Every citizen contribution has its disposition, with a reason unless taken up.
    threads = set(
        Provision.objects.filter(version__consultation=page, thread__isnull=False).values_list(
            "thread_id", flat=True
        )
    ) | {page.general_thread_id}
    comments = Comment.objects.filter(thread_id__in=threads, is_official=False)
    observations = SessionObservation.objects.filter(session__consultation=page)
    assert comments.count() == 20 and observations.count() == 4
    assert not comments.filter(disposition__isnull=True).exists()
    assert not observations.filter(disposition__isnull=True).exists()
    assert (
        not Disposition.objects.filter(consultation=page, reason="")
        .exclude(outcome=Disposition.Outcome.ACCEPTED)
        .exists()
    )
    assert set(comments.values_list("revision", flat=True)) == {1, 2}

    # Comments stayed on their article through the renumbering: the pruning comment on
    # version 1's article 6 is on version 2's article 7 (the same thread).
    pruning = comments.get(body__startswith="Las cuadrillas dejan")
    assert v2.provisions.get(thread_id=pruning.thread_id).key == "art-7"
    assert v1.provisions.get(thread_id=pruning.thread_id).key == "art-6"
    # The definitions article was deleted in version 2, a new one inserted at 2.
    definitions = v1.provisions.get(key="art-3")
    assert not v2.provisions.filter(thread_id=definitions.thread_id).exists()
    assert v2.provisions.get(key="art-2").heading == "Principios"
    changes = {row["provision"].heading: row["change"] for row in selectors.version_diff(v1, v2)}
    assert changes["Principios"] == "added" and changes["Definiciones"] == "removed"

    # The public pages answer.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(made[1]).content.decode()
    assert demo_lawmaking.ORDINANCE_NUMBER in body
    assert f"articulo/art-7/#comentario-{pruning.pk}" in body
    assert "(on version 1, Artículo 6)" in body
    assert "texto-sancionado/" in client.get(made[0]).content.decode()
