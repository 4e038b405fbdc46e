"""Sign-up with consent and residency, e-mail verification, login, cédula privacy."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection

from accounts.cedula import cedula_hash
from accounts.models import Consent, Resident, User
from territory.models import Parish, Zone
from tests.factories import PASSWORD, ResidentFactory, valid_cedula, with_mfa

pytestmark = pytest.mark.django_db

CEDULA = valid_cedula("171003406")


def signup_data(**overrides):
    calderon = Zone.objects.get(slug="calderon")
    data = {
        "email": "maria@example.ec",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "display_name": "María de Carapungo",
        "zone": calderon.pk,
        "parish": Parish.objects.get(name="Llano Chico").pk,
        "cedula": CEDULA,
        "privacy_consent": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_signup_verify_email_then_login(client, territory, settings):
    response = client.post("/cuenta/signup/", signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="maria@example.ec")
    resident = user.resident
    assert resident.display_name == "María de Carapungo"
    assert resident.parish.name == "Llano Chico"
    assert not resident.is_verified

    consent = Consent.objects.get(user=user)
    assert consent.policy_version == settings.PRIVACY_POLICY_VERSION
    assert consent.purpose == Consent.Purpose.PRIVACY_POLICY
    assert consent.given_at is not None

    # Mandatory verification: no login until the e-mail is confirmed.
    assert not EmailAddress.objects.get(user=user).verified
    client.logout()
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/confirm-email/"
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) >= 1
    link = re.search(r"https?://[^/\s]+(/cuenta/confirm-email/[^\s]+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_consent_is_required_and_unticked(client, territory):
    page = client.get("/cuenta/signup/").content.decode()
    checkbox = re.search(r'<input[^>]*name="privacy_consent"[^>]*>', page).group(0)
    assert "checked" not in checkbox
    assert 'type="checkbox"' in checkbox

    response = client.post("/cuenta/signup/", signup_data(privacy_consent=None))
    assert response.status_code == 200
    assert "Debe aceptar la política de privacidad" in response.content.decode()
    assert not User.objects.filter(email="maria@example.ec").exists()


def test_parish_must_belong_to_the_zone(client, territory):
    response = client.post(
        "/cuenta/signup/", signup_data(parish=Parish.objects.get(name="Nono").pk)
    )
    assert response.status_code == 200
    assert "no pertenece a la zona" in response.content.decode()
    assert not User.objects.exists()


def test_malformed_cedula_gets_a_spanish_field_error(client, territory):
    response = client.post("/cuenta/signup/", signup_data(cedula="1710034066"))
    assert response.status_code == 200
    assert "no es válido" in response.content.decode()
    assert not User.objects.exists()


def test_one_cedula_one_account(client, territory):
    ResidentFactory(cedula_hash=cedula_hash(CEDULA))
    response = client.post("/cuenta/signup/", signup_data())
    assert response.status_code == 200
    assert "ya está vinculada a otra cuenta" in response.content.decode()
    assert not User.objects.filter(email="maria@example.ec").exists()


def test_the_database_enforces_cedula_uniqueness(territory):
    from django.db import IntegrityError, transaction

    ResidentFactory(cedula_hash=cedula_hash(CEDULA))
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentFactory(cedula_hash=cedula_hash(CEDULA))


def test_cedula_never_stored_in_clear(client, territory):
    client.post("/cuenta/signup/", signup_data())
    resident = Resident.objects.get(user__email="maria@example.ec")
    assert resident.cedula_hash == cedula_hash(CEDULA)
    # Search every text column of every table of ours for the number.
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            description = connection.introspection.get_table_description(cursor, table)
            for column in description:
                quoted_table = connection.ops.quote_name(table)
                quoted_column = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quoted_table} "  # noqa: S608 - names from introspection
                    f"WHERE CAST({quoted_column} AS TEXT) LIKE %s",
                    [f"%{CEDULA}%"],
                )
                assert cursor.fetchone()[0] == 0, f"cédula found in {table}.{column.name}"


def test_profile_update_checks_zone_and_withdraws_verification_on_move(client, territory):
    from accounts import services
    from tests.factories import UserFactory

    staff = with_mfa(UserFactory(is_superuser=True, is_staff=True))
    resident = ResidentFactory(
        zone=Zone.objects.get(slug="calderon"), parish=Parish.objects.get(name="Llano Chico")
    )
    services.resident_verify(
        resident=resident, actor=staff, document_kind="cedula", reason="Cédula vista en ventanilla"
    )
    client.force_login(resident.user)
    response = client.post(
        "/cuenta/perfil/",
        {
            "display_name": "Nuevo nombre",
            "zone": Zone.objects.get(slug="tumbaco").pk,
            "parish": Parish.objects.get(name="Llano Chico").pk,
            "email_notifications": "on",
        },
    )
    assert response.status_code == 200
    assert "no pertenece a la zona" in response.content.decode()
    tumbaco = Zone.objects.get(slug="tumbaco")
    response = client.post(
        "/cuenta/perfil/",
        {
            "display_name": "Nuevo nombre",
            "zone": tumbaco.pk,
            "parish": Parish.objects.get(name="Cumbayá").pk,
            # A verified resident confirms the move (tests/accounts/test_dead_ends.py).
            "confirmar_cambio": "1",
        },
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.zone == tumbaco
    assert not resident.is_verified
    assert resident.email_notifications is False
