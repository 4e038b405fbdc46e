"""Demo content for `make run`: standard pages, zone contacts, a few news items, a superuser.

Idempotent: every object is looked up by a natural key before it is created.
"""

import datetime
import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from territory.models import NewsPage, ZonePage

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
        "publicamos nunca contienen datos personales.</p>",
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


@transaction.atomic
def load_demo() -> str | None:
    """Create the demo content. Returns the superuser's password when one was created."""
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
    return password
