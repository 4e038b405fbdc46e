"""The rule book's actions on citizen proposals (participatory-budget requests today).

The engine does not know its containers: a container (a budget cycle) says which step is
open now through `proposals_open_for(step)` and has a `zone`. Steps: "submit", "support",
"assess".
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    STAFF_OF_ZONE,
    WITH_VERIFIED_EMAIL,
    action,
    has_verified_email,
    lives_in,
    rows_open_in,
    staff_of,
    verified_resident_of,
)


def container_zone(container):
    return container.zone


def step_open(step):
    @rules.predicate(name=f"step_open({step})")
    def predicate(user, container) -> bool:
        return container is not None and container.proposals_open_for(step)

    return predicate


PHASES = ("requests", "prefeasibility", "prioritisation", "results", "execution")


action(
    "proposals.submit",
    step_open("submit") & lives_in(container_zone) & has_verified_email,
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"requests"}, {"resident", "verified"}),
    summary=_("Submit a request"),
    participation=True,
)
action(
    "proposals.support",
    step_open("support") & verified_resident_of(container_zone),
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"requests", "prefeasibility"}, {"verified"}),
    summary=_("Support a request"),
    participation=True,
)
action(
    "proposals.assess",
    step_open("assess") & staff_of(container_zone),
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"requests", "prefeasibility"}, STAFF_OF_ZONE),
    summary=_("Record a pre-feasibility verdict"),
    staff=True,
)
action(
    "proposals.comment",
    has_verified_email,
    target="budget_cycle",
    rows=rows_open_in(PHASES, set(PHASES), WITH_VERIFIED_EMAIL),
    summary=_("Comment on a request"),
    participation=True,
)


def comment_refusal(user, container) -> str | None:
    """Why `user` may not comment on the proposals of `container`, or None if they may.
    The rule decides; this only explains its answer."""
    from django.utils.translation import gettext

    from quitodecide.rulebook import RefusalKind, allowed, explain

    if allowed(user, "proposals.comment", container):
        return None
    if (refusal := explain(user, "proposals.comment", container)).kind == RefusalKind.CONSENT:
        return refusal.reason  # the participation gate's reason, with the way back
    if not (user and user.is_authenticated and user.is_active):
        return gettext("Log in to comment on this request.")
    return gettext("Confirm your e-mail address to take part.")
