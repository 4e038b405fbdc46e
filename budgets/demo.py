"""Demo participatory budgets for `make run`: 2026 cycles in Calderón (budget rule, parish
envelopes computed with the 2020 weights) and Tumbaco (approval rule), with about twenty
requests, verdicts, ballots, an assembly tally and published results.

Idempotent: a zone's demo cycle is only built when that zone has no 2026 cycle yet.
"""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Resident
from home.models import HomePage
from proposals.models import Request, StatusChange, Verdict
from territory.models import Parish, ZonePage

from .allocation import ParishFigures, compute_envelopes
from .models import (
    AssemblyTally,
    AssemblyTallyLine,
    Ballot,
    BallotLine,
    BudgetCyclePage,
    BudgetIndexPage,
    ParishEnvelope,
    Phase,
    ZoneBudgetsPage,
)
from .services import _compute_and_store_results

YEAR = 2026
PHASES = [
    ("requests", (2026, 1, 5), (2026, 3, 31)),
    ("prefeasibility", (2026, 4, 1), (2026, 6, 30)),
    ("prioritisation", (2026, 7, 1), (2026, 9, 30)),
    ("results", (2026, 10, 1), (2026, 12, 15)),
    ("execution", (2027, 1, 4), (2027, 11, 30)),
    ("follow_up", (2027, 1, 4), (2027, 12, 17)),
]
# Illustrative parish figures (not official statistics): population, unmet basic needs %,
# density per km², infrastructure needs index.
FIGURES = {
    "Calderón": (152_242, Decimal("28.4"), Decimal("1920"), Decimal("7")),
    "Llano Chico": (10_673, Decimal("35.1"), Decimal("1480"), Decimal("8")),
}
CALDERON_REQUESTS = [
    (
        "Adoquinado de la calle Carapungo Oe3",
        "public_works",
        "Calderón",
        "Carapungo",
        "185000",
        True,
    ),
    (
        "Parque infantil en Bellavista de Calderón",
        "public_works",
        "Calderón",
        "Bellavista",
        "92000",
        True,
    ),
    (
        "Alumbrado público en San José de Morán",
        "public_works",
        "Calderón",
        "San José de Morán",
        "64000",
        True,
    ),
    ("Escuela de fútbol para niñas", "social_project", "Calderón", "Marianitas", "38000", True),
    ("Casa barrial de Collas", "public_works", "Calderón", "Collas", "310000", True),
    ("Muro de contención en la quebrada", "public_works", "Calderón", "Zabala", "420000", False),
    (
        "Talleres de emprendimiento para mujeres",
        "social_project",
        "Calderón",
        "Carapungo",
        "45000",
        True,
    ),
    (
        "Aceras en la calle principal de Llano Chico",
        "public_works",
        "Llano Chico",
        "Centro",
        "120000",
        True,
    ),
    (
        "Cubierta de la cancha de Llano Chico",
        "public_works",
        "Llano Chico",
        "San Miguel",
        "95000",
        True,
    ),
    ("Biblioteca comunitaria", "social_project", "Llano Chico", "Centro", "30000", True),
    (
        "Paso a desnivel en la Panamericana",
        "public_works",
        "Llano Chico",
        "La Esperanza",
        "2500000",
        False,
    ),
    ("Huertos urbanos en la escuela", "social_project", "Llano Chico", "San Miguel", "18000", True),
]
TUMBACO_REQUESTS = [
    ("Ciclovía del Chaquiñán: iluminación", "public_works", "Tumbaco", "Centro", "150000", True),
    ("Mercado de productores de Tumbaco", "public_works", "Tumbaco", "La Morita", "260000", True),
    ("Escuela de música de Cumbayá", "social_project", "Cumbayá", "Lumbisí", "42000", True),
    ("Parque lineal del río San Pedro", "public_works", "Cumbayá", "Centro", "340000", True),
    ("Centro de día para adultos mayores", "social_project", "Puembo", "Centro", "88000", True),
    ("Vía a Pifo: asfaltado", "public_works", "Pifo", "Centro", "900000", False),
    ("Aulas de apoyo escolar en Tababela", "social_project", "Tababela", "Centro", "35000", True),
    (
        "Reforestación de quebradas en Yaruquí",
        "social_project",
        "Yaruquí",
        "Oyambarillo",
        "27000",
        True,
    ),
]
ACTA_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _date(parts) -> datetime.date:
    return datetime.date(*parts)


