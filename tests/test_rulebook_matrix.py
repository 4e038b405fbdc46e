"""The rule book's role x phase x zone matrix, generated from the registry.

For every registered action, every role of `quitodecide.rulebook.ROLES`, every phase its
rows name and both zones (the target's own and another), the predicate must answer what
the rows say. An action registered without rows for every phase of its target fails here,
and so does a predicate that disagrees with its rows.
"""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.cedula import cedula_hash
from assemblies.models import AssemblyKind, AssemblyPage, LiveState, Poll, PollOption, Question
from discussions import services as discussion_services
from discussions.models import Comment, Thread
from quitodecide import rulebook
from quitodecide.mfa import mark_user
from territory.models import Parish, Zone, ZonePage
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.budgets.builders import make_cycle
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory, UserFactory, valid_cedula

OWN, OTHER = "calderon", "eugenio-espejo"
_serial = itertools.count()

# The phases each kind of target has; every action's rows must name exactly these.
TARGET_PHASES = {
    "budget_cycle": {"requests", "prefeasibility", "prioritisation", "results", "execution"},
    # A cycle whose results are published, in the phase where it is now.
    "budget_cycle_published": {"prioritisation", "results", "execution"},
    "consultation": {"upcoming", "open", "open_residents", "closed"},
    "assembly": {"scheduled", "live", "finished"},
    "poll": {"open", "hands_only", "closed", "open_parish", "open_other_parish"},
    "question": {"live", "finished"},
    "thread": {"any"},
    "comment": {"fresh", "old", "hidden"},
    "resident": {"any"},
    "work": {"planned", "under_way", "finished", "cancelled"},
    "zone": {"any"},
    "opengov_plan": {"any"},
    "verification_request": {"open", "closed"},
    "council": {"any"},
    "agenda_item": {"open", "closed"},
    "actor": {"any"},
    "survey": {"upcoming", "open", "open_invitation", "closed", "closed_private"},
    "survey_invitation": {"open", "closed"},
    "training_plan": {"any"},
    "training_session": {"upcoming", "today", "held", "cancelled"},
}
# Targets someone wrote: only they have the "author" role.
AUTHORED = {"comment", "question"}


def parish_of(zone_slug, index=0):
    return Parish.objects.filter(zone__slug=zone_slug).order_by("name")[index]


# --- roles ------------------------------------------------------------------------------


def make_role(role: str, zone_slug: str):
    """A user playing `role` for zone `zone_slug` (lives there, or is its staff)."""
    zone = Zone.objects.get(slug=zone_slug)
    if role == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser()
    if role == "secretariat":
        from council.groups import ensure_secretariat_group

        user = UserFactory()
        user.groups.add(ensure_secretariat_group())
        mark_user(user, True)
        return user
    if role in {"staff_no_mfa", "staff", "city_staff"}:
        user = UserFactory()
        group = CITY_GROUP_NAME if role == "city_staff" else zone_group_name(zone)
        user.groups.add(Group.objects.get(name=group))
        mark_user(user, role != "staff_no_mfa")
        return user
    if role == "account":
        return UserFactory()
    verified = role in {"verified", "unconfirmed", "author"}
    resident = ResidentFactory(
        user__verified_email=role != "unconfirmed",
        zone=zone,
        parish=parish_of(zone_slug),
        verification_status="verified" if verified else "unverified",
        verified_at=timezone.now() if verified else None,
        # Verified residents registered their cédula (voting asks for it: the voter key).
        cedula_hash=cedula_hash(valid_cedula(f"178{next(_serial):06d}")) if verified else None,
        cedula_confirmed_at=timezone.now() if verified else None,
    )
    return resident.user


# --- targets ----------------------------------------------------------------------------


def budget_cycle(phase, author):
    return make_cycle(OWN, phase=phase)


def budget_cycle_published(phase, author):
    from budgets.models import ResultSet

    cycle = make_cycle(OWN, phase=phase)
    ResultSet.objects.create(
        cycle=cycle, envelope=cycle.total_amount, selected_total=0, computed_at=timezone.now()
    )
    return cycle


def consultation(phase, author):
    zone_page = ZonePage.objects.get(zone__slug=OWN)
    opens, closes = {"upcoming": (2, 10), "closed": (-10, -2)}.get(phase, (-1, 10))
    return make_consultation(
        zone_page,
        slug=f"consulta-{next(_serial)}",
        opens=opens,
        closes=closes,
        requires_verified_residency=phase == "open_residents",
    )


def _assembly(status, *, parish=None):
    zone_page = ZonePage.objects.get(zone__slug=OWN)
    page = AssemblyPage(
        title="Asamblea",
        slug=f"asamblea-{next(_serial)}",
        kind=AssemblyKind.PARROQUIAL if parish else AssemblyKind.ZONAL,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        place="Casa Somos",
        parish=parish,
    )
    zone_page.add_child(instance=page)
    page.save_revision().publish()
    statuses = {"scheduled": "programada", "live": "en_curso", "finished": "finalizada"}
    LiveState.objects.create(
        assembly=page,
        status=statuses[status],
        started_at=None if status == "scheduled" else timezone.now(),
        ended_at=timezone.now() if status == "finished" else None,
    )
    return AssemblyPage.objects.get(pk=page.pk)


