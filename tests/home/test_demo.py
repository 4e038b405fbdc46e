"""`make setup` loads a demo that shows every phase, loads once (a second run changes nothing),
and `demo_logins` prints the demo accounts only in development."""

import io
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings

from assemblies.models import AssemblyPage, Poll, Question
from budgets.models import Ballot, BudgetCyclePage, Phase
from consultations.models import ConsultationPage, Provision
from discussions.models import Comment, Flag, Support
from home import demo
from proposals.models import Request
from proposals.models import Support as RequestSupport
from quitodecide import rulebook
from quitodecide.mfa import mark_user
from works.models import Work

pytestmark = pytest.mark.django_db

SETUP = [  # the Makefile's `setup`, after migrate
    "load_territory",
    "load_demo",
    "load_demo_consultations",
    "load_demo_budgets",
    "load_demo_assemblies",
    "load_demo_works",
    "load_opengov",
]
MODELS = [
    get_user_model(),
    BudgetCyclePage,
    Phase,
    Request,
    RequestSupport,
    Ballot,
    ConsultationPage,
    Comment,
    Support,
    Flag,
    AssemblyPage,
    Poll,
    Question,
    Work,
]


def setup_demo() -> tuple[float, float]:
    """Run the setup's loaders; returns (wall-clock, CPU) seconds."""
    started, cpu = time.monotonic(), time.process_time()
    for command in SETUP:
        call_command(command, stdout=io.StringIO())
    return time.monotonic() - started, time.process_time() - cpu


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def logins(**settings) -> str:
    out = io.StringIO()
    with override_settings(**settings):
        call_command("demo_logins", stdout=out)
    return out.getvalue()


def consultation_comments(page) -> int:
    threads = Provision.objects.filter(version__consultation=page).values("thread")
    return Comment.objects.filter(thread__in=threads).count()


def test_the_demo_shows_every_phase_and_loads_once(client):
    wall, cpu = setup_demo()
    print(f"demo load: {wall:.1f} s ({cpu:.1f} s CPU)")  # shown with -s
    users = {u.email: u for u in get_user_model().objects.all()}
    resident, unverified = users[demo.RESIDENT_EMAIL], users[demo.UNVERIFIED_EMAIL]
    voter, staff = users[demo.VOTER_EMAIL], users[demo.STAFF_EMAIL]
    mark_user(staff, True)

    # Budgets: one cycle taking requests, one voting, one (two) with results; the rule book
    # says so, for the demo's own logins.
    cycles = list(BudgetCyclePage.objects.all())
    taking = [c for c in cycles if rulebook.allowed(resident, "proposals.submit", c)]
    assert [c.zone.slug for c in taking] == ["calderon"]
    assert rulebook.allowed(unverified, "proposals.submit", taking[0])
    assert not rulebook.allowed(unverified, "proposals.support", taking[0])
    assert rulebook.allowed(resident, "proposals.support", taking[0])
    assert rulebook.allowed(staff, "proposals.assess", taking[0])
    voting = [c for c in cycles if rulebook.allowed(voter, "budgets.vote", c)]
    assert [c.zone.slug for c in voting] == ["eugenio-espejo"]
    assert voting[0].ballots.exists() and not voting[0].ballots.filter(resident__user=voter)
    with_results = [c for c in cycles if c.results.exists()]
    assert sorted(c.zone.slug for c in with_results) == ["calderon", "tumbaco"]
    assert all(c.current_phase.kind == "results" for c in with_results)
    assert taking[0].requests.filter(status="submitted").exists()  # awaiting a verdict
    for cycle in (taking[0], voting[0], with_results[0]):
        assert client.get(cycle.url).status_code == 200, cycle.url

    # Consultations: open, closed, with a report; the big one.
    statuses = {page.slug: page.status for page in ConsultationPage.objects.all()}
    assert {"abierta", "cerrada", "informe"} <= set(statuses.values()), statuses
    big = ConsultationPage.objects.get(slug="ordenanza-movilidad-activa-calderon")
    articles = Provision.objects.filter(version__consultation=big, key__startswith="art-")
    assert big.is_open and articles.count() >= 30
    assert 180 <= consultation_comments(big) <= 230
    threads = articles.values("thread")
    in_big = Comment.objects.filter(thread__in=threads)
    assert in_big.values("thread").distinct().count() == articles.count()  # spread out
    assert in_big.filter(parent__isnull=False).count() >= 30
    assert in_big.filter(is_official=True).exists()
    assert Support.objects.filter(comment__in=in_big).count() >= 100
    assert in_big.filter(status=Comment.Status.HIDDEN).count() == 3
    assert in_big.filter(open_flag_count__gt=0).exists()  # for the staff's task list
    assert client.get(big.url + "articulo/art-7/").status_code == 200

    # Assemblies: upcoming, live today, finished with minutes; no third-party stream.
    by_status = {}
    for page in AssemblyPage.objects.select_related("live_state"):
        state = getattr(page, "live_state", None)
        by_status.setdefault(state.status if state else "programada", []).append(page)
    assert set(by_status) >= {"programada", "en_curso", "finalizada"}, by_status
    live = by_status["en_curso"][0]
    assert live.polls.filter(status="open").exists() and live.questions.count() >= 3
    finished = [p for p in by_status["finalizada"] if p.minutes_text]
    assert finished and finished[0].polls.filter(results_published=True).exists()
    assert finished[0].minutes_document_id is not None
    assert not AssemblyPage.objects.exclude(stream_url="").exists()
    for page in (by_status["programada"][0], live, finished[0]):
        assert client.get(page.url).status_code == 200, page.url

    # Idempotent: a second `make setup` creates nothing and changes no phase.
    before = counts()
    phases = sorted(Phase.objects.values_list("pk", "starts_on", "ends_on"))
    setup_demo()
    assert counts() == before
    assert sorted(Phase.objects.values_list("pk", "starts_on", "ends_on")) == phases

    # The logins: three kinds of account, their passwords (which work), the TOTP secret.
    text = logins(DEBUG=True)
    for email in (demo.RESIDENT_EMAIL, demo.UNVERIFIED_EMAIL, demo.STAFF_EMAIL):
        assert email in text and demo.demo_password(email) in text
        assert users[email].check_password(demo.demo_password(email))
    secret = demo.totp_secret(staff)
    assert secret and secret in text
    code = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("demo_logins", "--code", stdout=code)
    assert code.getvalue().strip() == demo.totp_code(secret)


