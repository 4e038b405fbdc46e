"""Every login path is rate-limited and locks out as /cuenta/login/ does: the login, the
MFA code step, both reauthentications, the password reset; Wagtail's login is no way round."""

import pytest
from django.test import Client

from tests.accounts.security_helpers import (
    CODE_STEP,
    has_totp,
    login_with_code,
    recovery_code,
    staff_with_totp,
    totp_code,
    wrong_code,
)
from tests.factories import PASSWORD, UserFactory

LIMITED = "Demasiados intentos fallidos"

pytestmark = pytest.mark.django_db


def test_failed_logins_are_limited_per_account(client, territory):
    user = UserFactory()
    limited = "Demasiados intentos fallidos"
    pages = [
        client.post(
            "/cuenta/login/", {"login": user.email, "password": "incorrecta"}
        ).content.decode()
        for _ in range(6)
    ]
    assert [limited in page for page in pages] == [False] * 5 + [True]
    # Even the right password is refused while the limit holds.
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert limited in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_page_in_spanish(client, territory):
    response = client.get("/cuenta/password/reset/")
    assert response.status_code == 200
    assert "contraseña" in response.content.decode().lower()


def test_admin_login_30_wrong_passwords_then_the_right_one_logs_nobody_in(client, territory):
    user = UserFactory(is_superuser=True)
    for password in ["incorrecta"] * 30 + [PASSWORD]:
        response = client.post("/admin/login/", {"username": user.email, "password": password})
        assert response.status_code == 302
        assert response["Location"].startswith("/cuenta/login/")
        assert "_auth_user_id" not in client.session


def test_failed_logins_are_limited_per_address_across_accounts(client, territory):
    # Password spraying: one wrong password for each of many accounts, from one address.
    users = [UserFactory() for _ in range(11)]
    for user in users[:10]:
        page = client.post("/cuenta/login/", {"login": user.email, "password": "incorrecta"})
        assert LIMITED not in page.content.decode()
    response = client.post("/cuenta/login/", {"login": users[10].email, "password": PASSWORD})
    assert LIMITED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_attempts_are_capped_per_address(client, territory):
    # Successful logins do not count as failures, but every attempt counts against the cap.
    user = UserFactory()
    for _ in range(30):
        response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302
        client.logout()
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def code_step_attempts(client, user, secret, wrong: int):
    """Password at /cuenta/login/, then `wrong` wrong codes; the pages of the attempts."""
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/cuenta/2fa/authenticate/"
    return [
        client.post("/cuenta/2fa/authenticate/", {"code": wrong_code(secret)}).content.decode()
        for _ in range(wrong)
    ]


def test_wrong_codes_at_the_mfa_step_lock_it(client, territory):
    user, secret = staff_with_totp()
    pages = code_step_attempts(client, user, secret, wrong=6)
    assert [LIMITED in page for page in pages] == [False] * 5 + [True]
    # Even the right code is refused while the lock holds.
    right = totp_code(secret, forget_used_codes=False)
    response = client.post("/cuenta/2fa/authenticate/", {"code": right})
    assert LIMITED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_mfa_step_takes_the_right_code_before_the_lock(client, territory):
    user, secret = staff_with_totp()
    code_step_attempts(client, user, secret, wrong=4)
    right = totp_code(secret, forget_used_codes=False)
    client.post("/cuenta/2fa/authenticate/", {"code": right})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_mfa_lock_is_per_account_not_per_browser(territory):
    user, secret = staff_with_totp()
    code_step_attempts(Client(), user, secret, wrong=5)
    # A fresh browser with the password still meets the lock at the code step.
    other = Client()
    other.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    right = totp_code(secret, forget_used_codes=False)
    response = other.post("/cuenta/2fa/authenticate/", {"code": right})
    assert LIMITED in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_wrong_codes_at_the_code_reauthentication_lock_it(territory):
    user, secret = staff_with_totp()
    client = login_with_code(Client(), user, secret)
    pages = [
        client.post(CODE_STEP, {"code": wrong_code(secret)}).content.decode() for _ in range(5)
    ]
    assert not any(LIMITED in page for page in pages)
    response = client.post(CODE_STEP, {"code": recovery_code(user)})
    assert LIMITED in response.content.decode()
    assert client.get("/cuenta/2fa/totp/deactivate/")["Location"].startswith(CODE_STEP)
    client.post("/cuenta/2fa/totp/deactivate/")
    assert has_totp(user)


def test_the_code_reauthentication_takes_the_right_code_before_the_lock(territory):
    user, secret = staff_with_totp()
    client = login_with_code(Client(), user, secret)
    for _ in range(4):
        client.post(CODE_STEP, {"code": wrong_code(secret)})
    response = client.post(CODE_STEP, {"code": recovery_code(user)})
    assert response.status_code == 302
    assert client.get("/cuenta/2fa/totp/deactivate/").status_code == 200


def test_wrong_passwords_at_the_password_reauthentication_lock_it_and_the_login(territory):
    user = UserFactory()
    client = Client()
    client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)
    pages = [
        client.post("/cuenta/reauthenticate/", {"password": "incorrecta"}).content.decode()
        for _ in range(6)
    ]
    assert [LIMITED in page for page in pages] == [False] * 5 + [True]
    response = client.post("/cuenta/reauthenticate/", {"password": PASSWORD})
    assert LIMITED in response.content.decode()
    # The same lock as the login's: the password does not open a new session either.
    other = Client()
    response = other.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert LIMITED in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_reauthentication_attempts_are_capped_per_user(territory):
    user = UserFactory()
    client = Client()
    client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    statuses = [
        client.post("/cuenta/reauthenticate/", {"password": PASSWORD}).status_code
        for _ in range(11)
    ]
    assert statuses == [302] * 10 + [429]


def test_password_reset_requests_are_limited_per_address(client, territory):
    from django.core import mail

    user = UserFactory()
    statuses = [
        client.post("/cuenta/password/reset/", {"email": user.email}).status_code for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5


def test_password_reset_links_are_limited_per_address(client, territory):
    data = {"password1": "otra-clave-larga-2027", "password2": "otra-clave-larga-2027"}
    statuses = [
        client.post("/cuenta/password/reset/key/1-falsa/", data).status_code for _ in range(21)
    ]
    assert 429 not in statuses[:20]
    assert statuses[20] == 429
