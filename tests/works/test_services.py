"""Works services: from budget results to works, dated updates as history, observations,
follows and status-change notifications."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from budgets import services as budget_services
from discussions import services as discussion_services
from discussions.models import Comment
from proposals.models import Support
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.mfa import mark_user
from territory.models import Zone
from tests.budgets.builders import make_cycle, make_request, make_resident, make_staff, set_phase
from tests.factories import UserFactory
from tests.works.builders import make_work
from works import audit, services, veeduria
from works.models import CommitteeMember, Follow, Observation, Work, WorkUpdate
from works.status import WorkStatus

pytestmark = pytest.mark.django_db
S = WorkStatus
TODAY = timezone.localdate


def post(work, staff, **kwargs):
    values = {
        "date": TODAY(),
        "status": work.status,
        "physical_progress": work.physical_progress,
        "financial_progress": work.financial_progress,
    }
    values.update(kwargs)
    return services.update_post(work=work, actor=staff, **values)


# --- from results to works ----------------------------------------------------------------
@pytest.fixture
def published(territory):
    cycle = make_cycle("calderon", phase="prioritisation")
    park = make_request(cycle, title="Parque infantil", cost=Decimal("20000"))
    path = make_request(cycle, title="Vereda", cost=Decimal("15000"))
    author = make_resident("calderon")
    park.author = author
    park.save(update_fields=["author"])
    voter = make_resident("calderon")
    budget_services.ballot_submit(cycle=cycle, user=voter, request_ids=[park.pk, path.pk])
    cycle = set_phase(cycle, "results")
    staff = make_staff("calderon")
    budget_services.results_publish(cycle=cycle, actor=staff)
    return cycle, staff, (park, path), voter, author


def test_publishing_results_creates_one_work_per_selected_project(published):
    cycle, _staff, (park, path), _voter, _author = published
    works = Work.objects.filter(cycle=cycle).order_by("title")
    assert [w.request_id for w in works] == [park.pk, path.pk]
    work = works.get(request=park)
    assert work.source == Work.Source.BUDGET
    assert work.zone == cycle.zone and work.parish == park.parish
    assert work.amount_assigned == park.verdict.technical_cost
    assert work.status == S.PLANNED and work.year == cycle.year + 1
    assert park.work == work
    assert list(work.updates.values_list("origin", flat=True)) == ["results"]
    assert work.thread is not None and work.thread.zone == cycle.zone


def test_publishing_again_creates_nothing_twice(published):
    cycle, staff, _requests, _voter, _author = published
    before = set(Work.objects.values_list("pk", "code"))
    updates = WorkUpdate.objects.count()
    budget_services.results_publish(cycle=cycle, actor=staff)
    budget_services.results_publish(cycle=cycle, actor=staff)
    assert set(Work.objects.values_list("pk", "code")) == before
    assert WorkUpdate.objects.count() == updates


def test_withdrawing_results_removes_untouched_works(published):
    cycle, staff, _requests, _voter, _author = published
    budget_services.results_withdraw(cycle=cycle, actor=staff, confirm=True, reason="Acta tardía")
    assert not Work.objects.filter(cycle=cycle).exists()


def test_withdrawing_is_refused_once_a_work_moved_on(published):
    cycle, staff, (park, _path), _voter, _author = published
    work = Work.objects.get(request=park)
    post(work, staff, status=S.PROCUREMENT, text="Proceso de contratación iniciado.")
    with pytest.raises(DomainError, match=work.code):
        budget_services.results_withdraw(cycle=cycle, actor=staff, confirm=True, reason="Error")
    # Nothing was withdrawn: the refusal rolled the whole withdrawal back.
    assert cycle.results.exists()
    assert Work.objects.filter(cycle=cycle).count() == 2
    park.refresh_from_db()
    assert park.status == "prioritised"


def test_a_status_change_notifies_supporters_author_and_followers_once_each(
    published, django_capture_on_commit_callbacks
):
    _cycle, staff, (park, _path), voter, author = published
    work = Work.objects.get(request=park)
    Support.objects.create(request=park, resident=voter.resident)
    follower = UserFactory()
    services.follow_toggle(work=work, user=follower)
    services.follow_toggle(work=work, user=voter)  # follows and supports: told once
    muted = make_resident("calderon")
    muted.resident.email_notifications = False
    muted.resident.save()
    Support.objects.create(request=park, resident=muted.resident)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        post(work, staff, status=S.PROCUREMENT)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([voter.email, author.email, follower.email])
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert work.code in mail.outbox[0].subject
    assert f"/obras/{work.code}/" in mail.outbox[0].body
    mail.outbox.clear()
    work.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        post(work, staff, text="Sin cambios de estado, solo una nota.")
    assert [m.subject for m in mail.outbox] == []


# --- dated updates ------------------------------------------------------------------------
def test_updates_are_history_and_the_work_shows_the_latest(territory):
    staff = make_staff("calderon")
    work = make_work(staff=staff)
    post(work, staff, status=S.UNDER_WAY, physical_progress=Decimal(10), text="Inicio")
    work.refresh_from_db()
    post(work, staff, physical_progress=Decimal(35), financial_progress=Decimal(40))
    work.refresh_from_db()
    assert (work.status, work.physical_progress, work.financial_progress) == (
        S.UNDER_WAY,
        Decimal(35),
        Decimal(40),
    )
    assert work.actual_start == TODAY()
    history = list(work.updates.values_list("from_status", "status", "physical_progress"))
    assert history == [
        ("", S.PLANNED, Decimal(0)),
        (S.PLANNED, S.UNDER_WAY, Decimal(10)),
        (S.UNDER_WAY, S.UNDER_WAY, Decimal(35)),
    ]
    assert (
        ModelLogEntry.objects.filter(action=audit.UPDATE_POST, object_id=str(work.pk)).count() == 2
    )


def test_a_refused_update_writes_nothing(territory):
    staff = make_staff("calderon")
    work = make_work(staff=staff, status=S.UNDER_WAY)
    count = work.updates.count()
    cases = [
        {"status": S.FINISHED, "physical_progress": Decimal(80)},
        {"physical_progress": Decimal(5)},  # down, no reason
        {"date": TODAY() + datetime.timedelta(days=1)},
        {"date": TODAY() - datetime.timedelta(days=3)},  # before the last update
        {"status": S.PLANNED, "physical_progress": Decimal(0), "text": "Volver"},
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            post(work, staff, **case)
    work.refresh_from_db()
    assert work.updates.count() == count and work.status == S.UNDER_WAY


def test_finishing_sets_the_actual_end_and_closes_the_work(territory):
    staff = make_staff("calderon")
    work = make_work(staff=staff, status=S.UNDER_WAY)
    post(work, staff, status=S.FINISHED, physical_progress=Decimal(100))
    work.refresh_from_db()
    assert work.actual_end == TODAY() and work.is_final
    with pytest.raises(PermissionDenied):
        post(work, staff, text="Una nota más")


def test_only_the_zones_staff_with_mfa_post_updates(territory):
    work = make_work("calderon")
    other = make_staff("tumbaco")
    no_mfa = make_staff("calderon")
    mark_user(no_mfa, False)
    for actor in (other, no_mfa, make_resident("calderon")):
        with pytest.raises(PermissionDenied):
            post(work, actor, status=S.PROCUREMENT)
    assert work.updates.count() == 1


def test_work_create_checks_parish_ruc_and_generates_codes(territory):
    staff = make_staff("calderon")
    zone = Zone.objects.get(slug="calderon")
    tumbaco_parish = Zone.objects.get(slug="tumbaco").parishes.first()
    with pytest.raises(ValidationError) as error:
        services.work_create(
            actor=staff,
            zone=zone,
            title="Obra",
            parish=tumbaco_parish,
            year=2026,
            contractor_ruc="123",
        )
    assert set(error.value.message_dict) == {"parish", "contractor_ruc"}
    first = services.work_create(
        actor=staff, zone=zone, title="A", parish=zone.parishes.first(), year=2026
    )
    second = services.work_create(
        actor=staff, zone=zone, title="B", parish=zone.parishes.first(), year=2026
    )
    assert (first.code, second.code) == ("OB-2026-00001", "OB-2026-00002")
    with pytest.raises(PermissionDenied):
        services.work_create(
            actor=make_staff("tumbaco"), zone=zone, title="C", parish=zone.parishes.first()
        )


def test_editing_details_never_touches_status_or_progress(territory):
    staff = make_staff("calderon")
    work = make_work(staff=staff, status=S.UNDER_WAY)
    services.work_edit(
        work=work,
        actor=staff,
        title="Nuevo título",
        status=S.FINISHED,
        physical_progress=100,
        contractor_ruc="1790012345001",
    )
    work.refresh_from_db()
    assert work.title == "Nuevo título" and work.contractor_ruc == "1790012345001"
    assert work.status == S.UNDER_WAY and work.physical_progress == Decimal(30)


# --- residents ----------------------------------------------------------------------------
def test_verified_residents_of_the_zone_observe_through_the_discussion_engine(territory):
    work = make_work("calderon", status=S.UNDER_WAY)
    resident = make_resident("calderon")
    observation = services.observation_post(
        work=work, user=resident, assessment="detenida", text="No hay obreros desde hace un mes."
    )
    assert observation.comment.thread == work.thread
    assert observation.comment.author == resident
    for outsider in (
        make_resident("tumbaco"),
        make_resident("calderon", verified=False),
        UserFactory(),
    ):
        with pytest.raises(PermissionDenied):
            services.observation_post(work=work, user=outsider, assessment="avanza", text="Hola")
    with pytest.raises(ValidationError):
        services.observation_post(work=work, user=resident, assessment="quien_sabe", text="Hola")


def test_observations_are_limited_per_work_and_day(territory):
    work = make_work("calderon", status=S.UNDER_WAY)
    resident = make_resident("calderon")
    for _ in range(services.OBSERVATIONS_PER_WORK_PER_DAY):
        services.observation_post(work=work, user=resident, assessment="avanza", text="Avanza")
    with pytest.raises(DomainError, match="mañana|tomorrow"):
        services.observation_post(work=work, user=resident, assessment="avanza", text="Otra")
    assert Observation.objects.filter(work=work).count() == services.OBSERVATIONS_PER_WORK_PER_DAY


def test_contradiction_alert_needs_three_distinct_residents_and_visible_observations(territory):
    staff = make_staff("calderon")
    work = make_work("calderon", status=S.UNDER_WAY, staff=staff)
    one = make_resident("calderon")
    for _ in range(3):  # one person alone never raises the flag
        services.observation_post(work=work, user=one, assessment="detenida", text="Parada")
    assert veeduria.alert_for(work) is None
    two, three = make_resident("calderon"), make_resident("calderon")
    services.observation_post(work=work, user=two, assessment="detenida", text="Parada")
    last = services.observation_post(work=work, user=three, assessment="detenida", text="Parada")
    alert = veeduria.alert_for(work)
    assert alert is not None and alert.residents == 3 and alert.assessment == "detenida"
    # Moderation takes an observation out of the count.
    discussion_services.comment_hide(comment=last.comment, actor=staff, reason="Fuera de tema")
    assert Comment.objects.get(pk=last.comment_id).status == "hidden"
    assert veeduria.alert_for(work) is None
    # "avanza" does not contradict "en ejecución"; old observations do not count.
    services.observation_post(work=work, user=three, assessment="avanza", text="Avanza")
    assert veeduria.alert_for(work) is None
    later = timezone.now() + datetime.timedelta(days=veeduria.WINDOW_DAYS + 1)
    services.observation_post(work=work, user=three, assessment="detenida", text="Parada")
    assert veeduria.alert_for(work) is not None
    assert veeduria.alert_for(work, now=later) is None


def test_follow_toggles_and_needs_an_account(territory):
    work = make_work()
    user = UserFactory()
    assert services.follow_toggle(work=work, user=user) is True
    assert services.follow_toggle(work=work, user=user) is False
    assert not Follow.objects.filter(work=work).exists()
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.follow_toggle(work=work, user=AnonymousUser())


def test_without_a_current_consent_one_can_stop_following_but_not_start(territory, settings):
    work, other = make_work(), make_work()
    user = UserFactory()
    assert services.follow_toggle(work=work, user=user) is True
    settings.PRIVACY_POLICY_VERSION = "2099-01"  # a new policy the user has not accepted
    user = type(user).objects.get(pk=user.pk)  # a new request: nothing cached on the user
    with pytest.raises(PermissionDenied) as refused:
        services.follow_toggle(work=other, user=user)
    assert refused.value.refusal.kind == "consent"
    assert services.follow_toggle(work=work, user=user) is False
    assert not Follow.objects.filter(user=user).exists()


# --- found by the hostile review ------------------------------------------------------------
def test_results_codes_are_reserved_and_years_bounded(territory):
    staff = make_staff("calderon")
    zone = Zone.objects.get(slug="calderon")
    parish = zone.parishes.first()
    for values, field in (
        ({"code": "PP-2026-00099"}, "code"),
        ({"code": "pp-2026-00099"}, "code"),
        ({"year": 99999}, "year"),
        ({"year": 0}, "year"),
        ({"year": 1999}, "year"),
    ):
        with pytest.raises(ValidationError) as error:
            services.work_create(actor=staff, zone=zone, title="Obra", parish=parish, **values)
        assert field in error.value.message_dict, values
    assert not Work.objects.exists()


def test_a_results_work_with_a_committee_or_a_follower_is_not_removed(published):
    cycle, staff, (park, path), voter, _author = published
    CommitteeMember.objects.create(
        work=Work.objects.get(request=park), display_name="Rosa", role="vocal"
    )
    with pytest.raises(DomainError):
        budget_services.results_withdraw(cycle=cycle, actor=staff, confirm=True, reason="Error")
    assert Work.objects.filter(cycle=cycle).count() == 2
    CommitteeMember.objects.all().delete()
    services.follow_toggle(work=Work.objects.get(request=path), user=voter)
    with pytest.raises(DomainError):
        budget_services.results_withdraw(cycle=cycle, actor=staff, confirm=True, reason="Error")
    assert cycle.results.exists()
