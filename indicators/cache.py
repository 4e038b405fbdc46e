"""The computed indicators are cached, keyed by a version number that any change to their
inputs bumps.

`payload()` answers from the cache while the version holds; a save or delete of any input
model (signals connected in IndicatorsConfig.ready) bumps the version, so the next read
recomputes. The old payload is simply never read again and expires on its own. Writes that
bypass model signals (the works matrix import's one UPDATE, an assembly's room counts) come
with an audit entry, whose save bumps the version again once the transaction commits; any
other write without signals (a shell's queryset.update()) is caught up by the timeout, so a
figure is never staler than TIMEOUT. So is the clock's one change: a training session
counts as held from its start, which no write announces.

The version starts from the clock when the cache has none (first use, or evicted), so a
payload of an older version left in a shared cache is never mistaken for the current one.
"""

import logging
import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

logger = logging.getLogger(__name__)

VERSION_KEY = "indicators:version"
PAYLOAD_KEY = "indicators:payload:{version}"
TIMEOUT = 15 * 60  # seconds: the ceiling for changes that send no signal


def version() -> int:
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        current = cache.get(VERSION_KEY) or time.time_ns()
    return current


def bump(**_kwargs) -> None:
    """Invalidate the cached indicators (a signal receiver, also callable directly). Never
    raises: with the cache (Redis) down the write that called it must still succeed."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (or evicted): any fresh one will do
            cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:
        logger.warning("Indicators cache unavailable: version not bumped", exc_info=True)


def payload() -> dict:
    from .compute import compute

    key = PAYLOAD_KEY.format(version=version())
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, timeout=TIMEOUT)
    return data


def input_models() -> list:
    """Every model an indicator reads (a change to any of them changes some figure)."""
    from accounts.models import Resident
    from assemblies.models import AssemblyPage, LiveState, Poll, PollOption, Question
    from assemblies.models import Ballot as PollBallot
    from budgets.models import (
        AssemblyTally,
        AssemblyTallyLine,
        Ballot,
        BudgetCyclePage,
        ParishEnvelope,
    )
    from consultations.models import (
        ConsultationPage,
        InPersonSession,
        Provision,
        SessionObservation,
    )
    from discussions.models import Comment, Thread
    from proposals.models import Request
    from territory.models import Parish, Zone, ZonePage
    from works.models import Work

    return [
        ConsultationPage,
        Provision,
        InPersonSession,
        SessionObservation,
        Thread,
        Comment,
        AssemblyPage,
        LiveState,
        Poll,
        PollOption,
        PollBallot,
        Question,
        BudgetCyclePage,
        Request,
        Ballot,
        AssemblyTally,
        AssemblyTallyLine,
        ParishEnvelope,
        Work,
        Resident,
        Zone,
        Parish,
        ZonePage,
        *_people_models(),
    ]


# The actors, training and surveys models the people-of-participation indicators read, by
# label: looked up lazily, so an app that is not installed (or not migrated yet) is skipped
# rather than breaking the signals of every other input.
PEOPLE_MODELS = (
    "actors.Actor",
    "training.TrainingPlan",
    "training.TrainingSession",
    "training.Registration",
    "surveys.Survey",
    "surveys.Response",
    "surveys.Answer",
)


def _people_models() -> list:
    from django.apps import apps

    found = []
    for label in PEOPLE_MODELS:
        try:
            found.append(apps.get_model(label))
        except LookupError:
            continue
    return found


# Rows saved last in a transaction whose other writes send no signal: a survey response
# (its answers are bulk-created after it), an actors import (its rows), a registration.
BUMP_ON_COMMIT_LABELS = frozenset(
    {"surveys.Response", "actors.ActorImport", "training.Registration"}
)


def _bump_on_commit(sender, **kwargs) -> None:
    from django.db import transaction
    from wagtail.models import BaseLogEntry

    from budgets.models import Ballot

    if issubclass(sender, BaseLogEntry | Ballot) or sender._meta.label in BUMP_ON_COMMIT_LABELS:
        transaction.on_commit(bump)


def connect() -> None:
    """Bump the version on every save and delete of an input (and on Wagtail's publish,
    unpublish and move, which change what is live and where it sits)."""
    from wagtail.signals import page_published, page_unpublished, post_page_move

    for model in input_models():
        uid = f"indicators:{model._meta.label}"
        post_save.connect(bump, sender=model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(bump, sender=model, dispatch_uid=uid + ":delete", weak=False)
    # Bulk writes send no save signal (the works matrix's single UPDATE, room counts'
    # bulk_update, ballot lines' and survey answers' bulk_create), but every staff action
    # leaves an audit entry, a ballot its Ballot row and a survey answer its Response: bump
    # again once such a transaction has committed, so a read in between cannot cache the
    # old figures under the new version.
    post_save.connect(_bump_on_commit, dispatch_uid="indicators:audit", weak=False)
    page_published.connect(bump, dispatch_uid="indicators:published", weak=False)
    page_unpublished.connect(bump, dispatch_uid="indicators:unpublished", weak=False)
    post_page_move.connect(bump, dispatch_uid="indicators:moved", weak=False)
