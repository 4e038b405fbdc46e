"""No dead ends around the account: calls to action that log in and come back, `next`
through sign-up and the confirmation e-mail (in the same browser and in another one),
e-mails that name Quito Decide and link to the configured address, a way on from the
recovery codes, staff landing in the admin, and the residents' verification status."""

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Resident, User
from quitodecide.pages import subpage_url
from territory.models import Parish, Zone, ZonePage
from tests.accounts.security_helpers import login_with_code, staff_with_totp
from tests.accounts.test_signup import signup_data
from tests.consultations.helpers import make_consultation
from tests.factories import PASSWORD, ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = "https://decide.example.ec"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SITE_BASE_URL = BASE


@pytest.fixture
def article(territory):
    page = make_consultation()
    return page, subpage_url(page, "provision_thread", "art-1")


def hrefs(response, pattern, *, within=""):
    html = response.content.decode()
    if within:
        found = re.search(rf'<section[^>]*id="{within}".*?</section>', html, re.S)
        assert found, html
        html = found.group(0)
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html) if re.search(pattern, h)]


def confirmation_link(message) -> str:
    found = re.search(r"https?://\S+/cuenta/confirm-email/\S+", message.body)
    assert found, message.body
    return found.group(0)


def sign_up_from(client, signup_href):
    response = client.post(signup_href, signup_data())
    assert response.status_code == 302, response.content[:800]
    return confirmation_link(mail.outbox[-1])


def test_comment_on_this_article_logs_in_and_comes_back_to_the_form(client, article):
    page, thread_url = article
    [cta] = hrefs(client.get(page.url), r"next=.*art-1")
    assert urlsplit(cta).path == "/cuenta/login/"
    assert parse_qs(urlsplit(cta).query)["next"] == [f"{thread_url}#comentar"]
    # The anchor exists on the thread page, logged out (a notice) and logged in (the form).
    logged_out = client.get(thread_url).content.decode()
    assert 'id="comentar"' in logged_out
    # Its own log-in link brings back to the same place.
    [login] = hrefs(client.get(thread_url), r"^/cuenta/login/", within="comentar")
    assert parse_qs(urlsplit(login).query)["next"] == [f"{thread_url}#comentar"]
    [signup] = hrefs(client.get(thread_url), r"^/cuenta/signup/", within="comentar")
    assert parse_qs(urlsplit(signup).query)["next"] == [f"{thread_url}#comentar"]


