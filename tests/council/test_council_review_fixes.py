"""Fixes from the hostile review of the council app: a session is held only once its time
has passed; commission sessions record only their members' attendance; an item's order
(its public address) is frozen once it has votes; audit entries carry old and new values;
a held session with outcomes stays held; calendar outline, pagination and file names."""

import datetime
import json
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from council import audit, selectors, services
from council.models import AgendaItem, Attendance, CouncilSession, EmptySeatApplication
from quitodecide.errors import DomainError
from tests.council.helpers import (
    commission,
    make_councillors,
    make_held_session,
    make_session,
    secretariat,
)
from tests.factories import login_with_mfa

pytestmark = pytest.mark.django_db
HELD, CONVENED = CouncilSession.Status.HELD, CouncilSession.Status.CONVENED


@pytest.fixture
def desk(client, territory):
    user = secretariat()
    login_with_mfa(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def _save(actor, session, **changes):
    values = {
        "kind": session.kind,
        "commission": session.commission,
        "number": session.number,
        "starts_at": session.starts_at,
        "place": session.place,
        "status": session.status,
        "video_url": session.video_url,
        "minutes_url": session.minutes_url,
    }
    values.update(changes)
    return services.session_save(actor=actor, session=session, **values)


def _form(session, **changes):
    data = {
        "kind": session.kind,
        "commission": session.commission_id or "",
        "number": session.number,
        "starts_at": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
        "place": session.place,
        "status": session.status,
        "video_url": "",
        "minutes_url": "",
        "empty_seat_days": str(session.empty_seat_days),
    }
    data.update(changes)
    return data


# --- 1. a session is held once its time has passed ------------------------------------
def test_a_future_session_cannot_be_marked_held():
    actor = secretariat()
    with translation.override("en"), pytest.raises(DomainError, match="have passed"):
        make_session(actor, days=2, status=HELD)
    session = make_session(actor, days=2)
    with translation.override("en"), pytest.raises(DomainError, match="have passed"):
        _save(actor, session, status=HELD)
    session.refresh_from_db()
    assert session.status == CONVENED
    assert make_session(actor, days=-1, status=HELD).status == HELD


def test_a_held_session_is_not_moved_into_the_future():
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=1)
    services.roll_call_record(actor=actor, item=item, votes={councillors[0]: "a_favor"})
    stored = session.starts_at
    future = timezone.now() + datetime.timedelta(days=5)
    with translation.override("en"), pytest.raises(DomainError, match="into the future"):
        _save(actor, session, starts_at=future)
    session.refresh_from_db()
    assert session.starts_at == stored
    # another past date is a correction, accepted
    earlier = stored - datetime.timedelta(hours=2)
    assert _save(actor, session, starts_at=earlier).starts_at == earlier


def test_the_admin_form_shows_the_refusal(client, desk):
    session = make_session(desk, days=4)
    url = f"/admin/concejo-sesiones/edit/{session.pk}/"
    response = client.post(url, _form(session, status=HELD))
    assert response.status_code == 200
    assert b"once its date and time have passed" in response.content
    session.refresh_from_db()
    assert session.status == CONVENED
    held, _item, _c = make_held_session(desk, size=1)
    later = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    response = client.post(f"/admin/concejo-sesiones/edit/{held.pk}/", _form(held, starts_at=later))
    assert response.status_code == 200
    assert b"cannot be moved into the future" in response.content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(url, _form(session, status=HELD))
    assert response.status_code == 200


# --- 2. commission sessions: only their members' attendance ---------------------------
def test_the_attendance_screen_records_only_the_filled_rows(client, desk):
    members = make_councillors(desk, 2)
    outsider = make_councillors(desk, 1)[0]
    session = make_session(desk, days=-2, status=HELD, commission="movilidad")
    url = f"/admin/concejo/votaciones/asistencia/{session.pk}/"
    html = client.get(url).content.decode()
    assert "not in this session" in html
    assert "checked" not in html  # nothing preselected for a councillor without a record
    response = client.post(url, {f"c{members[0].pk}": "presente", f"c{members[1].pk}": "excusado"})
    assert response.status_code == 302
    assert dict(session.attendance.values_list("councillor_id", "presence")) == {
        members[0].pk: "presente",
        members[1].pk: "excusado",
    }
    assert not Attendance.objects.filter(councillor=outsider).exists()
    html = client.get(url).content.decode()
    assert html.count("checked") == 2  # the two on record, as recorded
    # the roll call lists only the councillors on the attendance
    item = services.item_save(actor=desk, session=session, position=1, title="Punto")
    roll_call = client.get(f"/admin/concejo/votaciones/punto/{item.pk}/").content.decode()
    assert members[0].name in roll_call and outsider.name not in roll_call


