"""Assemblies refuse what cannot be right: hand counts beyond any hall (and the 32-bit
column), control-panel fields that do not parse, supporting one's own question; and
reopening a vote whose results are published is an explicit, confirmed, audited action that
withdraws those results from the public pages."""

import pytest
from django.contrib.messages import get_messages
from hypothesis import given, settings
from hypothesis import strategies as st
from wagtail.models import PageLogEntry

from assemblies import selectors, services
from assemblies.forms import RoomCountsForm
from assemblies.models import AssemblyEvent, Poll, Question
from quitodecide.errors import DomainError
from quitodecide.mfa import mark_user

from .conftest import pass_mfa, verified_resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_broadcast(sent):
    return sent


@pytest.fixture
def chair(staff):
    mark_user(staff, True)  # the session passed MFA (services ask the rule book)
    return staff


@pytest.fixture
def closed_poll(assembly, chair):
    services.assembly_start(assembly=assembly, actor=chair)
    poll = services.poll_open(
        assembly=assembly, actor=chair, question="¿Aprueba?", options=["Sí", "No"], mode="both"
    )
    return services.poll_close(poll=poll, actor=chair)


def panel(assembly):
    return f"{assembly.url}control/"


def flashed(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


# --- hand counts --------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(count=st.integers(min_value=services.MAX_HAND_COUNT + 1, max_value=2**70))
def test_room_counts_form_refuses_counts_beyond_the_bound_in_spanish(count):
    option = type("Option", (), {"pk": 3, "label": "Sí", "room_count": None})()
    poll = type("PollStub", (), {"options": type("M", (), {"all": lambda self: [option]})()})()
    form = RoomCountsForm({"option_3": str(count)}, poll=poll)
    assert not form.is_valid()
    assert form.errors["option_3"] == [
        f"Asegúrese de que este valor es menor o igual a {services.MAX_HAND_COUNT}."
    ]


def test_service_refuses_implausible_hand_counts(closed_poll, chair):
    yes, no = closed_poll.options.all()
    with pytest.raises(DomainError, match="no es verosímil"):
        services.poll_record_room_counts(
            poll=closed_poll, actor=chair, counts={yes.pk: 2**31, no.pk: 1}
        )
    assert set(closed_poll.options.values_list("room_count", flat=True)) == {None}
    services.poll_record_room_counts(poll=closed_poll, actor=chair, counts={yes.pk: 30, no.pk: 4})


def test_panel_answers_bad_fields_with_a_message_not_a_500(client, assembly, staff, closed_poll):
    pass_mfa(client, staff)
    yes, no = closed_poll.options.all()
    for data in (
        {"action": "poll_close", "poll": "abc"},
        {"action": "publish", "poll": "1e400"},
        {"action": "poll_reopen", "poll": "9" * 30},
        {"action": "advance", "item": "x"},
        {"action": "approve", "question": "²"},
        {"action": "a" * 500},
        {"action": "room_counts", "poll": str(closed_poll.pk), "confirm": "maybe"},
    ):
        response = client.post(panel(assembly), data)
        assert response.status_code in (302, 404), data
    response = client.post(
        panel(assembly),
        {
            "action": "room_counts",
            "poll": closed_poll.pk,
            f"poll{closed_poll.pk}-option_{yes.pk}": str(2**31),
            f"poll{closed_poll.pk}-option_{no.pk}": "4",
        },
    )
    assert response.status_code == 302
    assert "menor o igual a 100000" in flashed(response)
    assert set(closed_poll.options.values_list("room_count", flat=True)) == {None}


# --- reopening a vote ---------------------------------------------------------------------
def test_reopening_an_unpublished_vote_is_audited(closed_poll, chair):
    poll = services.poll_reopen(poll=closed_poll, actor=chair)
    assert poll.status == Poll.Status.OPEN and poll.closed_at is None
    assert AssemblyEvent.objects.filter(type="poll.reopened").count() == 1
    entry = PageLogEntry.objects.get(action="assemblies.poll_reopen")
    assert entry.data == {"poll": poll.pk, "results_withdrawn": False}
    with pytest.raises(DomainError, match="está abierta"):
        services.poll_reopen(poll=poll, actor=chair)


def test_reopening_after_publishing_needs_confirmation_and_withdraws_results(
    closed_poll, chair, assembly, zone_page, client
):
    yes, no = closed_poll.options.all()
    services.poll_record_room_counts(poll=closed_poll, actor=chair, counts={yes.pk: 30, no.pk: 4})
    services.poll_publish_results(poll=closed_poll, actor=chair)
    with pytest.raises(DomainError, match="confirmación"):
        services.poll_reopen(poll=closed_poll, actor=chair)
    closed_poll.refresh_from_db()
    assert closed_poll.results_published and closed_poll.status == Poll.Status.CLOSED
    assert not PageLogEntry.objects.filter(action="assemblies.poll_reopen").exists()

    poll = services.poll_reopen(poll=closed_poll, actor=chair, confirm=True)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN and not poll.results_published
    entry = PageLogEntry.objects.get(page=assembly, action="assemblies.poll_reopen")
    assert entry.data == {"poll": poll.pk, "results_withdrawn": True}
    event = AssemblyEvent.objects.get(assembly=assembly, type="poll.reopened")
    assert event.payload["poll"]["results_published"] is False
    assert "<strong>Resultados publicados</strong>" not in client.get(assembly.url).content.decode()
    # Closed again and not published: the old figures are not the assembly's results.
    services.poll_close(poll=poll, actor=chair)
    services.assembly_end(assembly=assembly, actor=chair)
    assert not any("¿Aprueba?" in card.meta for card in selectors.results_for_zone(zone_page))
    assert "¿Aprueba?: Sí 30" not in client.get(zone_page.url).content.decode()
    with pytest.raises(DomainError, match="ha finalizado"):
        services.poll_reopen(poll=poll, actor=chair, confirm=True)


def test_panel_reopens_only_with_the_box_ticked(client, assembly, staff, closed_poll, chair):
    yes, no = closed_poll.options.all()
    services.poll_record_room_counts(poll=closed_poll, actor=chair, counts={yes.pk: 3, no.pk: 4})
    services.poll_publish_results(poll=closed_poll, actor=chair)
    pass_mfa(client, staff)
    html = client.get(panel(assembly)).content.decode()
    assert 'value="poll_reopen"' in html and 'name="confirm"' in html
    response = client.post(panel(assembly), {"action": "poll_reopen", "poll": closed_poll.pk})
    # Without the box: a page that asks to confirm (a form re-posting with confirm=1).
    assert response.status_code == 200
    confirm_page = response.content.decode()
    assert 'value="poll_reopen"' in confirm_page and 'name="confirm" value="1"' in confirm_page
    closed_poll.refresh_from_db()
    assert closed_poll.results_published
    client.post(panel(assembly), {"action": "poll_reopen", "poll": closed_poll.pk, "confirm": "1"})
    closed_poll.refresh_from_db()
    assert closed_poll.status == Poll.Status.OPEN and not closed_poll.results_published


# --- questions ----------------------------------------------------------------------------
def test_a_resident_cannot_support_her_own_question(assembly, chair, zone_page):
    services.assembly_start(assembly=assembly, actor=chair)
    author = verified_resident(zone_page)
    question = services.question_submit(assembly=assembly, author=author, text="¿Y el parque?")
    services.question_moderate(question=question, actor=chair, action="approve")
    with pytest.raises(DomainError, match="own question|propia"):
        services.question_upvote(question=question, user=author)
    services.question_upvote(question=question, user=verified_resident(zone_page))
    assert Question.objects.get(pk=question.pk).upvote_count == 1
