"""Residency verification by staff (document seen, reason), through the service and the
admin form; expiry; the audit entries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts import services
from accounts.models import Resident
from accounts.selectors import is_verified_resident_of, verified_residents_q
from quitodecide.errors import PermissionDenied
from territory.models import Parish
from tests.factories import ResidentFactory, UserFactory, login_with_mfa, with_mfa
from tests.verification.helpers import zone_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(territory):
    parish = Parish.objects.get(name="Cumbayá")
    return ResidentFactory(zone=parish.zone, parish=parish)


def verify(resident, staff, **kwargs):
    kwargs.setdefault("document_kind", "cedula")
    kwargs.setdefault("reason", "Cédula vista en la ventanilla")
    return services.resident_verify(resident=resident, actor=staff, **kwargs)


def test_staff_verification_records_method_document_date_expiry_and_audit(resident):
    from verification.models import VerificationRecord

    staff = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    verify(resident, staff, document_kind="refugee")
    resident.refresh_from_db()
    assert resident.is_verified
    assert resident.verification_method == "staff"
    assert resident.verified_by == staff
    assert resident.verification_expires_at == resident.verified_at + datetime.timedelta(
        days=4 * 365 + 1
    )
    entry = ModelLogEntry.objects.get(action="accounts.resident_verify")
    assert entry.user == staff
    assert entry.object_id == str(resident.pk)
    assert entry.data["method"] == "staff" and entry.data["document_kind"] == "refugee"
    record = VerificationRecord.objects.get(resident=resident)
    assert (record.method, record.document_kind, record.reason, record.verified_by) == (
        "staff",
        "refugee",
        "Cédula vista en la ventanilla",
        staff,
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"document_kind": ""}, "document_kind"),
        ({"document_kind": "dni"}, "document_kind"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_document_and_reason_are_required(resident, kwargs, field):
    staff = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    with pytest.raises(ValidationError) as excinfo:
        verify(resident, staff, **kwargs)
    assert field in excinfo.value.error_dict
    resident.refresh_from_db()
    assert not resident.is_verified
    assert not ModelLogEntry.objects.filter(action="accounts.resident_verify").exists()


def test_a_resident_other_zone_staff_or_no_mfa_cannot_verify(resident):
    for actor in (UserFactory(), zone_staff("calderon"), zone_staff("tumbaco", mfa=False)):
        with pytest.raises(PermissionDenied):
            verify(resident, actor)
    resident.refresh_from_db()
    assert not resident.is_verified
    assert not ModelLogEntry.objects.filter(action="accounts.resident_verify").exists()
    verify(resident, zone_staff("tumbaco"))  # Cumbayá is in Tumbaco
    assert Resident.objects.get(pk=resident.pk).is_verified


def test_unverify_clears_the_record_with_reason(resident):
    from verification.models import VerificationRecord

    staff = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    verify(resident, staff)
    services.resident_unverify(resident=resident, actor=staff, reason="Se mudó")
    resident.refresh_from_db()
    assert (resident.verification_status, resident.verified_at, resident.verified_by) == (
        "unverified",
        None,
        None,
    )
    assert resident.verification_expires_at is None
    assert VerificationRecord.objects.get(resident=resident).ended_at is not None
    assert ModelLogEntry.objects.get(action="accounts.resident_unverify").data == {
        "reason": "Se mudó"
    }


def test_an_expired_verification_counts_as_unverified(resident):
    staff = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    verify(resident, staff)
    user = resident.user
    assert is_verified_resident_of(user, resident.zone)
    assert Resident.objects.filter(verified_residents_q(), pk=resident.pk).exists()
    Resident.objects.filter(pk=resident.pk).update(
        verification_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    user.refresh_from_db()
    resident = Resident.objects.get(pk=resident.pk)
    assert not resident.is_verified and resident.verification_expired
    assert not is_verified_resident_of(resident.user, resident.zone)
    assert not Resident.objects.filter(verified_residents_q(), pk=resident.pk).exists()


def test_a_verification_without_expiry_runs_out_after_its_methods_validity(resident):
    long_ago = timezone.now() - datetime.timedelta(days=5 * 365)
    Resident.objects.filter(pk=resident.pk).update(
        verification_status="verified", verification_method="staff", verified_at=long_ago
    )
    resident = Resident.objects.get(pk=resident.pk)
    assert not resident.is_verified
    assert not Resident.objects.filter(verified_residents_q(), pk=resident.pk).exists()


def test_database_refuses_verified_without_date(resident):
    from django.db import IntegrityError, transaction

    resident.verification_status = "verified"
    with pytest.raises(IntegrityError), transaction.atomic():
        resident.save()


# --- the admin form ---------------------------------------------------------------------------
def _edit(client, resident, **data):
    payload = {
        "display_name": resident.display_name,
        "zone": resident.zone_id,
        "parish": resident.parish_id,
        **data,
    }
    return client.post(f"/admin/residents/edit/{resident.pk}/", payload)


def test_admin_form_asks_for_the_document_and_the_reason(client, resident):
    staff = zone_staff("tumbaco")
    login_with_mfa(client, staff)
    page = client.get(f"/admin/residents/edit/{resident.pk}/").content.decode()
    assert 'name="document_kind"' in page and 'name="verification_reason"' in page
    response = _edit(client, resident, verified="on")
    assert response.status_code == 200
    assert not Resident.objects.get(pk=resident.pk).is_verified
    response = _edit(
        client, resident, verified="on", document_kind="passport", verification_reason="Visto"
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified and resident.verified_by == staff
    entry = ModelLogEntry.objects.get(action="accounts.resident_verify")
    assert entry.data["document_kind"] == "passport"
    # Withdrawing needs a reason too.
    assert _edit(client, resident).status_code == 200
    assert Resident.objects.get(pk=resident.pk).is_verified
    assert _edit(client, resident, verification_reason="Error").status_code == 302
    assert not Resident.objects.get(pk=resident.pk).is_verified
