"""When residents' observations contradict a work's official status (veeduría ciudadana).

The rule, as the work page states it: a work is flagged when, in the last 30 days, at
least 3 different residents posted a visible observation that contradicts its status:

- "detenida" while the work is "en ejecución" or "finalizada";
- "avanza" or "terminada" while it is "suspendida" or "cancelada";
- "terminada" while it is "planificada" or "en contratación".

Distinct residents, so that one person cannot raise the flag alone; visible observations
only, so that a moderated one stops counting.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from discussions.models import Comment

from .models import Assessment, Observation
from .status import WorkStatus

WINDOW_DAYS = 30
THRESHOLD = 3
A, S = Assessment, WorkStatus
CONTRADICTS: dict[str, frozenset[str]] = {
    S.UNDER_WAY: frozenset({A.STOPPED}),
    S.FINISHED: frozenset({A.STOPPED}),
    S.SUSPENDED: frozenset({A.PROGRESSING, A.FINISHED}),
    S.CANCELLED: frozenset({A.PROGRESSING, A.FINISHED}),
    S.PLANNED: frozenset({A.FINISHED}),
    S.PROCUREMENT: frozenset({A.FINISHED}),
}


@dataclass(frozen=True)
class Alert:
    status: str
    assessment: str  # the most reported contradicting assessment
    residents: int


def _recent(now=None):
    since = (now or timezone.now()) - datetime.timedelta(days=WINDOW_DAYS)
    return Observation.objects.filter(created_at__gte=since, comment__status=Comment.Status.VISIBLE)


def alerts_for(works, *, now=None) -> dict[int, Alert]:
    """The alert of each flagged work among `works` (by pk), in one query."""
    statuses = {work.pk: work.status for work in works}
    if not statuses:
        return {}
    rows = (
        _recent(now)
        .filter(work_id__in=statuses)
        .values_list("work_id", "assessment", "comment__author_id")
        .distinct()
    )
    # work -> contradicting assessment -> the residents who reported it
    reports: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for work_id, assessment, author_id in rows:
        if assessment in CONTRADICTS.get(statuses[work_id], ()):
            reports[work_id][assessment].add(author_id)
    alerts: dict[int, Alert] = {}
    for work_id, by_assessment in reports.items():
        people = set().union(*by_assessment.values())  # distinct across assessments
        if len(people) >= THRESHOLD:
            top = max(sorted(by_assessment), key=lambda key: len(by_assessment[key]))
            alerts[work_id] = Alert(statuses[work_id], top, len(people))
    return alerts


def alert_for(work, *, now=None) -> Alert | None:
    return alerts_for([work], now=now).get(work.pk)
