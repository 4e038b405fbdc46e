"""Every indicator value, computed in one place and in a fixed number of queries.

`compute()` reads the inputs aggregated in the database (grouped by zone, parish and year),
a fixed number of queries whatever the amount of data, and returns the whole set of values
with the names the pages need. Each query answers one line of a methodology sheet in
`definitions.py`; the definitions are there, the arithmetic is here.

The zone of a consultation or an assembly is territory's rule (the zone page the page sits
under), applied here to the page paths in memory: one query for the zone pages, none per
page. Years are calendar years in Quito time (the database converts with the current time
zone). Budget figures use the cycle's year; works their budget year; social actors the year
they were mapped; training figures the year of the session (its start).

Population (for "per 1,000 inhabitants"): the territory data carry no INEC population
(territory/data/*.csv and the Parish model have none), so the figure is the one recorded
for the parish in its most recent participatory-budget envelope (ParishEnvelope.population,
entered by staff with the 2020 weights). Parishes without one are left out of the rate (the
page says how many) rather than given a made-up figure. When Parish gets an INEC population
field, `population` below is the one line to change.

Values are plain numbers (int, or float rounded to two decimals), keys plain strings, so
the payload caches and serialises as it is.
"""

from collections import defaultdict

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from . import definitions as d

ROUND = 2


def _zone_resolver():
    """A function path -> zone slug (or None): the nearest zone page above, or itself."""
    from territory.models import ZonePage

    by_path = dict(ZonePage.objects.values_list("path", "zone__slug"))
    lengths = sorted({len(path) for path in by_path}, reverse=True)

    def zone_of(path: str) -> str | None:
        for length in lengths:
            zone = by_path.get(path[:length])
            if zone is not None:
                return zone
        return None

    return zone_of


def _year(moment) -> int:
    return timezone.localtime(moment).year


def _consultation_comments():
    """Visible, non-official comments on a consultation's threads (articles or general)."""
    from consultations.models import ConsultationPage, Provision
    from discussions.models import Comment

    provision_threads = Provision.objects.filter(thread__isnull=False).values("thread_id")
    general_threads = ConsultationPage.objects.filter(general_thread__isnull=False).values(
        "general_thread_id"
    )
    return (
        Comment.objects.filter(status=Comment.Status.VISIBLE, is_official=False)
        .filter(Q(thread_id__in=provision_threads) | Q(thread_id__in=general_threads))
        .annotate(year=ExtractYear("created_at"))
        .order_by()
    )


class _Values:
    """Accumulates values by (indicator, zone, parish, year, category)."""

    def __init__(self):
        self.values: dict[tuple, float] = defaultdict(int)

    def add(self, indicator, year, amount, *, zone=None, parish=None, category=None, city=True):
        """Add to the zone's value and, unless told not to, to the whole city's."""
        if zone is not None:
            self.values[(indicator, zone, parish, year, category)] += amount
        if city and parish is None:
            self.values[(indicator, None, None, year, category)] += amount

    def set(self, indicator, year, value, *, zone=None, parish=None, category=None):
        self.values[(indicator, zone, parish, year, category)] = value


