"""Pages: the live page renders the current state (no JavaScript needed), forms post votes
and questions, the control panel is for the zone's staff with MFA; query counts stay flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assemblies import services
from assemblies.models import AssemblyIndexPage, Ballot, Poll, Question
from home.models import HomePage

from .conftest import make_assembly, pass_mfa, verified_resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broadcast(sent):
    return sent


@pytest.fixture
def running(assembly, staff):
    services.assembly_start(assembly=assembly, actor=staff)
    services.announcement_post(assembly=assembly, actor=staff, text="Bienvenidos")
    poll = services.poll_open(
        assembly=assembly,
        actor=staff,
        question="¿Aprueba el plan?",
        options=["Sí", "No"],
        mode=Poll.Mode.BOTH,
    )
    return poll


def grow(assembly, staff, zone_page, n):
    """n more voters, questions and announcements."""
    poll = Poll.objects.get(assembly=assembly, status="open")
    for i in range(n):
        voter = verified_resident(zone_page)
        services.ballot_cast(poll=poll, voter=voter, option=poll.options.first())
        q = services.question_submit(assembly=assembly, author=voter, text=f"Pregunta {i}")
        services.question_moderate(question=q, actor=staff, action="approve")
        services.announcement_post(assembly=assembly, actor=staff, text=f"Aviso {i}")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_live_page_renders_state_without_javascript(client, assembly, running):
    response = client.get(assembly.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "¿Aprueba el plan?" in html
    assert "Bienvenidos" in html
    assert "Apertura" in html and 'aria-current="step"' in html
    assert 'id="live-connection"' in html
    assert "09/05/2026 10:00" in html  # dd/mm/aaaa, Quito time
    assert "<script src=" in html and "nonce=" in html
    assert "onclick" not in html and "style=" not in html


def test_query_count_does_not_grow_with_participation(client, assembly, staff, zone_page, running):
    grow(assembly, staff, zone_page, 2)
    voter = verified_resident(zone_page)
    client.force_login(voter)
    count_queries(client, assembly.url)  # warm the per-process caches (e.g. the site's menu)
    small = count_queries(client, assembly.url)
    grow(assembly, staff, zone_page, 6)
    assert count_queries(client, assembly.url) == small
    assert small <= 30


def test_index_and_zone_page_query_counts(client, zone_page, staff):
    home = HomePage.objects.get()
    home.add_child(instance=AssemblyIndexPage(title="Asambleas", slug="asambleas"))
    make_assembly(zone_page, slug="a1")
    client.get("/asambleas/")  # warm Wagtail's site-root cache
    few_index, few_zone = count_queries(client, "/asambleas/"), count_queries(client, zone_page.url)
    for n in range(2, 7):
        page = make_assembly(zone_page, slug=f"a{n}")
        services.assembly_start(assembly=page, actor=staff)
        if n % 2:
            services.assembly_end(assembly=page, actor=staff)
    assert count_queries(client, "/asambleas/") == few_index
    assert count_queries(client, zone_page.url) <= few_zone + 4  # sections appear, not per item
    html = client.get("/asambleas/").content.decode()
    assert "Asamblea de prueba" in html


def test_resident_votes_and_asks_through_forms(client, assembly, running, zone_page):
    voter = verified_resident(zone_page)
    client.force_login(voter)
    option = running.options.first()
    response = client.post(f"{assembly.url}votar/{running.pk}/", {"option": option.pk})
    assert response.status_code == 302
    assert Ballot.objects.filter(voter=voter, option=option).exists()
    response = client.post(f"{assembly.url}votar/{running.pk}/", {"option": option.pk}, follow=True)
    assert Ballot.objects.filter(voter=voter).count() == 1
    assert "Usted ya votó en esta pregunta." in response.content.decode()
    client.post(f"{assembly.url}preguntas/", {"text": "¿Y las veredas?"})
    assert Question.objects.get().text == "¿Y las veredas?"
    response = client.post(f"{assembly.url}preguntas/", {"text": "x" * 501}, follow=True)
    assert Question.objects.count() == 1


def test_anonymous_visitors_follow_but_are_sent_to_log_in(client, assembly, running):
    html = client.get(assembly.url).content.decode()
    assert 'name="option"' not in html
    response = client.post(f"{assembly.url}preguntas/", {"text": "Hola"})
    assert response.status_code == 302 and "/cuenta/login/" in response["Location"]
    assert not Question.objects.exists()


def test_control_panel_gate(client, assembly, staff, other_staff, voter):
    url = f"{assembly.url}control/"
    assert "/cuenta/login/" in client.get(url)["Location"]
    client.force_login(voter)
    assert client.get(url).status_code == 403
    client.force_login(other_staff)
    assert client.get(url).status_code == 403
    client.force_login(staff)  # no MFA this session
    response = client.get(url)
    assert response.status_code == 302 and "2fa" in response["Location"]
    pass_mfa(client, staff)
    assert client.get(url).status_code == 200


def test_control_panel_runs_the_assembly(client, assembly, staff, zone_page):
    pass_mfa(client, staff)
    url = f"{assembly.url}control/"
    client.post(url, {"action": "start"})
    client.post(url, {"action": "advance"})
    client.post(url, {"action": "announce", "text": "Receso de 5 minutos"})
    client.post(
        url,
        {"action": "poll_open", "question": "¿Sí o no?", "options": "Sí\nNo", "mode": "both"},
    )
    poll = Poll.objects.get()
    services.ballot_cast(poll=poll, voter=verified_resident(zone_page), option=poll.options.first())
    html = client.get(url).content.decode()
    assert "Receso de 5 minutos" in html and "¿Sí o no?" in html
    client.post(url, {"action": "poll_close", "poll": poll.pk})
    yes, no = poll.options.all()
    client.post(
        url,
        {
            "action": "room_counts",
            "poll": poll.pk,
            f"poll{poll.pk}-option_{yes.pk}": "30",
            f"poll{poll.pk}-option_{no.pk}": "4",
        },
    )
    client.post(url, {"action": "publish", "poll": poll.pk, "confirm": "1"})
    poll.refresh_from_db()
    assert poll.results_published
    client.post(url, {"action": "end", "confirm": "1"})
    assert assembly.live_state.__class__.objects.get(assembly=assembly).status == "finalizada"
    html = client.get(assembly.url).content.decode()
    assert "<strong>Resultados publicados</strong>" in html
    row = '<tr data-option="{}"><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td>'
    assert row.format(yes.pk, "Sí", 1, 30, 31) in html  # online, room, total
    assert row.format(no.pk, "No", 0, 4, 4) in html
    zone_html = client.get(zone_page.url).content.decode()
    assert "¿Sí o no?: Sí 31, No 4" in zone_html


def test_staff_without_mfa_cannot_post_to_the_panel(client, assembly, staff):
    client.force_login(staff)
    client.post(f"{assembly.url}control/", {"action": "start"})
    assert not hasattr(type(assembly).objects.get(pk=assembly.pk), "live_state") or (
        type(assembly).objects.get(pk=assembly.pk).live_state.status == "programada"
    )
