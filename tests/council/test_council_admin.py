"""The secretariat's admin: the roll-call and attendance screens (radio rows, through the
services), the session form (links validated, refusals shown on the form), and who may
open the screens (the secretariat with MFA only)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from council import audit
from council.groups import ensure_secretariat_group
from council.models import Attendance, CouncilSession, RollCallVote
from tests.council.helpers import make_held_session, make_session, secretariat
from tests.factories import UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, territory):
    user = secretariat()
    login_with_mfa(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def test_roll_call_screen_records_each_councillor(client, desk):
    session, item, councillors = make_held_session(desk, size=3)
    from council import services

    services.attendance_record(actor=desk, session=session, presence={councillors[2]: "excusado"})
    url = f"/admin/concejo/votaciones/punto/{item.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('type="radio"') == 5 + 5 + 1  # two voters, one excused (absent only)
    response = client.post(
        url,
        {
            f"c{councillors[0].pk}": "a_favor",
            f"c{councillors[1].pk}": "en_contra",
            f"c{councillors[2].pk}": "ausente",
            "outcome": "aprobado",
        },
    )
    assert response.status_code == 302
    assert dict(item.votes.values_list("councillor_id", "choice")) == {
        councillors[0].pk: "a_favor",
        councillors[1].pk: "en_contra",
        councillors[2].pk: "ausente",
    }
    item.refresh_from_db()
    assert item.outcome == "aprobado"
    assert ModelLogEntry.objects.filter(action=audit.ROLL_CALL_SAVE, user_id=desk.pk).exists()


def test_roll_call_screen_refuses_a_vote_for_an_absent_councillor(client, desk):
    session, item, councillors = make_held_session(desk, size=1, presence="ausente")
    response = client.post(
        f"/admin/concejo/votaciones/punto/{item.pk}/", {f"c{councillors[0].pk}": "a_favor"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert not RollCallVote.objects.exists()


def test_roll_call_screen_of_a_convened_session_says_so(client, desk):
    session = make_session(desk, days=3)
    from council import services

    item = services.item_save(actor=desk, session=session, position=1, title="T")
    response = client.post(f"/admin/concejo/votaciones/punto/{item.pk}/", {"outcome": ""})
    assert response.status_code == 200
    assert b"once the session is marked as held" in response.content


def test_attendance_screen(client, desk):
    session, item, councillors = make_held_session(desk, size=2)
    url = f"/admin/concejo/votaciones/asistencia/{session.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {f"c{councillors[0].pk}": "alterno", f"c{councillors[1].pk}": "ausente"}
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("councillor_id", "presence")) == {
        councillors[0].pk: "alterno",
        councillors[1].pk: "ausente",
    }
    response = client.post(url, {f"c{councillors[0].pk}": "nonsense"})
    assert response.status_code == 200


def test_bad_ids_are_404(client, desk):
    for url in (
        "/admin/concejo/votaciones/punto/999999/",
        "/admin/concejo/votaciones/asistencia/999999/",
        "/admin/concejo/votaciones/punto/99999999999999999999/",
    ):
        assert client.get(url).status_code == 404, url


def test_session_form_refuses_an_http_video_link(client, desk):
    data = {
        "kind": "ordinaria",
        "number": "100",
        "starts_at": "2030-01-10 10:00",
        "place": "Salón de la Ciudad",
        "status": "convocada",
        "video_url": "http://www.youtube.com/watch?v=1",
        "minutes_url": "",
        "empty_seat_days": "3",
    }
    response = client.post("/admin/concejo-sesiones/new/", data)
    assert response.status_code == 200
    assert b"https://" in response.content
    assert not CouncilSession.objects.exists()
    data["video_url"] = "https://www.youtube.com/watch?v=1"
    response = client.post("/admin/concejo-sesiones/new/", data)
    assert response.status_code == 302
    session = CouncilSession.objects.get()
    assert ModelLogEntry.objects.filter(
        action=audit.SESSION_SAVE, object_id=str(session.pk)
    ).exists()


def test_index_lists_the_sessions(client, desk):
    session, item, councillors = make_held_session(desk, size=1)
    html = client.get("/admin/concejo/votaciones/").content.decode()
    assert f"/admin/concejo/votaciones/punto/{item.pk}/" in html
    assert f"/admin/concejo/votaciones/asistencia/{session.pk}/" in html


@pytest.mark.parametrize("who", ["zone staff", "city team", "secretariat without MFA"])
def test_others_cannot_open_the_screens(client, territory, who):
    from territory.models import Zone
    from territory.services import CITY_GROUP_NAME, zone_group_name

    owner = secretariat()
    session, item, councillors = make_held_session(owner, size=1)
    user = UserFactory()
    if who == "zone staff":
        user.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    elif who == "city team":
        user.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    else:
        user.groups.add(ensure_secretariat_group())
    if who == "secretariat without MFA":
        client.force_login(user)
    else:
        login_with_mfa(client, user)
    for url in (
        f"/admin/concejo/votaciones/punto/{item.pk}/",
        f"/admin/concejo/votaciones/asistencia/{session.pk}/",
        "/admin/concejo-sesiones/",
        f"/admin/concejo-sesiones/edit/{session.pk}/",
        "/admin/concejo-concejales/new/",
    ):
        response = client.post(url, {f"c{councillors[0].pk}": "ausente"})
        assert response.status_code in {302, 403}, (who, url, response.status_code)
        if response.status_code == 302:
            assert "/admin/concejo" not in response["Location"], response["Location"]
    assert RollCallVote.objects.count() == 0
    assert Attendance.objects.get().presence == "presente"


def test_agenda_item_form_and_a_refused_deletion(client, desk):
    session, item, councillors = make_held_session(desk, size=1)
    from council import services

    services.roll_call_record(actor=desk, item=item, votes={councillors[0]: "a_favor"})
    data = {"session": session.pk, "position": item.position, "title": "Dup", "outcome": ""}
    response = client.post("/admin/concejo-puntos/new/", data)
    assert response.status_code == 200  # the order is taken: shown on the form
    assert session.items.count() == 1
    data["position"] = 2
    data["empty_seat"] = "on"
    response = client.post("/admin/concejo-puntos/new/", data)
    assert response.status_code == 302
    assert session.items.get(position=2).title == "Dup"
    response = client.post(f"/admin/concejo-puntos/delete/{item.pk}/")
    assert response.status_code == 302
    assert session.items.filter(pk=item.pk).exists()  # it has votes: refused, with a message
    response = client.post(f"/admin/concejo-sesiones/delete/{session.pk}/")
    assert CouncilSession.objects.filter(pk=session.pk).exists()