def _index_page() -> BudgetIndexPage:
    index = BudgetIndexPage.objects.first()
    if index is None:
        index = HomePage.objects.get().add_child(
            instance=BudgetIndexPage(
                title="Presupuestos participativos",
                slug="presupuestos",
                intro=(
                    "<p>Al menos el 60 % del presupuesto de inversión de cada administración "
                    "zonal se decide con la ciudadanía: solicitudes, prefactibilidad, "
                    "priorización en asambleas y en línea, resultados y seguimiento.</p>"
                ),
            )
        )
    return index


def _zone_budgets(zone_slug: str) -> ZoneBudgetsPage:
    zone_page = ZonePage.objects.get(zone__slug=zone_slug)
    page = ZoneBudgetsPage.objects.child_of(zone_page).first()
    if page is None:
        page = zone_page.add_child(
            instance=ZoneBudgetsPage(
                title=f"Presupuestos participativos de {zone_page.zone.name}", slug="presupuestos"
            )
        )
    return page


def _residents(zone_slug: str, count: int) -> list:
    users = []
    parishes = list(Parish.objects.filter(zone__slug=zone_slug).order_by("name"))
    user_model = get_user_model()
    for number in range(count):
        email = f"vecino-{zone_slug}-{number}@quitodecide.localhost"
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(email=email)  # no usable password
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            parish = parishes[number % len(parishes)]
            Resident.objects.create(
                user=user,
                display_name=f"Vecina demo {number + 1}",
                zone_id=parish.zone_id,
                parish=parish,
                verification_status=Resident.Verification.VERIFIED,
                verification_method="demo",
                verified_at=timezone.now(),
            )
        users.append(user)
    return users


def _cycle(zone_slug, *, total, rule, max_choices=None) -> BudgetCyclePage | None:
    parent = _zone_budgets(zone_slug)
    if BudgetCyclePage.objects.filter(zone=parent.zone, year=YEAR).exists():
        return None
    cycle = parent.add_child(
        instance=BudgetCyclePage(
            title=f"Presupuestos participativos {YEAR}",
            slug=str(YEAR),
            year=YEAR,
            total_amount=total,
            ballot_rule=rule,
            max_choices=max_choices,
            intro=(
                "<p>Ciclo de presupuestos participativos del año fiscal 2027, "
                "priorizado en 2026.</p>"
            ),
        )
    )
    for kind, start, end in PHASES:
        Phase.objects.create(cycle=cycle, kind=kind, starts_on=_date(start), ends_on=_date(end))
    return BudgetCyclePage.objects.get(pk=cycle.pk)


def _requests(cycle, rows, authors) -> list[Request]:
    parishes = {p.name: p for p in Parish.objects.filter(zone=cycle.zone)}
    created = []
    for number, (title, kind, parish_name, barrio, cost, viable) in enumerate(rows):
        request = Request.objects.create(
            cycle=cycle,
            author=authors[number % len(authors)],
            kind=kind,
            title=title,
            description=(
                f"Solicitud de los vecinos del barrio {barrio}: {title.lower()}. "
                "Beneficiaría a las familias del sector y fue tratada en la asamblea barrial."
            ),
            parish=parishes[parish_name],
            barrio_name=barrio,
            estimated_cost=Decimal(cost),
            organisation="Comité pro mejoras" if number % 3 == 0 else "",
        )
        StatusChange.objects.create(request=request, from_status="", to_status="submitted")
        technical = (Decimal(cost) * Decimal("1.08")).quantize(Decimal("1"))
        Verdict.objects.create(
            request=request,
            viable=viable,
            reason="" if viable else "Supera la competencia y el monto de la administración zonal.",
            technical_cost=technical if viable else None,
            notes="Visita técnica realizada en mayo de 2026.",
            decided_at=timezone.now(),
        )
        status = "viable" if viable else "not_viable"
        StatusChange.objects.create(request=request, from_status="submitted", to_status=status)
        request.status = status
        request.save(update_fields=["status"])
        created.append(request)
    return created