def test_a_row_recorded_by_mistake_is_cleared_unless_it_has_votes(client, desk):
    session, item, councillors = make_held_session(desk, size=2, commission="movilidad")
    url = f"/admin/concejo/votaciones/asistencia/{session.pk}/"
    response = client.post(url, {f"c{councillors[1].pk}": "fuera"})
    assert response.status_code == 302
    assert list(session.attendance.values_list("councillor_id", flat=True)) == [councillors[0].pk]
    services.roll_call_record(actor=desk, item=item, votes={councillors[0]: "ausente"})
    response = client.post(url, {f"c{councillors[0].pk}": "fuera"})
    assert response.status_code == 200
    assert b"have votes in this session" in response.content
    assert session.attendance.filter(councillor=councillors[0]).exists()
    with translation.override("en"), pytest.raises(DomainError, match="have votes"):
        services.attendance_record(
            actor=desk, session=session, presence={}, remove=[councillors[0]]
        )
    entry = ModelLogEntry.objects.filter(action=audit.ATTENDANCE_SAVE).latest("pk")
    assert entry.data["changed"] == {str(councillors[1].pk): ["presente", None]}


def test_the_plenary_still_records_every_row(client, desk):
    councillors = make_councillors(desk, 3)
    session = make_session(desk, days=-1, status=HELD)
    response = client.post(
        f"/admin/concejo/votaciones/asistencia/{session.pk}/",
        {f"c{c.pk}": "ausente" for c in councillors},
    )
    assert response.status_code == 302
    assert session.attendance.count() == 3


def test_a_commission_session_does_not_lower_an_outsiders_rate(client, desk):
    plenary, _item, councillors = make_held_session(desk, size=2)
    member, outsider = councillors
    meeting = make_session(desk, days=-1, status=HELD, commission="movilidad")
    response = client.post(
        f"/admin/concejo/votaciones/asistencia/{meeting.pk}/", {f"c{member.pk}": "ausente"}
    )
    assert response.status_code == 302
    assert selectors.councillor_record(outsider)["attendance_rate"] == 100.0
    assert selectors.councillor_record(member)["attendance_rate"] == 50.0
    html = client.get(f"/concejo/concejal/{outsider.pk}/").content.decode()
    assert "100.0 %" in html
    assert commission("movilidad").sessions.count() == 1


def test_the_demo_commission_session_records_only_its_members(territory):
    from council.demo import COMMISSION_MEMBERS, load_demo_council

    load_demo_council()
    meeting = CouncilSession.objects.get(number="CUS-012")
    assert meeting.attendance.count() == COMMISSION_MEMBERS
    plenary = CouncilSession.objects.get(number="045")
    assert plenary.attendance.count() > COMMISSION_MEMBERS


# --- 3. an item's order is frozen once it has votes ---------------------------------------
def test_an_item_with_votes_keeps_its_order(client, desk):
    session, item, councillors = make_held_session(desk, size=1, items=2)
    free = session.items.get(position=2)
    assert (
        services.item_save(actor=desk, session=session, position=7, title="T", item=free).position
        == 7
    )
    services.roll_call_record(actor=desk, item=item, votes={councillors[0]: "a_favor"})
    with translation.override("en"), pytest.raises(DomainError, match="its order stays"):
        services.item_save(actor=desk, session=session, position=5, title="T", item=item)
    response = client.post(
        f"/admin/concejo-puntos/edit/{item.pk}/",
        {"session": session.pk, "position": 5, "title": "Nuevo", "outcome": ""},
    )
    assert response.status_code == 200
    assert b"its order stays 1" in response.content
    item.refresh_from_db()
    assert (item.position, item.title) == (1, "Punto 1")
    assert client.get(f"/concejo/sesion/{session.pk}/punto/1/").status_code == 200
    # the title can still be corrected
    services.item_save(actor=desk, session=session, position=1, title="Corregido", item=item)


def test_an_item_with_an_empty_seat_application_keeps_its_order():
    actor = secretariat()
    session = make_session(actor, days=10)
    item = services.item_save(actor=actor, session=session, position=3, title="T")
    EmptySeatApplication.objects.create(item=item, organisation="Colectivo")
    with pytest.raises(DomainError):
        services.item_save(actor=actor, session=session, position=4, title="T", item=item)
    item.refresh_from_db()
    assert item.position == 3


# --- 4. audit entries with old and new values --------------------------------------------
def _latest(action):
    entry = ModelLogEntry.objects.filter(action=action).latest("pk")
    json.dumps(entry.data)
    return entry.data