def test_signup_keeps_next_through_the_confirmation_email(client, article):
    page, thread_url = article
    target = f"{thread_url}#comentar"
    signup = f"/cuenta/signup/?next={target.replace('#', '%23')}"
    link = sign_up_from(client, signup)
    assert link.startswith(f"{BASE}/cuenta/confirm-email/")
    assert parse_qs(urlsplit(link).query)["next"] == [target]

    path = link[len(BASE) :]
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200
    response = client.post(path, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    user = User.objects.get(email="maria@example.ec")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    # Back on the article, where the form now is.
    thread = client.get(thread_url).content.decode()
    assert 'class="comment-form"' in thread


def test_confirming_in_another_browser_logs_in_then_goes_on(client, article):
    page, thread_url = article
    target = f"{thread_url}#comentar"
    link = sign_up_from(client, f"/cuenta/signup/?next={target.replace('#', '%23')}")
    phone = Client()
    path = link[len(BASE) :]
    page_html = phone.get(path).content.decode()
    hidden = re.search(r'name="next" value="([^"]+)"', page_html)
    assert hidden and unescape(hidden.group(1)) == target
    response = phone.post(path, {"next": target})
    assert response.status_code == 302
    login = response["Location"]
    assert urlsplit(login).path == "/cuenta/login/"
    assert parse_qs(urlsplit(login).query)["next"] == [target]
    assert "_auth_user_id" not in phone.session
    response = phone.post(login, {"login": "maria@example.ec", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == target


def test_allauth_emails_name_quito_decide_and_link_to_the_configured_address(client, territory):
    sign_up_from(client, "/cuenta/signup/")
    body = mail.outbox[-1].body
    assert "Quito Decide" in body
    assert "testserver" not in body and "127.0.0.1" not in body
    mail.outbox.clear()
    client.logout()
    UserFactory(email="ana@example.ec")
    client.post("/cuenta/password/reset/", {"email": "ana@example.ec"})
    reset = mail.outbox[-1].body
    assert f"{BASE}/cuenta/password/reset/key/" in reset
    assert "testserver" not in reset


def _recent_code_confirmation(client, user):
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now},
        {"method": "mfa", "type": "totp", "at": now, "reauthenticated": True},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def test_recovery_codes_page_has_a_way_on(client, territory):
    staff, _secret = staff_with_totp()
    client.force_login(staff)
    _recent_code_confirmation(client, staff)
    response = client.get("/cuenta/2fa/recovery-codes/")
    assert response.status_code == 200
    [way_on] = re.findall(r'id="recovery-codes-continue" href="([^"]+)"', response.content.decode())
    assert way_on == "/admin/"

    resident, _secret = staff_with_totp()
    resident.groups.clear()
    other = Client()
    other.force_login(resident)
    _recent_code_confirmation(other, resident)
    html = other.get("/cuenta/2fa/recovery-codes/?next=/consultas/").content.decode()
    [way_on] = re.findall(r'id="recovery-codes-continue" href="([^"]+)"', html)
    assert way_on == "/consultas/"


def test_staff_land_in_the_admin_after_logging_in_with_the_code(client, territory):
    staff, secret = staff_with_totp()
    response = client.post("/cuenta/login/", {"login": staff.email, "password": PASSWORD})
    response = login_with_code(client, staff, secret)
    # login_with_code asserted the 302; where it went is the admin.
    client.logout()
    client.post("/cuenta/login/", {"login": staff.email, "password": PASSWORD})
    from tests.accounts.security_helpers import totp_code

    response = client.post("/cuenta/2fa/authenticate/", {"code": totp_code(secret)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_residents_still_land_on_the_home_page(client, territory):
    user = UserFactory()
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/"


# --- Residents: verification status, how to get verified, moving warns first -------------


def _resident(verified: bool):
    parish = Parish.objects.get(name="Llano Chico")
    return ResidentFactory(
        zone=parish.zone,
        parish=parish,
        verification_status="verified" if verified else "unverified",
        verified_at=timezone.now() if verified else None,
    )


def test_profile_tells_an_unverified_resident_where_to_go_and_what_to_bring(client, territory):
    resident = _resident(verified=False)
    office = ZonePage.objects.get(zone=resident.zone)
    office.seat_address = "Av. Padre Luis Vaccari y Carapungo"
    office.opening_hours = "lunes a viernes, 08:00 a 16:30"
    office.save_revision().publish()
    client.force_login(resident.user)
    html = client.get("/cuenta/perfil/").content.decode()
    status = re.search(r'<section[^>]*id="verificacion".*?</section>\s*</section>', html, re.S)
    assert status, html
    section = status.group(0)
    assert "verification-unverified" in section
    assert "Av. Padre Luis Vaccari y Carapungo" in section
    assert "08:00 a 16:30" in section
    assert "cédula" in section
    assert f'href="{office.url}"' in section


def test_profile_shows_a_verified_residents_status(client, territory):
    resident = _resident(verified=True)
    client.force_login(resident.user)
    html = client.get("/cuenta/perfil/").content.decode()
    assert "verification-verified" in html
    assert 'id="como-verificarse"' not in html


def _profile_post(resident, zone_slug, **extra):
    parish = Parish.objects.filter(zone__slug=zone_slug).order_by("name").first()
    return {
        "display_name": resident.display_name,
        "zone": parish.zone.pk,
        "parish": parish.pk,
        "email_notifications": "on",
        **extra,
    }


def test_a_verified_resident_changing_zone_is_asked_first(client, territory):
    resident = _resident(verified=True)
    client.force_login(resident.user)
    data = _profile_post(resident, "tumbaco")
    response = client.post("/cuenta/perfil/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="confirmar-cambio"' in html
    assert 'name="confirmar_cambio" value="1"' in html
    resident.refresh_from_db()
    assert resident.is_verified and resident.zone.slug == "calderon"  # nothing saved yet

    # The confirmation form carries what was typed.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert hidden["zone"] == str(data["zone"]) and hidden["parish"] == str(data["parish"])
    hidden.pop("csrfmiddlewaretoken", None)
    response = client.post("/cuenta/perfil/", hidden)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.zone.slug == "tumbaco"
    assert not resident.is_verified
    assert resident.email_notifications


def test_an_unverified_resident_moves_without_the_extra_step(client, territory):
    resident = _resident(verified=False)
    client.force_login(resident.user)
    response = client.post("/cuenta/perfil/", _profile_post(resident, "tumbaco"))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.zone == Zone.objects.get(slug="tumbaco")


def test_a_verified_resident_saving_other_details_is_not_asked(client, territory):
    resident = _resident(verified=True)
    client.force_login(resident.user)
    data = _profile_post(resident, "calderon", display_name="Nuevo nombre")
    data["parish"] = resident.parish_id
    response = client.post("/cuenta/perfil/", data)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified and resident.display_name == "Nuevo nombre"
    assert Resident.objects.filter(pk=resident.pk, verification_status="verified").exists()


def test_the_reply_email_links_to_the_comment_on_the_configured_address(
    article, django_capture_on_commit_callbacks
):
    from consultations import services

    page, thread_url = article
    author = ResidentFactory().user
    first = services.consultation_comment(
        consultation=page, user=author, body="Primero.", stance="favor", provision_key="art-1"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.consultation_comment(
            consultation=page, user=ResidentFactory().user, body="Respuesta.", parent=first
        )
    [message] = mail.outbox
    assert message.to == [author.email]
    assert f"{BASE}{thread_url}#comentario-{reply.pk}" in message.body
    assert f"{BASE}/cuenta/perfil/" in message.body
    assert "Quito Decide" in message.body
    assert "127.0.0.1" not in message.body and "testserver" not in message.body
