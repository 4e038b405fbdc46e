"""Staff need two-factor authentication (TOTP) to enter the Wagtail admin; a user with a
second factor confirms every security change with it; every such change sends a notice."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.test import Client

from tests.accounts.security_helpers import (
    CODE_STEP,
    confirm_with_code,
    has_totp,
    login_with_code,
    password_only_session,
    staff_with_totp,
    totp_code,
)
from tests.factories import PASSWORD, UserFactory, login_with_mfa, recreate_wagtail_base

pytestmark = pytest.mark.django_db


def current_code(secret: str) -> str:
    cache.clear()  # allauth refuses a code it has already seen; a person would wait 30 s
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def login(client, user):
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.fixture
def zone_editor(territory):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Editores zona Calderón"))
    return user


def test_admin_without_mfa_sends_staff_to_set_it_up(client, zone_editor):
    login(client, zone_editor)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/2fa/totp/activate/"


def test_full_flow_activate_then_enter_then_log_in_again_with_code(client, zone_editor):
    login(client, zone_editor)
    response = client.get("/admin/")
    assert response["Location"] == "/cuenta/2fa/totp/activate/"
    # allauth asks for the password again before changing security settings.
    response = client.get("/cuenta/2fa/totp/activate/")
    assert response["Location"].startswith("/cuenta/reauthenticate/")
    client.post("/cuenta/reauthenticate/", {"password": PASSWORD})
    assert client.get("/cuenta/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/cuenta/2fa/totp/activate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=zone_editor, type=Authenticator.Type.TOTP).exists()

    # Turning MFA on in this session is not the same as having logged in with it.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cuenta/2fa/reauthenticate/")
    response = client.post("/cuenta/2fa/reauthenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200

    client.logout()
    response = login(client, zone_editor)
    assert response["Location"] == "/cuenta/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # password alone is not enough
    response = client.post("/cuenta/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_residents_are_not_affected(client, territory):
    resident = UserFactory()
    login(client, resident)
    # No admin access at all: Wagtail sends them away, our middleware does not interfere.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "2fa" not in response["Location"]
    assert client.get("/").status_code == 200


# --- Security changes need the second factor, and each sends a notice -------------------

SECOND = "segunda@example.ec"
NEW_PASSWORD = "otra-clave-larga-2027"


@pytest.fixture
def committing(transactional_db):
    """For notices that allauth sends on commit: a transactional test, whose flushed
    database needs Wagtail's base back before the territory."""
    recreate_wagtail_base()


@pytest.fixture
def owner(territory):
    """A staff member with TOTP and two verified addresses."""
    user, secret = staff_with_totp()
    EmailAddress.objects.create(user=user, email=SECOND, verified=True, primary=False)
    return user, secret


def recovery_codes_id(user):
    return Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES).pk


def addresses(user):
    return set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))


def primary(user):
    return EmailAddress.objects.get(user=user, primary=True).email


def password_hash(user):
    user.refresh_from_db()
    return user.password


# name: (path, POST data, what the change changes, notice subject). Adding an address is not
# here: allauth refuses it outright on an account with MFA (below).
CHANGES = {
    "deactivate_totp": (
        "/cuenta/2fa/totp/deactivate/",
        {},
        has_totp,
        "Aplicación de autenticación desactivada",
    ),
    "generate_recovery_codes": (
        "/cuenta/2fa/recovery-codes/generate/",
        {},
        recovery_codes_id,
        "Nuevos códigos de recuperación generados",
    ),
    "make_primary": (
        "/cuenta/email/",
        {"email": SECOND, "action_primary": ""},
        primary,
        "Correo electrónico cambiado",
    ),
    "remove_email": (
        "/cuenta/email/",
        {"email": SECOND, "action_remove": ""},
        addresses,
        "Correo electrónico eliminado",
    ),
    "change_password": (
        "/cuenta/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        password_hash,
        "Contraseña modificada",
    ),
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_password_reauthentication_does_not_allow_a_security_change(client, owner, name):
    user, _secret = owner
    path, data, state, _subject = CHANGES[name]
    before = state(user)
    password_only_session(client, user, password_reauthenticated=True)
    response = client.post(path, data)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)
    assert state(user) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    "path", ["/cuenta/2fa/recovery-codes/", "/cuenta/2fa/recovery-codes/download/"]
)
def test_recovery_codes_are_not_shown_without_the_code(client, owner, path):
    # The recovery codes are a second factor: a password must not reveal them.
    user, _secret = owner
    password_only_session(client, user, password_reauthenticated=True)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)


def test_a_login_with_the_code_is_not_a_recent_confirmation(owner):
    # allauth's own rule: a security change needs a reauthentication, not just a login.
    user, secret = owner
    client = login_with_code(Client(), user, secret)
    response = client.post("/cuenta/2fa/totp/deactivate/")
    assert response["Location"].startswith(CODE_STEP)
    assert has_totp(user)


def test_the_confirmation_expires(owner, settings):
    user, secret = owner
    client = login_with_code(Client(), user, secret)
    confirm_with_code(client, secret)
    assert client.get("/cuenta/2fa/totp/deactivate/").status_code == 200
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] -= settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
    session.save()
    assert client.get("/cuenta/2fa/totp/deactivate/")["Location"].startswith(CODE_STEP)


