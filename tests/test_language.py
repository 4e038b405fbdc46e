"""The interface language: Spanish unless the person chose English with the switch, and
formal Spanish (usted) on allauth's pages and in its e-mails."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.utils import translation

from tests.accounts.test_signup import signup_data
from tests.test_spanish_everywhere import visible_text

pytestmark = pytest.mark.django_db

OVERRIDE = settings.BASE_DIR / "quitodecide/allauth_es/locale/es/LC_MESSAGES/django.po"

# Second-person familiar forms allauth's own Spanish catalogue uses ("vete a…",
# "¿Olvidaste tu contraseña?", "Has añadido…"): none may appear in what we show.
TU_FORMS = re.compile(
    r"\b(tu|tú|tus|te|vete|olvidaste|puedes|tienes|haz clic|estás|has|introduce|"
    r"introdúcelo|regístrate|comprueba|utiliza|guárdalos|decides|inicies)\b"
    r"|(^|[¿¡.:]\s*)inicia sesión",
    re.IGNORECASE | re.MULTILINE,
)


def tu_forms(text: str) -> list[str]:
    return [match.group(0).strip() for match in TU_FORMS.finditer(text)]


def html_lang(response) -> str:
    return re.search(r'<html[^>]*\blang="([^"]+)"', response.content.decode()).group(1)


def test_the_site_speaks_spanish_by_default(client, territory):
    response = client.get("/cuenta/login/")
    assert response["Content-Language"] == "es-ec"
    assert html_lang(response) == "es"
    assert "¿Olvidó su contraseña?" in visible_text(response.content.decode())


def test_an_english_browser_alone_keeps_spanish(client, territory):
    response = client.get("/cuenta/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "es-ec"
    assert html_lang(response) == "es"
    assert "Forgot your password?" not in response.content.decode()
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_switch_turns_the_interface_english_and_back(client, territory):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cuenta/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get("/cuenta/login/")
    assert english["Content-Language"] == "en"
    assert html_lang(english) == "en"
    assert "Forgot your password?" in english.content.decode()
    assert "Cookie" in english["Vary"]

    client.post("/i18n/setlang/", {"language": "es-ec", "next": "/"})
    spanish = client.get("/cuenta/login/", headers={"accept-language": "en"})
    assert html_lang(spanish) == "es"


@pytest.mark.parametrize("cookie", ["fr", "xx-yy", "", "../../etc", "en\x00"])
def test_a_cookie_naming_no_offered_language_means_spanish(client, territory, cookie):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/cuenta/login/", headers={"accept-language": "en"})
    assert response.status_code == 200
    assert html_lang(response) == "es"


def test_the_usted_catalogue_wins_over_allauths_own():
    """LOCALE_PATHS take precedence over an app's catalogue (Django merges them last)."""
    assert settings.LOCALE_PATHS[0] == settings.BASE_DIR / "locale"
    assert settings.LOCALE_PATHS[1] == OVERRIDE.parents[2]
    with translation.override("es-ec"):
        # allauth's es catalogue: "Para confirmar que esto es correcto, vete a %(activate_url)s"
        assert translation.gettext("To confirm this is correct, go to %(activate_url)s") == (
            "Para confirmar que es correcto, visite %(activate_url)s"
        )
        assert translation.gettext("Forgot your password?") == "¿Olvidó su contraseña?"
        one = translation.ngettext(
            "You have added %(count)s security key.", "You have added %(count)s security keys.", 1
        )
        many = translation.ngettext(
            "You have added %(count)s security key.", "You have added %(count)s security keys.", 2
        )
        assert (one, many) == (
            "Ha agregado %(count)s llave de seguridad.",
            "Ha agregado %(count)s llaves de seguridad.",
        )


def test_the_usted_catalogue_has_no_tu_forms():
    msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', OVERRIDE.read_text(), re.MULTILINE)
    assert len(msgstrs) > 200
    found = {text: tu_forms(text) for text in msgstrs if tu_forms(text)}
    assert found == {}


@pytest.mark.parametrize("path", ["/cuenta/login/", "/cuenta/password/reset/", "/cuenta/signup/"])
def test_allauth_pages_address_the_reader_as_usted(client, territory, path):
    response = client.get(path)
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert tu_forms(text) == []
    assert "ha olvidado" not in text.lower()  # allauth's "¿Ha olvidado…" is replaced too


def test_allauth_messages_after_a_failed_login_use_usted(client, territory):
    response = client.post("/cuenta/login/", {"login": "nadie@example.ec", "password": "x" * 12})
    text = visible_text(response.content.decode())
    assert "La dirección de correo electrónico o la contraseña que indicó" in text
    assert tu_forms(text) == []


def test_the_confirmation_and_reset_emails_use_usted(client, territory):
    client.post("/cuenta/signup/", signup_data())
    client.logout()
    client.post("/cuenta/password/reset/", {"email": "maria@example.ec"})
    client.post("/cuenta/password/reset/", {"email": "nadie@example.ec"})
    assert len(mail.outbox) == 3
    confirmation, reset, unknown = mail.outbox
    assert "visite http" in confirmation.body
    assert "Haga clic en el siguiente enlace" in reset.body
    assert "no tenemos registro" in unknown.body
    for message in mail.outbox:
        assert tu_forms(message.subject + "\n" + message.body) == [], message.body


def test_the_admin_follows_the_site_unless_staff_chose_an_admin_language(client, territory):
    """Inside /admin/ Wagtail applies a staff member's own admin language preference; with
    none, the admin speaks the site's language (Spanish, whatever the browser says)."""
    from wagtail.users.models import UserProfile

    from tests.factories import UserFactory, login_with_mfa

    staff = UserFactory(is_superuser=True, is_staff=True)
    login_with_mfa(client, staff)
    spanish = client.get("/admin/", headers={"accept-language": "en"})
    assert html_lang(spanish).startswith("es")
    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"
    profile.save()
    english = client.get("/admin/")
    assert html_lang(english) == "en"
    assert html_lang(client.get("/buscar/")) == "es"  # the public site stays Spanish
