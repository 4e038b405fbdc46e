"""council.services: only the secretariat with MFA writes (zone staff, the city-wide
team, a secretariat member without MFA and residents are refused); every write is audited;
links, attendance and votes are validated; tallies come from the votes."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from wagtail.models import ModelLogEntry

from council import audit, selectors, services
from council.groups import ensure_secretariat_group
from council.models import AgendaItem, Attendance, CouncilSession, RollCallVote
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.mfa import mark_user
from tests.council.helpers import (
    make_councillors,
    make_held_session,
    make_session,
    secretariat,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _entries(action):
    return ModelLogEntry.objects.filter(action=action)


@pytest.fixture
def outsiders(territory):
    from territory.models import Zone
    from territory.services import CITY_GROUP_NAME, zone_group_name

    zone_staff = UserFactory()
    zone_staff.groups.add(
        Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon")))
    )
    city = UserFactory()
    city.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    no_mfa = UserFactory()
    no_mfa.groups.add(ensure_secretariat_group())
    for user in (zone_staff, city):
        mark_user(user, True)
    return {
        "zone staff": zone_staff,
        "city team": city,
        "no MFA": no_mfa,
        "resident": UserFactory(),
    }


def test_only_the_secretariat_with_mfa_writes(outsiders):
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=2)
    attempts = {
        "councillor": lambda u: services.councillor_save(actor=u, name="X"),
        "commission": lambda u: services.commission_save(actor=u, name="C", slug="c"),
        "session": lambda u: services.session_save(
            actor=u,
            kind="ordinaria",
            number="9",
            starts_at=timezone.now(),
            place="Salón",
        ),
        "item": lambda u: services.item_save(actor=u, session=session, position=5, title="T"),
        "attendance": lambda u: services.attendance_record(
            actor=u, session=session, presence={councillors[0]: "ausente"}
        ),
        "roll call": lambda u: services.roll_call_record(
            actor=u, item=item, votes={councillors[0]: "a_favor"}
        ),
        "delete": lambda u: services.session_delete(actor=u, session=session),
    }
    for who, user in outsiders.items():
        for what, attempt in attempts.items():
            with pytest.raises(PermissionDenied):
                attempt(user)
            assert not RollCallVote.objects.exists(), (who, what)
    assert CouncilSession.objects.count() == 1


def test_every_write_is_audited():
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=2)
    services.roll_call_record(actor=actor, item=item, votes=dict.fromkeys(councillors, "a_favor"))
    assert _entries(audit.SESSION_SAVE).filter(user_id=actor.pk).count() == 1
    assert _entries(audit.ATTENDANCE_SAVE).filter(user_id=actor.pk).count() == 1
    assert _entries(audit.RECORD_SAVE).filter(user_id=actor.pk).count() == 3  # 2 councillors, item
    entry = _entries(audit.ROLL_CALL_SAVE).get()
    assert entry.user_id == actor.pk
    assert entry.data["changed"] == {f"c{c.pk}": "a_favor" for c in councillors}


@pytest.mark.parametrize(
    "url",
    [
        "http://www.youtube.com/watch?v=1",
        "javascript:alert(1)",
        "https://localhost/x",
        "https://127.0.0.1/x",
        "https://user:pw@www.youtube.com/",
        "https://www.youtube.com:8080/",
        "https://exa mple.com/",
        "ftp://example.com/",
        "https://-bad-.com/",
        "https://youtube/",
    ],
)
def test_links_must_be_https_to_a_named_host(url):
    actor = secretariat()
    with pytest.raises(DomainError):
        make_session(actor, video_url=url)
    with pytest.raises(DomainError):
        make_session(actor, minutes_url=url)
    assert not CouncilSession.objects.exists()


def test_good_links_are_kept():
    actor = secretariat()
    session = make_session(
        actor,
        video_url="https://www.youtube.com/watch?v=abc",
        minutes_url="https://www.quito.gob.ec/actas/1.pdf",
    )
    assert session.video_url == "https://www.youtube.com/watch?v=abc"


@given(st.text(max_size=80))
@hsettings(max_examples=60, deadline=None)
def test_check_link_never_crashes(text):
    try:
        kept = services.check_link(text)
    except DomainError:
        return
    assert kept == "" or kept.startswith("https://")


def test_commission_session_needs_its_commission_and_only_it():
    actor = secretariat()
    with pytest.raises(DomainError):
        services.session_save(
            actor=actor, kind="comision", number="1", starts_at=timezone.now(), place="S"
        )
    session = make_session(actor, commission="movilidad")
    with pytest.raises(DomainError):
        services.session_save(
            actor=actor,
            kind="ordinaria",
            commission=session.commission,
            number="2",
            starts_at=timezone.now(),
            place="S",
        )


def test_attendance_and_votes_only_in_a_held_session():
    actor = secretariat()
    session = make_session(actor, days=2)
    councillors = make_councillors(actor, 1)
    item = services.item_save(actor=actor, session=session, position=1, title="T")
    with pytest.raises(DomainError):
        services.attendance_record(
            actor=actor, session=session, presence={councillors[0]: "presente"}
        )
    with pytest.raises(DomainError):
        services.roll_call_record(actor=actor, item=item, votes={councillors[0]: "a_favor"})
    with pytest.raises(DomainError):
        services.item_save(
            actor=actor, item=item, session=session, position=1, title="T", outcome="aprobado"
        )


def test_votes_only_from_councillors_on_the_attendance():
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=3)
    services.attendance_record(
        actor=actor,
        session=session,
        presence={councillors[1]: "ausente", councillors[2]: "alterno"},
    )
    stranger = make_councillors(actor, 1)[0]
    with pytest.raises(DomainError):
        services.roll_call_record(actor=actor, item=item, votes={stranger: "a_favor"})
    with pytest.raises(DomainError):
        services.roll_call_record(actor=actor, item=item, votes={councillors[1]: "en_contra"})
    with pytest.raises(DomainError):
        services.roll_call_record(actor=actor, item=item, votes={councillors[0]: "sí"})
    assert not RollCallVote.objects.exists()
    services.roll_call_record(
        actor=actor,
        item=item,
        votes={councillors[0]: "a_favor", councillors[1]: "ausente", councillors[2]: "en_contra"},
    )
    assert RollCallVote.objects.count() == 3


def test_one_vote_per_councillor_per_item_and_corrections_replace_it():
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=2)
    services.roll_call_record(actor=actor, item=item, votes={councillors[0]: "a_favor"})
    services.roll_call_record(actor=actor, item=item, votes={councillors[0]: "en_contra"})
    assert list(item.votes.values_list("choice", flat=True)) == ["en_contra"]
    assert [t[2] for t in selectors.tally(item.votes.all())] == [0, 1, 0, 0, 0]


def test_a_voter_cannot_be_marked_absent_afterwards():
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=1)
    services.roll_call_record(actor=actor, item=item, votes={councillors[0]: "a_favor"})
    with translation.override("en"), pytest.raises(DomainError, match="voted in this session"):
        services.attendance_record(
            actor=actor, session=session, presence={councillors[0]: "ausente"}
        )
    assert Attendance.objects.get().presence == "presente"
    with pytest.raises(DomainError):  # and the session stays held
        services.session_save(
            actor=actor,
            session=session,
            kind=session.kind,
            number=session.number,
            starts_at=session.starts_at,
            place=session.place,
            status="convocada",
        )


def test_agenda_positions_are_unique_and_items_with_votes_stay():
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=1)
    with pytest.raises(DomainError):
        services.item_save(actor=actor, session=session, position=item.position, title="Otro")
    services.roll_call_record(actor=actor, item=item, votes={councillors[0]: "a_favor"})
    other = make_session(actor, days=4)
    with pytest.raises(DomainError):
        services.item_save(actor=actor, item=item, session=other, position=1, title=item.title)
    with pytest.raises(DomainError):
        services.record_delete(actor=actor, record=item)
    with pytest.raises(DomainError):
        services.session_delete(actor=actor, session=session)
    with pytest.raises(DomainError):
        services.record_delete(actor=actor, record=councillors[0])
    assert AgendaItem.objects.filter(pk=item.pk).exists()


def test_empty_seat_votes_only_for_accredited_organisations():
    from council.models import EmptySeatApplication

    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=1)
    fields = {
        "item": item,
        "organisation": "Colectivo Barrial",
        "legal_registration": "MIES-1",
        "legal_representative": "R",
        "delegate": "D",
        "delegate_email": "d@example.org",
        "contact_email": "c@example.org",
    }
    received = EmptySeatApplication.objects.create(**fields)
    with pytest.raises(DomainError):
        services.roll_call_record(
            actor=actor, item=item, votes={}, empty_seat_votes={received: "a_favor"}
        )
    received.status = EmptySeatApplication.Status.ACCREDITED
    received.save()
    services.roll_call_record(
        actor=actor, item=item, votes={}, empty_seat_votes={received: "a_favor"}
    )
    assert item.votes.get().empty_seat_id == received.pk


def test_unused_session_can_be_deleted_with_an_audit_entry():
    actor = secretariat()
    session = make_session(actor)
    services.session_delete(actor=actor, session=session)
    assert not CouncilSession.objects.exists()
    assert _entries(audit.SESSION_DELETE).count() == 1


def test_empty_seat_deadline_days_are_bounded():
    actor = secretariat()
    with pytest.raises(DomainError):
        make_session(actor, empty_seat_days=365)
    session = make_session(actor, empty_seat_days=5)
    assert session.empty_seat_deadline == session.starts_at - datetime.timedelta(days=5)
