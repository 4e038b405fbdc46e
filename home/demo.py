"""Demo content for `make run`: standard pages, zone contacts, a few news items, a superuser,
and the demo logins (a verified resident, an unverified one, a voter of the zone whose budget
vote is open, and zone staff with TOTP set up), which `manage.py demo_logins` prints.

Idempotent: every object is looked up by a natural key before it is created. Every demo
loader refuses to run under the production settings (`refuse_in_production`): demo accounts
have passwords anyone can read in a terminal and must never exist in production.
"""

import base64
import datetime
import hashlib
import hmac
import os
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from territory.models import NewsPage, Parish, ZonePage
from territory.services import zone_group_name

from .models import HomePage, StandardPage

ABOUT_BODY = [
    (
        "paragraph",
        "<p>Quito Decide es la plataforma de participación ciudadana del Distrito Metropolitano "
        "de Quito. Reúne en un solo lugar las herramientas de participación de las "
        "administraciones zonales, como compromete el segundo Plan de Acción de Gobierno "
        "Abierto de la ciudad.</p>"
        "<h2>Qué puede hacer aquí</h2><ul>"
        "<li>Comentar los proyectos de ordenanza artículo por artículo.</li>"
        "<li>Seguir los presupuestos participativos desde la solicitud hasta la obra "
        "terminada.</li>"
        "<li>Seguir en vivo las asambleas de su barrio, parroquia y zona.</li>"
        "<li>Descargar datos abiertos y verificar los resultados.</li></ul>",
    ),
]
PRIVACY_BODY = [
    (
        "paragraph",
        "<p>Tratamos sus datos personales conforme a la Ley Orgánica de Protección de Datos "
        "Personales (LOPDP) del Ecuador. Usted da su consentimiento de forma libre, específica e "
        "informada al crear su cuenta, y puede retirarlo en cualquier momento.</p>"
        "<h2>Qué datos tratamos</h2><ul>"
        "<li>Su correo electrónico, para iniciar sesión y enviarle avisos.</li>"
        "<li>Su zona y parroquia de residencia, para las consultas y votaciones de su "
        "territorio.</li>"
        "<li>Su cédula, si la registra: solo guardamos una huella cifrada con clave, nunca el "
        "número, para garantizar una persona, un voto.</li></ul>"
        "<h2>Qué no hacemos</h2><p>No vendemos ni cedemos sus datos. Los datos abiertos que "
        "publicamos nunca contienen datos personales.</p>"
        "<p>El detalle de cada tratamiento (datos, finalidad, base legal, plazos) está en el "
        '<a href="/privacidad/registro/">registro de actividades de tratamiento</a>; sus '
        'derechos se ejercen en <a href="/cuenta/mis-datos/">Mis datos</a>.</p>',
    ),
]
ZONE_CONTACTS = {
    "calderon": ("Av. Carapungo y Luis Vacarí, Calderón", "02 395 2300"),
    "eugenio-espejo": ("Av. Amazonas y Pereira, Quito", "02 395 2300"),
    "manuela-saenz": ("Calle Chile y Venezuela, Centro Histórico", "02 395 2300"),
    "choco-andino": ("Vía a Nanegalito, parroquia Nanegalito", "02 395 2300"),
}


def _standard_page(home, slug, title, intro, body):
    page = StandardPage.objects.filter(slug=slug).first()
    if page is None:
        page = home.add_child(instance=StandardPage(title=title, slug=slug, intro=intro, body=body))
    return page


PRODUCTION_SETTINGS = "quitodecide.settings.production"


def is_production_settings() -> bool:
    """The production settings module (or one built on it, named `...production`), as
    configured or as named in DJANGO_SETTINGS_MODULE."""
    modules = (
        getattr(settings, "SETTINGS_MODULE", "") or "",
        os.environ.get("DJANGO_SETTINGS_MODULE", ""),
    )
    return any(m == PRODUCTION_SETTINGS or m.rsplit(".", 1)[-1] == "production" for m in modules)


def refuse_in_production() -> None:
    """Demo data (and its accounts) never goes into a production database."""
    if is_production_settings():
        raise ImproperlyConfigured(
            "The demo loaders create accounts with published passwords: they refuse to run "
            "with the production settings."
        )


# --- the demo logins --------------------------------------------------------------------------
RESIDENT_EMAIL = "vecina.demo@quitodecide.localhost"
UNVERIFIED_EMAIL = "vecino.sin.verificar@quitodecide.localhost"
VOTER_EMAIL = "votante.norte@quitodecide.localhost"
STAFF_EMAIL = "coordinacion.demo@quitodecide.localhost"
# email: (display name, zone slug, parish name, verified residency?)
RESIDENTS = {
    RESIDENT_EMAIL: ("Vecina de demostración", "calderon", "Llano Chico", True),
    UNVERIFIED_EMAIL: ("Vecino de Carapungo", "calderon", "Calderón", False),
    VOTER_EMAIL: ("Votante de La Concepción", "eugenio-espejo", "La Concepción", True),
}
STAFF_ZONE = "calderon"


def demo_password(email: str) -> str:
    """The demo account's password: derived from SECRET_KEY, so it is never written in the
    repository, stays the same between runs, and `demo_logins` can print it again."""
    digest = hmac.new(settings.SECRET_KEY.encode(), email.encode(), hashlib.sha256).digest()
    return "demo-" + base64.b32encode(digest[:10]).decode().lower()


