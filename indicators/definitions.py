"""The participation indicators and their methodology sheets (fichas metodológicas).

One `Indicator` per published figure: what it counts, how, from which data, in which unit,
broken down how, how often and who answers for it. `compute.py` computes exactly what
these sheets say; the page, the JSON sheets, the dataset and the API read both from here.

The slugs and the unit and category codes are stable identifiers (they travel in URLs, the
CSV and the API); everything a person reads is translated.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

RESPONSIBLE = (
    "Secretaría General de Coordinación Territorial y Participación Ciudadana (SGCTyPC), "
    "Municipio del Distrito Metropolitano de Quito"
)


@dataclass(frozen=True)
class Indicator:
    slug: str
    name: str
    definition: str
    formula: str
    source: str
    unit: str  # a stable code, see UNIT_LABELS
    breakdowns: tuple[str, ...]
    periodicity: str
    responsible: str = RESPONSIBLE
    # What the optional `category` of a value means ("" when values have no category).
    category_label: str = ""


# The breakdowns, named once.
ZONE = _("zonal administration (and the whole city)")
YEAR = _("year")
PARISH = _("parish (DPA code)")
ANNUAL = _("Annual (recomputed whenever its data change)")

UNIT_LABELS = {
    "consultations": _("consultations"),
    "comments": _("comments"),
    "observations": _("observations"),
    "people": _("people"),
    "assemblies": _("assemblies"),
    "attendees": _("attendees"),
    "requests": _("requests"),
    "votes": _("votes"),
    "per_1000_inhabitants": _("participants per 1,000 inhabitants"),
    "parishes": _("parishes"),
    "works": _("works"),
    "percent": _("percent"),
    "actors": _("social actors"),
    "sessions": _("training sessions"),
    "registrations": _("registrations"),
    "score_1_5": _("average score from 1 to 5"),
}

CONSULTATIONS = "consultas"
COMMENTS = "comentarios-en-linea"
OBSERVATIONS = "observaciones-presenciales"
PARTICIPANTS = "participantes-distintos"
ASSEMBLIES = "asambleas-realizadas"
ATTENDANCE = "asistencia-asambleas"
REQUESTS = "solicitudes-presupuesto"
VOTES = "votos-presupuesto"
PER_THOUSAND = "participacion-por-mil-habitantes"
NO_PARTICIPATION = "parroquias-sin-participacion"
WORKS = "obras-por-estado"
PROGRESS = "avance-fisico-promedio"
ACTORS = "actores-mapeados"
SESSIONS = "sesiones-formacion"
REGISTRATIONS = "inscripciones-formacion"
TRAINING_ATTENDANCE = "asistencia-formacion"
EVALUATION = "evaluacion-formacion"

# The averages: no value where there is nothing to average (the counts are zero-filled).
AVERAGES = frozenset({PROGRESS, EVALUATION})

# Categories of the budget votes (the other categories are the models' own codes:
# assembly kinds and work statuses).
VOTES_ONLINE = "online"
VOTES_ASSEMBLY = "assembly"
VOTES_BOOTH = "booth"

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        slug=CONSULTATIONS,
        name=_("Consultations held"),
        definition=_(
            "Normative consultations published on the platform that opened in the year. A "
            "consultation run by a zonal administration counts for its zone; a city-wide one "
            "counts only for the whole city."
        ),
        formula=_("Count of published consultation pages whose opening date falls in the year."),
        source=_("Quito Decide: consultation pages (consultations)."),
        unit="consultations",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=COMMENTS,
        name=_("Online comments on consultations"),
        definition=_(
            "Comments and replies residents wrote online on the articles of a consultation "
            "or on its general discussion. Official answers, comments hidden by moderation "
            "and comments deleted by their authors are not counted."
        ),
        formula=_(
            "Count of visible, non-official comments on a consultation's threads, by the "
            "year the comment was written (Quito time) and the consultation's zone."
        ),
        source=_("Quito Decide: discussion comments (discussions) on consultations."),
        unit="comments",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=OBSERVATIONS,
        name=_("In-person observations on consultations"),
        definition=_(
            "Observations collected in the in-person socialisation sessions of a "
            "consultation and recorded by municipal staff."
        ),
        formula=_(
            "Count of session observations, by the year of the session and the consultation's zone."
        ),
        source=_("Quito Decide: in-person sessions and their observations (consultations)."),
        unit="observations",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=PARTICIPANTS,
        name=_("Distinct participants online"),
        definition=_(
            "People with an account who took part at least once in the year: a visible "
            "comment on a consultation, a participatory-budget request, a budget ballot, or a "
            "vote or question in an assembly. Each person counts once per zone and once for "
            "the whole city, however often they took part. People counted by hand in rooms "
            "are anonymous and are not included (see assembly attendance), nor are budget "
            "ballots without an account: those registered in person at a booth, and those of "
            "accounts deleted since (their votes still count in the budget votes)."
        ),
        formula=_(
            "Count of distinct user accounts over the union of those actions, by the zone "
            "where they took part and the year. The city figure is the distinct count over "
            "all zones, not the sum of the zones."
        ),
        source=_(
            "Quito Decide: comments (discussions), requests (proposals), ballots (budgets), "
            "votes and questions (assemblies)."
        ),
        unit="people",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=ASSEMBLIES,
        name=_("Assemblies held, by type"),
        definition=_(
            "Assemblies (barrio, parish, zonal and the Asamblea de Quito) that were held, "
            "that is, that were run on the platform until they finished."
        ),
        formula=_(
            "Count of published assembly pages whose live state is finished, by the year of "
            "the assembly's date, its zone and its type."
        ),
        source=_("Quito Decide: assembly pages and their live state (assemblies)."),
        unit="assemblies",
        breakdowns=(ZONE, YEAR, _("assembly type")),
        periodicity=ANNUAL,
        category_label=_("assembly type"),
    ),
    Indicator(
        slug=ATTENDANCE,
        name=_("Assembly attendance, by type"),
        definition=_(
            "People who took part in the assemblies held: the number the zone's staff "
            "recorded from the attendance sheet; where they recorded none, an estimate that "
            "is a lower bound: the distinct people who voted or asked a question online, "
            "plus the people counted by hand in the room in the assembly's most voted room "
            "count (people who neither voted nor asked are not seen)."
        ),
        formula=_(
            "Sum over the assemblies held of their recorded attendance or, where there is "
            "none, (distinct online voters and askers + the largest total of room hand "
            "counts among its votes), by year, zone and type."
        ),
        source=_(
            "Quito Decide: the attendance recorded on each assembly's page, or its votes, "
            "room counts and questions (assemblies)."
        ),
        unit="attendees",
        breakdowns=(ZONE, YEAR, _("assembly type")),
        periodicity=ANNUAL,
        category_label=_("assembly type"),
    ),
    Indicator(
        slug=REQUESTS,
        name=_("Participatory-budget requests"),
        definition=_(
            "Requests (fichas) for a public work or a social project that residents "
            "submitted to a participatory-budget cycle, whatever their verdict."
        ),
        formula=_("Count of requests, by the cycle's year and zone."),
        source=_("Quito Decide: budget requests (proposals)."),
        unit="requests",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=VOTES,
        name=_("Participatory-budget votes"),
        definition=_(
            "Online: the ballots residents submitted (one per resident and cycle, however "
            "often it was changed). At a booth: the ballots staff registered in person, one "
            "per person (by cédula; a person votes once per cycle, online or at a booth). In "
            "assemblies: the votes counted by hand in the parish assemblies and entered with "
            "their signed minutes (acta). A ballot whose account was deleted since still "
            "counts in its channel."
        ),
        formula=_(
            "Online and at a booth: count of submitted ballots of that channel. Assemblies: "
            "sum of the votes of every tally line. All by the cycle's year and zone."
        ),
        source=_("Quito Decide: online and booth ballots, and assembly tallies (budgets)."),
        unit="votes",
        breakdowns=(ZONE, YEAR, _("channel (online, booth or assembly)")),
        periodicity=ANNUAL,
        category_label=_("channel"),
    ),
    Indicator(
        slug=PER_THOUSAND,
        name=_("Participation per 1,000 inhabitants"),
        definition=_(
            "Distinct participants online (as in that indicator) who live in a parish, per "
            "1,000 of its inhabitants. A zone's and the city's figure use only the parishes "
            "whose population is known."
        ),
        formula=_(
            "1,000 × distinct participants whose parish of residence is the parish ÷ the "
            "parish's population. Population: the figure recorded for the parish in its most "
            "recent participatory-budget envelope."
        ),
        source=_(
            "Quito Decide: residents' parish of residence (accounts) and the participatory "
            "actions above; population from the budget envelopes' parish figures (budgets)."
        ),
        unit="per_1000_inhabitants",
        breakdowns=(PARISH, ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=NO_PARTICIPATION,
        name=_("Parishes without participation"),
        definition=_(
            "Parishes where nothing was seen in the year: no resident of the parish took "
            "part online, and no budget request, assembly held, in-person session or "
            "assembly tally took place there. Zonal staff use the list to plan training."
        ),
        formula=_("Count of the zone's parishes with none of those in the year."),
        source=_("Quito Decide: the same data as the other indicators."),
        unit="parishes",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=WORKS,
        name=_("Public works, by status"),
        definition=_("Public works of the budget year, by their current status."),
        formula=_("Count of works, by their budget year, zone and status."),
        source=_("Quito Decide: public works (works)."),
        unit="works",
        breakdowns=(ZONE, YEAR, _("status")),
        periodicity=ANNUAL,
        category_label=_("status"),
    ),
    Indicator(
        slug=PROGRESS,
        name=_("Average physical progress of works"),
        definition=_(
            "The average physical progress of the works of the budget year, cancelled works "
            "left out."
        ),
        formula=_(
            "Sum of the physical progress (%) of the works not cancelled ÷ their number, "
            "rounded to two decimals, by budget year and zone."
        ),
        source=_("Quito Decide: public works (works), their latest update's figures."),
        unit="percent",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=ACTORS,
        name=_("Social actors mapped, by type"),
        definition=_(
            "Actors of the Sistema Metropolitano de Participación Ciudadana recorded in the "
            "map of actors (mapeo de actores) of each zonal administration: barrio "
            "committees, cabildos, sports leagues, civil-society organisations, academia, "
            "delegates to the Asamblea de Quito and others. Actors marked inactive are not "
            "counted. The year is the year the actor was mapped, by the zonal "
            "administration or a partner university."
        ),
        formula=_("Count of active actors, by the year mapped, the zone and the actor's type."),
        source=_("Quito Decide: the map of social actors (actors)."),
        unit="actors",
        breakdowns=(ZONE, YEAR, _("actor type")),
        periodicity=ANNUAL,
        category_label=_("actor type"),
    ),
    Indicator(
        slug=SESSIONS,
        name=_("Training sessions held"),
        definition=_(
            "Sessions of the training plans in participation of the zonal administrations "
            "that were held: not cancelled, and whose start has passed. Upcoming sessions "
            "count once they have started."
        ),
        formula=_(
            "Count of sessions not cancelled whose start has passed, by the year of the start "
            "(Quito time) and the zone of the session's plan."
        ),
        source=_("Quito Decide: training plans and sessions (training)."),
        unit="sessions",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=REGISTRATIONS,
        name=_("Registrations for training sessions"),
        definition=_(
            "Confirmed registrations (with an account, or with name, e-mail and parish) for "
            "the training sessions held. People on the waiting list did not get a place and "
            "are not counted, nor are cancelled registrations. A person registered for two "
            "sessions counts twice."
        ),
        formula=_(
            "Count of confirmed registrations for the sessions held (as in that indicator), "
            "by the year of the session and the zone of its plan."
        ),
        source=_("Quito Decide: training sessions and their registrations (training)."),
        unit="registrations",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=TRAINING_ATTENDANCE,
        name=_("Attendance at training sessions"),
        definition=_(
            "Registrations that staff marked as attended in the training sessions held. A "
            "person who attended two sessions counts twice."
        ),
        formula=_(
            "Count of registrations marked attended for the sessions held, by the year of the "
            "session and the zone of its plan."
        ),
        source=_("Quito Decide: the attendance taken in training sessions (training)."),
        unit="attendees",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
    Indicator(
        slug=EVALUATION,
        name=_("Evaluation score of training sessions"),
        definition=_(
            "The average of the answers to the 1-to-5 scale questions of the evaluation "
            "surveys that attendees answered after the training sessions held (5 is the "
            "best). Where no one answered there is no value."
        ),
        formula=_(
            "Sum of the scale answers (1 to 5) of the evaluation surveys of the sessions held "
            "÷ their number, rounded to two decimals, by the year of the session and the zone "
            "of its plan. The city's figure averages all the answers, not the zones' figures."
        ),
        source=_("Quito Decide: evaluation surveys of training sessions (surveys, training)."),
        unit="score_1_5",
        breakdowns=(ZONE, YEAR),
        periodicity=ANNUAL,
    ),
)

BY_SLUG = {indicator.slug: indicator for indicator in INDICATORS}


def category_labels() -> dict[str, dict[str, str]]:
    """The label of every category code, per indicator."""
    from actors.models import Actor
    from assemblies.models import AssemblyKind
    from works.status import WorkStatus

    kinds = dict(AssemblyKind.choices)
    statuses = dict(WorkStatus.choices)
    votes = {
        VOTES_ONLINE: _("Online"),
        VOTES_BOOTH: _("In person at a booth"),
        VOTES_ASSEMBLY: _("In parish assemblies"),
    }
    return {
        ASSEMBLIES: kinds,
        ATTENDANCE: kinds,
        WORKS: statuses,
        VOTES: votes,
        ACTORS: dict(Actor.Kind.choices),
    }
