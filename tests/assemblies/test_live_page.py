"""The live page without reloading: the forms answer JSON to the page's fetch() and still
redirect without JavaScript; a finished assembly never says "live"; a local poster when
there is no stream; destructive control-panel actions ask for confirmation; the edit page
links to the control panel."""

import pytest
from django.conf import settings
from wagtail.log_actions import registry as log_registry

from assemblies import services
from assemblies.models import Ballot, LiveState, Poll, Question, QuestionUpvote

from .conftest import pass_mfa, verified_resident

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _no_broadcast(sent):
    return sent


def english(client, url) -> str:
    """The page as someone who chose English with the switch sees it (the wording is asserted
    in English: the Spanish catalogue is filled in later)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        return client.get(url).content.decode()
    finally:
        del client.cookies[settings.LANGUAGE_COOKIE_NAME]


@pytest.fixture
def running(assembly, staff):
    services.assembly_start(assembly=assembly, actor=staff)
    return services.poll_open(
        assembly=assembly,
        actor=staff,
        question="¿Aprueba el plan?",
        options=["Sí", "No"],
        mode=Poll.Mode.BOTH,
    )


def end_entries(assembly):
    model = log_registry.get_log_model_for_instance(assembly)
    return model.objects.filter(page_id=assembly.pk, action="assemblies.end")


# --- The fetch path ---------------------------------------------------------------------


def test_a_question_posted_with_fetch_gets_json_not_a_redirect(client, assembly, running, voter):
    client.force_login(voter)
    response = client.post(f"{assembly.url}preguntas/", {"text": "¿Y las veredas?"}, **JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["ok"] is True and data["code"] == "ok" and data["message"]
    assert Question.objects.get().text == "¿Y las veredas?"
    # Without JavaScript the same form still posts and redirects back to the questions.
    response = client.post(f"{assembly.url}preguntas/", {"text": "¿Y el parque?"})
    assert response.status_code == 302
    assert response["Location"] == f"{assembly.url}#questions"
    assert Question.objects.count() == 2


def test_a_vote_posted_with_fetch_returns_the_poll_as_an_event_would(
    client, assembly, running, voter
):
    client.force_login(voter)
    yes = running.options.first()
    response = client.post(f"{assembly.url}votar/{running.pk}/", {"option": yes.pk}, **JSON)
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert payload["voted"] == running.pk
    assert payload["poll"]["id"] == running.pk
    assert payload["poll"]["options"][0]["online"] == 1
    assert Ballot.objects.filter(voter=voter, option=yes).exists()
    again = client.post(f"{assembly.url}votar/{running.pk}/", {"option": yes.pk}, **JSON)
    assert again.status_code == 409 and again.json()["code"] == "rejected"
    assert Ballot.objects.filter(voter=voter).count() == 1


def test_fetch_errors_are_json_with_a_status_and_a_message(
    client, assembly, running, voter, unverified, staff
):
    url = f"{assembly.url}votar/{running.pk}/"
    yes = running.options.first()
    # Not logged in: 401 with the login link (not a redirect the script would follow).
    response = client.post(url, {"option": yes.pk}, **JSON)
    assert response.status_code == 401
    assert "/cuenta/login/" in response.json()["login_url"]
    # Not verified: the rule book says no.
    client.force_login(unverified)
    response = client.post(url, {"option": yes.pk}, **JSON)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert response.json()["message"]
    # No option chosen.
    client.force_login(voter)
    response = client.post(url, {}, **JSON)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    # A closed vote.
    services.poll_close(poll=running, actor=staff)
    response = client.post(url, {"option": yes.pk}, **JSON)
    assert response.status_code == 409 and response.json()["code"] == "rejected"
    assert not Ballot.objects.exists()
    # An empty question is a form error.
    response = client.post(f"{assembly.url}preguntas/", {"text": ""}, **JSON)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_the_question_rate_limit_answers_429(client, assembly, running, voter):
    client.force_login(voter)
    for i in range(services.QUESTION_RATE):
        ok = client.post(f"{assembly.url}preguntas/", {"text": f"Pregunta {i}"}, **JSON)
        assert ok.status_code == 200
    response = client.post(f"{assembly.url}preguntas/", {"text": "Una más"}, **JSON)
    assert response.status_code == 429 and response.json()["code"] == "rate"
    assert Question.objects.count() == services.QUESTION_RATE


def test_a_support_with_fetch_returns_the_question_and_marks_it(
    client, assembly, running, voter, staff, zone_page
):
    author = verified_resident(zone_page)
    question = services.question_submit(assembly=assembly, author=author, text="¿Y el agua?")
    services.question_moderate(question=question, actor=staff, action="approve")
    client.force_login(voter)
    url = f"{assembly.url}preguntas/{question.pk}/apoyar/"
    response = client.post(url, **JSON)
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert payload["supported"] == question.pk
    assert payload["questions"] == [
        {**payload["questions"][0], "id": question.pk, "upvotes": 1, "text": "¿Y el agua?"}
    ]
    assert QuestionUpvote.objects.filter(question=question, user=voter).exists()
    # The page then says so instead of offering the button again.
    html = client.get(assembly.url).content.decode()
    assert f'action="{url}"' not in html
    assert 'class="meta supported"' in html
    assert client.post(url, **JSON).status_code == 409


# --- Status, notice, stream -------------------------------------------------------------


def test_a_finished_assembly_never_shows_the_live_indicator(client, assembly, running, staff):
    html = client.get(assembly.url).content.decode()
    assert 'id="live-connection"' in html and 'id="live-nojs"' in html
    services.assembly_end(assembly=assembly, actor=staff)
    html = client.get(assembly.url).content.decode()
    assert 'class="badge status-finalizada"' in html
    assert 'id="live-connection"' not in html  # the script's "en vivo" has nowhere to go
    assert 'id="live-nojs"' not in html  # nothing changes any more
    assert 'id="live-followers"' not in html
    html = english(client, assembly.url)
    assert "Final results" in html and "¿Aprueba el plan?" in html


def test_without_javascript_the_page_says_it_does_not_refresh(client, assembly, running):
    html = english(client, assembly.url)
    assert "This page does not refresh by itself." in html
    assert f'<a href="{assembly.url}">Reload the page to see the latest</a>' in html


def test_no_stream_url_shows_a_local_placeholder(client, assembly, staff):
    assert not assembly.stream_url
    html = english(client, assembly.url)
    assert 'id="stream-placeholder"' in html
    assert "The broadcast will start soon" in html
    assert "<iframe" not in html and "youtube" not in html
    services.assembly_start(assembly=assembly, actor=staff)
    html = english(client, assembly.url)
    assert "Broadcast not available" in html


def test_a_stream_url_is_embedded_instead_of_the_placeholder(client, assembly):
    assembly.stream_url = "https://www.youtube.com/watch?v=abcdefghijk"
    assembly.save_revision().publish()
    html = client.get(assembly.url).content.decode()
    assert "https://www.youtube-nocookie.com/embed/abcdefghijk" in html
    assert 'id="stream-placeholder"' not in html


# --- Confirmation of destructive control-panel actions ----------------------------------


def test_ending_the_assembly_asks_for_confirmation(client, assembly, running, staff):
    pass_mfa(client, staff)
    url = f"{assembly.url}control/"
    response = client.post(url, {"action": "end"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="confirm" value="1"' in html and 'value="end"' in html
    assert LiveState.objects.get(assembly=assembly).status == "en_curso"
    assert not end_entries(assembly).exists()
    response = client.post(url, {"action": "end", "confirm": "1"})
    assert response.status_code == 302
    assert LiveState.objects.get(assembly=assembly).status == "finalizada"
    assert end_entries(assembly).count() == 1


def test_publishing_results_asks_for_confirmation(client, assembly, running, staff):
    pass_mfa(client, staff)
    url = f"{assembly.url}control/"
    services.poll_close(poll=running, actor=staff)
    services.poll_record_room_counts(
        poll=running, actor=staff, counts={o.pk: 3 for o in running.options.all()}
    )
    response = client.post(url, {"action": "publish", "poll": running.pk})
    assert response.status_code == 200 and "¿Aprueba el plan?" in response.content.decode()
    running.refresh_from_db()
    assert not running.results_published
    client.post(url, {"action": "publish", "poll": running.pk, "confirm": "1"})
    running.refresh_from_db()
    assert running.results_published
    # Reopening it now withdraws the results: that asks too.
    response = client.post(url, {"action": "poll_reopen", "poll": running.pk})
    assert response.status_code == 200 and 'value="poll_reopen"' in response.content.decode()
    running.refresh_from_db()
    assert running.results_published and running.status == "closed"


def test_the_confirmation_step_keeps_the_gate(client, assembly, running, staff, voter):
    client.force_login(voter)
    assert client.post(f"{assembly.url}control/", {"action": "end"}).status_code == 403
    client.force_login(staff)  # no MFA this session: the gate, not the confirmation page
    response = client.post(f"{assembly.url}control/", {"action": "end"})
    assert response.status_code == 302 and "2fa" in response["Location"]


# --- The admin --------------------------------------------------------------------------


def test_the_edit_page_links_to_the_control_panel_for_zone_staff(
    client, assembly, staff, zone_page
):
    pass_mfa(client, staff)
    response = client.get(f"/admin/pages/{assembly.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{assembly.url}control/"' in html and "data-assembly-control" in html
    # Only on assemblies: the zone's own page has no control panel.
    response = client.get(f"/admin/pages/{zone_page.pk}/edit/")
    assert response.status_code == 200
    assert "data-assembly-control" not in response.content.decode()


def test_ones_own_question_offers_no_support_and_counts_read_as_plurals(
    client, assembly, running, voter, staff, zone_page
):
    own = services.question_submit(assembly=assembly, author=voter, text="¿Y mi vereda?")
    other = services.question_submit(
        assembly=assembly, author=verified_resident(zone_page), text="¿Y el parque?"
    )
    for question in (own, other):
        services.question_moderate(question=question, actor=staff, action="approve")
    services.question_upvote(question=other, user=verified_resident(zone_page))
    client.force_login(voter)
    html = english(client, assembly.url)
    mine = html.split(f'id="question-{own.pk}"', 1)[1].split("</li>", 1)[0]
    theirs = html.split(f'id="question-{other.pk}"', 1)[1].split("</li>", 1)[0]
    assert "upvote-form" not in mine and "Your question." in mine
    assert "upvote-form" in theirs
    assert '<span class="upvotes">1</span> support<' in theirs
    assert '<span class="upvotes">0</span> supports' in mine
    assert f'data-mine="{own.pk} "' in html  # the script keeps the button off as well
