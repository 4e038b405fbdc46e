"""The rule book's assembly actions.

Phases of an assembly: its live status ("scheduled", "live", "finished"). Votes are asked
of a poll: "open" (a live assembly's poll open to online votes), "hands_only" (open, counted
in the room only), "closed", and "open_parish" / "open_other_parish" (an open poll of a
parish assembly, in the voter's parish or in another parish of the same zone).
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    LOGGED_IN,
    STAFF_OF_ZONE,
    action,
    is_active_user,
    staff_of,
    verified_resident_of,
)

from .models import AssemblyStatus, LiveState, Poll

STATUS_PHASES = {
    AssemblyStatus.SCHEDULED: "scheduled",
    AssemblyStatus.LIVE: "live",
    AssemblyStatus.FINISHED: "finished",
}


def assembly_status(assembly) -> str:
    """The live status, read fresh (a page object may carry an old `live_state`), unless a
    service that holds the state's row lock recorded it on the object (`_locked_status`)."""
    locked = assembly.__dict__.get("_locked_status")
    if locked:
        return locked
    status = (
        LiveState.objects.filter(assembly_id=assembly.pk).values_list("status", flat=True).first()
    )
    return status or AssemblyStatus.SCHEDULED


def assembly_zone(assembly):
    return assembly.zone


def poll_zone(poll):
    return poll.assembly.zone


def poll_parish(poll):
    return poll.assembly.parish


@rules.predicate
def not_finished(user, assembly) -> bool:
    return assembly is not None and assembly_status(assembly) != AssemblyStatus.FINISHED


@rules.predicate
def poll_takes_online_votes(user, poll) -> bool:
    return (
        poll is not None
        and poll.status == Poll.Status.OPEN
        and poll.counts_online
        and assembly_status(poll.assembly) == AssemblyStatus.LIVE
    )


@rules.predicate
def question_open(user, question) -> bool:
    return question is not None and not_finished(user, question.assembly)


@rules.predicate
def asked_it(user, question) -> bool:
    return bool(question is not None and user and user.pk and question.author_id == user.pk)


action(
    "assemblies.run",
    staff_of(assembly_zone),
    target="assembly",
    rows={"scheduled": STAFF_OF_ZONE, "live": STAFF_OF_ZONE, "finished": STAFF_OF_ZONE},
    summary=_(
        "Run the assembly: control panel, agenda, votes, room counts, results, and see "
        "questions awaiting moderation"
    ),
    staff=True,
)
action(
    "assemblies.ask",
    is_active_user & not_finished,
    target="assembly",
    rows={"scheduled": LOGGED_IN - {"author*"}, "live": LOGGED_IN - {"author*"}, "finished": set()},
    summary=_("Ask a question"),
    participation=True,
)
action(
    "assemblies.vote",
    poll_takes_online_votes & verified_resident_of(poll_zone, poll_parish),
    target="poll",
    rows={
        "open": {"verified"},
        "hands_only": set(),
        "closed": set(),
        "open_parish": {"verified"},
        "open_other_parish": set(),
    },
    summary=_("Vote online (verified residents of the assembly's zone, or parish)"),
    participation=True,
)
action(
    "assemblies.upvote",
    is_active_user & question_open & ~asked_it,
    target="question",
    rows={"live": LOGGED_IN - {"author*"}, "finished": set()},
    summary=_("Support someone else's question"),
    participation=True,
)


def vote_refusal(user, poll) -> str:
    """Why a person may not vote online in an open poll (the rule said no)."""
    from django.utils.translation import gettext

    from accounts.selectors import has_verified_email, resident_of
    from quitodecide.rulebook import RefusalKind, explain

    if (refusal := explain(user, "assemblies.vote", poll)).kind == RefusalKind.CONSENT:
        return refusal.reason  # the participation gate's reason, with the way back
    resident = resident_of(user)
    if resident is None or not resident.is_verified:
        return gettext("Only verified residents can vote online.")
    if not has_verified_email(user):
        return gettext("Confirm your e-mail address to vote.")
    assembly = poll.assembly
    if assembly.parish_id and resident.parish_id != assembly.parish_id:
        return gettext("Only verified residents of %(parish)s can vote in this assembly.") % {
            "parish": assembly.parish.name
        }
    zone = assembly.zone
    return gettext("Only verified residents of %(zone)s can vote in this assembly.") % {
        "zone": zone.name if zone else ""
    }
