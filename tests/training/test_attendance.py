import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from quitodecide.errors import PermissionDenied
from surveys.invitations import read_token
from tests.factories import login_with_mfa
from tests.training.helpers import held, make_session, parish, staff
from training import services
from training.models import Registration

pytestmark = pytest.mark.django_db

INVITATION = re.compile(r"\?invitacion=(\S+)")


def registrations(session, count):
    return [
        services.register(
            None,
            session,
            name=f"Asistente Ñañez {n}",
            email=f"asistente{n}@example.ec",
            parish=parish(),
            privacy_consent=True,
        )
        for n in range(count)
    ]


def test_other_zone_staff_and_before_the_day_are_refused(territory):
    session = make_session(days=5)
    regs = registrations(session, 2)
    with pytest.raises(PermissionDenied):  # before its day
        services.attendance_save(actor=staff(), session=session, attended_ids=[regs[0].pk])
    held(session)
    with pytest.raises(PermissionDenied):  # another zone's staff
        services.attendance_save(
            actor=staff("la-mariscal"), session=session, attended_ids=[regs[0].pk]
        )
    assert not Registration.objects.filter(attended=True).exists()


def test_attendance_issues_certificates_and_sends_the_evaluation_once(
    territory, django_capture_on_commit_callbacks
):
    session = make_session(capacity=3)
    first, second, third = registrations(session, 3)
    held(session)
    actor = staff()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.attendance_save(
            actor=actor, session=session, attended_ids=[first.pk, second.pk]
        )
    assert result == {"attended": 2, "evaluations": 2}
    first.refresh_from_db()
    third.refresh_from_db()
    assert re.fullmatch(r"QD-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", first.certificate_code)
    assert first.attendance_marked_by == actor and third.certificate_code is None
    session.refresh_from_db()
    assert session.evaluation is not None
    assert sorted(m.to[0] for m in mail.outbox) == [first.email, second.email]
    token = INVITATION.search(mail.outbox[0].body).group(1)
    invitation = read_token(token)
    assert invitation.survey == session.evaluation
    assert invitation.key.startswith("training-registration:")
    # Saving again (adding the third, dropping the second) e-mails only the third.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_save(actor=actor, session=session, attended_ids=[first.pk, third.pk])
    assert [m.to[0] for m in mail.outbox] == [third.email]
    second.refresh_from_db()
    assert not second.attended and second.certificate_code  # kept, no longer valid
    code = first.certificate_code
    first.refresh_from_db()
    assert first.certificate_code == code  # kept while attended


def test_waitlisted_cannot_be_marked(territory):
    session = make_session(capacity=1)
    _confirmed, waiting = registrations(session, 2)
    held(session)
    with pytest.raises(Exception):  # noqa: B017, PT011
        services.attendance_save(actor=staff(), session=session, attended_ids=[waiting.pk])


def refused(response):
    """Wagtail answers a refusal in the admin with a redirect to the dashboard (or 403)."""
    if response.status_code == 302:
        return "asistencia" not in response["Location"]
    return response.status_code == 403


def test_attendance_screen(client, territory):
    session = make_session(capacity=2)
    first, second = registrations(session, 2)
    url = f"/admin/formacion/sesion/{session.pk}/asistencia/"
    login_with_mfa(client, staff())
    assert refused(client.get(url))  # before the day
    held(session)
    page = client.get(url)
    assert page.status_code == 200
    assert f'id="asistio-{first.pk}"'.encode() in page.content
    response = client.post(url, {"attended": [str(second.pk)]})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.attended and second.certificate_code
    assert client.post(url, {"attended": ["999999", "x"]}).status_code == 400
    other = login_with_mfa(client.__class__(), staff("la-mariscal"))
    assert refused(other.get(url))
    assert refused(other.post(url, {"attended": [str(first.pk)]}))
    first.refresh_from_db()
    assert not first.attended
    assert client.get(f"/admin/formacion/sesion/{session.pk}/inscripciones/").status_code == 200


def _attended(session):
    registration = registrations(session, 1)[0]
    held(session)
    services.attendance_save(actor=staff(), session=session, attended_ids=[registration.pk])
    registration.refresh_from_db()
    return registration


def test_certificate_pdf_and_verification(client, territory):
    session = make_session()
    registration = _attended(session)
    code = registration.certificate_code
    response = client.get(reverse("training:certificate_pdf", args=[code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert registration.name in text and code in text
    assert "¿cómo se priorizan las obras?" in text
    valid = client.get(reverse("training:certificate", args=[code]))
    assert valid.status_code == 200 and b'id="certificate-valid"' in valid.content
    assert registration.name.encode() in valid.content
    typed = client.get(reverse("training:verify"), {"codigo": f"  {code.lower()} "})
    assert b'id="certificate-valid"' in typed.content
    for bad in ["QD-AAAA-AAAA-AAAA", "nada", "x" * 40]:
        page = client.get(reverse("training:verify"), {"codigo": bad})
        assert b'id="certificate-valid"' not in page.content
        assert client.get(reverse("training:certificate_pdf", args=[bad])).status_code == 404
    assert (
        b'id="certificate-invalid"'
        in client.get("/formacion/certificados/QD-AAAA-AAAA-AAAA/").content
    )
    # Unmarked: the certificate no longer verifies.
    services.attendance_save(actor=staff(), session=session, attended_ids=[])
    assert client.get(reverse("training:certificate_pdf", args=[code])).status_code == 404


def test_verification_is_rate_limited(client, territory):
    statuses = {
        client.get("/formacion/certificados/QD-AAAA-AAAA-AAAA/").status_code for _ in range(61)
    }
    assert 429 in statuses


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.text(min_size=1, max_size=300))
def test_any_name_makes_a_whole_pdf(territory, name):
    from training.certificates import certificate_pdf
    from training.models import TrainingSession

    session = TrainingSession.objects.filter(title="pdf").first() or make_session(
        title="pdf", partner="Fundación “Ñanda Mañachi” – Quito"
    )
    content = certificate_pdf(
        Registration(session=session, name=name, certificate_code="QD-AAAA-AAAA-AAAA")
    )
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
