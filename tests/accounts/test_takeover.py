"""The staff-account takeover of issue #8, walked as the attacker ran it, with the
victim's password only:

1. log in at Wagtail's own `/admin/login/` (no lockout, no e-mail check, no MFA);
2. `/cuenta/2fa/totp/deactivate/` asks for the password again: give it;
3. deactivate the owner's authenticator;
4. activate one of the attacker's own;
5. confirm with it and open `/admin/`.

The walk must stop at its first step; each later step, given the attacker everything
before it, must fail too. Also here: every login route other than allauth's sends there.
"""

from urllib.parse import parse_qs, urlparse

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth import views as auth_views
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RoutePattern

from accounts import views_security
from tests.accounts.security_helpers import (
    CODE_STEP,
    has_totp,
    password_only_session,
    staff_with_totp,
    totp_code,
)
from tests.factories import PASSWORD, UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db

LOGIN = "/cuenta/login/"


@pytest.fixture
def victim(territory):
    return staff_with_totp()


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- The attacker's steps: each returns whether the attacker got through ----------------


def step_admin_login(client, user) -> bool:
    client.post("/admin/login/?next=/admin/", {"username": user.email, "password": PASSWORD})
    return logged_in(client)


def step_reauthenticate_with_password(client, user) -> bool:
    response = client.get("/cuenta/2fa/totp/deactivate/")
    if response.status_code == 302:
        # Wherever the site sends the attacker, the password is all the attacker has.
        client.post("/cuenta/reauthenticate/", {"password": PASSWORD})
    return client.get("/cuenta/2fa/totp/deactivate/").status_code == 200


def step_deactivate_totp(client, user) -> bool:
    client.post("/cuenta/2fa/totp/deactivate/")
    return not has_totp(user)


ATTACKER_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def step_activate_own_totp(client, user) -> bool:
    client.get("/cuenta/2fa/totp/activate/")
    session = client.session
    if SECRET_SESSION_KEY not in session:
        return False
    session[SECRET_SESSION_KEY] = ATTACKER_SECRET  # the secret in the attacker's phone
    session.save()
    client.post("/cuenta/2fa/totp/activate/", {"code": totp_code(ATTACKER_SECRET)})
    return has_totp(user, ATTACKER_SECRET)


def step_enter_admin(client, user) -> bool:
    client.post(CODE_STEP, {"code": totp_code(ATTACKER_SECRET)})
    return client.get("/admin/").status_code == 200


TAKEOVER = [
    ("admin_login", step_admin_login),
    ("reauthenticate_with_password", step_reauthenticate_with_password),
    ("deactivate_totp", step_deactivate_totp),
    ("activate_own_totp", step_activate_own_totp),
    ("enter_admin", step_enter_admin),
]


def takeover(client, user, start=0) -> str | None:
    """Run the takeover from step `start`; the name of the first step that failed, or None
    if the account was taken."""
    for name, step in TAKEOVER[start:]:
        if not step(client, user):
            return name
    return None


# --- The whole walk ---------------------------------------------------------------------


def test_the_takeover_stops_at_its_first_step(client, victim):
    user, secret = victim
    assert takeover(client, user) == "admin_login"
    assert not logged_in(client)
    assert has_totp(user, secret)
    assert not has_totp(user, ATTACKER_SECRET)


def test_the_takeover_from_a_password_only_session_stops_at_the_password(client, victim):
    # Should a password-only session ever exist again, the walk still stops.
    user, secret = victim
    password_only_session(client, user)
    assert takeover(client, user, start=1) == "reauthenticate_with_password"
    assert has_totp(user, secret)


# --- One test per step, each given the steps before it ----------------------------------


def test_step_1_admin_login_logs_nobody_in(client, victim):
    user, _secret = victim
    assert not step_admin_login(client, user)
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == LOGIN
    assert not logged_in(client)
    assert client.get("/admin/")["Location"].startswith(LOGIN)


def test_step_1_the_site_login_with_the_password_only_stops_at_the_code(client, victim):
    user, _secret = victim
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/cuenta/2fa/authenticate/"
    assert not logged_in(client)
    assert client.get("/cuenta/2fa/totp/deactivate/")["Location"].startswith(LOGIN)