@pytest.mark.django_db(transaction=True)  # allauth sends some notices on commit
@pytest.mark.parametrize("name", CHANGES)
def test_a_security_change_with_the_code_works_and_sends_a_notice_in_spanish(
    committing, owner, name
):
    user, secret = owner
    path, data, state, subject = CHANGES[name]
    before = state(user)
    client = login_with_code(Client(), user, secret)
    confirm_with_code(client, secret)
    mail.outbox.clear()
    # The browser that made the change asks for English; the owner reads Spanish.
    response = client.post(path, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.content[:500]
    assert state(user) != before
    notices = [message for message in mail.outbox if subject in message.subject]
    assert sorted(address for notice in notices for address in notice.to) == sorted(
        [user.email, SECOND]
    ), [(m.subject, m.to) for m in mail.outbox]
    for notice in notices:
        assert notice.subject.startswith("[Quito Decide] ")
        assert "Está recibiendo este correo porque se ha realizado el siguiente cambio" in (
            notice.body
        )


def test_the_email_change_notice_names_both_addresses(owner):
    user, secret = owner
    old = user.email
    client = login_with_code(Client(), user, secret)
    confirm_with_code(client, secret)
    mail.outbox.clear()
    client.post("/cuenta/email/", {"email": SECOND, "action_primary": ""})
    assert {address for message in mail.outbox for address in message.to} == {old, SECOND}
    for message in mail.outbox:
        assert (
            f"La dirección de correo electrónico principal de su cuenta ha cambiado de {old} "
            f"a {SECOND}." in message.body
        )


@pytest.mark.django_db(transaction=True)  # the notice goes out on commit
def test_activating_totp_sends_a_notice(committing, client, territory):
    user = UserFactory()
    login(client, user)
    client.post("/cuenta/reauthenticate/", {"password": PASSWORD})
    client.get("/cuenta/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    mail.outbox.clear()
    client.post("/cuenta/2fa/totp/activate/", {"code": current_code(secret)})
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("[Quito Decide] Aplicación de autenticación activada", [user.email])
    ]


def test_a_change_refused_for_the_code_is_made_after_the_code(owner):
    """The owner asked to deactivate; the site asked for the code; the deactivation then
    happens without asking again (allauth keeps the request and replays it)."""
    user, secret = owner
    client = login_with_code(Client(), user, secret)
    response = client.post("/cuenta/2fa/totp/deactivate/")
    assert response["Location"] == f"{CODE_STEP}?next=%2Fcuenta%2F2fa%2Ftotp%2Fdeactivate%2F"
    client.post(response["Location"], {"code": totp_code(secret)})
    assert not has_totp(user)


def test_a_password_form_refused_for_the_code_is_not_kept_in_the_session(owner):
    user, secret = owner
    client = login_with_code(Client(), user, secret)
    data = {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post("/cuenta/password/change/", data)
    assert response["Location"].startswith(CODE_STEP)
    assert NEW_PASSWORD not in str(dict(client.session.items()))
    response = client.post(response["Location"], {"code": totp_code(secret)})
    assert response["Location"] == "/cuenta/password/change/"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert client.post("/cuenta/password/change/", data).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_resident_without_second_factor_confirms_with_the_password(client, territory):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=SECOND, verified=True, primary=False)
    login(client, user)
    response = client.post("/cuenta/email/", {"email": "otra@example.ec", "action_add": ""})
    assert response["Location"].startswith("/cuenta/reauthenticate/")
    assert "otra@example.ec" not in addresses(user)
    mail.outbox.clear()
    client.post(response["Location"], {"password": PASSWORD})
    assert "otra@example.ec" in addresses(user)
    # The new address gets the confirmation link; the account's addresses get the notice.
    notices = [m for m in mail.outbox if "Dirección de correo electrónico añadida" in m.subject]
    assert sorted(address for m in notices for address in m.to) == sorted([user.email, SECOND])
    assert "Se ha añadido la dirección de correo electrónico otra@example.ec" in notices[0].body
    assert any(m.to == ["otra@example.ec"] for m in mail.outbox if m not in notices)


def test_no_address_can_be_added_to_an_account_with_mfa(owner):
    user, secret = owner
    before = addresses(user)
    client = login_with_code(Client(), user, secret)
    confirm_with_code(client, secret)
    response = client.post("/cuenta/email/", {"email": "nueva@example.ec", "action_add": ""})
    assert "No puede agregar una dirección de correo electrónico" in response.content.decode()
    assert addresses(user) == before


def test_login_with_mfa_helper_still_opens_the_admin(client, territory):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Editores zona Calderón"))
    login_with_mfa(client, user)
    assert client.get("/admin/").status_code == 200


def test_a_password_reset_sends_a_notice_and_does_not_log_in(client, owner):
    user, _secret = owner
    client.post("/cuenta/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/cuenta/password/reset/key/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1))
    assert response.status_code == 302
    mail.outbox.clear()
    response = client.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert "_auth_user_id" not in client.session  # the code is still needed to log in
    assert sorted(address for m in mail.outbox for address in m.to) == sorted([user.email, SECOND])
    assert all("Su contraseña ha sido restablecida." in m.body for m in mail.outbox)
