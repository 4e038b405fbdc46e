"""Works for tests, built through the services (so they hold what the services keep)."""

import itertools
from decimal import Decimal

from territory.models import Parish, Zone
from tests.budgets.builders import make_staff
from works import services
from works.models import Work
from works.status import WorkStatus

_serial = itertools.count(1)

# The updates that take a new work (planned) to each status, as (status, physical, financial).
PATH_TO = {
    WorkStatus.PLANNED: [],
    WorkStatus.PROCUREMENT: [(WorkStatus.PROCUREMENT, 0, 0)],
    WorkStatus.UNDER_WAY: [(WorkStatus.PROCUREMENT, 0, 0), (WorkStatus.UNDER_WAY, 30, 40)],
    WorkStatus.SUSPENDED: [(WorkStatus.UNDER_WAY, 20, 20), (WorkStatus.SUSPENDED, 20, 20)],
    WorkStatus.FINISHED: [(WorkStatus.UNDER_WAY, 50, 50), (WorkStatus.FINISHED, 100, 95)],
    WorkStatus.CANCELLED: [(WorkStatus.CANCELLED, 0, 0)],
}


def make_work(
    zone_slug: str = "calderon",
    *,
    status: str = WorkStatus.PLANNED,
    staff=None,
    parish: Parish | None = None,
    title: str | None = None,
    year: int = 2026,
    latitude: Decimal | None = Decimal("-0.1"),
    longitude: Decimal | None = Decimal("-78.4"),
    **values,
) -> Work:
    """A municipal work of `zone_slug` brought to `status` through dated updates."""
    zone = Zone.objects.get(slug=zone_slug)
    staff = staff or make_staff(zone_slug)
    parish = parish or zone.parishes.order_by("name").first()
    work = services.work_create(
        actor=staff,
        zone=zone,
        title=title or f"Obra de prueba {next(_serial)}",
        description="Descripción de la obra.",
        parish=parish,
        year=year,
        latitude=latitude,
        longitude=longitude,
        amount_assigned=Decimal("50000.00"),
        **values,
    )
    day = work.last_update_on
    for step, physical, financial in PATH_TO[status]:
        services.update_post(
            work=work,
            actor=staff,
            date=day,
            status=step,
            physical_progress=Decimal(physical),
            financial_progress=Decimal(financial),
            text="Avance del mes.",
        )
    return Work.objects.get(pk=work.pk)
