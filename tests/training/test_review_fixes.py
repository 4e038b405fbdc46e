"""The hostile review of training (issue #14): each case failed before its fix."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from quitodecide.errors import DomainError
from surveys.invitations import read_token
from tests.factories import UserFactory, login_with_mfa
from tests.training.helpers import held, make_session, parish, staff
from training import services, views
from training.models import Registration, TrainingSession

pytestmark = pytest.mark.django_db

CANCEL = re.compile(r"/formacion/inscripcion/([A-Za-z0-9_-]+)/cancelar/")
INVITATION = re.compile(r"\?invitacion=(\S+)")


def yes():
    return gettext("Yes, cancel my registration")


def today_session(**extra):
    """A session later today (Quito time): attendance may already be taken."""
    now = timezone.localtime()
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0)
    starts = now + min(datetime.timedelta(hours=2), (midnight - now) / 2)
    session = make_session(starts_at=starts, **extra)
    assert session.phase() == "today"
    return session


def register(session, n, capture):
    with capture(execute=True):
        registration = services.register(
            None,
            session,
            name=f"Persona {n}",
            email=f"persona{n}@example.ec",
            parish=parish(),
            privacy_consent=True,
        )
    bodies = [m.body for m in mail.outbox if registration.email in m.to]
    token = CANCEL.search(bodies[-1]).group(1)
    return registration, reverse("training:cancel", args=[token])


def attend(session, ids, capture=None):
    if capture is None:
        return services.attendance_save(actor=staff(), session=session, attended_ids=ids)
    with capture(execute=True):
        return services.attendance_save(actor=staff(), session=session, attended_ids=ids)


# 1 -----------------------------------------------------------------------------------------
def test_a_registrant_marked_present_cannot_cancel(
    client, territory, django_capture_on_commit_callbacks
):
    session = today_session()
    registration, url = register(session, 1, django_capture_on_commit_callbacks)
    attend(session, [registration.pk])
    message = gettext(
        "You were marked present at this session: the registration can no longer be cancelled."
    )
    page = client.get(url)
    assert page.status_code == 200 and message in page.content.decode()
    assert yes() not in page.content.decode()
    response = client.post(url)
    assert response.status_code == 200 and message in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "confirmada" and registration.attended
    with pytest.raises(DomainError):
        services.cancel_registration(registration)


# 2 -----------------------------------------------------------------------------------------
def test_unticking_keeps_the_code_and_reticking_brings_it_back(
    client, territory, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    session = make_session(capacity=3)
    first, _ = register(session, 1, capture)
    second, _ = register(session, 2, capture)
    held(session)
    mail.outbox.clear()
    attend(session, [first.pk], capture)
    first.refresh_from_db()
    code = first.certificate_code
    pdf = reverse("training:certificate_pdf", args=[code])
    assert client.get(pdf).status_code == 200
    token = INVITATION.search(mail.outbox[0].body).group(1)
    assert read_token(token) is not None
    # Unticked: the code stays, but neither the PDF nor the verification accept it.
    mail.outbox.clear()
    attend(session, [], capture)
    first.refresh_from_db()
    assert first.certificate_code == code and not first.attended
    assert client.get(pdf).status_code == 404
    check = client.get(reverse("training:certificate", args=[code]))
    assert b'id="certificate-valid"' not in check.content
    if hasattr(__import__("surveys.invitations").invitations, "revoke"):
        assert read_token(token) is None  # the evaluation invitation is revoked
    assert mail.outbox == []
    # Ticked again: the same code (the e-mailed link works again); the second person,
    # ticked for the first time after the others were e-mailed, gets the evaluation once.
    attend(session, [first.pk, second.pk], capture)
    first.refresh_from_db()
    assert first.certificate_code == code
    assert client.get(pdf).status_code == 200
    assert second.email in [m.to[0] for m in mail.outbox]
    mail.outbox.clear()
    attend(session, [first.pk, second.pk], capture)
    assert mail.outbox == []


# 3 -----------------------------------------------------------------------------------------
def _cancel(session):
    return services.session_save(
        actor=staff(),
        session=session,
        plan=session.plan,
        title=session.title,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        capacity=session.capacity,
        facilitator=session.facilitator,
        place=session.place,
        status=TrainingSession.Status.CANCELLED,
    )


def test_a_held_session_cannot_be_cancelled(territory, django_capture_on_commit_callbacks):
    started = held(make_session())
    with pytest.raises(DomainError):
        _cancel(started)
    today = today_session()
    registration, _ = register(today, 1, django_capture_on_commit_callbacks)
    attend(today, [registration.pk])
    mail.outbox.clear()
    with pytest.raises(DomainError):
        _cancel(today)
    assert mail.outbox == []
    assert not TrainingSession.objects.filter(status="cancelada").exists()
    assert _cancel(make_session()).status == "cancelada"  # an upcoming one still can


def test_the_admin_form_says_a_held_session_cannot_be_cancelled(client, territory):
    session = held(make_session())
    login_with_mfa(client, staff())
    local = timezone.localtime
    response = client.post(
        f"/admin/formacion/sesion/edit/{session.pk}/",
        {
            "plan": session.plan.pk,
            "title": session.title,
            "starts_at": local(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            "ends_at": local(session.ends_at).strftime("%Y-%m-%d %H:%M"),
            "place": session.place,
            "capacity": session.capacity,
            "facilitator": session.facilitator,
            "status": "cancelada",
        },
    )
    assert response.status_code == 200
    message = gettext(
        "This session has started or its attendance was taken: it can no longer be cancelled."
    )
    assert message in response.content.decode()
    session.refresh_from_db()
    assert session.status == "programada"


# 4 -----------------------------------------------------------------------------------------
def test_the_cancel_link_of_a_cancelled_session_says_so(
    client, territory, django_capture_on_commit_callbacks
):
    session = make_session()
    registration, url = register(session, 1, django_capture_on_commit_callbacks)
    _cancel(session)
    message = gettext("This session was cancelled.")
    started = gettext("The session has started: the registration can no longer be cancelled.")
    for response in (client.get(url), client.post(url)):
        text = response.content.decode()
        assert response.status_code == 200
        assert message in text and started not in text
        assert yes() not in text


# 5 -----------------------------------------------------------------------------------------
def test_an_account_without_email_is_told_to_add_one(client, territory):
    user = UserFactory(email="")
    client.force_login(user)
    session = make_session()
    url = reverse("training:session", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'id="needs-email"' in page and f'href="{reverse("account_email")}"' in page
    assert "training-register-form" not in page
    response = client.post(url, {"name": "Ana"})
    assert response.status_code == 400 and 'id="needs-email"' in response.content.decode()
    assert not Registration.objects.exists()
    with pytest.raises(Exception) as caught:  # noqa: PT011
        services.register(user, session, name="Ana")
    assert "account" in str(caught.value) or "cuenta" in str(caught.value)


# 6 -----------------------------------------------------------------------------------------
def test_the_registration_form_helps_autofill_and_labels_the_parish(client, territory):
    page = client.get(reverse("training:session", args=[make_session().pk])).content.decode()
    assert re.search(
        r'<input[^>]*autocomplete="name"[^>]*name="name"|<input[^>]*name="name"[^>]*autocomplete="name"',
        page,
    )
    assert re.search(
        r'<input[^>]*autocomplete="email"[^>]*name="email"|<input[^>]*name="email"[^>]*autocomplete="email"',
        page,
    )
    select = re.search(r'<select[^>]*name="parish"[^>]*>', page).group(0)
    select_id = re.search(r'id="([^"]+)"', select).group(1)
    assert f'<label for="{select_id}"' in page


# 7 -----------------------------------------------------------------------------------------
def test_rate_limited_registration_and_verification_answer_429(client, territory, monkeypatch):
    monkeypatch.setattr(views, "ATTEMPT_RATE", [("ip", "1/h")])
    url = reverse("training:session", args=[make_session().pk])
    data = {"name": "Ana Quishpe", "email": "ana@example.ec", "parish": parish().pk}
    client.post(url, data)
    response = client.post(url, data)
    text = response.content.decode()
    assert response.status_code == 429
    assert gettext("Too many attempts in a short time. Please try again later.") in text
    assert 'value="Ana Quishpe"' in text and 'value="ana@example.ec"' in text
    monkeypatch.setattr(views, "VERIFY_RATE", [("ip", "1/h")])
    verify = reverse("training:verify")
    client.get(verify, {"codigo": "QD-AAAA-AAAA-AAAA"})
    limited = client.get(verify, {"codigo": "QD-AAAA-AAAA-AAAA"})
    assert limited.status_code == 429 and b'value="QD-AAAA-AAAA-AAAA"' in limited.content


# 8 -----------------------------------------------------------------------------------------
def test_attendance_works_when_the_evaluation_slug_is_taken(
    territory, django_capture_on_commit_callbacks
):
    from surveys.services import create_evaluation_survey

    session = make_session()
    registration, _ = register(session, 1, django_capture_on_commit_callbacks)
    held(session)
    now = timezone.now()
    base = f"evaluacion-formacion-{session.pk}"
    other = create_evaluation_survey(
        "Otra", session.plan.zone, now, now + datetime.timedelta(days=1), base
    )
    result = attend(session, [registration.pk])
    assert result["evaluations"] == 1
    session.refresh_from_db()
    assert session.evaluation is not None and session.evaluation != other
    assert session.evaluation.slug == f"{base}-2"


# 9 -----------------------------------------------------------------------------------------
def test_the_cancel_page_of_an_unpublished_plan_does_not_link_to_a_missing_page(
    client, territory, django_capture_on_commit_callbacks
):
    session = make_session()
    _, url = register(session, 1, django_capture_on_commit_callbacks)
    session_url = reverse("training:session", args=[session.pk])
    assert f'href="{session_url}"' in client.get(url).content.decode()
    session.plan.is_published = False
    session.plan.save()
    page = client.get(url)
    assert page.status_code == 200 and f'href="{session_url}"' not in page.content.decode()
    assert client.get(session_url).status_code == 404