def test_an_older_demo_is_brought_to_todays_phases(client):
    """A database loaded long ago: its phases drifted, its live assembly had a YouTube URL."""
    setup_demo()
    calderon = BudgetCyclePage.objects.filter(zone__slug="calderon").order_by("year").first()
    Phase.objects.filter(cycle=calderon).update(
        starts_on=calderon.phases.get(kind="requests").starts_on.replace(year=2020),
        ends_on=calderon.phases.get(kind="requests").starts_on.replace(year=2020),
    )
    live = AssemblyPage.objects.get(slug="asamblea-zonal-calderon-en-vivo")
    AssemblyPage.objects.filter(pk=live.pk).update(
        stream_url="https://www.youtube.com/watch?v=x", starts_at=live.starts_at.replace(year=2020)
    )
    before = counts()
    setup_demo()
    calderon = BudgetCyclePage.objects.get(pk=calderon.pk)
    assert calderon.current_phase.kind == "results"
    live.refresh_from_db()
    assert live.stream_url == "" and live.starts_at.year != 2020
    assert counts() == before


@pytest.mark.parametrize(
    "settings",
    [{"DEBUG": False}, {"DEBUG": True, "SETTINGS_MODULE": "quitodecide.settings.production"}],
)
def test_demo_logins_refuses_outside_development(settings):
    with pytest.raises(CommandError, match="development only"):
        logins(**settings)


def test_the_production_settings_are_recognised_by_their_environment_variable(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "quitodecide.settings.production")
    with pytest.raises(CommandError, match="development only"):
        logins(DEBUG=True)
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_budgets", stdout=io.StringIO())


@pytest.mark.parametrize("command", [c for c in SETUP if c.startswith("load_demo")])
def test_the_demo_loaders_refuse_the_production_settings(command):
    with (
        override_settings(SETTINGS_MODULE="quitodecide.settings.production"),
        pytest.raises(CommandError, match="production"),
    ):
        call_command(command, stdout=io.StringIO())
    assert not get_user_model().objects.filter(email__endswith="quitodecide.localhost").exists()
