"""allauth's rate limits are on: repeated failed logins for one account are refused."""

import pytest

from tests.factories import PASSWORD, UserFactory

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