def test_step_2_the_password_does_not_confirm_a_security_change(client, victim):
    user, secret = victim
    password_only_session(client, user)
    response = client.get("/cuenta/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)
    # The password page does not accept the password from a user with a second factor:
    # it sends to the code step, and records nothing.
    response = client.post(
        "/cuenta/reauthenticate/?next=/cuenta/2fa/totp/deactivate/", {"password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)
    assert not step_reauthenticate_with_password(client, user)
    assert has_totp(user, secret)


def test_step_3_deactivating_needs_the_code_even_after_a_password_reauthentication(client, victim):
    user, secret = victim
    password_only_session(client, user, password_reauthenticated=True)
    response = client.post("/cuenta/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)
    assert not step_deactivate_totp(client, user)
    assert has_totp(user, secret)
    assert mail.outbox == []


def test_step_4_no_second_authenticator_while_the_owners_exists(client, victim):
    user, secret = victim
    password_only_session(client, user, password_reauthenticated=True)
    response = client.get("/cuenta/2fa/totp/activate/")
    assert response["Location"].startswith(CODE_STEP)
    assert SECRET_SESSION_KEY not in client.session
    assert not step_activate_own_totp(client, user)
    assert has_totp(user, secret)
    assert not has_totp(user, ATTACKER_SECRET)


def test_step_5_a_password_only_session_does_not_open_the_admin(client, victim):
    user, _secret = victim
    password_only_session(client, user, password_reauthenticated=True)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(CODE_STEP)
    assert not step_enter_admin(client, user)


def test_the_owner_still_gets_through_with_the_code(victim):
    """The same doors open for the owner, who has the phone."""
    user, secret = victim
    owner = Client()
    response = owner.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/cuenta/2fa/authenticate/"
    owner.post("/cuenta/2fa/authenticate/", {"code": totp_code(secret)})
    assert logged_in(owner)
    response = owner.get("/cuenta/2fa/totp/deactivate/")
    assert response["Location"].startswith(CODE_STEP)
    owner.post(response["Location"], {"code": totp_code(secret)})
    assert owner.get("/cuenta/2fa/totp/deactivate/").status_code == 200
    assert owner.get("/admin/").status_code == 200


# --- One login: every other login route sends to allauth's ------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/admin/login/?next=/admin/pages/", "/cuenta/login/?next=%2Fadmin%2Fpages%2F"),
        ("/admin/login/", "/cuenta/login/?next=%2Fadmin%2F"),
        ("/_util/login/?next=/zonas/", "/cuenta/login/?next=%2Fzonas%2F"),
        ("/_util/login/", "/cuenta/login/"),
        # A `next` to another site is dropped, not passed on.
        ("/admin/login/?next=https://evil.example/", "/cuenta/login/?next=%2Fadmin%2F"),
    ],
)
def test_other_logins_send_to_the_site_login_with_next_kept(client, territory, path, expected):
    user = UserFactory(is_superuser=True)
    for response in (
        client.get(path),
        client.post(path, {"username": user.email, "password": PASSWORD}),
    ):
        assert response.status_code == 302
        assert response["Location"] == expected
    assert not logged_in(client)


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def login_routes():
    """Every route that could log someone in other than allauth's login: a Django LoginView
    (Wagtail's admin and front-end logins derive from it) or a route named like a login."""
    for route, pattern in walk(get_resolver().url_patterns):
        view_class = getattr(pattern.callback, "view_class", None)
        is_login_view = isinstance(view_class, type) and issubclass(
            view_class, auth_views.LoginView
        )
        if (is_login_view or "login" in (pattern.name or "")) and pattern.name != "account_login":
            yield route, pattern


def test_every_login_route_sends_to_allauths_login(client, territory):
    user = UserFactory(is_superuser=True)
    routes = list(login_routes())
    names = {pattern.name for _route, pattern in routes}
    assert {"wagtailadmin_login", "wagtailcore_login"} <= names
    for route, pattern in routes:
        # A new login route with parameters needs this test extended, not skipped.
        assert isinstance(pattern.pattern, RoutePattern), route
        assert "<" not in route, route
        path = "/" + route
        for response in (
            client.get(path + "?next=/admin/pages/"),
            client.post(path, {"username": user.email, "login": user.email, "password": PASSWORD}),
        ):
            assert response.status_code == 302, (path, response.status_code)
            assert urlparse(response["Location"]).path == LOGIN, (path, response["Location"])
            assert not logged_in(client), path
    # The Wagtail routes are shadowed by ours, which keep `next`.
    for name in ("wagtailadmin_login", "wagtailcore_login"):
        match = resolve(reverse(name))
        assert match.func in (views_security.admin_login, views_security.login_elsewhere)
        location = client.get(reverse(name) + "?next=/admin/pages/")["Location"]
        assert parse_qs(urlparse(location).query) == {"next": ["/admin/pages/"]}


SECURITY_ROUTES = [
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_email",
    "account_change_password",
    "account_set_password",
]


@pytest.mark.parametrize("name", SECURITY_ROUTES)
def test_allauths_security_routes_are_behind_the_second_factor(name):
    assert getattr(resolve(reverse(name)).func, "second_factor_required", False)


def account_settings_form(page) -> dict:
    """The POST that Wagtail's account page sends as it stands (every panel's values)."""
    data = {}
    for panels in page.context["panels_by_tab"].values():
        for panel in panels:
            form = panel.get_form()
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False, ""):
                    data[form.add_prefix(name)] = value
    return data


def test_wagtails_account_settings_change_neither_email_nor_password(client, victim):
    """Wagtail's own account page would change both with no second factor and no notice;
    staff change them through allauth instead."""
    user, _secret = victim
    login_with_mfa(client, user)
    page = client.get("/admin/account/")
    assert page.status_code == 200
    new = "otra-clave-larga-2027"
    data = account_settings_form(page) | {
        "name_email-first_name": "Ana",
        "name_email-last_name": "Pérez",
        "name_email-email": "atacante@example.ec",
        "password-old_password": PASSWORD,
        "password-new_password1": new,
        "password-new_password2": new,
    }
    response = client.post("/admin/account/", data)
    assert response.status_code == 302  # saved: the name did change
    user.refresh_from_db()
    assert user.first_name == "Ana"
    assert user.email != "atacante@example.ec"
    assert user.check_password(PASSWORD)
