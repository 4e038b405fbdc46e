"""Consultation pages over HTTP: reading, commenting without JavaScript, versions, the
report and its downloads, and query counts that do not grow with comments."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.models import ConsultationPage
from discussions import services as discussion_services
from discussions.models import Comment
from quitodecide.mfa import mark_user
from tests.consultations.helpers import ORDINANCE, make_consultation
from tests.factories import ResidentFactory, UserFactory, with_mfa

pytestmark = pytest.mark.django_db


def queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def bulk_comments(consultation, n):
    """n comments spread over the articles and the general thread, with replies."""
    version = consultation.versions.last()
    threads = [p.thread for p in version.provisions.exclude(thread=None)]
    threads.append(consultation.general_thread)
    authors = [ResidentFactory().user for _ in range(5)]
    rows = [
        Comment(
            thread=threads[i % len(threads)],
            author=authors[i % 5],
            body=f"c{i}",
            stance=("favor", "contra", "neutral")[i % 3],
            revision=1,
        )
        for i in range(n)
    ]
    Comment.objects.bulk_create(rows)
    # Replies two levels deep under the newest comments of every thread, so that the first
    # page has the same shape whatever the total.
    for thread in threads:
        for parent in Comment.objects.filter(thread=thread, parent=None).order_by("-pk")[:3]:
            reply = Comment.objects.create(
                thread=thread, author=authors[0], parent=parent, depth=2, body="r", revision=1
            )
            Comment.objects.create(
                thread=thread, author=authors[1], parent=reply, depth=3, body="rr", revision=1
            )


def test_query_count_is_flat_from_50_to_2000_comments(client, consultation):
    user = ResidentFactory().user
    client.force_login(user)
    bulk_comments(consultation, 50)
    page_50 = queries(client, consultation.url)
    thread_50 = queries(client, consultation.url + "articulo/art-1/")
    bulk_comments(consultation, 1950)
    assert queries(client, consultation.url) == page_50
    assert queries(client, consultation.url + "articulo/art-1/") == thread_50


def test_anonymous_sees_a_prompt_to_log_in(client, consultation):
    html = client.get(consultation.url + "articulo/art-1/").content.decode()
    assert "/cuenta/login/" in html
    assert 'action="' + consultation.url + 'comentar/"' not in html


def test_comment_reply_support_without_javascript(client, consultation, resident):
    client.force_login(resident)
    response = client.post(
        consultation.url + "comentar/",
        {
            "body": "Propongo paridad",
            "stance": "favor",
            "provision": "art-3",
            "proposed_wording": "con paridad de género",
        },
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert response["Location"].endswith(f"articulo/art-3/#comentario-{comment.pk}")
    assert comment.proposed_wording == "con paridad de género"
    other = ResidentFactory().user
    client.force_login(other)
    client.post(
        consultation.url + "comentar/",
        {"body": "De acuerdo", "parent": comment.pk, "provision": "art-3"},
    )
    client.post(consultation.url + f"comentario/{comment.pk}/apoyar/", {"provision": "art-3"})
    comment.refresh_from_db()
    assert comment.support_count == 1
    html = client.get(consultation.url + "articulo/art-3/").content.decode()
    assert "Propongo paridad" in html and "De acuerdo" in html


def test_bad_input_shows_errors_and_keeps_the_text(client, consultation, resident):
    client.force_login(resident)
    response = client.post(
        consultation.url + "comentar/",
        {
            "body": "Mi texto largo que no debe perderse",
            "provision": "art-2",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mi texto largo que no debe perderse" in html
    assert "a favor, en contra o neutral" in html
    assert not Comment.objects.exists()


def test_pagination_by_20_with_plain_links(client, consultation):
    bulk_comments(consultation, 0)
    thread = consultation.versions.last().provisions.get(key="art-1").thread
    author = ResidentFactory().user
    Comment.objects.bulk_create(
        [Comment(thread=thread, author=author, body=f"n{i}", stance="favor") for i in range(45)]
    )
    html = client.get(consultation.url + "articulo/art-1/?pagina=3").content.decode()
    assert html.count('class="comment comment-depth-1') == 5
    assert "pagina=2" in html


def test_deleted_and_hidden_comments_show_placeholders(client, consultation, resident):
    from consultations import services

    c = services.consultation_comment(
        consultation=consultation,
        user=resident,
        body="Borrame",
        stance="neutral",
        provision_key="art-1",
    )
    services.consultation_comment(
        consultation=consultation, user=ResidentFactory().user, body="Respuesta que queda", parent=c
    )
    discussion_services.comment_delete(comment=c, user=resident)
    d = services.consultation_comment(
        consultation=consultation,
        user=resident,
        body="Insulto",
        stance="contra",
        provision_key="art-1",
    )
    discussion_services.comment_hide(
        comment=d, actor=with_mfa(UserFactory(is_superuser=True)), reason="lenguaje ofensivo"
    )
    html = client.get(consultation.url + "articulo/art-1/").content.decode()
    assert "comentario eliminado por su autor" in html
    assert "Respuesta que queda" in html
    assert "ocultado por moderación: lenguaje ofensivo" in html
    assert "Borrame" not in html and "Insulto" not in html


def test_old_comments_are_marked_with_their_version(client, consultation, resident):
    from consultations import services

    services.consultation_comment(
        consultation=consultation,
        user=resident,
        body="Sobre la v1",
        stance="favor",
        provision_key="art-3",
    )
    consultation.draft_text = ORDINANCE.replace("cuatro", "cinco")
    consultation.save_revision().publish()
    html = client.get(consultation.url + "articulo/art-3/").content.decode()
    assert "Sobre la v1" in html
    assert "sobre la versión 1" in html


def test_diff_page_shows_words_added_and_removed(client, consultation):
    consultation.draft_text = ORDINANCE.replace("cuatro representantes", "cinco representantes")
    consultation.save_revision().publish()
    html = client.get(consultation.url + "cambios/?desde=1&hasta=2").content.decode()
    assert "<del>cuatro</del>" in html and "<ins>cinco</ins>" in html
    assert client.get(consultation.url + "cambios/?desde=x&hasta=99").status_code == 200


def test_closed_consultation_is_read_only(client, territory, resident):
    page = make_consultation(slug="cerrada", opens=-20, closes=-1)
    client.force_login(resident)
    html = client.get(page.url).content.decode()
    assert "está cerrada" in html
    response = client.post(page.url + "comentar/", {"body": "tarde", "stance": "favor"})
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.fixture
def closed_with_comments(territory):
    from consultations import services

    page = make_consultation(slug="informe", opens=-1, closes=10)
    public = ResidentFactory(display_name="Ana de Cotocollao")
    private = ResidentFactory(display_name="")
    c1 = services.consultation_comment(
        consultation=page,
        user=public.user,
        body="=1+1 a favor",
        stance="favor",
        provision_key="art-1",
    )
    discussion_services.support_toggle(comment=c1, user=private.user)
    services.consultation_comment(
        consultation=page,
        user=private.user,
        body="En contra",
        stance="contra",
        provision_key="art-2",
    )
    official = with_mfa(UserFactory(is_superuser=True))
    mark_user(official, True)  # staff act only after MFA in their session
    discussion_services.official_answer_create(parent=c1, author=official, body="Se acoge")
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + (page.closes_at - page.opens_at) / 100_000
    )
    return ConsultationPage.objects.get(pk=page.pk), public, private


def test_report_page(client, closed_with_comments):
    page, _public, _private = closed_with_comments
    html = client.get(page.url + "informe/").content.decode()
    for text in ("Informe de participación ciudadana", "Artículo 1", "Se acoge", "Conclusiones"):
        assert text in html
    assert queries(client, page.url + "informe/") < 40


def test_report_csv_is_anonymised(client, closed_with_comments):
    page, public, private = closed_with_comments
    response = client.get(page.url + "informe/csv/")
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert len(rows) == 3
    assert public.user.email not in content and private.user.email not in content
    authors = {row["body"]: row["author"] for row in rows}
    assert authors["'=1+1 a favor"] == "Ana de Cotocollao"  # formula neutralised
    assert authors["En contra"] == ""  # no public name, nothing shown
    assert {row["official"] for row in rows} == {"True", "False"}


def test_report_json(client, closed_with_comments):
    page, _public, _private = closed_with_comments
    data = json.loads(client.get(page.url + "informe/json/").content)
    assert data["participants"] == 2
    assert data["by_stance"] == {"favor": 1, "contra": 1, "neutral": 0}
    art1 = next(row for row in data["per_article"] if row["key"] == "art-1")
    assert (art1["favor"], art1["supports"]) == (1, 1)


def test_report_not_available_while_open(client, consultation):
    assert client.get(consultation.url + "informe/").status_code == 404
    assert client.get(consultation.url + "informe/csv/").status_code == 404


def test_index_filters_by_zone_and_status(client, consultation, zonal_consultation):
    html = client.get("/consultas/?zona=calderon").content.decode()
    assert zonal_consultation.url in html and consultation.url not in html
    html = client.get("/consultas/?zona=ciudad&estado=abierta").content.decode()
    assert consultation.url in html and zonal_consultation.url not in html
    html = client.get("/consultas/?estado=cerrada").content.decode()
    assert consultation.url not in html


def test_staff_preview_shows_the_parsed_draft_before_publishing(territory):
    from consultations.demo import ensure_index

    page = ConsultationPage(
        title="Borrador",
        slug="borrador",
        summary="s",
        responsible_body="Comisión",
        draft_text=ORDINANCE,
        opens_at=timezone.now(),
        closes_at=timezone.now(),
    )
    ensure_index().add_child(instance=page)  # saved as a draft would be, never published
    response = page.make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Artículo 3" in html and "Las asambleas barriales eligen cuatro representantes" in html
    assert not page.versions.exists()


def test_in_person_observations_are_shown_apart(client, zonal_consultation):
    import datetime

    from consultations import services
    from consultations.models import InPersonSession
    from territory.models import Parish

    session = InPersonSession.objects.create(
        consultation=zonal_consultation,
        held_on=datetime.date(2026, 11, 2),
        place="Casa barrial de Carapungo",
        parish=Parish.objects.get(name="Calderón"),
        attendees=35,
    )
    services.observation_record(
        session=session,
        actor=with_mfa(UserFactory(is_superuser=True)),
        text="Pedimos horarios nocturnos",
        provision_key="art-3",
    )
    html = client.get(zonal_consultation.url + "articulo/art-3/").content.decode()
    assert "Pedimos horarios nocturnos" in html
    assert "Casa barrial de Carapungo, 02/11/2026" in html
    page_html = client.get(zonal_consultation.url).content.decode()
    assert "Casa barrial de Carapungo" in page_html
    assert not Comment.objects.exists()  # counted apart from online comments
