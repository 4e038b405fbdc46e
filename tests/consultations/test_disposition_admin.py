"""The dispositions admin: staff pick a closed consultation of their zone and go article by
article, select contributions and give them one disposition; without JavaScript; other
zones' staff and sessions without MFA are refused; errors are shown and nothing is lost."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail

from consultations import services
from consultations.dispositions import consultation_articles
from consultations.models import ConsultationPage, Disposition, InPersonSession
from discussions import services as discussion_services
from territory.models import ZonePage
from tests.consultations.helpers import make_consultation
from tests.consultations.test_dispositions import close, say
from tests.factories import UserFactory, login_with_mfa, with_mfa
from tests.verification.helpers import zone_staff

pytestmark = pytest.mark.django_db
A = Disposition.Outcome


@pytest.fixture
def closed(territory):
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="cerrada")
    first = say(page, "Ampliar el horario", proposed_wording="El horario será de 6 a 22 h.")
    second = say(page, "Mejor no tocarlo")
    official = discussion_services.official_answer_create(
        parent=first, author=with_mfa(UserFactory(is_superuser=True)), body="Respuesta oficial"
    )
    session = InPersonSession.objects.create(
        consultation=page, held_on=datetime.date(2026, 11, 2), place="Casa barrial", attendees=9
    )
    observation = services.observation_record(
        session=session,
        actor=zone_staff("calderon"),
        text="Que se consulte a los comerciantes",
        provision_key="art-1",
    )
    page = close(page)
    article = next(a for a in consultation_articles(page) if a.key == "art-1")
    return {
        "page": page,
        "first": first,
        "second": second,
        "official": official,
        "observation": observation,
        "url": f"/admin/disposiciones/{page.pk}/{article.slug}/",
    }


def checked(html: str, name: str) -> set[int]:
    return {
        int(value) for value in re.findall(rf'name="{name}" value="(\d+)" id="[^"]+" checked', html)
    }


def test_index_lists_only_the_closed_consultations_of_the_staffs_zones(client, closed):
    open_page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="abierta")
    tumbaco = close(make_consultation(ZonePage.objects.get(zone__slug="tumbaco"), slug="tumbaco"))
    login_with_mfa(client, zone_staff("calderon"))
    response = client.get("/admin/disposiciones/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/admin/disposiciones/{closed['page'].pk}/" in html
    assert f"/admin/disposiciones/{open_page.pk}/" not in html
    assert f"/admin/disposiciones/{tumbaco.pk}/" not in html
    # Its progress: 3 contributions (2 comments, 1 observation; not the official answer).
    overview = client.get(f"/admin/disposiciones/{closed['page'].pk}/").content.decode()
    assert closed["url"] in overview
    assert re.search(r"0\D+3", overview)


def test_other_zones_staff_get_nothing(client, closed):
    login_with_mfa(client, zone_staff("tumbaco"))
    assert client.get("/admin/disposiciones/").status_code == 200
    assert client.get(f"/admin/disposiciones/{closed['page'].pk}/").status_code == 404
    assert client.get(closed["url"]).status_code == 404
    response = client.post(
        closed["url"], {"comment": [closed["first"].pk], "outcome": A.ACCEPTED, "reason": ""}
    )
    assert response.status_code == 404
    assert not Disposition.objects.exists()


def test_residents_are_refused(client, closed):
    client.force_login(closed["first"].author)
    assert client.get("/admin/disposiciones/").status_code in {302, 403}
    response = client.post(closed["url"], {"comment": [closed["first"].pk], "outcome": "acogida"})
    assert response.status_code in {302, 403}
    assert not Disposition.objects.exists()


def test_a_session_without_mfa_is_sent_to_the_second_factor(client, closed):
    client.force_login(zone_staff("calderon", mfa=False))
    response = client.post(
        closed["url"], {"comment": [closed["first"].pk], "outcome": A.ACCEPTED, "reason": ""}
    )
    assert response.status_code == 302 and "/disposiciones/" not in response["Location"]
    assert not Disposition.objects.exists()


def test_the_article_page_shows_every_contribution(client, closed):
    login_with_mfa(client, zone_staff("calderon"))
    html = client.get(closed["url"]).content.decode()
    for text in (
        "Ampliar el horario",
        "El horario será de 6 a 22 h.",
        "Mejor no tocarlo",
        "Que se consulte a los comerciantes",
        "Casa barrial",
        closed["first"].author.resident.display_name,
    ):
        assert text in html
    assert "Respuesta oficial" not in html  # an official answer is no contribution
    assert f'name="comment" value="{closed["first"].pk}"' in html
    assert f'name="observation" value="{closed["observation"].pk}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]


def test_bulk_flow(client, closed, django_capture_on_commit_callbacks):
    staff = zone_staff("calderon")
    login_with_mfa(client, staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            closed["url"],
            {
                "comment": [closed["first"].pk],
                "observation": [closed["observation"].pk],
                "outcome": A.PARTIAL,
                "reason": "Se amplía hasta las 21 h.",
            },
        )
    assert response.status_code == 302 and response["Location"] == closed["url"]
    given = Disposition.objects.order_by("pk")
    assert [(d.comment_id, d.observation_id, d.outcome) for d in given] == [
        (closed["first"].pk, None, A.PARTIAL),
        (None, closed["observation"].pk, A.PARTIAL),
    ]
    assert all(d.decided_by == staff for d in given)
    assert [m.to for m in mail.outbox] == [[closed["first"].author.email]]
    html = client.get(closed["url"]).content.decode()
    assert "Se amplía hasta las 21 h." in html  # the current disposition, next to each
    assert re.search(r"2\D+3", html)
    # Pre-select, without JavaScript, those still without a disposition.
    html = client.get(closed["url"] + "?seleccionar=pendientes").content.decode()
    assert checked(html, "comment") == {closed["second"].pk}
    assert checked(html, "observation") == set()
    html = client.get(closed["url"] + "?seleccionar=todas").content.decode()
    assert checked(html, "comment") == {closed["first"].pk, closed["second"].pk}


def test_errors_are_shown_and_nothing_is_lost(client, closed):
    login_with_mfa(client, zone_staff("calderon"))
    # No reason for "not taken up": the field error, the selection and the outcome stay.
    response = client.post(
        closed["url"],
        {
            "comment": [closed["first"].pk, closed["second"].pk],
            "outcome": A.REJECTED,
            "reason": " ",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html or "error" in html
    assert checked(html, "comment") == {closed["first"].pk, closed["second"].pk}
    assert re.search(r'value="no_acogida"[^>]*checked', html)
    # Nothing selected: the reason typed is kept.
    response = client.post(
        closed["url"], {"outcome": A.REJECTED, "reason": "Motivo escrito con cuidado"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "Motivo escrito con cuidado" in html
    # A contribution of another article (or an official answer) is not selectable here.
    response = client.post(
        closed["url"], {"comment": [closed["official"].pk, 999999], "outcome": A.ACCEPTED}
    )
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    # Garbage never yields a 500.
    response = client.post(closed["url"], {"comment": ["x", "-1"], "outcome": "nada"})
    assert response.status_code == 200
    response = client.post(closed["url"], {"comment": ["\x00"], "reason": "\x00"})
    assert response.status_code == 400  # the project's NUL guard, before any view
    assert client.get(f"/admin/disposiciones/{closed['page'].pk}/no-existe/").status_code == 404
    assert not Disposition.objects.exists()


def test_a_consultation_still_open_is_refused_with_a_message(client, territory):
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="abierta")
    comment = say(page, "Aún abierta")
    slug = next(a for a in consultation_articles(page) if a.key == "art-1").slug
    login_with_mfa(client, zone_staff("calderon"))
    url = f"/admin/disposiciones/{page.pk}/{slug}/"
    response = client.post(
        url, {"comment": [comment.pk], "outcome": A.REJECTED, "reason": "Motivo guardado"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "Motivo guardado" in html and checked(html, "comment") == {comment.pk}
    assert not Disposition.objects.exists()


def test_the_article_page_has_flat_queries(client, closed, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_with_mfa(client, zone_staff("calderon"))
    client.get(closed["url"])  # warm caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(closed["url"]).status_code == 200
        return len(queries)

    before = count()
    page = ConsultationPage.objects.get(pk=closed["page"].pk)
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + datetime.timedelta(days=5)
    )
    page = ConsultationPage.objects.get(pk=page.pk)
    for number in range(15):
        parent = say(page, f"Comentario {number}")
        say(page, f"Respuesta {number}", parent=parent)
    close(page)
    assert count() == before


def test_the_consultations_edit_page_links_to_its_dispositions(client, closed):
    login_with_mfa(client, zone_staff("calderon"))
    html = client.get(f"/admin/pages/{closed['page'].pk}/edit/").content.decode()
    assert f"/admin/disposiciones/{closed['page'].pk}/" in html
    menu = client.get("/admin/").content.decode()
    assert "/admin/disposiciones/" in menu


def test_a_selection_with_foreign_ids_is_refused_whole(client, closed, territory):
    """All or nothing: one of this article's comments selected with an official answer,
    another consultation's comment, an id that does not exist and one that is no number:
    the form names how many are not of this article and writes nothing."""
    other_page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="otra")
    foreign = say(other_page, "Un comentario de otra consulta")
    close(other_page)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    login_with_mfa(client, zone_staff("calderon"))
    response = client.post(
        closed["url"],
        {
            "comment": [closed["first"].pk, closed["official"].pk, foreign.pk, 999999, "x"],
            "observation": [closed["observation"].pk, 999999],
            "outcome": A.ACCEPTED,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "5 of the selected contributions are not contributions to this article" in html
    assert not Disposition.objects.exists()
    # The selection that is of this article is kept on the page.
    assert checked(html, "comment") == {closed["first"].pk}
    assert checked(html, "observation") == {closed["observation"].pk}
