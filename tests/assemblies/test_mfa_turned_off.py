"""A session that passed MFA no longer counts once the account's authenticator is turned
off (or removed): the control panel sends to set-up, and the rule says no."""

import pytest
from allauth.mfa.models import Authenticator

from assemblies.models import Announcement
from tests.factories import login_with_mfa

pytestmark = pytest.mark.django_db


def test_staff_who_turn_totp_off_lose_their_staff_actions(client, assembly, staff):
    login_with_mfa(client, staff)
    url = f"{assembly.url}control/"
    assert client.get(url).status_code == 200
    Authenticator.objects.filter(user=staff).delete()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/2fa/totp/activate/"
    client.post(url, {"action": "announce", "text": "Sin segundo factor"})
    assert not Announcement.objects.filter(text="Sin segundo factor").exists()