def assembly(phase, author):
    return _assembly(phase)


def poll(phase, author):
    parish = {"open_parish": parish_of(OWN), "open_other_parish": parish_of(OWN, 1)}.get(phase)
    page = _assembly("live", parish=parish)
    target = Poll.objects.create(
        assembly=page,
        question="¿Aprueba?",
        mode=Poll.Mode.ROOM if phase == "hands_only" else Poll.Mode.BOTH,
        status=Poll.Status.CLOSED if phase == "closed" else Poll.Status.OPEN,
    )
    PollOption.objects.create(poll=target, label="Sí")
    return Poll.objects.get(pk=target.pk)


def question(phase, author):
    page = _assembly(phase)
    asker = author or make_role("verified", OWN)
    return Question.objects.create(
        assembly=page, author=asker, text="¿Cuándo?", status=Question.Status.APPROVED
    )


def thread(phase, author):
    return Thread.objects.create(zone=Zone.objects.get(slug=OWN), title="Hilo")


def comment(phase, author):
    target_thread = thread("any", None)
    writer = author or make_role("verified", OWN)
    created = discussion_services.comment_create(thread=target_thread, author=writer, body="Hola")
    if phase == "old":
        Comment.objects.filter(pk=created.pk).update(
            created_at=timezone.now() - datetime.timedelta(hours=1)
        )
    if phase == "hidden":
        Comment.objects.filter(pk=created.pk).update(
            status=Comment.Status.HIDDEN, moderation_reason="Insultos"
        )
    return Comment.objects.select_related("thread__zone").get(pk=created.pk)


def resident(phase, author):
    parish = parish_of(OWN)
    return ResidentFactory(zone=parish.zone, parish=parish)


def work(phase, author):
    from tests.works.builders import make_work
    from works.status import WorkStatus

    status = {
        "planned": WorkStatus.PROCUREMENT,
        "under_way": WorkStatus.UNDER_WAY,
        "finished": WorkStatus.FINISHED,
        "cancelled": WorkStatus.CANCELLED,
    }[phase]
    return make_work(OWN, status=status)


def zone(phase, author):
    return Zone.objects.get(slug=OWN)


def opengov_plan(phase, author):
    from opengov.models import ActionPlan

    serial = next(_serial)
    return ActionPlan.objects.create(
        slug=f"plan-{serial}", number=serial, title="Plan", start_year=2022, end_year=2023
    )


def verification_request(phase, author):
    from verification.models import VerificationRequest

    parish = parish_of(OWN)
    asker = ResidentFactory(zone=parish.zone, parish=parish)
    return VerificationRequest.objects.create(
        resident=asker,
        zone=parish.zone,
        parish=parish,
        status="open" if phase == "open" else "rejected",
    )


def council(phase, author):
    return None  # the council's records as a whole


def agenda_item(phase, author):
    from council.models import AgendaItem, CouncilSession

    days = 10 if phase == "open" else 2  # the deadline is 3 days before the session
    session = CouncilSession.objects.create(
        kind="ordinaria",
        number=f"{next(_serial):03d}",
        starts_at=timezone.now() + datetime.timedelta(days=days),
        place="Salón de la Ciudad",
    )
    return AgendaItem.objects.create(session=session, position=1, title="Ordenanza")


def actor(phase, author):
    from actors.models import Actor

    parish = parish_of(OWN)
    return Actor.objects.create(
        name=f"Comité barrial {next(_serial)}",
        kind=Actor.Kind.BARRIO_COMMITTEE,
        zone=parish.zone,
        parish=parish,
        legal_status=Actor.LegalStatus.DE_FACTO,
        year_mapped=2023,
        source=Actor.Source.ZONAL,
    )


def _survey(phase):
    from surveys.models import Survey

    now = timezone.now()
    days = datetime.timedelta(days=1)
    opens, closes = {"upcoming": (now + days, now + 2 * days)}.get(phase, (now - days, now + days))
    if phase.startswith("closed"):
        opens, closes = now - 2 * days, now - days
    return Survey.objects.create(
        title="Encuesta",
        slug=f"encuesta-{next(_serial)}",
        zone=Zone.objects.get(slug=OWN),
        opens_at=opens,
        closes_at=closes,
        is_published=True,
        limit="invitation" if phase == "open_invitation" else "account",
        results_public=phase != "closed_private",
    )


def survey(phase, author):
    return _survey(phase)


def survey_invitation(phase, author):
    from surveys.invitations import Invitation

    survey = _survey("open_invitation" if phase == "open" else "closed")
    survey.limit = "invitation"
    survey.save(update_fields=["limit"])
    return Invitation(survey=survey, key=f"test:{next(_serial)}", name="Ana")