def compute() -> dict:
    """The indicators payload (see the module docstring): `rows`, `years`, `zones`,
    `parishes`, `inactive` (parishes without participation per year), `modified`."""
    from assemblies.models import AssemblyPage, AssemblyStatus, PollOption, Question
    from assemblies.models import Ballot as PollBallot
    from budgets.models import AssemblyTally, AssemblyTallyLine, Ballot, ParishEnvelope
    from consultations.models import ConsultationPage, InPersonSession, SessionObservation
    from proposals.models import Request
    from territory.models import Parish, Zone
    from works.models import Work
    from works.status import WorkStatus

    zone_of = _zone_resolver()
    zones = dict(Zone.objects.order_by("name").values_list("slug", "name"))
    parishes = {
        code: {"name": name, "zone": zone}
        for code, name, zone in Parish.objects.order_by("name").values_list(
            "dpa_code", "name", "zone__slug"
        )
    }
    out = _Values()
    years: set[int] = set()
    # Who took part: (zone, year) -> users; (parish of residence, year) -> users.
    people: dict[tuple, set] = defaultdict(set)
    residents: dict[tuple, set] = defaultdict(set)
    # Where something happened: (parish, year) pairs.
    active: set[tuple] = set()

    def took_part(zone, year, user, home_parish):
        if user is None:  # no account (any more): not one shared `None` person
            return
        people[(zone, year)].add(user)
        if home_parish:
            residents[(home_parish, year)].add(user)
            active.add((home_parish, year))

    # Consultations, and their zones (for the observations).
    consultation_zone = {}
    for pk, path, opens_at, live in ConsultationPage.objects.values_list(
        "pk", "path", "opens_at", "live"
    ):
        zone = zone_of(path)
        consultation_zone[pk] = zone
        if live:
            year = _year(opens_at)
            years.add(year)
            out.add(d.CONSULTATIONS, year, 1, zone=zone)

    comments = _consultation_comments()
    for row in comments.values("thread__zone__slug", "year").annotate(n=Count("pk")):
        years.add(row["year"])
        out.add(d.COMMENTS, row["year"], row["n"], zone=row["thread__zone__slug"])
    for zone, year, user, home in comments.values_list(
        "thread__zone__slug", "year", "author_id", "author__resident__parish__dpa_code"
    ).distinct():
        took_part(zone, year, user, home)

    observations = (
        SessionObservation.objects.annotate(year=ExtractYear("session__held_on"))
        .values("session__consultation_id", "year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in observations:
        years.add(row["year"])
        zone = consultation_zone.get(row["session__consultation_id"])
        out.add(d.OBSERVATIONS, row["year"], row["n"], zone=zone)
    active.update(
        InPersonSession.objects.filter(parish__isnull=False)
        .annotate(year=ExtractYear("held_on"))
        .values_list("parish__dpa_code", "year")
        .distinct()
    )

    # Assemblies: held ones by type; online participants of any; attendance of held ones.
    assemblies = {}
    recorded: dict[int, int] = {}  # attendance from the sheet, where staff entered it
    for (
        pk,
        path,
        kind,
        starts_at,
        live,
        status,
        parish,
        attendees,
    ) in AssemblyPage.objects.values_list(
        "pk",
        "path",
        "kind",
        "starts_at",
        "live",
        "live_state__status",
        "parish__dpa_code",
        "attendees",
    ):
        if attendees is not None:
            recorded[pk] = attendees
        held = live and status == AssemblyStatus.FINISHED
        assemblies[pk] = (zone_of(path), _year(starts_at), kind, held)
        if held:
            zone, year = assemblies[pk][:2]
            years.add(year)
            out.add(d.ASSEMBLIES, year, 1, zone=zone, category=kind)
            if parish:
                active.add((parish, year))
    online: dict[int, set] = defaultdict(set)
    voters = PollBallot.objects.values_list(
        "poll__assembly_id", "voter_id", "voter__resident__parish__dpa_code"
    ).distinct()
    askers = (
        Question.objects.exclude(status=Question.Status.HIDDEN)
        .values_list("assembly_id", "author_id", "author__resident__parish__dpa_code")
        .distinct()
    )
    for assembly, user, home in [*voters, *askers]:
        zone, year, _kind, _held = assemblies[assembly]
        online[assembly].add(user)
        took_part(zone, year, user, home)
    room: dict[int, int] = defaultdict(int)
    for row in (
        PollOption.objects.values("poll__assembly_id", "poll_id")
        .annotate(n=Sum("room_count"))
        .order_by()
    ):
        assembly = row["poll__assembly_id"]
        room[assembly] = max(room[assembly], row["n"] or 0)
    for pk, (zone, year, kind, held) in assemblies.items():
        if held:
            estimate = len(online[pk]) + room[pk]
            out.add(d.ATTENDANCE, year, recorded.get(pk, estimate), zone=zone, category=kind)

    # Participatory budgets.
    for row in Request.objects.values("cycle__zone__slug", "cycle__year").annotate(n=Count("pk")):
        years.add(row["cycle__year"])
        out.add(d.REQUESTS, row["cycle__year"], row["n"], zone=row["cycle__zone__slug"])
    for zone, year, user, home in (
        Request.objects.filter(author__isnull=False)
        .values_list(
            "cycle__zone__slug", "cycle__year", "author_id", "author__resident__parish__dpa_code"
        )
        .distinct()
    ):
        took_part(zone, year, user, home)
    active.update(Request.objects.values_list("parish__dpa_code", "cycle__year").distinct())

    # Every submitted ballot is a vote, in its channel: online, or registered in person at a
    # booth (one per person, like online; not a hand count, so not with the assemblies).
    channels = {Ballot.Channel.ONLINE: d.VOTES_ONLINE, Ballot.Channel.BOOTH: d.VOTES_BOOTH}
    ballots = Ballot.objects.filter(revision__gte=1)
    for row in (
        ballots.values("cycle__zone__slug", "cycle__year", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        years.add(row["cycle__year"])
        out.add(
            d.VOTES,
            row["cycle__year"],
            row["n"],
            zone=row["cycle__zone__slug"],
            category=channels.get(row["channel"], d.VOTES_ONLINE),
        )
    # A ballot without a resident (a booth ballot, or a deleted account's) is a vote but no
    # participant: those are different people, not one `None` participant.
    for zone, year, user, home in (
        ballots.filter(resident__isnull=False)
        .values_list(
            "cycle__zone__slug", "cycle__year", "resident__user_id", "resident__parish__dpa_code"
        )
        .distinct()
    ):
        took_part(zone, year, user, home)
    for row in AssemblyTallyLine.objects.values(
        "tally__cycle__zone__slug", "tally__cycle__year"
    ).annotate(n=Sum("votes")):
        years.add(row["tally__cycle__year"])
        out.add(
            d.VOTES,
            row["tally__cycle__year"],
            row["n"] or 0,
            zone=row["tally__cycle__zone__slug"],
            category=d.VOTES_ASSEMBLY,
        )
    active.update(AssemblyTally.objects.values_list("parish__dpa_code", "cycle__year").distinct())

    # Works.
    for row in Work.objects.values("zone__slug", "year", "status").annotate(n=Count("pk")):
        years.add(row["year"])
        out.add(d.WORKS, row["year"], row["n"], zone=row["zone__slug"], category=row["status"])
    progress: dict[tuple, list] = defaultdict(lambda: [0, 0])
    for row in (
        Work.objects.exclude(status=WorkStatus.CANCELLED)
        .values("zone__slug", "year")
        .annotate(total=Sum("physical_progress"), n=Count("pk"))
    ):
        for key in ((row["zone__slug"], row["year"]), (None, row["year"])):
            progress[key][0] += row["total"] or 0
            progress[key][1] += row["n"]
    for (zone, year), (total, number) in progress.items():
        out.set(d.PROGRESS, year, round(float(total) / number, ROUND), zone=zone)

    _people_of_participation(out, years)

    # Distinct participants: per zone, and over all zones for the city.
    city_people: dict[int, set] = defaultdict(set)
    for (zone, year), users in people.items():
        years.add(year)
        city_people[year] |= users
        if zone is not None:
            out.set(d.PARTICIPANTS, year, len(users), zone=zone)
    for year, users in city_people.items():
        out.set(d.PARTICIPANTS, year, len(users))

    # Per 1,000 inhabitants, over the parishes whose population is known.
    population = {}
    for code, _year_of_cycle, figure in (
        ParishEnvelope.objects.filter(population__gt=0)
        .values_list("parish__dpa_code", "cycle__year", "population")
        .order_by("cycle__year", "pk")
    ):
        population[code] = figure  # the most recent cycle's figure wins

    ordered_years = sorted(years)
    for year in ordered_years:
        totals: dict[str | None, list] = defaultdict(lambda: [set(), 0])
        for code, figure in population.items():
            users = residents.get((code, year), set())
            zone = parishes.get(code, {}).get("zone")
            out.set(
                d.PER_THOUSAND,
                year,
                round(1000 * len(users) / figure, ROUND),
                zone=zone,
                parish=code,
            )
            for key in (zone, None):
                totals[key][0] |= users
                totals[key][1] += figure
        for zone, (users, figure) in totals.items():
            out.set(d.PER_THOUSAND, year, round(1000 * len(users) / figure, ROUND), zone=zone)

    # Parishes without participation, and explicit zeros for the counts.
    inactive = {}
    for year in ordered_years:
        quiet = [code for code in parishes if (code, year) not in active]
        inactive[year] = quiet
        out.set(d.NO_PARTICIPATION, year, len(quiet))
        for zone in zones:
            out.set(
                d.NO_PARTICIPATION,
                year,
                sum(1 for code in quiet if parishes[code]["zone"] == zone),
                zone=zone,
            )
    categories = d.category_labels()
    counted = [
        indicator.slug
        for indicator in d.INDICATORS
        if indicator.slug not in {d.PER_THOUSAND, d.NO_PARTICIPATION, *d.AVERAGES}
    ]
    for indicator in counted:
        for year in ordered_years:
            for zone in [None, *zones]:
                for category in categories.get(indicator) or [None]:
                    key = (indicator, zone, None, year, category)
                    if key not in out.values:
                        out.set(indicator, year, 0, zone=zone, category=category)

    return {
        "rows": _rows(out.values, zones, parishes),
        "years": ordered_years,
        "zones": zones,
        "parishes": parishes,
        "population": population,
        "inactive": inactive,
        "modified": _modified(),
    }


def _held_sessions():
    """Training sessions held: not cancelled, and started (the clock decides: a session
    passing its start sends no signal, so the cache's timeout brings it in)."""
    from training.models import TrainingSession

    return TrainingSession.objects.exclude(status=TrainingSession.Status.CANCELLED).filter(
        starts_at__lte=timezone.now()
    )


def _people_of_participation(out: _Values, years: set) -> None:
    """Social actors mapped; training sessions held, their registrations, attendance and
    evaluation scores. Every actor, plan and session has a zone, so each value counts for
    its zone and for the whole city."""
    from actors.models import Actor
    from surveys.models import Answer
    from training.models import Registration

    for row in (
        Actor.objects.filter(is_active=True)
        .values("zone__slug", "year_mapped", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        years.add(row["year_mapped"])
        out.add(
            d.ACTORS, row["year_mapped"], row["n"], zone=row["zone__slug"], category=row["kind"]
        )

    held = _held_sessions()
    for row in (
        held.annotate(year=ExtractYear("starts_at"))
        .values("plan__zone__slug", "year")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        years.add(row["year"])
        out.add(d.SESSIONS, row["year"], row["n"], zone=row["plan__zone__slug"])

    # Confirmed registrations (attended ones are confirmed too: a check constraint).
    for row in (
        Registration.objects.filter(
            session__in=held.values("pk"), status=Registration.Status.CONFIRMED
        )
        .annotate(year=ExtractYear("session__starts_at"))
        .values("session__plan__zone__slug", "year")
        .annotate(n=Count("pk"), present=Count("pk", filter=Q(attended=True)))
        .order_by()
    ):
        zone = row["session__plan__zone__slug"]
        out.add(d.REGISTRATIONS, row["year"], row["n"], zone=zone)
        out.add(d.TRAINING_ATTENDANCE, row["year"], row["present"], zone=zone)

    # The mean of the scale answers: the city's over all the answers, not the zones' mean.
    scores: dict[tuple, list] = defaultdict(lambda: [0, 0])
    for row in (
        Answer.objects.filter(
            number__isnull=False,
            response__survey__training_session__in=held.values("pk"),
        )
        .annotate(year=ExtractYear("response__survey__training_session__starts_at"))
        .values("response__survey__training_session__plan__zone__slug", "year")
        .annotate(total=Sum("number"), n=Count("pk"))
        .order_by()
    ):
        zone = row["response__survey__training_session__plan__zone__slug"]
        for key in ((zone, row["year"]), (None, row["year"])):
            scores[key][0] += row["total"] or 0
            scores[key][1] += row["n"]
    for (zone, year), (total, number) in scores.items():
        out.set(d.EVALUATION, year, round(total / number, ROUND), zone=zone)


def _rows(values: dict, zones: dict, parishes: dict) -> list[dict]:
    order = {indicator.slug: position for position, indicator in enumerate(d.INDICATORS)}
    zone_order = {slug: position for position, slug in enumerate(zones)}
    parish_order = {code: position for position, code in enumerate(parishes)}
    units = {indicator.slug: indicator.unit for indicator in d.INDICATORS}

    def sort_key(key):
        indicator, zone, parish, year, category = key
        return (
            order[indicator],
            -1 if zone is None else zone_order.get(zone, len(zone_order)),
            -1 if parish is None else parish_order.get(parish, len(parish_order)),
            year,
            category or "",
        )

    return [
        {
            "indicator": key[0],
            "zone": key[1],
            "parish": key[2],
            "year": key[3],
            "category": key[4],
            "value": value,
            "unit": units[key[0]],
        }
        for key, value in sorted(values.items(), key=lambda item: sort_key(item[0]))
    ]


def _modified():
    """When the inputs last changed (the newest of their timestamps), for the catalogue."""
    from actors.models import Actor
    from assemblies.models import LiveState
    from budgets.models import Ballot
    from consultations.models import SessionObservation
    from proposals.models import Request
    from surveys.models import Response
    from training.models import Registration
    from works.models import Work

    moments = [
        _consultation_comments().aggregate(at=Max("created_at"))["at"],
        SessionObservation.objects.aggregate(at=Max("created_at"))["at"],
        LiveState.objects.aggregate(at=Max("ended_at"))["at"],
        Request.objects.aggregate(at=Max("updated_at"))["at"],
        Ballot.objects.aggregate(at=Max("updated_at"))["at"],
        Work.objects.aggregate(at=Max("updated_at"))["at"],
        Actor.objects.aggregate(at=Max("updated_at"))["at"],
        *Registration.objects.aggregate(
            registered=Max("created_at"),
            cancelled=Max("cancelled_at"),
            attendance=Max("attendance_marked_at"),
        ).values(),
        Response.objects.filter(survey__training_session__isnull=False).aggregate(
            at=Max("submitted_at")
        )["at"],
    ]
    moments = [moment for moment in moments if moment is not None]
    return max(moments) if moments else None
