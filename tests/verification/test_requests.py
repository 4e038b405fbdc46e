"""Residents asking to be verified: one open request, the zone staff's queue in the admin
(scoped to their zones), verify with document and reason or reject with a reason, the
e-mail, and the count in “Tareas de mi zona”."""

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.models import Resident
from home.staff_tasks import VERIFICATION_REQUESTS, staff_tasks
from quitodecide.errors import DomainError, PermissionDenied
from tests.factories import ResidentFactory, UserFactory, login_with_mfa
from verification import services
from verification.models import VerificationRecord, VerificationRequest

from .helpers import city_staff, resident_in, zone_staff

pytestmark = pytest.mark.django_db


def ask(resident, message="Puedo ir el lunes"):
    return services.request_create(user=resident.user, message=message)


def test_a_resident_asks_once(client, territory, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    resident = resident_in("calderon")
    client.force_login(resident.user)
    response = client.post(
        "/cuenta/verificacion/", {"action": "request", "solicitud-message": "Hola"}
    )
    assert response.status_code == 302
    made = VerificationRequest.objects.get()
    assert (made.zone, made.parish, made.message, made.status) == (
        resident.zone,
        resident.parish,
        "Hola",
        "open",
    )
    page = client.get("/cuenta/verificacion/").content.decode()
    assert "your request is waiting" in page
    with pytest.raises(DomainError):
        ask(resident)
    assert VerificationRequest.objects.count() == 1


def test_a_resident_without_residence_or_already_verified_cannot_ask(territory):
    with pytest.raises(DomainError):
        services.request_create(user=ResidentFactory().user)
    with pytest.raises(DomainError):
        services.request_create(user=UserFactory())  # no resident profile yet
    unconfirmed = resident_in("calderon", user__verified_email=False)
    with pytest.raises(PermissionDenied):
        ask(unconfirmed)
    verified = resident_in("calderon")
    services.request_verify(
        actor=zone_staff(), request=ask(verified), document_kind="cedula", reason="Visto"
    )
    with pytest.raises(DomainError):
        ask(verified)


def test_verify_from_the_queue(client, territory, settings, django_capture_on_commit_callbacks):
    resident = resident_in("calderon")
    item = ask(resident)
    staff = zone_staff("calderon")
    login_with_mfa(client, staff)
    queue = client.get("/admin/verificacion/solicitudes/")
    assert queue.status_code == 200 and str(resident) in queue.content.decode()
    url = f"/admin/verificacion/solicitudes/{item.pk}/"
    response = client.post(url, {"action": "verify", "verificar-reason": "Visto"})
    assert response.status_code == 200  # the document is required
    assert not Resident.objects.get(pk=resident.pk).is_verified
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"action": "verify", "verificar-document_kind": "cedula", "verificar-reason": "Visto"},
        )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified and resident.verified_by == staff
    item.refresh_from_db()
    assert (item.status, item.handled_by) == ("verified", staff)
    record = VerificationRecord.objects.get(resident=resident)
    assert (record.request, record.document_kind) == (item, "cedula")
    assert ModelLogEntry.objects.filter(action="verification.request_verify").exists()
    assert ModelLogEntry.objects.get(action="accounts.resident_verify").data["document_kind"] == (
        "cedula"
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.user.email]
    assert f"{settings.SITE_BASE_URL.rstrip('/')}/cuenta/verificacion/" in message.body
    assert resident.zone.name in message.body
    assert f"{timezone.localtime(resident.verification_expires_at):%d/%m/%Y}" in message.body


def test_reject_with_a_reason(client, territory, django_capture_on_commit_callbacks):
    resident = resident_in("calderon")
    item = ask(resident)
    login_with_mfa(client, zone_staff("calderon"))
    url = f"/admin/verificacion/solicitudes/{item.pk}/"
    assert client.post(url, {"action": "reject", "rechazar-reason": ""}).status_code == 200
    assert VerificationRequest.objects.get(pk=item.pk).status == "open"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "reject", "rechazar-reason": "No vino nadie"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.reason) == ("rejected", "No vino nadie")
    entry = ModelLogEntry.objects.get(action="verification.request_reject")
    assert entry.data["reason"] == "No vino nadie"
    assert len(mail.outbox) == 1 and "No vino nadie" in mail.outbox[0].body
    assert not Resident.objects.get(pk=resident.pk).is_verified
    # Handled: nobody handles it again.
    with pytest.raises(PermissionDenied):
        services.request_reject(actor=zone_staff("calderon"), request=item, reason="otra vez")
    ask(resident)  # and the resident may ask again


