"""Residency verification by staff, through the service and the admin form."""

import pytest
from wagtail.models import ModelLogEntry

from accounts import services
from quitodecide.errors import PermissionDenied
from territory.models import Parish
from tests.factories import ResidentFactory, UserFactory, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(territory):
    parish = Parish.objects.get(name="Cumbayá")
    return ResidentFactory(zone=parish.zone, parish=parish)


def test_staff_verification_records_method_date_and_audit(resident):
    staff = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    services.resident_verify(resident=resident, actor=staff)
    resident.refresh_from_db()
    assert resident.is_verified
    assert resident.verification_method == "staff"
    assert resident.verified_at is not None
    assert resident.verified_by == staff
    entry = ModelLogEntry.objects.get(action="accounts.resident_verify")
    assert entry.user == staff
    assert entry.object_id == str(resident.pk)


def test_a_resident_cannot_verify_anyone(resident):
    with pytest.raises(PermissionDenied):
        services.resident_verify(resident=resident, actor=UserFactory())
    resident.refresh_from_db()
    assert not resident.is_verified
    assert not ModelLogEntry.objects.filter(action="accounts.resident_verify").exists()


def test_unverify_clears_the_record(resident):
    staff = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    services.resident_verify(resident=resident, actor=staff)
    services.resident_unverify(resident=resident, actor=staff)
    resident.refresh_from_db()
    assert (resident.verification_status, resident.verified_at, resident.verified_by) == (
        "unverified",
        None,
        None,
    )


def test_database_refuses_verified_without_date(resident):
    from django.db import IntegrityError, transaction

    resident.verification_status = "verified"
    with pytest.raises(IntegrityError), transaction.atomic():
        resident.save()
