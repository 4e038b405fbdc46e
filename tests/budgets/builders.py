"""Builders for budget tests (plain functions; the conftests turn some into fixtures)."""

import datetime
import itertools
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.cedula import cedula_hash
from budgets.models import PHASE_ORDER, BudgetCyclePage, Phase, ZoneBudgetsPage
from proposals.models import Request, StatusChange, Verdict
from quitodecide.mfa import mark_user
from territory.models import Parish, Zone, ZonePage
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.factories import (
    ResidentFactory,
    UserFactory,
    login_with_mfa,
    recreate_wagtail_base,
    valid_cedula,
)

PHASE_DAYS = 10


def phase_dates(open_kind: str | None, today: datetime.date | None = None) -> dict:
    """Dates for every phase so that `open_kind` is open today (None: all in the future;
    "closed": all in the past)."""
    today = today or timezone.localdate()
    if open_kind is None:
        current = -1
    elif open_kind == "closed":
        current = len(PHASE_ORDER)
    else:
        current = PHASE_ORDER.index(open_kind)
    dates = {}
    for position, kind in enumerate(PHASE_ORDER):
        start = today + datetime.timedelta(days=(position - current) * PHASE_DAYS - 2)
        dates[kind] = (start, start + datetime.timedelta(days=PHASE_DAYS - 1))
    return dates


def zone_budgets_page(zone_slug: str) -> ZoneBudgetsPage:
    zone_page = ZonePage.objects.get(zone__slug=zone_slug)
    existing = ZoneBudgetsPage.objects.child_of(zone_page).first()
    if existing is not None:
        return existing
    return zone_page.add_child(
        instance=ZoneBudgetsPage(title="Presupuestos participativos", slug="presupuestos")
    )


def make_cycle(
    zone_slug: str = "calderon",
    *,
    year: int = 2026,
    total: Decimal = Decimal("100000.00"),
    rule: str = "knapsack",
    max_choices: int | None = None,
    phase: str | None = "requests",
) -> BudgetCyclePage:
    parent = zone_budgets_page(zone_slug)
    cycle = parent.add_child(
        instance=BudgetCyclePage(
            title=f"Presupuestos participativos {year}",
            slug=str(year),
            year=year,
            total_amount=total,
            ballot_rule=rule,
            max_choices=max_choices,
        )
    )
    for kind, (start, end) in phase_dates(phase).items():
        Phase.objects.create(cycle=cycle, kind=kind, starts_on=start, ends_on=end)
    return BudgetCyclePage.objects.get(pk=cycle.pk)


def set_phase(cycle: BudgetCyclePage, phase: str | None) -> BudgetCyclePage:
    for kind, (start, end) in phase_dates(phase).items():
        Phase.objects.filter(cycle=cycle, kind=kind).update(starts_on=start, ends_on=end)
    return BudgetCyclePage.objects.get(pk=cycle.pk)


def parish(zone_slug: str = "calderon", index: int = 0) -> Parish:
    return Parish.objects.filter(zone__slug=zone_slug).order_by("name")[index]


_cedulas = itertools.count(1)


def new_cedula() -> str:
    """A well-formed cédula no other test person has (Pichincha, 17...)."""
    return valid_cedula(f"172{next(_cedulas):06d}")


def make_resident(
    zone_slug: str | None = "calderon",
    *,
    parish_obj: Parish | None = None,
    verified: bool = True,
    email_verified: bool = True,
    cedula: str | None = "",
):
    """A resident's user. They registered a cédula (voting needs it) unless `cedula` is
    None; "" draws a fresh one."""
    zone = Zone.objects.get(slug=zone_slug) if zone_slug else None
    if parish_obj is None and zone is not None:
        parish_obj = parish(zone_slug)
    if cedula == "":
        cedula = new_cedula()
    resident = ResidentFactory(
        user__verified_email=email_verified,
        zone=zone,
        parish=parish_obj,
        verification_status="verified" if verified else "unverified",
        verified_at=timezone.now() if verified else None,
        cedula_hash=cedula_hash(cedula) if cedula else None,
        cedula_confirmed_at=timezone.now() if cedula else None,
    )
    return resident.user


def make_staff(zone_slug: str | None = "calderon", *, city: bool = False):
    user = UserFactory()
    name = CITY_GROUP_NAME if city else zone_group_name(Zone.objects.get(slug=zone_slug))
    user.groups.add(Group.objects.get(name=name))
    mark_user(user, True)  # as if this session passed MFA (services ask the rule book)
    return user


def make_request(
    cycle: BudgetCyclePage,
    *,
    parish_obj: Parish | None = None,
    title: str = "Adoquinado de la calle principal",
    cost: Decimal = Decimal("10000.00"),
    viable: bool | None = True,
    author=None,
) -> Request:
    """A request straight in the database (no phase checks), optionally with a verdict."""
    request = Request.objects.create(
        cycle=cycle,
        author=author,
        kind=Request.Kind.PUBLIC_WORKS,
        title=title,
        description="Descripción de la obra solicitada por el barrio.",
        parish=parish_obj or parish(cycle.zone.slug),
        barrio_name="Centro",
        estimated_cost=cost,
    )
    StatusChange.objects.create(request=request, from_status="", to_status="submitted")
    if viable is not None:
        Verdict.objects.create(
            request=request,
            viable=viable,
            reason="" if viable else "Fuera de la competencia municipal.",
            technical_cost=cost if viable else None,
            decided_at=timezone.now(),
        )
        request.status = Request.Status.VIABLE if viable else Request.Status.NOT_VIABLE
        request.save(update_fields=["status"])
    return request


# Shared with the other apps' tests.
mfa_login = login_with_mfa
wagtail_base = recreate_wagtail_base
