"""Demo participatory budgets for `make run`, one cycle in every phase that matters:

- Calderón (this year): budget rule, parish envelopes computed with the 2020 weights,
  requests, verdicts, ballots, an assembly tally with its acta and published results; in the
  results phase.
- Tumbaco (this year): approval rule, one ballot for the zone, published results.
- Eugenio Espejo (this year): voting open (prioritisation), ballots already cast through
  `budgets.services.ballot_submit`; the demo voter (`home.demo.VOTER_EMAIL`) has not voted.
- Calderón (next year): taking requests, filed, supported and assessed through the proposals
  services, so the rule book and the audit log apply.

Phases are dated relative to today. The requests and verdicts of the phases already over are
written directly (the services refuse a closed phase, rightly); everything in an open phase
goes through the services.

Idempotent: a zone's demo cycle is built once (a zone's cycles are found by year, not by
slug), and later runs only move the dates of a demo cycle whose phase no longer matches its
role (a database loaded months ago): running it twice the same day changes nothing.
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
from territory.models import Parish, Zone, ZonePage

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
    PhaseKind,
    ZoneBudgetsPage,
)
from .services import _compute_and_store_results, ballot_submit

# Each role's phases, in days from today (first and last day, inclusive), and the phase that
# must be open today.
RESULTS, VOTING, REQUESTS = "results", "prioritisation", "requests"
PLANS = {
    RESULTS: {
        "requests": (-300, -231),
        "prefeasibility": (-230, -151),
        "prioritisation": (-150, -61),
        "results": (-60, 30),
        "execution": (31, 395),
        "follow_up": (31, 395),
    },
    VOTING: {
        "requests": (-200, -121),
        "prefeasibility": (-120, -31),
        "prioritisation": (-30, 20),
        "results": (21, 60),
        "execution": (61, 425),
        "follow_up": (61, 425),
    },
    REQUESTS: {
        "requests": (-10, 50),
        "prefeasibility": (51, 140),
        "prioritisation": (141, 230),
        "results": (231, 290),
        "execution": (291, 655),
        "follow_up": (291, 655),
    },
}
TALLY_DAY = -100  # the Llano Chico assembly, during the results cycle's prioritisation
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
NORTH_REQUESTS = [
    (
        "Rehabilitación del parque de La Concepción",
        "public_works",
        "La Concepción",
        "La Concepción",
        "110000",
        True,
    ),
    (
        "Aceras accesibles en la avenida de la Prensa",
        "public_works",
        "La Concepción",
        "Aeropuerto",
        "160000",
        True,
    ),
    (
        "Alumbrado del pasaje peatonal de Cotocollao",
        "public_works",
        "La Concepción",
        "Cotocollao",
        "48000",
        True,
    ),
    (
        "Cancha sintética de Comité del Pueblo",
        "public_works",
        "Comité del Pueblo",
        "Comité del Pueblo",
        "135000",
        True,
    ),
    ("Talleres de robótica para jóvenes", "social_project", "Kennedy", "La Kennedy", "36000", True),
    (
        "Escalinatas de Cochapamba Norte",
        "public_works",
        "Cochapamba",
        "Cochapamba Norte",
        "90000",
        True,
    ),
    ("Huertos comunitarios en Zámbiza", "social_project", "Zámbiza", "Centro", "22000", True),
    (
        "Casa comunal de San Isidro del Inca",
        "public_works",
        "San Isidro del Inca",
        "San Isidro",
        "240000",
        True,
    ),
    ("Metrocable hacia Nayón", "public_works", "Nayón", "Centro", "9000000", False),
]
# title, kind, parish, barrio, estimated cost, description (filed this month).
UPCOMING_REQUESTS = [
    (
        "Adoquinado de la calle Los Cipreses en Carapungo",
        "public_works",
        "Calderón",
        "Carapungo",
        "130000",
        "La calle es de tierra y en invierno se vuelve un lodazal; por ella pasan a diario "
        "los niños de la escuela fiscal y el bus de la cooperativa.",
    ),
    (
        "Asfaltado de la vía a Guayllabamba hasta el puente",
        "public_works",
        "Calderón",
        "San Juan",
        "780000",
        "Pedimos asfaltar el tramo desde la Panamericana hasta el puente, que se usa para "
        "sacar la producción de los barrios altos.",
    ),
    (
        "Centro de cuidado diario para niños de Llano Chico",
        "social_project",
        "Llano Chico",
        "Centro",
        "60000",
        "Muchas madres trabajan en Quito y no tienen dónde dejar a sus hijos pequeños; "
        "proponemos un centro en la casa parroquial.",
    ),
    (
        "Iluminación del parque central de Bellavista",
        "public_works",
        "Calderón",
        "Bellavista",
        "45000",
        "El parque queda a oscuras desde las seis de la tarde y los vecinos ya no lo usan.",
    ),
    (
        "Escuela de danza y música andina",
        "social_project",
        "Calderón",
        "Marianitas",
        "28000",
        "Clases gratuitas para jóvenes del barrio los fines de semana, con instructores de "
        "la misma parroquia.",
    ),
    (
        "Muro de contención en la quebrada de San Miguel",
        "public_works",
        "Llano Chico",
        "San Miguel",
        "210000",
        "Con las lluvias se desprende el talud junto a las casas; necesitamos un muro "
        "antes del próximo invierno.",
    ),
]
ACTA_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
    b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


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


def demo_cedula(serial: int) -> str:
    """A well-formed cédula for a demo person (province 17, a "9" third digit no natural
    person's number uses, so no real one): voting needs a cédula on the profile."""
    from accounts.cedula import check_digit

    first_nine = f"179{serial:06d}"
    return first_nine + str(check_digit(first_nine))


def give_demo_cedula(resident, serial: int) -> None:
    """Register a demo cédula (its keyed hash) on a demo resident who has none."""
    from accounts.cedula import cedula_hash

    if not resident.cedula_hash:
        resident.cedula_hash = cedula_hash(demo_cedula(serial))
        resident.save(update_fields=["cedula_hash"])
    if resident.cedula_confirmed_at is None:  # as if shown at the zonal administration
        resident.cedula_confirmed_at = timezone.now()
        resident.save(update_fields=["cedula_confirmed_at"])


def _residents(zone_slug: str, count: int) -> list:
    from privacy.consent import consent_ensure_current

    users = []
    parishes = list(Parish.objects.filter(zone__slug=zone_slug).order_by("name"))
    zone_number = list(Zone.objects.order_by("slug").values_list("slug", flat=True)).index(
        zone_slug
    )
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
        consent_ensure_current(user)  # as sign-up records it: participation needs it
        give_demo_cedula(user.resident, (zone_number + 1) * 1000 + number)
        users.append(user)
    return users


def _cycle(zone_slug, year, role, *, total, rule, max_choices=None) -> BudgetCyclePage:
    parent = _zone_budgets(zone_slug)
    cycle = parent.add_child(
        instance=BudgetCyclePage(
            title=f"Presupuestos participativos {year}",
            slug=str(year),
            year=year,
            total_amount=total,
            ballot_rule=rule,
            max_choices=max_choices,
            intro=(
                f"<p>Ciclo de presupuestos participativos del año fiscal {year + 1}, "
                f"priorizado en {year}.</p>"
            ),
        )
    )
    for kind, (start, end) in PLANS[role].items():
        Phase.objects.create(cycle=cycle, kind=kind, starts_on=_day(start), ends_on=_day(end))
    return BudgetCyclePage.objects.get(pk=cycle.pk)


def _zone_cycles(zone_slug: str) -> list[BudgetCyclePage]:
    return list(BudgetCyclePage.objects.filter(zone__slug=zone_slug).order_by("year"))


def reanchor(cycle: BudgetCyclePage, role: str) -> bool:
    """Move the cycle's phases (and its assembly tallies) so that its role's phase is open
    today. Nothing happens when it already is. Returns whether the dates moved."""
    if cycle.is_open(role):
        return False
    phases = {phase.kind: phase for phase in cycle.phases.all()}
    voting = phases.get(PhaseKind.PRIORITISATION)
    for kind, (start, end) in PLANS[role].items():
        if kind in phases:
            Phase.objects.filter(pk=phases[kind].pk).update(
                starts_on=_day(start), ends_on=_day(end)
            )
    if voting is not None:
        # Tallies keep their place in the voting phase, which must hold them (and not later
        # than today).
        first, last = PLANS[role]["prioritisation"]
        first, last = _day(first), min(_day(last), timezone.localdate())
        shift = first - voting.starts_on
        for tally in AssemblyTally.objects.filter(cycle=cycle):
            held_on = min(max(tally.held_on + shift, first), last)
            AssemblyTally.objects.filter(pk=tally.pk).update(held_on=held_on)
    return True


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
            notes="Visita técnica realizada con el comité barrial.",
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
    """Build what is missing and re-date what drifted; returns what it did (empty when all
    was there)."""
    from home.demo import demo_accounts

    accounts = demo_accounts()  # refuses under the production settings
    _index_page()
    done = []
    year = timezone.localdate().year
    calderon_cycles = _zone_cycles("calderon")
    if calderon_cycles:
        calderon = calderon_cycles[0]
    else:
        calderon = _results_calderon(year)
        done.append(f"created: {calderon.url}")
    tumbaco_cycles = _zone_cycles("tumbaco")
    if tumbaco_cycles:
        tumbaco = tumbaco_cycles[0]
    else:
        tumbaco = _results_tumbaco(year)
        done.append(f"created: {tumbaco.url}")
    north_cycles = _zone_cycles("eugenio-espejo")
    if north_cycles:
        north = north_cycles[0]
    else:
        north = _voting_north(year)
        done.append(f"created: {north.url}")
    if len(calderon_cycles) > 1:
        upcoming = calderon_cycles[-1]
    else:
        upcoming = _requests_calderon(calderon.year + 1, accounts["staff"])
        done.append(f"created: {upcoming.url}")
    for cycle, role in (
        (calderon, RESULTS),
        (tumbaco, RESULTS),
        (north, VOTING),
        (upcoming, REQUESTS),
    ):
        if reanchor(cycle, role):
            done.append(f"re-dated: {cycle.url} (its {role} phase is open today)")
    return done


def _results_calderon(year) -> BudgetCyclePage:
    calderon = _cycle("calderon", year, RESULTS, total=Decimal("2450000.00"), rule="knapsack")
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
    tally = AssemblyTally(cycle=calderon, parish=llano, held_on=_day(TALLY_DAY), attendees=84)
    tally.acta.save("acta-llano-chico.pdf", ContentFile(ACTA_PDF), save=False)
    tally.save()
    AssemblyTallyLine.objects.bulk_create(
        [
            AssemblyTallyLine(tally=tally, request=r, votes=votes)
            for r, votes in zip(options_for_parish(viable, llano), (31, 12, 40, 9), strict=False)
        ]
    )
    _compute_and_store_results(cycle=calderon, actor=None)
    return calderon


def _results_tumbaco(year) -> BudgetCyclePage:
    tumbaco = _cycle(
        "tumbaco", year, RESULTS, total=Decimal("1980000.00"), rule="approval", max_choices=3
    )
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
    return tumbaco


def _voting_north(year) -> BudgetCyclePage:
    """Eugenio Espejo: the verdicts are in and the vote is open; a third of the zone's demo
    residents have voted, through the ballot service."""
    north = _cycle("eugenio-espejo", year, VOTING, total=Decimal("2100000.00"), rule="knapsack")
    authors = _residents("eugenio-espejo", 18)
    requests = _requests(north, NORTH_REQUESTS, authors)
    viable = [r for r in requests if r.status == "viable"]
    for number, user in enumerate(authors[:12]):
        chosen = [viable[(number + k) % len(viable)].pk for k in range(1 + number % 3)]
        ballot_submit(cycle=north, user=user, request_ids=chosen)
    return north


def _requests_calderon(year, staff) -> BudgetCyclePage:
    """Calderón's next cycle, taking requests: filed by residents through the proposals
    service, a few supported, two assessed by the zone's staff (the others await a verdict,
    for the staff's task list)."""
    from proposals import services as proposals

    cycle = _cycle("calderon", year, REQUESTS, total=Decimal("2500000.00"), rule="knapsack")
    authors = _residents("calderon", 36)
    parishes = {p.name: p for p in Parish.objects.filter(zone=cycle.zone)}
    filed = []
    for number, (title, kind, parish_name, barrio, cost, description) in enumerate(
        UPCOMING_REQUESTS
    ):
        filed.append(
            proposals.request_submit(
                cycle=cycle,
                user=authors[number],
                kind=kind,
                title=title,
                description=description,
                parish=parishes[parish_name],
                barrio_name=barrio,
                estimated_cost=Decimal(cost),
                organisation="Comité barrial" if number % 2 else "",
            )
        )
    for number, request in enumerate(filed):
        for supporter in authors[10 : 10 + (7 - number) * 2]:
            proposals.request_support(request=request, user=supporter)
    proposals.verdict_record(
        request=filed[0],
        actor=staff,
        viable=True,
        technical_cost=Decimal("142000"),
        notes="Visita técnica con el comité barrial.",
    )
    proposals.verdict_record(
        request=filed[1],
        actor=staff,
        viable=False,
        reason="La vía es de competencia del Gobierno Provincial de Pichincha.",
    )
    return cycle


def options_for_parish(viable, parish) -> list[Request]:
    return [r for r in viable if r.parish_id == parish.pk]
