"""Moving a parish to another zone moves its residents with it, through the service, with an
audit entry; only the city-wide team (or a superuser) may do it."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from accounts import services as account_services
from accounts.models import Resident
from quitodecide.errors import PermissionDenied
from quitodecide.mfa import mark_user
from territory import audit
from territory.models import Parish, Zone
from territory.services import CITY_GROUP_NAME, parish_update, zone_group_name
from tests.factories import ResidentFactory, UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_team(territory):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    mark_user(user, True)
    return user


@pytest.fixture
def guayllabamba(territory):
    return Parish.objects.get(name="Guayllabamba")


def entries(parish, action):
    return ModelLogEntry.objects.filter(
        action=action, object_id=str(parish.pk), content_type__model="parish"
    )


def test_moving_a_parish_moves_its_residents_and_is_audited(guayllabamba, city_team):
    old_zone = guayllabamba.zone
    tumbaco = Zone.objects.get(slug="tumbaco")
    verified = ResidentFactory(zone=old_zone, parish=guayllabamba)
    account_services.resident_verify(
        resident=verified, actor=city_team, document_kind="cedula", reason="Cédula vista"
    )
    unverified = ResidentFactory(zone=old_zone, parish=guayllabamba)
    neighbour_parish = old_zone.parishes.exclude(pk=guayllabamba.pk).first()
    neighbour = ResidentFactory(zone=old_zone, parish=neighbour_parish)
    zone_only = ResidentFactory(zone=old_zone)

    parish_update(parish=guayllabamba, actor=city_team, zone=tumbaco)

    for resident in (verified, unverified, neighbour, zone_only):
        resident.refresh_from_db()
    assert (verified.zone, unverified.zone) == (tumbaco, tumbaco)
    assert verified.is_verified  # same home, same parish: the verification stands
    assert (neighbour.zone, zone_only.zone) == (old_zone, old_zone)
    entry = entries(guayllabamba, audit.PARISH_MOVE).get()
    assert entry.user == city_team
    assert entry.data == {
        "fields": ["zone"],
        "from": old_zone.slug,
        "to": "tumbaco",
        "residents": 2,
    }


def test_an_edit_without_a_move_is_audited_as_an_edit(guayllabamba, city_team):
    new = "inferred" if guayllabamba.confidence != "inferred" else "confirmed"
    parish_update(parish=guayllabamba, actor=city_team, confidence=new)
    guayllabamba.refresh_from_db()
    assert guayllabamba.confidence == new
    assert entries(guayllabamba, audit.PARISH_EDIT).get().data == {"fields": ["confidence"]}
    assert not entries(guayllabamba, audit.PARISH_MOVE).exists()
    # Saving the same values again writes nothing and logs nothing.
    parish_update(parish=guayllabamba, actor=city_team, confidence=new)
    assert entries(guayllabamba, audit.PARISH_EDIT).count() == 1


def test_zone_staff_cannot_move_a_parish(guayllabamba):
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=zone_group_name(guayllabamba.zone)))
    mark_user(staff, True)
    resident = ResidentFactory(zone=guayllabamba.zone, parish=guayllabamba)
    with pytest.raises(PermissionDenied):
        parish_update(parish=guayllabamba, actor=staff, zone=Zone.objects.get(slug="tumbaco"))
    guayllabamba.refresh_from_db()
    resident.refresh_from_db()
    assert guayllabamba.zone == resident.zone != Zone.objects.get(slug="tumbaco")
    assert not entries(guayllabamba, audit.PARISH_MOVE).exists()


def test_moving_a_parish_in_the_admin_moves_its_residents(client, guayllabamba):
    admin = UserFactory(is_superuser=True, is_staff=True)
    login_with_mfa(client, admin)
    tumbaco = Zone.objects.get(slug="tumbaco")
    resident = ResidentFactory(zone=guayllabamba.zone, parish=guayllabamba)
    response = client.post(
        f"/admin/parishes/edit/{guayllabamba.pk}/",
        {
            "name": guayllabamba.name,
            "dpa_code": guayllabamba.dpa_code,
            "type": guayllabamba.type,
            "zone": tumbaco.pk,
            "lat": guayllabamba.lat,
            "lon": guayllabamba.lon,
            "confidence": guayllabamba.confidence,
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.zone == tumbaco
    assert Resident.objects.filter(parish=guayllabamba).exclude(zone=tumbaco).count() == 0
    entry = entries(guayllabamba, audit.PARISH_MOVE).get()
    assert entry.user == admin
    # One entry for the one write: the service's, not also Wagtail's generic "edited".
    assert not entries(guayllabamba, "wagtail.edit").exists()
