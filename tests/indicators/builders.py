"""A small participation history with known numbers, for the indicator tests.

Two zones: Eloy Alfaro ("A", nine parishes) and Calderón ("B", two). Three residents: r1 and
r2 live in A's first parish (A0), r3 in B's first (B0). Everything happens in 2021 and 2022
(timestamps moved after the services wrote them). The expected figures are in EXPECTED;
each is worked out in the comment beside it.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from assemblies.models import (
    AssemblyKind,
    AssemblyPage,
    AssemblyStatus,
    LiveState,
    Poll,
    PollOption,
    Question,
)
from assemblies.models import Ballot as PollBallot
from budgets.models import AssemblyTally, AssemblyTallyLine, Ballot, ParishEnvelope
from consultations import services as consultation_services
from consultations.models import ConsultationPage, InPersonSession, SessionObservation
from discussions.models import Comment
from territory.models import ZonePage
from tests.budgets.builders import make_cycle, make_request, make_resident, make_staff, parish
from tests.consultations.helpers import make_consultation
from tests.works.builders import make_work
from works.models import Work
from works.status import WorkStatus

A, B = "eloy-alfaro", "calderon"


def at(year, month=6, day=15, hour=12):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def comment(consultation, user, body, *, key="art-1"):
    return consultation_services.consultation_comment(
        consultation=consultation, user=user, body=body, provision_key=key
    )


def move_consultation(page, opens):
    ConsultationPage.objects.filter(pk=page.pk).update(
        opens_at=opens, closes_at=opens + datetime.timedelta(days=30)
    )


_assembly_serial = iter(range(1, 10_000))


def assembly(zone_slug, kind, year, *, held=True, parish_obj=None, month=6):
    zone_page = ZonePage.objects.get(zone__slug=zone_slug)
    page = AssemblyPage(
        title=f"Asamblea {next(_assembly_serial)}",
        slug=f"asamblea-{next(_assembly_serial)}",
        kind=kind,
        starts_at=at(year, month),
        place="Casa barrial",
        parish=parish_obj,
    )
    zone_page.add_child(instance=page)
    page.save_revision().publish()
    if held:
        LiveState.objects.create(
            assembly=page,
            status=AssemblyStatus.FINISHED,
            started_at=at(year, month),
            ended_at=at(year, month, hour=14),
        )
    return AssemblyPage.objects.get(pk=page.pk)


def poll(page, room_counts, voters=()):
    item = Poll.objects.create(
        assembly=page,
        question="¿Aprueba el informe?",
        mode=Poll.Mode.BOTH,
        status=Poll.Status.CLOSED,
        closed_at=page.starts_at,
    )
    options = [
        PollOption.objects.create(poll=item, label=f"Opción {n}", position=n, room_count=count)
        for n, count in enumerate(room_counts)
    ]
    for voter in voters:
        PollBallot.objects.create(poll=item, option=options[0], voter=voter)
    return item


def build_history() -> dict:
    """Create the history; returns the people and places the tests refer to."""
    a = [parish(A, i) for i in range(9)]
    b = [parish(B, i) for i in range(2)]
    r1 = make_resident(A, parish_obj=a[0])
    r2 = make_resident(A, parish_obj=a[0])
    r3 = make_resident(B, parish_obj=b[0])

    # Consultations: X in zone A (2022), Y city-wide (2021).
    x = make_consultation(ZonePage.objects.get(zone__slug=A), slug="consulta-x")
    y = make_consultation(slug="consulta-y")
    counted = [
        comment(x, r1, "Primera observación"),
        comment(x, r1, "Segunda observación", key="art-2"),
        comment(x, r2, "Estoy de acuerdo"),
        comment(x, r3, "Falta el barrio"),
    ]
    deleted = comment(x, r2, "Me equivoqué")
    official = comment(x, r1, "Respuesta oficial")
    Comment.objects.filter(pk=deleted.pk).update(status=Comment.Status.DELETED)
    Comment.objects.filter(pk=official.pk).update(is_official=True)
    Comment.objects.filter(thread__in=[c.thread_id for c in counted]).update(created_at=at(2022))
    general = consultation_services.consultation_comment(consultation=y, user=r1, body="General")
    Comment.objects.filter(pk=general.pk).update(created_at=at(2021))
    move_consultation(x, at(2022, 3, 1))
    move_consultation(y, at(2021, 5, 1))
    session_x = InPersonSession.objects.create(
        consultation=x, held_on=datetime.date(2022, 4, 10), place="Casa", parish=a[1], attendees=30
    )
    for text in ("Uno", "Dos", "Tres"):
        SessionObservation.objects.create(session=session_x, text=text)
    session_y = InPersonSession.objects.create(
        consultation=y, held_on=datetime.date(2021, 6, 1), place="Plaza", parish=b[1], attendees=9
    )
    SessionObservation.objects.create(session=session_y, text="Cuatro")

    # Assemblies.
    assembly(A, AssemblyKind.BARRIAL, 2021, parish_obj=a[0])
    assembly(A, AssemblyKind.BARRIAL, 2021)
    assembly(A, AssemblyKind.ZONAL, 2021)
    busy = assembly(A, AssemblyKind.BARRIAL, 2022)
    assembly(A, AssemblyKind.BARRIAL, 2022)
    assembly(A, AssemblyKind.BARRIAL, 2022)
    assembly(A, AssemblyKind.PARROQUIAL, 2022, parish_obj=a[2])
    assembly(A, AssemblyKind.BARRIAL, 2022, held=False)  # scheduled: not held
    assembly(B, AssemblyKind.BARRIAL, 2022)
    poll(busy, [12, 8], voters=[r1, r2])  # room 20
    poll(busy, [15, None])  # room 15: the largest room count is 20
    Question.objects.create(assembly=busy, author=r3, text="¿Y el agua?")
    Question.objects.create(
        assembly=busy, author=make_resident(A), text="Spam", status=Question.Status.HIDDEN
    )

    # Participatory budgets, 2022.
    cycle_a = make_cycle(A, year=2022)
    cycle_b = make_cycle(B, year=2022)
    make_request(cycle_a, parish_obj=a[0], author=r1)
    make_request(cycle_a, parish_obj=a[0], author=r2)
    make_request(cycle_a, parish_obj=a[3])
    make_request(cycle_b, parish_obj=b[0], author=r3)
    for cycle, user in ((cycle_a, r1), (cycle_a, r2), (cycle_b, r3)):
        Ballot.objects.create(cycle=cycle, resident=user.resident, revision=1)
    tally = AssemblyTally.objects.create(
        cycle=cycle_a, parish=a[4], held_on=datetime.date(2022, 8, 1), acta="x.pdf"
    )
    request_for_tally = make_request(cycle_a, parish_obj=a[4], title="Otra")
    AssemblyTallyLine.objects.create(tally=tally, request=request_for_tally, votes=10)
    AssemblyTallyLine.objects.create(
        tally=tally, request=make_request(cycle_a, parish_obj=a[4], title="Más"), votes=5
    )
    for parish_obj, population in ((a[0], 2000), (a[1], 1000)):
        ParishEnvelope.objects.create(
            cycle=cycle_a,
            parish=parish_obj,
            amount=Decimal("1000.00"),
            method=ParishEnvelope.Method.MANUAL,
            population=population,
        )

    # Works of the budget year 2022.
    staff_a, staff_b = make_staff(A), make_staff(B)
    for status in (
        WorkStatus.UNDER_WAY,
        WorkStatus.UNDER_WAY,
        WorkStatus.FINISHED,
        WorkStatus.CANCELLED,
    ):
        make_work(A, status=status, staff=staff_a, year=2022)
    make_work(B, status=WorkStatus.PLANNED, staff=staff_b, year=2022)
    assert sorted(Work.objects.values_list("physical_progress", flat=True)) == [0, 0, 30, 30, 100]
    return {"A": a, "B": b, "r1": r1, "r2": r2, "r3": r3, "x": x, "y": y, "busy": busy}
