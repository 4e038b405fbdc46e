"""Fixtures for the assembly tests: a Calderón assembly with its agenda, the zone's staff
(with and without MFA in the session), another zone's staff, residents."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from assemblies.models import AgendaItem, AssemblyKind, AssemblyPage
from quitodecide.mfa import mark_user
from territory.models import ZonePage
from tests.factories import ResidentFactory, UserFactory, login_with_mfa, recreate_wagtail_base


@pytest.fixture
def zone_page(db):
    return ZonePage.objects.get(zone__slug="calderon")


@pytest.fixture
def other_zone_page(db):
    return ZonePage.objects.get(zone__slug="eugenio-espejo")


def make_assembly(zone_page, *, slug="asamblea-prueba", agenda=("Apertura", "Informe", "Cierre")):
    page = AssemblyPage(
        title="Asamblea de prueba",
        slug=slug,
        kind=AssemblyKind.ZONAL,
        starts_at=timezone.make_aware(datetime.datetime(2026, 5, 9, 10, 0)),
        place="Casa Somos",
    )
    for position, title in enumerate(agenda):
        page.agenda_items.add(AgendaItem(title=title, sort_order=position))
    zone_page.add_child(instance=page)
    page.save_revision().publish()
    return AssemblyPage.objects.get(pk=page.pk)


@pytest.fixture
def assembly(zone_page):
    return make_assembly(zone_page)


def staff_of(zone_page):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=f"Editores zona {zone_page.zone.name}"))
    mark_user(user, True)  # as if this session passed MFA (services ask the rule book)
    return user


@pytest.fixture
def staff(zone_page):
    return staff_of(zone_page)


@pytest.fixture
def other_staff(other_zone_page):
    return staff_of(other_zone_page)


def verified_resident(zone_page):
    resident = ResidentFactory(
        zone=zone_page.zone,
        parish=zone_page.zone.parishes.first(),
        verification_status="verified",
        verified_at=timezone.now(),
    )
    return resident.user


@pytest.fixture
def voter(zone_page):
    return verified_resident(zone_page)


@pytest.fixture
def unverified(zone_page):
    return ResidentFactory(zone=zone_page.zone).user


@pytest.fixture
def sent(monkeypatch):
    """Run on_commit callbacks at once and record what is broadcast (the test transaction
    is never committed)."""
    from assemblies import broadcast

    messages = []
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, robust=False: fn())
    monkeypatch.setattr(broadcast, "send_event", lambda event: messages.append(event))
    return messages


@pytest.fixture
def transactional_territory(transactional_db):
    from home.demo import load_demo
    from territory.services import territory_load

    recreate_wagtail_base()
    territory_load()
    load_demo()


# Names the assembly tests use for the shared helpers.
pass_mfa = login_with_mfa
wagtail_base = recreate_wagtail_base


def live_poll(assembly, staff, question="¿Aprueba el plan?", options=("Sí", "No")):
    """Start `assembly` and open an online-and-room vote in it, as its `staff`."""
    from assemblies import services

    services.assembly_start(assembly=assembly, actor=staff)
    return services.poll_open(
        assembly=assembly, actor=staff, question=question, options=list(options), mode="both"
    )