def _login_account(email: str, **defaults):
    """The account, with a verified primary e-mail and its demo password (also given to an
    account of an older demo, which had no usable password). Hashing is slow on purpose, so
    a password already set is not checked again: `demo_logins` tells when it does not match."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(email=email, defaults=defaults)
    if created or not user.password or not user.has_usable_password():
        user.set_password(demo_password(email))
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    from privacy.consent import consent_ensure_current

    consent_ensure_current(user)  # as sign-up records it: participation needs it
    return user


def _login_resident(email: str):
    from accounts.models import Resident

    name, zone_slug, parish_name, verified = RESIDENTS[email]
    user = _login_account(email)
    parish = Parish.objects.get(zone__slug=zone_slug, name=parish_name)
    resident, created = Resident.objects.get_or_create(
        user=user,
        defaults={"display_name": name, "zone_id": parish.zone_id, "parish": parish},
    )
    if resident.zone_id != parish.zone_id or resident.parish_id != parish.pk:
        resident.zone_id, resident.parish = parish.zone_id, parish
        resident.save(update_fields=["zone", "parish"])
    if verified and not resident.is_verified:
        resident.verification_status = Resident.Verification.VERIFIED
        resident.verification_method = "demo"
        resident.verified_at = timezone.now()
        resident.save(update_fields=["verification_status", "verification_method", "verified_at"])
    if verified:  # voting needs a cédula on the profile (budgets: one person, one vote)
        from budgets.demo import give_demo_cedula

        give_demo_cedula(resident, 999_000 + list(RESIDENTS).index(email))
    return user


def _login_staff():
    """The zone's coordinator, in the zone's staff group, with TOTP set up (the secret is
    printed by `demo_logins`, for an authenticator app)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = _login_account(STAFF_EMAIL, first_name="Coordinación", is_active=True)
    zone_page = ZonePage.objects.select_related("zone").get(zone__slug=STAFF_ZONE)
    user.groups.add(Group.objects.get(name=zone_group_name(zone_page.zone)))
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def demo_accounts() -> dict:
    """The demo logins, created or brought up to date: {"resident", "unverified", "voter",
    "staff"}. The staff user comes back marked as having passed MFA, as the demo loaders
    act as the zone's coordinator at the desk (staff services refuse anyone else)."""
    from quitodecide.mfa import mark_user

    refuse_in_production()
    staff = _login_staff()
    mark_user(staff, True)
    return {
        "resident": _login_resident(RESIDENT_EMAIL),
        "unverified": _login_resident(UNVERIFIED_EMAIL),
        "voter": _login_resident(VOTER_EMAIL),
        "staff": staff,
    }


def totp_secret(user) -> str | None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return decrypt(authenticator.data["secret"]) if authenticator else None


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(timezone.now().timestamp()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@transaction.atomic
def load_demo() -> str | None:
    """Create the demo content. Returns the superuser's password when one was created."""
    refuse_in_production()
    home = HomePage.objects.get()
    if not home.intro:
        home.intro = "<p>Participe en las decisiones de su barrio, su parroquia y su ciudad.</p>"
        home.save_revision().publish()
    _standard_page(
        home,
        "acerca",
        "Acerca de Quito Decide",
        "La plataforma de participación ciudadana de Quito.",
        ABOUT_BODY,
    )
    _standard_page(
        home,
        "privacidad",
        "Política de privacidad",
        "Cómo tratamos sus datos personales.",
        PRIVACY_BODY,
    )
    for zone_page in ZonePage.objects.select_related("zone"):
        address, phone = ZONE_CONTACTS.get(zone_page.zone.slug, ("", "02 395 2300"))
        if not zone_page.phone:
            zone_page.seat_address = address
            zone_page.phone = phone
            zone_page.email = f"{zone_page.zone.slug}@quitodecide.localhost"
            zone_page.opening_hours = "Lunes a viernes, 08:00 a 16:30"
            zone_page.intro = (
                f"<p>La {zone_page.zone.official_name} coordina la "
                "participación ciudadana de sus parroquias y barrios.</p>"
            )
            zone_page.save_revision().publish()
        if not NewsPage.objects.child_of(zone_page).exists():
            zone_page.add_child(
                instance=NewsPage(
                    title=f"Asambleas barriales 2026 en {zone_page.zone.name}",
                    slug="asambleas-barriales-2026",
                    date=datetime.date(2026, 11, 3),
                    summary="Conozca el calendario de asambleas barriales de su parroquia.",
                    body=[
                        (
                            "paragraph",
                            "<p>Las asambleas barriales eligen a sus cuatro "
                            "representantes a la asamblea parroquial.</p>",
                        )
                    ],
                )
            )
    demo_accounts()
    from verification import demo as verification_demo

    verification_demo.load()
    return _ensure_superuser()


def _ensure_superuser() -> str | None:
    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        return None
    password = secrets.token_urlsafe(12)
    user = user_model.objects.create_superuser(
        email="admin@quitodecide.localhost", password=password
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    from privacy.consent import consent_ensure_current

    consent_ensure_current(user)  # as sign-up records it: participation needs it
    return password


def quiet_mail():
    """While demo data is written, the notices it triggers (replies, verdicts) go nowhere
    instead of filling the terminal: they would only reach demo addresses."""
    from django.test.utils import override_settings

    refuse_in_production()
    return override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}},
        # An override starts from a blank SETTINGS_MODULE: keep it for the production check.
        SETTINGS_MODULE=settings.SETTINGS_MODULE,
    )
