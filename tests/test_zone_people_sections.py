"""The zone page shows its social actors (counted by type, linked to the filtered
directory) and the open surveys (its own and the city-wide ones; not another zone's, not
closed ones)."""

import datetime

import pytest
from django.utils import timezone

from actors.models import Actor
from territory.models import ZonePage
from tests.actors.helpers import parish_of
from tests.surveys.helpers import make_survey

pytestmark = pytest.mark.django_db


def _actor(name, kind="cabildo"):
    parish = parish_of("calderon")
    return Actor.objects.create(
        name=name,
        kind=kind,
        zone=parish.zone,
        parish=parish,
        legal_status="de_hecho",
        year_mapped=2024,
        source="administracion_zonal",
    )


def test_zone_page_lists_actors_by_type_and_open_surveys(client, territory):
    page = ZonePage.objects.get(zone__slug="calderon")
    _actor("Cabildo de Llano Chico")
    _actor("Cabildo de Oyacoto")
    _actor("Liga barrial Carapungo", kind="liga_deportiva")
    own = make_survey(title="Encuesta de Calderón", zone=page.zone)
    city = make_survey(title="Encuesta de la ciudad", zone=None)
    other = make_survey(
        title="Encuesta de Tumbaco", zone=ZonePage.objects.get(zone__slug="tumbaco").zone
    )
    closed = make_survey(
        title="Encuesta cerrada",
        zone=page.zone,
        opens_at=timezone.now() - datetime.timedelta(days=9),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    client.cookies["django_language"] = "en"
    html = client.get(page.url).content.decode()
    assert "Social actors of this zone" in html
    assert "2 actors mapped" in html and "1 actor mapped" in html
    assert "/actores/?zona=calderon&amp;tipo=cabildo" in html
    assert own.get_absolute_url() in html and city.get_absolute_url() in html
    assert other.get_absolute_url() not in html and closed.get_absolute_url() not in html


def test_a_zone_without_actors_or_surveys_shows_neither_section(client, territory):
    page = ZonePage.objects.get(zone__slug="tumbaco")
    client.cookies["django_language"] = "en"
    html = client.get(page.url).content.decode()
    assert "Social actors of this zone" not in html and "Open surveys" not in html


def test_zone_page_lists_the_next_training_sessions(client, territory):
    from training.models import TrainingPlan, TrainingSession

    page = ZonePage.objects.get(zone__slug="calderon")
    plan = TrainingPlan.objects.create(zone=page.zone, year=2026, title="Plan", slug="plan-z")
    now = timezone.now()

    def session(title, days, **kw):
        starts = now + datetime.timedelta(days=days)
        return TrainingSession.objects.create(
            plan=plan,
            title=title,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            place="Casa barrial",
            capacity=10,
            facilitator="Ana",
            **kw,
        )

    upcoming = session("Taller de presupuestos", 5)
    past = session("Taller pasado", -5)
    cancelled = session("Taller cancelado", 6, status="cancelada")
    client.cookies["django_language"] = "en"
    html = client.get(page.url).content.decode()
    assert "Upcoming training sessions" in html
    assert upcoming.get_absolute_url() in html
    assert past.get_absolute_url() not in html and cancelled.get_absolute_url() not in html
    assert "/formacion/?zona=calderon" in html
