"""“Tareas de mi zona”: what a staff member has to do today, on the admin dashboard.

One list per zone the person acts for (every zone for the city-wide team and superusers),
each task linking to the screen where it is done: flagged comments (moderation), budget
requests awaiting a pre-feasibility verdict, parish tallies to enter, assembly votes
awaiting their hand count, today's assemblies (their control panel), budget votes open for
in-person voting (the booth page), works under way whose monthly update is due, and
residents asking to be verified.

Who may do which task is the rule book's answer (`rulebook.allowed` on each thread, cycle,
assembly and work), never decided here; the zone filters on the queries only keep them
small. The number of queries is fixed: it does not grow with the number of tasks, zones or
objects (tests/home/test_staff_tasks.py).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quitodecide import rulebook
from territory.permissions import staff_zones

ITEMS_PER_TASK = 5  # listed under each task; the count says how many there are in all
MAX_ROWS = 500  # rows read for a listing, whatever the number of zones

MODERATION = "moderation"
VERDICTS = "verdicts"
TALLIES = "tallies"
ROOM_COUNTS = "room_counts"
ASSEMBLIES_TODAY = "assemblies_today"
WORKS_DUE = "works_due"
VERIFICATION_REQUESTS = "verification_requests"
BOOTHS = "booths"
ORDER = (
    ASSEMBLIES_TODAY,
    BOOTHS,
    ROOM_COUNTS,
    MODERATION,
    VERDICTS,
    TALLIES,
    WORKS_DUE,
    VERIFICATION_REQUESTS,
)


def heading(kind: str, count: int) -> str:
    """The task's title with its count, in the right plural."""
    texts = {
        MODERATION: ngettext(
            "%(count)s flagged comment awaiting moderation",
            "%(count)s flagged comments awaiting moderation",
            count,
        ),
        VERDICTS: ngettext(
            "%(count)s budget request awaiting a verdict",
            "%(count)s budget requests awaiting a verdict",
            count,
        ),
        TALLIES: ngettext(
            "%(count)s parish assembly tally to enter",
            "%(count)s parish assembly tallies to enter",
            count,
        ),
        ROOM_COUNTS: ngettext(
            "%(count)s assembly vote awaiting its hand count",
            "%(count)s assembly votes awaiting their hand count",
            count,
        ),
        ASSEMBLIES_TODAY: ngettext(
            "%(count)s assembly today",
            "%(count)s assemblies today",
            count,
        ),
        WORKS_DUE: ngettext(
            "%(count)s work under way with its monthly update due",
            "%(count)s works under way with their monthly update due",
            count,
        ),
        BOOTHS: ngettext(
            "%(count)s budget vote open for in-person voting at a booth",
            "%(count)s budget votes open for in-person voting at a booth",
            count,
        ),
        VERIFICATION_REQUESTS: ngettext(
            "%(count)s resident asking to be verified",
            "%(count)s residents asking to be verified",
            count,
        ),
    }
    return texts[kind] % {"count": count}


@dataclass
class Item:
    label: str
    url: str
    detail: str = ""


@dataclass
class Task:
    kind: str
    count: int = 0
    items: list[Item] = field(default_factory=list)
    all_url: str = ""  # the full list, where there is one

    @property
    def heading(self) -> str:
        return heading(self.kind, self.count)

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)

    def add(self, item: Item, *, counted: int = 1) -> None:
        self.count += counted
        if len(self.items) < ITEMS_PER_TASK:
            self.items.append(item)


@dataclass
class ZoneTasks:
    name: str
    slug: str
    tasks: dict[str, Task] = field(default_factory=dict)

    def task(self, kind: str) -> Task:
        if kind not in self.tasks:
            self.tasks[kind] = Task(kind)
        return self.tasks[kind]

    @property
    def ordered(self) -> list[Task]:
        return [self.tasks[kind] for kind in ORDER if kind in self.tasks]


class Board:
    """The tasks found so far, by zone (None: city-wide objects)."""

    def __init__(self):
        self.zones: dict[int | None, ZoneTasks] = {}

    def task(self, zone, kind: str) -> Task:
        key = zone.pk if zone is not None else None
        if key not in self.zones:
            self.zones[key] = (
                ZoneTasks(zone.name, zone.slug)
                if zone is not None
                else ZoneTasks(_("City-wide"), "ciudad")
            )
        return self.zones[key].task(kind)

    def groups(self) -> list[ZoneTasks]:
        named = sorted((z for k, z in self.zones.items() if k is not None), key=lambda z: z.name)
        city = [self.zones[None]] if None in self.zones else []
        return named + city