def training_plan(phase, author):
    from training.models import TrainingPlan

    serial = next(_serial)
    return TrainingPlan.objects.create(
        zone=Zone.objects.get(slug=OWN), year=2026, title="Plan", slug=f"plan-{serial}"
    )


def training_session(phase, author):
    from training.models import TrainingSession

    now = timezone.now()
    if phase == "today":  # later today, Quito time
        end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
        starts = now + (end_of_day - now) / 2
    else:
        starts = now + datetime.timedelta(days=3 if phase == "upcoming" else -3)
    return TrainingSession.objects.create(
        plan=training_plan("any", None),
        title="Taller",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(seconds=1),
        place="Casa barrial",
        capacity=20,
        facilitator="Facilitadora",
        status="cancelada" if phase == "cancelled" else "programada",
    )


BUILDERS = {
    "budget_cycle": budget_cycle,
    "budget_cycle_published": budget_cycle_published,
    "consultation": consultation,
    "assembly": assembly,
    "poll": poll,
    "question": question,
    "thread": thread,
    "comment": comment,
    "resident": resident,
    "work": work,
    "zone": zone,
    "opengov_plan": opengov_plan,
    "verification_request": verification_request,
    "council": council,
    "agenda_item": agenda_item,
    "actor": actor,
    "survey": survey,
    "survey_invitation": survey_invitation,
    "training_plan": training_plan,
    "training_session": training_session,
}


def test_every_action_has_rows_for_every_phase_of_its_target():
    assert rulebook.ACTIONS, "the rule book is empty: are the apps' rules.py imported?"
    for name, action in rulebook.ACTIONS.items():
        assert action.target in TARGET_PHASES, f"{name}: unknown target {action.target}"
        assert set(action.rows) == TARGET_PHASES[action.target], (
            f"{name}: its rows must name the phases {sorted(TARGET_PHASES[action.target])}"
        )


def test_staff_actions_include_the_mfa_gate():
    for name, action in rulebook.ACTIONS.items():
        roles = {token.rstrip("*") for tokens in action.rows.values() for token in tokens}
        if roles & rulebook.STAFF and not roles - rulebook.STAFF:
            assert action.staff, f"{name} is for staff only and must be a staff action"
        if action.staff:
            assert "staff_no_mfa" not in roles, f"{name}: staff without MFA never act"


def _cases():
    for name in sorted(rulebook.ACTIONS):
        action = rulebook.ACTIONS[name]
        for phase in sorted(TARGET_PHASES[action.target]):
            yield pytest.param(name, phase, id=f"{name}-{phase}")


@pytest.mark.parametrize(("name", "phase"), list(_cases()))
@pytest.mark.django_db
def test_matrix(name, phase):
    """Every role, in the target's zone and in another, against the rows of one phase."""
    action = rulebook.ACTIONS[name]
    roles = [r for r in rulebook.ROLES if r != "author" or action.target in AUTHORED]
    build = BUILDERS[action.target]
    shared = build(phase, None)
    wrong = []
    for role, zone in itertools.product(roles, (OWN, OTHER)):
        if role == "author" and zone == OTHER:
            continue
        user = make_role(role, zone)
        target = build(phase, user) if role == "author" else shared
        expected = action.allows(role, phase, own_zone=zone == OWN)
        if rulebook.allowed(user, name, target) != expected:
            wrong.append(f"{role}@{'own' if zone == OWN else 'other'} should be {expected}")
    assert not wrong, f"{name} in phase {phase}: " + "; ".join(wrong)


@pytest.mark.django_db
def test_superusers_get_no_bypass_of_phases():
    user = UserFactory(is_superuser=True, is_staff=True)
    mark_user(user, True)
    closed = make_cycle(OWN, phase="execution")
    assert not rulebook.allowed(user, "budgets.publish_results", closed)
    open_ = make_cycle(OWN, year=2027, phase="results")
    assert rulebook.allowed(user, "budgets.publish_results", open_)


@pytest.mark.django_db
def test_an_unregistered_rule_is_an_error_not_a_no():
    with pytest.raises(KeyError):
        rulebook.allowed(UserFactory(), "budgets.vot", None)


def test_registering_an_action_twice_or_with_unknown_roles_fails():
    import rules as django_rules

    predicate = django_rules.always_true
    with pytest.raises(ValueError, match="twice"):
        rulebook.action(
            "budgets.vote", predicate, target="thread", rows={"any": set()}, summary="x"
        )
    with pytest.raises(ValueError, match="unknown roles"):
        rulebook.action(
            "tests.nobody", predicate, target="thread", rows={"any": {"mayor"}}, summary="x"
        )
    assert "tests.nobody" not in rulebook.ACTIONS


def test_docs_permissions_is_the_registry():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
    assert path.read_text(encoding="utf-8") == rulebook.render_markdown(), (
        "docs/permissions.md is out of date: run `make permissions-doc`"
    )