def test_queue_is_scoped_to_the_zone(client, territory):
    own = ask(resident_in("calderon"))
    other = ask(resident_in("tumbaco"))
    login_with_mfa(client, zone_staff("calderon"))
    html = client.get("/admin/verificacion/solicitudes/").content.decode()
    assert str(own.resident) in html and str(other.resident) not in html
    assert client.get(f"/admin/verificacion/solicitudes/{other.pk}/").status_code == 404
    response = client.post(
        f"/admin/verificacion/solicitudes/{other.pk}/",
        {"action": "reject", "rechazar-reason": "x"},
    )
    assert response.status_code == 404
    assert VerificationRequest.objects.get(pk=other.pk).status == "open"
    login_with_mfa(client, city_staff())
    html = client.get("/admin/verificacion/solicitudes/").content.decode()
    assert str(own.resident) in html and str(other.resident) in html


def test_every_staff_action_refuses_residents_other_zones_and_no_mfa(territory):
    item = ask(resident_in("calderon"))
    for actor in (UserFactory(), zone_staff("tumbaco"), zone_staff("calderon", mfa=False)):
        with pytest.raises(PermissionDenied):
            services.request_reject(actor=actor, request=item, reason="x")
        with pytest.raises(PermissionDenied):
            services.request_verify(actor=actor, request=item, document_kind="cedula", reason="x")
    item.refresh_from_db()
    assert item.status == "open"
    assert not ModelLogEntry.objects.filter(action__startswith="verification.").exists()


def test_no_mfa_session_is_sent_to_the_second_factor(client, territory):
    item = ask(resident_in("calderon"))
    staff = zone_staff("calderon", mfa=False)
    client.force_login(staff)
    response = client.post(
        f"/admin/verificacion/solicitudes/{item.pk}/",
        {"action": "reject", "rechazar-reason": "x"},
    )
    assert response.status_code == 302
    assert VerificationRequest.objects.get(pk=item.pk).status == "open"


def test_verified_another_way_leaves_the_queue(territory):
    from tests.verification.test_codes import make_sheet

    resident = resident_in("calderon")
    item = ask(resident)
    _sheet, codes = make_sheet()
    services.code_verify_self(user=resident.user, code=codes[0])
    assert VerificationRequest.objects.get(pk=item.pk).status == "cancelled"


def test_staff_tasks_count_open_requests(territory, django_assert_max_num_queries):
    for _ in range(3):
        ask(resident_in("calderon"))
    ask(resident_in("tumbaco"))
    request = RequestFactory().get("/admin/")
    request.user = zone_staff("calderon")
    groups = staff_tasks(request)
    tasks = {g.slug: g.tasks.get(VERIFICATION_REQUESTS) for g in groups}
    assert tasks["calderon"].count == 3
    assert "tumbaco" not in tasks
    assert tasks["calderon"].all_url == "/admin/verificacion/solicitudes/"
    # More requests, same queries.
    request.user = zone_staff("calderon")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        staff_tasks(request)
    for _ in range(10):
        ask(resident_in("calderon"))
    request.user = zone_staff("calderon")
    with CaptureQueriesContext(connection) as many:
        staff_tasks(request)
    assert len(many) == len(few)


def test_the_queue_page_has_flat_queries(client, territory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_with_mfa(client, zone_staff("calderon"))
    for _ in range(3):
        ask(resident_in("calderon"))
    client.get("/admin/verificacion/solicitudes/")  # warm caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/verificacion/solicitudes/").status_code == 200
    for _ in range(20):
        ask(resident_in("calderon", 1))
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/verificacion/solicitudes/").status_code == 200
    assert len(many) == len(few)


def test_the_queue_confirms_the_cedula_staff_type_from_the_card(client, territory):
    """Typed from the card, the number links (or confirms) the profile's cédula, which
    online voting needs; a number that is not the profile's is refused on the form."""
    from accounts.cedula import cedula_hash
    from tests.factories import valid_cedula

    resident = resident_in("calderon")
    item = ask(resident)
    login_with_mfa(client, zone_staff("calderon"))
    url = f"/admin/verificacion/solicitudes/{item.pk}/"
    number = valid_cedula("171234560")
    data = {"action": "verify", "verificar-document_kind": "cedula", "verificar-reason": "Visto"}
    response = client.post(url, {**data, "verificar-cedula": "1710034066"})  # malformed
    assert response.status_code == 200 and "1710034066" not in response.content.decode()
    assert not Resident.objects.get(pk=resident.pk).is_verified
    assert client.post(url, {**data, "verificar-cedula": number}).status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified and resident.cedula_hash == cedula_hash(number)
    assert resident.cedula_confirmed_at is not None