def update_due_before(today: datetime.date) -> datetime.date:
    """A work under way owes its monthly update when its last one is older than a month:
    dated before the same day of the previous month (the month's last day if shorter)."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    for day in (today.day, 30, 29, 28):
        try:
            return datetime.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _page_url(request, page, route: str = "", *args) -> str:
    """A page's URL (or one of its sub-pages'), without a query per page."""
    url = page.get_url(request) or ""
    return url + (page.reverse_subpage(route, args=args or None) if route else "")


def _zone_filter(zones, field_name: str) -> Q:
    return Q() if zones is None else Q(**{f"{field_name}__in": zones})


# --- the tasks ----------------------------------------------------------------------------
def _moderation(board, user, zones):
    from discussions.models import Thread
    from discussions.selectors import moderation_queue

    threads = (
        Thread.objects.filter(_zone_filter(zones, "zone"))
        .annotate(flagged=Count("comments", filter=Q(comments__open_flag_count__gt=0)))
        .filter(flagged__gt=0)
        .select_related("zone")
    )
    allowed = {t.pk: t for t in threads if rulebook.allowed(user, "discussions.moderate", t)}
    if not allowed:
        return
    for thread in allowed.values():
        task = board.task(thread.zone, MODERATION)
        task.count += thread.flagged
        task.all_url = reverse("moderacion:index")
    comments = (
        moderation_queue(user)
        .filter(thread_id__in=allowed)
        .order_by("-open_flag_count", "-created_at", "-pk")[:MAX_ROWS]
    )
    for comment in comments:
        thread = allowed[comment.thread_id]
        task = board.task(thread.zone, MODERATION)
        if len(task.items) < ITEMS_PER_TASK:
            task.items.append(
                Item(
                    label=comment.body[:80],
                    url=reverse("moderacion:edit", args=[comment.pk]),
                    detail=thread.title,
                )
            )


def _budget_cycles(zones):
    from budgets.models import BudgetCyclePage, ResultSet

    return list(
        BudgetCyclePage.objects.live()
        .filter(_zone_filter(zones, "zone"))
        # The rules on published results read this instead of a query per cycle.
        .annotate(results_are_published=Exists(ResultSet.objects.filter(cycle=OuterRef("pk"))))
        .select_related("zone")
        .prefetch_related("phases")
        .order_by("zone__name", "-year")
    )


def _verdicts(board, request, cycles):
    from proposals.models import Request

    user = request.user
    open_cycles = {c.pk: c for c in cycles if rulebook.allowed(user, "proposals.assess", c)}
    if not open_cycles:
        return
    pending = Request.objects.filter(cycle_id__in=open_cycles, status=Request.Status.SUBMITTED)
    counts = dict(pending.values_list("cycle_id").annotate(n=Count("pk")).order_by())
    for cycle_id, count in counts.items():
        cycle = open_cycles[cycle_id]
        task = board.task(cycle.zone, VERDICTS)
        task.count += count
        query = urlencode({"estado": Request.Status.SUBMITTED})
        task.all_url = task.all_url or _page_url(request, cycle, "requests") + "?" + query
    rows = pending.order_by("created_at", "pk").only("pk", "title", "cycle_id")[:MAX_ROWS]
    for item in rows:
        cycle = open_cycles[item.cycle_id]
        task = board.task(cycle.zone, VERDICTS)
        if len(task.items) < ITEMS_PER_TASK:
            task.items.append(
                Item(
                    label=item.title,
                    url=_page_url(request, cycle, "request_verdict", item.pk),
                    detail=cycle.title,
                )
            )


def _tallies(board, request, cycles):
    from budgets.models import AssemblyTally
    from territory.models import Parish

    user = request.user
    tally_cycles = [c for c in cycles if rulebook.allowed(user, "budgets.record_tally", c)]
    if not tally_cycles:
        return
    parishes = defaultdict(list)
    for parish in Parish.objects.filter(zone_id__in={c.zone_id for c in tally_cycles}).order_by(
        "name"
    ):
        parishes[parish.zone_id].append(parish)
    entered = set(
        AssemblyTally.objects.filter(cycle__in=tally_cycles).values_list("cycle_id", "parish_id")
    )
    for cycle in tally_cycles:
        base = _page_url(request, cycle, "tallies")
        for parish in parishes[cycle.zone_id]:
            if (cycle.pk, parish.pk) in entered:
                continue
            task = board.task(cycle.zone, TALLIES)
            task.all_url = task.all_url or base
            task.add(
                Item(
                    label=parish.name,
                    url=base + "?" + urlencode({"parroquia": parish.pk}),
                    detail=cycle.title,
                )
            )


def _booths(board, request, cycles):
    """Cycles in their voting phase: the booth page, where staff register each in-person
    voter by cédula (one person, one vote with the online ballots)."""
    user = request.user
    for cycle in cycles:
        if not rulebook.allowed(user, "budgets.booth_vote", cycle):
            continue
        url = _page_url(request, cycle, "booth")
        board.task(cycle.zone, BOOTHS).add(
            Item(label=cycle.title, url=url, detail=_("Register in-person voters"))
        )


def _assembly_scopes(zones) -> tuple[Q, Q]:
    """Assemblies live under their zone's page: filters by page path (on assemblies, on
    polls) for staff of some zones; none for the city-wide team."""
    from territory.models import ZonePage

    if zones is None:
        return Q(), Q()
    paths = list(ZonePage.objects.filter(zone__in=zones).values_list("path", flat=True))
    pages, polls = Q(pk__in=[]), Q(pk__in=[])
    for path in paths:
        pages |= Q(path__startswith=path)
        polls |= Q(assembly__path__startswith=path)
    return pages, polls


def _assemblies(board, request, zones):
    from assemblies.models import AssemblyPage, AssemblyStatus, Poll, PollOption
    from territory.selectors import prime_zones, zone_of

    user = request.user
    scope, poll_scope = _assembly_scopes(zones)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    todays = list(
        AssemblyPage.objects.live()
        .filter(scope)
        .filter(
            Q(starts_at__gte=start, starts_at__lt=end) | Q(live_state__status=AssemblyStatus.LIVE)
        )
        .select_related("live_state")
        .order_by("starts_at", "pk")
    )
    missing_count = PollOption.objects.filter(poll=OuterRef("pk"), room_count__isnull=True)
    polls = list(
        Poll.objects.filter(
            poll_scope,
            status=Poll.Status.CLOSED,
            results_published=False,
            mode__in=[Poll.Mode.ROOM, Poll.Mode.BOTH],
        )
        .filter(Exists(missing_count))
        .select_related("assembly")
        .order_by("closed_at", "pk")[:MAX_ROWS]
    )
    prime_zones([*todays, *(poll.assembly for poll in polls)])
    for assembly in todays:
        if not rulebook.allowed(user, "assemblies.run", assembly):
            continue
        state = getattr(assembly, "live_state", None)
        status = state.get_status_display() if state else AssemblyStatus.SCHEDULED.label
        when = timezone.localtime(assembly.starts_at)
        board.task(zone_of(assembly), ASSEMBLIES_TODAY).add(
            Item(
                label=assembly.title,
                url=_page_url(request, assembly, "control"),
                detail=f"{when:%H:%M} · {status}",
            )
        )
    for poll in polls:
        assembly = poll.assembly
        if not rulebook.allowed(user, "assemblies.run", assembly):
            continue
        board.task(zone_of(assembly), ROOM_COUNTS).add(
            Item(
                label=poll.question,
                url=_page_url(request, assembly, "control"),
                detail=assembly.title,
            )
        )


def _works_due(board, user, zones):
    from works.models import Work

    cutoff = update_due_before(timezone.localdate())
    works = (
        Work.objects.filter(_zone_filter(zones, "zone"), status=Work.Status.UNDER_WAY)
        .filter(Q(last_update_on__lt=cutoff) | Q(last_update_on__isnull=True))
        .select_related("zone")
        .only("pk", "code", "title", "status", "last_update_on", "zone")
        .order_by("last_update_on", "code")
    )
    add_url = reverse("avances-obras:add")
    all_url = reverse("obras:index") + "?" + urlencode({"status": Work.Status.UNDER_WAY})
    for work in works:
        if not rulebook.allowed(user, "works.post_update", work):
            continue
        last = (
            _("last update %(date)s") % {"date": f"{work.last_update_on:%d/%m/%Y}"}
            if work.last_update_on
            else _("no update yet")
        )
        task = board.task(work.zone, WORKS_DUE)
        task.all_url = all_url
        task.add(
            Item(
                label=f"{work.code} · {work.title}",
                url=add_url + "?" + urlencode({"work": work.pk}),
                detail=last,
            )
        )


def _verification_requests(board, user, zones):
    from verification.models import VerificationRequest

    pending = (
        VerificationRequest.objects.filter(
            _zone_filter(zones, "zone"), status=VerificationRequest.Status.OPEN
        )
        .select_related("zone", "resident__user")
        .order_by("created_at", "pk")[:MAX_ROWS]
    )
    all_url = reverse("verification_admin:requests")
    for item in pending:
        if not rulebook.allowed(user, "verification.handle_request", item):
            continue
        task = board.task(item.zone, VERIFICATION_REQUESTS)
        task.all_url = all_url
        task.add(
            Item(
                label=str(item.resident),
                url=reverse("verification_admin:request", args=[item.pk]),
                detail=f"{timezone.localtime(item.created_at):%d/%m/%Y}",
            )
        )


def staff_tasks(request, zones=...) -> list[ZoneTasks] | None:
    """The tasks of `request.user`, by zone; None for someone who is no zone's staff."""
    user = request.user
    if zones is ...:
        zones = staff_zones(user)
    if zones == []:
        return None
    board = Board()
    _moderation(board, user, zones)
    cycles = _budget_cycles(zones)
    _verdicts(board, request, cycles)
    _tallies(board, request, cycles)
    _booths(board, request, cycles)
    _assemblies(board, request, zones)
    _works_due(board, user, zones)
    _verification_requests(board, user, zones)
    return board.groups()
