"""Fixes from the hostile review of the verification app: the census confirmation cannot
change a parish census's parish, audit labels name no one (and are scrubbed on deletion),
staff reasons are in the audit entries, a code never shortens a stronger verification, the
typed cédula is not echoed, and the outcome task survives a deleted account."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from accounts import services as account_services
from privacy import deletion
from quitodecide.errors import DomainError
from territory.models import Zone
from verification import services
from verification.models import (
    CensusBatch,
    VerificationCode,
    VerificationRecord,
    VerificationRequest,
)
from verification.tasks import send_request_outcome_email

from .helpers import cedulas, census_csv, city_staff, parish, resident_in, zone_staff

pytestmark = pytest.mark.django_db
BORN = "31/12/1980"


def _parish_census(number, home):
    batch, report = services.census_upload(
        actor=city_staff(),
        zone=home.zone,
        label="Padrón parroquial",
        content=census_csv([(number, home.name)], header=("cedula", "parroquia")),
    )
    assert report.valid and batch.kind == CensusBatch.Kind.PARISH
    return batch


def _lookup(client, number, home, born=BORN):
    return client.post(
        "/cuenta/verificacion/",
        {
            "action": "census",
            "censo-cedula": number,
            "censo-born_on": born,
            "censo-parish": home.pk,
        },
    )


# --- 3. the confirmation step cannot change a parish census's parish -------------------------
def test_parish_census_confirmation_ignores_a_posted_parish(client, territory):
    (number,) = cedulas(1, start=700)
    census_home, other = parish("calderon", 0), parish("calderon", 1)
    _parish_census(number, census_home)
    resident = resident_in("tumbaco")  # the profile is elsewhere: the confirm page shows
    client.force_login(resident.user)
    response = _lookup(client, number, census_home)
    assert "verification/census_confirm.html" in [t.name for t in response.templates]
    assert "parish" not in response.context["form"].fields  # nothing to choose
    response = client.post(
        "/cuenta/verificacion/", {"action": "census_confirm", "confirmar-parish": other.pk}
    )
    resident.refresh_from_db()
    assert resident.parish != other
    assert response.status_code == 302 and resident.is_verified
    assert resident.parish == census_home
    record = VerificationRecord.objects.get(resident=resident)
    assert record.parish == census_home


def test_the_verifier_takes_the_census_rows_parish_whatever_the_match_says(territory):
    from verification.selectors import CensusMatch, census_match

    (number,) = cedulas(1, start=710)
    census_home, other = parish("calderon", 0), parish("calderon", 1)
    _parish_census(number, census_home)
    found = census_match(cedula=number, born_on=None, parish=census_home)
    forged = CensusMatch(found.entry_id, found.cedula_hash, found.zone, other)
    resident = resident_in("calderon", 1)
    services.census_verify_self(user=resident.user, match=forged)
    resident.refresh_from_db()
    assert resident.parish == census_home


def test_birth_date_census_parish_must_be_of_the_census_zone(territory):
    from verification.selectors import CensusMatch, census_match

    (number,) = cedulas(1, start=720)
    zone = Zone.objects.get(slug="calderon")
    services.census_upload(
        actor=city_staff(), zone=zone, label="x", content=census_csv([(number, BORN)])
    )
    found = census_match(
        cedula=number, born_on=datetime.date(1980, 12, 31), parish=parish("calderon")
    )
    forged = CensusMatch(found.entry_id, found.cedula_hash, found.zone, parish("tumbaco"))
    resident = resident_in("tumbaco")
    with pytest.raises(DomainError):
        services.census_verify_self(user=resident.user, match=forged)
    resident.refresh_from_db()
    assert not resident.is_verified and resident.zone.slug == "tumbaco"


def test_upload_page_warns_about_parish_only_files(client, territory, settings):
    from tests.factories import login_with_mfa

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    staff = city_staff()
    login_with_mfa(client, staff)
    page = client.get("/admin/verificacion/censos/")
    assert page.status_code == 200
    assert 'id="parish-census-warning"' in page.content.decode()


# --- 4. audit labels name no one, and deletion scrubs older ones -----------------------------
def test_no_log_label_keeps_the_name_after_deletion(territory):
    resident = resident_in("calderon", display_name="Rosa Chiluisa")
    email = resident.user.email
    staff = zone_staff()
    first = services.request_create(user=resident.user, message="")
    services.request_reject(actor=staff, request=first, reason="No vino")
    second = services.request_create(user=resident.user, message="")
    services.request_verify(actor=staff, request=second, document_kind="cedula", reason="Visto")
    record = VerificationRecord.objects.get(resident=resident)
    assert "Rosa" not in str(first) and email not in str(first)
    with translation.override("en"):
        assert str(record).startswith(f"Verification no. {record.pk} ·")
    assert "Rosa" not in str(record) and email not in str(record)
    # Entries written before the fix carried the name: deletion rewrites them too.
    for obj in (first, record):
        ModelLogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            label=f"Rosa Chiluisa <{email}> · old",
            action="verification.request_reject",
            timestamp=timezone.now(),
        )
    deletion.account_delete(user=resident.user, reason="request")
    labels = list(ModelLogEntry.objects.values_list("label", flat=True))
    assert labels
    assert not [label for label in labels if "Rosa" in label or email in label]


# --- 5. staff reasons in the audit entries ---------------------------------------------------
def test_staff_reasons_are_in_the_audit_entries(territory):
    staff = zone_staff()
    resident = resident_in("calderon")
    request = services.request_create(user=resident.user, message="")
    services.request_verify(
        actor=staff, request=request, document_kind="cedula", reason="Planilla de luz vista"
    )
    assert (
        ModelLogEntry.objects.get(action="verification.request_verify").data["reason"]
        == "Planilla de luz vista"
    )
    assert (
        ModelLogEntry.objects.get(action="accounts.resident_verify").data["reason"]
        == "Planilla de luz vista"
    )
    account_services.resident_unverify(resident=resident, actor=staff, reason="Se mudó")
    assert ModelLogEntry.objects.get(action="accounts.resident_unverify").data == {
        "reason": "Se mudó"
    }
    other = resident_in("calderon")
    rejected = services.request_create(user=other.user, message="")
    services.request_reject(actor=staff, request=rejected, reason="Sin documento")
    assert (
        ModelLogEntry.objects.get(action="verification.request_reject").data["reason"]
        == "Sin documento"
    )


# --- 7. a code never shortens a stronger verification ----------------------------------------
def test_a_code_does_not_downgrade_a_census_verification(territory, settings):
    (number,) = cedulas(1, start=730)
    home = parish("calderon", 0)
    _parish_census(number, home)
    resident = resident_in("calderon", 0)
    from verification.selectors import census_match

    services.census_verify_self(
        user=resident.user, match=census_match(cedula=number, born_on=None, parish=home)
    )
    resident.refresh_from_db()
    until = resident.verification_expires_at
    _sheet, codes = services.code_sheet_create(
        actor=zone_staff(),
        zone=home.zone,
        label="Asamblea",
        count=1,
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    with translation.override("en"), pytest.raises(DomainError) as raised:
        services.code_verify_self(user=resident.user, code=codes[0])
    assert "already verified until" in str(raised.value.message)
    resident.refresh_from_db()
    assert resident.verification_method == "census"
    assert resident.verification_expires_at == until
    assert VerificationRecord.objects.get(resident=resident, ended_at=None).method == "census"
    assert VerificationCode.objects.get().used_at is None


def test_a_code_still_renews_a_shorter_verification(territory):
    resident = resident_in("calderon")
    resident.verification_status = resident.Verification.VERIFIED
    resident.verification_method = "code"
    resident.verified_at = timezone.now() - datetime.timedelta(days=300)
    resident.verification_expires_at = timezone.now() + datetime.timedelta(days=65)
    resident.save()
    _sheet, codes = services.code_sheet_create(
        actor=zone_staff(),
        zone=resident.zone,
        label="Asamblea",
        count=1,
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    services.code_verify_self(user=resident.user, code=codes[0])
    resident.refresh_from_db()
    assert resident.verification_expires_at > timezone.now() + datetime.timedelta(days=360)
    assert VerificationCode.objects.get().used_at is not None


# --- 8. the typed cédula is not echoed --------------------------------------------------------
def test_a_failed_lookup_does_not_echo_the_cedula(client, territory):
    (number,) = cedulas(1, start=740)
    resident = resident_in("calderon")
    client.force_login(resident.user)
    response = _lookup(client, number, resident.parish)
    assert response.status_code == 200
    assert response.context["census_form"].non_field_errors()  # the look-up failed
    assert number not in response.content.decode()


# --- 9. the outcome task after the account is gone --------------------------------------------
def test_outcome_task_for_a_deleted_request_returns_quietly(territory):
    resident = resident_in("calderon")
    request = services.request_create(user=resident.user, message="")
    services.request_reject(actor=zone_staff(), request=request, reason="No")
    request_id = request.pk
    deletion.account_delete(user=resident.user, reason="request")
    assert not VerificationRequest.objects.filter(pk=request_id).exists()
    assert send_request_outcome_email.call(request_id) is False
