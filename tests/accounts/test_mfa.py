"""Staff need two-factor authentication (TOTP) to enter the Wagtail admin."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory

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
