"""Demo consultations for `make run`: an open city-wide one with two versions and a closed
zonal one with its report. Idempotent."""

import datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Resident
from discussions import services as discussion_services
from home.models import HomePage
from territory.models import Parish, ZonePage

from . import services
from .models import ConsultationIndexPage, ConsultationPage, InPersonSession

DATA = Path(__file__).resolve().parent / "data"


def ensure_index() -> ConsultationIndexPage:
    index = ConsultationIndexPage.objects.first()
    if index is None:
        index = HomePage.objects.get().add_child(
            instance=ConsultationIndexPage(
                title="Consultas normativas",
                slug="consultas",
                intro="<p>Comente los proyectos de ordenanza artículo por artículo.</p>",
            )
        )
    return index


def _resident(email, name, parish_name):
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, password=None)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        parish = Parish.objects.get(name=parish_name)
        Resident.objects.create(user=user, display_name=name, zone=parish.zone, parish=parish)
    return user


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@transaction.atomic
def load_demo_consultations() -> None:
    index = ensure_index()
    text = (DATA / "demo_ordenanza_participacion.txt").read_text(encoding="utf-8")
    now = timezone.now()
    if not ConsultationPage.objects.filter(slug="ordenanza-participacion-ciudadana").exists():
        page = _publish(
            index,
            ConsultationPage(
                title="Ordenanza de participación ciudadana",
                slug="ordenanza-participacion-ciudadana",
                summary="Proyecto de ordenanza que actualiza el sistema metropolitano de "
                "participación ciudadana: asambleas, presupuestos participativos y "
                "consultas en línea.",
                responsible_body="Comisión de Participación Ciudadana y Gobierno Abierto",
                opens_at=now - datetime.timedelta(days=10),
                closes_at=now + datetime.timedelta(days=20),
                draft_text=text,
            ),
        )
        maria = _resident("maria.demo@quitodecide.localhost", "María de Carapungo", "Calderón")
        jorge = _resident("jorge.demo@quitodecide.localhost", "Jorge (Chillogallo)", "Chillogallo")
        art3 = page.versions.get().provisions.get(key="art-3")
        first = discussion_services.comment_create(
            thread=art3.thread,
            author=maria,
            stance="favor",
            revision=1,
            body="Cuatro representantes por barrio es razonable, pero pedimos que al menos dos "
            "sean mujeres.",
            proposed_wording="Las asambleas barriales eligen cuatro representantes, con "
            "paridad de género.",
        )
        discussion_services.comment_create(
            thread=art3.thread,
            author=jorge,
            parent=first,
            revision=1,
            body="De acuerdo. En Chillogallo ya lo hacemos así.",
        )
        discussion_services.comment_create(
            thread=art3.thread,
            author=jorge,
            stance="contra",
            revision=1,
            body="El quórum de la mitad más uno es imposible en barrios grandes.",
        )
        page.draft_text = text.replace(
            "Artículo 3.- Las asambleas barriales eligen cuatro representantes.",
            "Artículo 3.- Las asambleas barriales eligen cuatro representantes, con paridad "
            "de género.",
        )
        page.save_revision().publish()
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    if not ConsultationPage.objects.filter(slug="ordenanza-espacio-publico-calderon").exists():
        page = _publish(
            zone_page,
            ConsultationPage(
                title="Ordenanza de uso del espacio público en Calderón",
                slug="ordenanza-espacio-publico-calderon",
                summary="Reglas para ferias, comercio autónomo y eventos en parques de Calderón.",
                responsible_body="Comisión de Uso de Suelo",
                opens_at=now - datetime.timedelta(days=60),
                closes_at=now - datetime.timedelta(days=5),
                draft_text="Artículo 1.- Objeto.- Regular el uso del espacio público.\n"
                "Artículo 2.- Ferias.- Las ferias requieren permiso de la administración "
                "zonal.\nDISPOSICIÓN FINAL\nEntra en vigencia con su publicación.",
                report_published=True,
                report_conclusions="<p>La comisión acoge la observación sobre ferias "
                "barriales.</p>",
            ),
        )
        InPersonSession.objects.create(
            consultation=page,
            held_on=(now - datetime.timedelta(days=20)).date(),
            place="Casa barrial de Carapungo",
            parish=Parish.objects.get(name="Calderón"),
            attendees=42,
        )
        services.version_publish(consultation=page)
