"""In-person observations belong to their consultation's zone: staff of another zone can
neither open nor change one, through the admin's edit screen or through the service."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from consultations import services
from consultations.models import InPersonSession, SessionObservation
from quitodecide.errors import PermissionDenied
from territory.models import Zone, ZonePage
from territory.services import zone_group_name
from tests.consultations.helpers import make_consultation
from tests.factories import UserFactory, login_with_mfa, with_mfa

pytestmark = pytest.mark.django_db


def staff_of(slug):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug=slug))))
    return with_mfa(user)


def session_in(slug):
    page = make_consultation(ZonePage.objects.get(zone__slug=slug), slug=f"consulta-{slug}")
    return InPersonSession.objects.create(
        consultation=page, held_on=datetime.date(2026, 11, 1), place="Casa barrial", attendees=12
    )


@pytest.fixture
def calderon_observation(territory):
    return services.observation_record(
        session=session_in("calderon"),
        actor=staff_of("calderon"),
        text="Piden más horarios de atención",
        provision_key="art-2",
        stance="",
    )


def snapshot(observation):
    stored = SessionObservation.objects.get(pk=observation.pk)
    return (stored.session_id, stored.text, stored.provision_key, stored.stance)


def edit_data(observation, *, session=None, text="Texto cambiado por otra zona"):
    return {
        "session": (session or observation.session).pk,
        "provision_key": "",
        "stance": "",
        "text": text,
    }


def test_other_zone_staff_get_404_on_the_edit_screen_and_change_nothing(
    client, calderon_observation
):
    before = snapshot(calderon_observation)
    login_with_mfa(client, staff_of("tumbaco"))
    url = reverse("observaciones:edit", args=[calderon_observation.pk])

    assert client.get(url).status_code == 404
    # Even pointing the observation at one of their own sessions.
    for session in (calderon_observation.session, session_in("tumbaco")):
        response = client.post(url, edit_data(calderon_observation, session=session))
        assert response.status_code == 404
        assert snapshot(calderon_observation) == before


def test_own_zone_staff_can_correct_it_on_the_edit_screen(client, calderon_observation):
    login_with_mfa(client, staff_of("calderon"))
    url = reverse("observaciones:edit", args=[calderon_observation.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, edit_data(calderon_observation, text="Texto corregido"))
    assert response.status_code == 302
    assert snapshot(calderon_observation)[1] == "Texto corregido"


def test_other_zone_staff_cannot_correct_it_through_the_service(calderon_observation):
    before = snapshot(calderon_observation)
    outsider = staff_of("tumbaco")
    for session in (calderon_observation.session, session_in("tumbaco")):
        with pytest.raises(PermissionDenied):
            services.observation_update(
                observation=calderon_observation,
                actor=outsider,
                session=session,
                text="Texto cambiado por otra zona",
            )
        assert snapshot(calderon_observation) == before


def test_own_zone_staff_cannot_move_it_to_another_zones_session(calderon_observation):
    before = snapshot(calderon_observation)
    with pytest.raises(PermissionDenied):
        services.observation_update(
            observation=calderon_observation,
            actor=staff_of("calderon"),
            session=session_in("tumbaco"),
            text=calderon_observation.text,
        )
    assert snapshot(calderon_observation) == before
