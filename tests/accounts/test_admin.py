"""Residents in the admin: edits and verification go through the services, each with an
audit entry, and zone staff reach and move residents of their own zones only."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from accounts import audit
from territory.models import Parish, Zone
from territory.services import zone_group_name
from tests.factories import ResidentFactory, UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def calderon_staff(client, territory):
    staff = UserFactory()
    staff.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    login_with_mfa(client, staff)
    return staff


def entries(resident, action):
    return ModelLogEntry.objects.filter(action=action, object_id=str(resident.pk))


def post(client, resident, *, zone, parish, verified=False, name=None):
    data = {
        "display_name": resident.display_name if name is None else name,
        "zone": zone.pk,
        "parish": parish.pk,
    }
    if verified:
        data["verified"] = "on"
        data["document_kind"] = "cedula"
    # Verifying, and withdrawing a verification, both need the reason staff write down.
    data["verification_reason"] = "Cédula vista en la ventanilla"
    return client.post(f"/admin/residents/edit/{resident.pk}/", data)


def test_editing_and_verifying_a_resident_is_audited(client, calderon_staff):
    llano_chico = Parish.objects.get(name="Llano Chico")
    calderon = llano_chico.zone
    elsewhere = calderon.parishes.exclude(pk=llano_chico.pk).first()
    resident = ResidentFactory(zone=calderon, parish=elsewhere)
    response = post(client, resident, zone=calderon, parish=llano_chico, verified=True, name="Ana")
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.display_name, resident.parish, resident.is_verified) == (
        "Ana",
        llano_chico,
        True,
    )
    update = entries(resident, audit.UPDATE).get()
    assert (update.user, update.data) == (calderon_staff, {"fields": ["display_name", "parish_id"]})
    assert entries(resident, audit.VERIFY).get().user == calderon_staff
    assert not entries(resident, "wagtail.edit").exists()  # the services' entries only

    response = post(client, resident, zone=calderon, parish=llano_chico, verified=False)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert not resident.is_verified
    assert entries(resident, audit.UNVERIFY).get().user == calderon_staff
    assert entries(resident, audit.UPDATE).count() == 1  # nothing else changed


def test_zone_staff_cannot_move_a_resident_to_another_zone(client, calderon_staff):
    parish = Parish.objects.get(name="Llano Chico")
    resident = ResidentFactory(zone=parish.zone, parish=parish)
    cumbaya = Parish.objects.get(name="Cumbayá")
    response = post(client, resident, zone=cumbaya.zone, parish=cumbaya)
    assert response.status_code == 200
    assert "Solo puede trasladar residentes a una zona suya" in response.content.decode()
    resident.refresh_from_db()
    assert resident.parish == parish
    assert not entries(resident, audit.UPDATE).exists()


def test_staff_confirm_the_cedula_they_see_and_a_wrong_number_is_a_field_error(
    client, calderon_staff
):
    """The number on the card staff hold confirms the profile's cédula (online voting
    needs a confirmed one); a number that is not the profile's is refused on the field,
    and never echoed back."""
    from accounts.cedula import cedula_hash
    from tests.factories import valid_cedula

    llano_chico = Parish.objects.get(name="Llano Chico")
    number, other = valid_cedula("171112223"), valid_cedula("171112224")
    resident = ResidentFactory(
        zone=llano_chico.zone, parish=llano_chico, cedula_hash=cedula_hash(number)
    )
    url = f"/admin/residents/edit/{resident.pk}/"
    data = {
        "display_name": resident.display_name,
        "zone": llano_chico.zone.pk,
        "parish": llano_chico.pk,
        "verified": "on",
        "document_kind": "cedula",
        "verification_reason": "Cédula vista en la ventanilla",
    }
    response = client.post(url, {**data, "cedula_seen": other})
    assert response.status_code == 200
    assert other not in response.content.decode()
    resident.refresh_from_db()
    assert not resident.is_verified and resident.cedula_confirmed_at is None
    assert client.post(url, {**data, "cedula_seen": number}).status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified and resident.cedula_confirmed_at is not None
