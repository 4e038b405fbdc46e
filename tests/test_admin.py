"""The Wagtail admin: staff manage the territory and verify residents (with MFA)."""

import pytest

from accounts.models import Resident
from territory.models import Barrio, Parish, Zone
from tests.factories import ResidentFactory, UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, territory):
    user = UserFactory(is_superuser=True, is_staff=True)
    login_with_mfa(client, user)
    client.user = user
    return client


def test_staff_move_a_parish_to_another_zone(admin_client):
    parish = Parish.objects.get(name="Guayllabamba")
    tumbaco = Zone.objects.get(slug="tumbaco")
    url = f"/admin/parishes/edit/{parish.pk}/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url,
        {
            "name": parish.name,
            "dpa_code": parish.dpa_code,
            "type": parish.type,
            "zone": tumbaco.pk,
            "lat": parish.lat,
            "lon": parish.lon,
            "confidence": "confirmed",
        },
    )
    assert response.status_code == 302
    parish.refresh_from_db()
    assert parish.zone == tumbaco
    assert parish.confidence == "confirmed"


def test_staff_add_a_barrio(admin_client):
    parish = Parish.objects.get(name="Llano Chico")
    response = admin_client.post(
        "/admin/barrios/new/", {"name": "San Miguel del Común", "parish": parish.pk}
    )
    assert response.status_code == 302
    assert Barrio.objects.get(name="San Miguel del Común").parish == parish


def test_staff_verify_a_resident_through_the_service(admin_client):
    parish = Parish.objects.get(name="Cumbayá")
    resident = ResidentFactory(zone=parish.zone, parish=parish)
    response = admin_client.post(
        f"/admin/residents/edit/{resident.pk}/",
        {
            "display_name": resident.display_name,
            "zone": parish.zone.pk,
            "parish": parish.pk,
            "verified": "on",
            "document_kind": "cedula",
            "verification_reason": "Cédula vista en la ventanilla",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified
    assert resident.verified_by == admin_client.user
    assert resident.verification_method == "staff"


def test_residents_cannot_be_created_in_the_admin(admin_client):
    response = admin_client.get("/admin/residents/new/")
    assert response.status_code in (302, 403)
    assert Resident.objects.count() == 0
