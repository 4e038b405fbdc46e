"""The council's public pages: calendar (filters, month groups, bad parameters), a
session, an agenda item (roll call and tally), a councillor; query counts stay flat."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from council import selectors
from council.demo import load_demo_council
from council.models import AgendaItem, CouncilSession, RollCallVote
from tests.council.helpers import make_held_session, make_session, secretariat

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_demo_calendar_lists_upcoming_then_past(client, territory):
    load_demo_council()
    response = client.get("/concejo/")
    assert response.status_code == 200
    html = response.content.decode()
    upcoming = html.index('id="upcoming-heading"')
    past = html.index('id="past-heading"')
    soon = CouncilSession.objects.get(number="050")
    old = CouncilSession.objects.get(number="045")
    assert upcoming < html.index(f"/concejo/sesion/{soon.pk}/") < past
    assert past < html.index(f"/concejo/sesion/{old.pk}/")


def test_demo_is_idempotent(territory):
    load_demo_council()
    counts = (CouncilSession.objects.count(), RollCallVote.objects.count())
    load_demo_council()
    assert (CouncilSession.objects.count(), RollCallVote.objects.count()) == counts


def test_calendar_filters_by_kind_commission_and_month(en, territory):
    actor = secretariat()
    plenary = make_session(actor, number="P-1", days=5)
    commission_session = make_session(actor, number="C-1", days=40, commission="movilidad")
    response = en.get("/concejo/", {"tipo": "comision"})
    html = response.content.decode()
    assert f"/concejo/sesion/{commission_session.pk}/" in html
    assert f"/concejo/sesion/{plenary.pk}/" not in html
    html = en.get("/concejo/", {"comision": "movilidad"}).content.decode()
    assert f"/concejo/sesion/{commission_session.pk}/" in html
    assert f"/concejo/sesion/{plenary.pk}/" not in html
    month = timezone.localtime(plenary.starts_at).strftime("%Y-%m")
    html = en.get("/concejo/", {"mes": month}).content.decode()
    assert f"/concejo/sesion/{plenary.pk}/" in html
    other = timezone.localtime(commission_session.starts_at).strftime("%Y-%m")
    if other != month:
        assert f"/concejo/sesion/{commission_session.pk}/" not in html


@given(
    tipo=st.text(max_size=20),
    comision=st.text(max_size=20),
    mes=st.one_of(st.text(max_size=12), st.from_regex(r"\d{4}-\d{2}", fullmatch=True)),
)
@hsettings(max_examples=40, deadline=None)
def test_calendar_bad_parameters_never_fail(tipo, comision, mes):
    response = Client().get("/concejo/", {"tipo": tipo, "comision": comision, "mes": mes})
    if "\x00" in tipo + comision + mes:  # the project's middleware refuses NUL bytes
        assert response.status_code == 400
    else:
        assert response.status_code == 200


def test_bad_ids_are_404(client):
    for path in (
        "/concejo/sesion/999999/",
        "/concejo/sesion/99999999999999999999/",
        "/concejo/sesion/1/punto/99999999/",
        "/concejo/concejal/0/",
        "/concejo/concejal/99999999999999999999/",
    ):
        assert client.get(path).status_code == 404, path


def test_item_page_shows_each_vote_and_the_computed_tally(en, territory):
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=5)
    from council import services

    services.roll_call_record(
        actor=actor,
        item=item,
        votes={
            councillors[0]: "a_favor",
            councillors[1]: "a_favor",
            councillors[2]: "en_contra",
            councillors[3]: "abstencion",
            councillors[4]: "ausente",
        },
        outcome=AgendaItem.Outcome.APPROVED,
    )
    response = en.get(f"/concejo/sesion/{session.pk}/punto/{item.position}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<li class="council-tally-a_favor"><span class="council-tally-label">In favour</span>: '
        '<span class="council-tally-count">2</span>' in html
    )
    assert '<span class="council-tally-count">1</span>' in html
    for councillor in councillors:
        assert councillor.name in html
    assert "Approved" in html
    assert [t[2] for t in selectors.tally(item.votes.all())] == [2, 1, 1, 0, 1]


def test_session_and_councillor_pages(en, territory):
    actor = secretariat()
    session, item, councillors = make_held_session(
        actor, size=3, video_url="https://www.youtube.com/watch?v=abc"
    )
    html = en.get(f"/concejo/sesion/{session.pk}/").content.decode()
    assert 'href="https://www.youtube.com/watch?v=abc"' in html
    assert "<iframe" not in html
    assert item.title in html
    for councillor in councillors:
        assert councillor.name in html
    html = en.get(f"/concejo/concejal/{councillors[0].pk}/").content.decode()
    assert councillors[0].name in html
    assert "100.0 %" in html


@pytest.mark.parametrize("extra", [0, 6])
def test_query_counts_stay_flat(client, territory, django_assert_max_num_queries, extra):
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=4 + extra, items=1 + extra)
    from council import services

    services.roll_call_record(actor=actor, item=item, votes=dict.fromkeys(councillors, "a_favor"))
    for days in range(extra):
        make_session(actor, number=f"X-{days}", days=days + 1)
    paths = [
        "/concejo/",
        f"/concejo/sesion/{session.pk}/",
        f"/concejo/sesion/{session.pk}/punto/{item.position}/",
        f"/concejo/concejal/{councillors[0].pk}/",
    ]
    for path in paths:
        with django_assert_max_num_queries(14):
            assert client.get(path).status_code == 200, path


def test_items_for_consultation_in_one_query(territory, django_assert_num_queries):
    from consultations.models import ConsultationPage

    consultation = ConsultationPage.objects.first()
    if consultation is None:
        from tests.consultations.helpers import make_consultation

        consultation = make_consultation()
    actor = secretariat()
    session = make_session(actor, number="Q-1", days=3)
    from council import services

    services.item_save(
        actor=actor, session=session, position=1, title="Con consulta", consultation=consultation
    )
    with django_assert_num_queries(1):
        items = selectors.items_for_consultation(consultation)
    assert [i.url for i in items] == [f"/concejo/sesion/{session.pk}/punto/1/"]