def _ballots(cycle, voters, options_for, pick) -> None:
    for number, user in enumerate(voters):
        options = options_for(user.resident)
        chosen = pick(number, options)
        if not chosen:
            continue
        ballot = Ballot.objects.create(
            cycle=cycle,
            resident=user.resident,
            parish=user.resident.parish if cycle.envelopes.exists() else None,
            total_cost=sum(o.verdict.technical_cost for o in chosen),
            revision=1,
        )
        BallotLine.objects.bulk_create(
            [BallotLine(ballot=ballot, request=o, cost=o.verdict.technical_cost) for o in chosen]
        )


@transaction.atomic
def load_demo_budgets() -> list[str]:
    """Build what is missing; returns the cycles created (empty when all were there)."""
    _index_page()
    created = []
    calderon = _cycle("calderon", total=Decimal("2450000.00"), rule="knapsack")
    if calderon is not None:
        authors = _residents("calderon", 36)
        requests = _requests(calderon, CALDERON_REQUESTS, authors)
        parishes = {p.name: p for p in Parish.objects.filter(zone=calderon.zone)}
        figures = [ParishFigures(parishes[name].pk, *values) for name, values in FIGURES.items()]
        for parish_pk, amount in compute_envelopes(calderon.total_amount, figures).items():
            values = dict(
                zip(
                    ("population", "unmet_needs", "density", "infrastructure_needs"),
                    FIGURES[next(n for n, p in parishes.items() if p.pk == parish_pk)],
                    strict=True,
                )
            )
            ParishEnvelope.objects.create(
                cycle=calderon, parish_id=parish_pk, amount=amount, method="weighted", **values
            )
        envelopes = {e.parish_id: e.amount for e in calderon.envelopes.all()}
        viable = [r for r in requests if r.status == "viable"]

        def options_for(resident):
            return [r for r in viable if r.parish_id == resident.parish_id]

        def pick(number, options):
            chosen, spent = [], Decimal(0)
            for option in options[number % 3 :] + options[: number % 3]:
                cost = option.verdict.technical_cost
                if spent + cost <= envelopes[option.parish_id] and len(chosen) < 3:
                    chosen.append(option)
                    spent += cost
            return chosen

        _ballots(calderon, authors, options_for, pick)
        llano = parishes["Llano Chico"]
        tally = AssemblyTally(
            cycle=calderon, parish=llano, held_on=datetime.date(2026, 8, 22), attendees=84
        )
        tally.acta.save("acta-llano-chico.pdf", ContentFile(ACTA_PDF), save=False)
        tally.save()
        AssemblyTallyLine.objects.bulk_create(
            [
                AssemblyTallyLine(tally=tally, request=r, votes=votes)
                for r, votes in zip(
                    options_for_parish(viable, llano), (31, 12, 40, 9), strict=False
                )
            ]
        )
        _compute_and_store_results(cycle=calderon, actor=None)
        created.append(calderon.url)
    tumbaco = _cycle("tumbaco", total=Decimal("1980000.00"), rule="approval", max_choices=3)
    if tumbaco is not None:
        authors = _residents("tumbaco", 24)
        requests = _requests(tumbaco, TUMBACO_REQUESTS, authors)
        viable = [r for r in requests if r.status == "viable"]
        _ballots(
            tumbaco,
            authors,
            lambda resident: viable,
            lambda number, options: [
                options[(number + k * 2) % len(options)] for k in range(1 + number % 3)
            ],
        )
        _compute_and_store_results(cycle=tumbaco, actor=None)
        created.append(tumbaco.url)
    return created


def options_for_parish(viable, parish) -> list[Request]:
    return [r for r in viable if r.parish_id == parish.pk]
