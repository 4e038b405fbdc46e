import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from quitodecide.errors import DomainError, PermissionDenied
from tests.factories import UserFactory
from tests.training.helpers import held, make_session, parish, staff
from training import services
from training.models import Registration, TrainingSession

pytestmark = pytest.mark.django_db

CANCEL = re.compile(r"/formacion/inscripcion/([A-Za-z0-9_-]+)/cancelar/")


def anon(session, n, **extra):
    values = {
        "name": f"Persona {n}",
        "email": f"persona{n}@example.ec",
        "parish": parish(),
        "privacy_consent": True,
    }
    values.update(extra)
    return services.register(None, session, **values)


def cancel_token(email):
    bodies = [m.body for m in mail.outbox if email in m.to]
    tokens = [CANCEL.search(body).group(1) for body in bodies if CANCEL.search(body)]
    return tokens[-1]


def test_capacity_then_waiting_list(territory, django_capture_on_commit_callbacks):
    session = make_session(capacity=2)
    with django_capture_on_commit_callbacks(execute=True):
        first, second, third = (anon(session, n) for n in range(3))
    assert [r.status for r in (first, second, third)] == ["confirmada", "confirmada", "en_espera"]
    assert len(mail.outbox) == 3
    assert mail.outbox[2].subject.startswith(
        gettext("You are on the waiting list of the training session")
    )
    assert CANCEL.search(mail.outbox[0].body)


def test_duplicates_by_email_and_account_are_refused(territory):
    session = make_session()
    anon(session, 1)
    with pytest.raises(DomainError):
        anon(session, 2, email="PERSONA1@example.ec")
    user = UserFactory()
    services.register(user, session, name="Con cuenta")
    with pytest.raises(DomainError):
        services.register(user, session, name="Otra vez")
    assert Registration.objects.filter(session=session).count() == 2


def test_account_uses_its_email(territory):
    user = UserFactory()
    registration = services.register(user, make_session(), name="Ana", email="otra@example.ec")
    assert registration.email == user.email and registration.user == user


@pytest.mark.parametrize("missing", ["name", "email", "parish", "privacy_consent"])
def test_anonymous_needs_name_email_parish_and_consent(territory, missing):
    blank = {"name": "", "email": "", "parish": None, "privacy_consent": False}[missing]
    with pytest.raises(ValidationError) as caught:
        anon(make_session(), 1, **{missing: blank})
    assert missing in caught.value.error_dict


def test_closed_after_start_and_when_cancelled(territory):
    session = held(make_session())
    with pytest.raises(PermissionDenied):
        anon(session, 1)
    other = make_session(status=TrainingSession.Status.CANCELLED)
    with pytest.raises(PermissionDenied) as caught:
        anon(other, 1)
    assert "cancel" in str(caught.value.message).lower()


def test_cancel_link_promotes_the_waiting_list(
    client, territory, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = anon(session, 1)
        second = anon(session, 2)
    token = cancel_token(first.email)
    url = reverse("training:cancel", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    first.refresh_from_db()
    assert first.status == "confirmada"  # GET only asks
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "cancelada" and second.status == "confirmada"
    assert [m.to for m in mail.outbox] == [[second.email]]
    # The promoted one gets a fresh cancel link that works.
    assert (
        client.get(reverse("training:cancel", args=[cancel_token(second.email)])).status_code == 200
    )


def test_bad_tokens_are_the_same_404(client, territory):
    for token in ["x" * 43, "nada", "a" * 99, "%00"]:
        assert client.get(f"/formacion/inscripcion/{token}/cancelar/").status_code == 404
        assert client.post(f"/formacion/inscripcion/{token}/cancelar/").status_code == 404


def test_staff_cancelling_a_session_tells_the_registrants(
    territory, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        anon(session, 1)
        anon(session, 2)
    mail.outbox.clear()
    actor = staff()
    with django_capture_on_commit_callbacks(execute=True):
        services.session_save(
            actor=actor,
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
    assert sorted(m.to[0] for m in mail.outbox) == ["persona1@example.ec", "persona2@example.ec"]
    assert all(m.subject.startswith(gettext("Training session cancelled")) for m in mail.outbox)


def test_other_zone_staff_cannot_edit_the_plan(territory):
    session = make_session()
    with pytest.raises(PermissionDenied):
        services.session_save(
            actor=staff("la-mariscal"),
            session=session,
            plan=session.plan,
            title="Otro",
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            capacity=5,
            facilitator="X",
            place="Y",
        )


def test_registration_page_without_an_account(
    client, territory, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    url = reverse("training:session", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"privacy_consent" in page.content
    bad = client.post(url, {"name": "Ana", "email": "no-es-correo"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert gettext("Write a valid e-mail address.") in text
    assert gettext("Choose your parish.") in text
    assert gettext("You must accept the privacy notice to register.") in text
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            url,
            {
                "name": "Ana Quishpe",
                "email": "ana@example.ec",
                "parish": parish().pk,
                "privacy_consent": "on",
            },
        )
    assert ok.status_code == 302
    done = client.get(ok["Location"])
    assert "ana@example.ec" in done.content.decode()
    assert Registration.objects.get(email="ana@example.ec").status == "confirmada"
    assert len(mail.outbox) == 1


def test_registration_page_with_an_account(client, territory, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    session = make_session()
    url = reverse("training:session", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'name="email"' not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"name": "Ana con cuenta"})
    assert response.status_code == 302
    registration = Registration.objects.get(user=user)
    assert registration.email == user.email and registration.name == "Ana con cuenta"
    assert mail.outbox[0].to == [user.email]
    again = client.get(url)
    assert b'id="my-registration"' in again.content
    assert b"training-register-form" not in again.content
    assert client.post(url, {"name": "Otra vez"}).status_code == 400