def test_audit_entries_record_old_and_new_values():
    actor = secretariat()
    session = make_session(actor, days=5)
    created = _latest(audit.SESSION_SAVE)
    assert created["created"] is True and created["changed"]["place"] == [
        None,
        "Salón de la Ciudad",
    ]
    old_start = session.starts_at
    new_start = old_start + datetime.timedelta(days=1)
    _save(actor, session, place="Sala Capitular", starts_at=new_start)
    changed = _latest(audit.SESSION_SAVE)["changed"]
    assert changed == {
        "place": ["Salón de la Ciudad", "Sala Capitular"],
        "starts_at": [old_start.isoformat(), new_start.isoformat()],
    }
    item = services.item_save(actor=actor, session=session, position=1, title="Uno")
    services.item_save(actor=actor, session=session, position=2, title="Dos", item=item)
    assert _latest(audit.RECORD_SAVE)["changed"] == {
        "position": [1, 2],
        "title": ["Uno", "Dos"],
    }
    (councillor,) = make_councillors(actor, 1)
    services.councillor_save(
        actor=actor, councillor=councillor, name=councillor.name, party="Otro", is_active=False
    )
    data = _latest(audit.RECORD_SAVE)
    assert data["model"] == "councillor"
    assert data["changed"] == {"party": ["Partido", "Otro"], "is_active": [True, False]}
    group = services.commission_save(actor=actor, name="Comisión A", slug="a")
    services.commission_save(actor=actor, commission=group, name="Comisión B", slug="a")
    assert _latest(audit.RECORD_SAVE)["changed"] == {"name": ["Comisión A", "Comisión B"]}


# --- 5. a held session with outcomes stays held ---------------------------------------------
def test_a_session_with_outcomes_stays_held():
    actor = secretariat()
    session = make_session(actor, days=-2, status=HELD)
    item = services.item_save(
        actor=actor, session=session, position=1, title="T", outcome="aprobado"
    )
    with translation.override("en"), pytest.raises(DomainError, match="outcome"):
        _save(actor, session, status=CONVENED)
    session.refresh_from_db()
    assert session.status == HELD
    services.item_save(actor=actor, session=session, position=1, title="T", item=item)
    assert _save(actor, session, status=CONVENED).status == CONVENED


# --- 6. calendar outline, pagination, file names ----------------------------------------------
def test_session_cards_are_below_the_month_headings(client):
    actor = secretariat()
    session = make_session(actor, days=3)
    html = client.get("/concejo/").content.decode()
    assert re.search(rf'<h4><a href="/concejo/sesion/{session.pk}/">', html)
    assert not re.search(rf'<h3><a href="/concejo/sesion/{session.pk}/">', html)


def test_past_sessions_are_paginated_and_keep_the_filters(client, django_assert_max_num_queries):
    actor = secretariat()
    now = timezone.now()
    made = [
        CouncilSession.objects.create(
            kind="ordinaria",
            number=f"P-{n:02d}",
            starts_at=now - datetime.timedelta(days=n + 1),
            place="Salón",
            status=HELD,
        )
        for n in range(selectors.PAST_PER_PAGE + 5)
    ]
    services.commission_save(actor=actor, name="Comisión", slug="c")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_assert_max_num_queries(12):
        first = client.get("/concejo/?tipo=ordinaria").content.decode()
    assert f"/concejo/sesion/{made[0].pk}/" in first
    assert f"/concejo/sesion/{made[-1].pk}/" not in first
    assert 'href="?tipo=ordinaria&amp;pagina=2#past-heading"' in first
    assert "Page 1 of 2" in first
    second = client.get("/concejo/?tipo=ordinaria&pagina=2").content.decode()
    assert f"/concejo/sesion/{made[-1].pk}/" in second
    assert f"/concejo/sesion/{made[0].pk}/" not in second
    assert 'href="?tipo=ordinaria&amp;pagina=1#past-heading"' in second
    for bad in ("0", "-1", "x", "99999999999999999999", "1.5", ""):
        response = client.get(f"/concejo/?pagina={bad}")
        assert response.status_code == 200, bad
        assert f"/concejo/sesion/{made[0].pk}/" in response.content.decode(), bad
    beyond = client.get("/concejo/?pagina=50").content.decode()
    assert f"/concejo/sesion/{made[-1].pk}/" in beyond  # the last page


def test_the_items_download_is_named_after_its_dataset(client):
    from opendata.registry import dataset

    for fmt in ("csv", "json"):
        response = client.get(f"/concejo/datos/puntos.{fmt}")
        assert "concejo-puntos-orden-del-dia" in response["Content-Disposition"]
    assert dataset("concejo-puntos-orden-del-dia") is not None
    assert AgendaItem.objects.count() == 0
