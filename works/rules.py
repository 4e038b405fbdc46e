"""The rule book's actions on public works.

Targets: a work, by phase of its life ("planned": planificada or en contratación;
"under_way": en ejecución or suspendida; "finished"; "cancelled"), and a zone (for what
staff do across a zone's works: create one, import the monthly matrix).
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

from .status import FINAL, WorkStatus

WORK_PHASES = ("planned", "under_way", "finished", "cancelled")


def work_zone(work):
    return work.zone


def the_zone(zone):
    return zone


@rules.predicate
def is_open(user, work) -> bool:
    """Not finished nor cancelled: its figures can still change."""
    return work is not None and work.status not in FINAL


@rules.predicate
def not_cancelled(user, work) -> bool:
    return work is not None and work.status != WorkStatus.CANCELLED


action(
    "works.create",
    staff_of(the_zone),
    target="zone",
    rows={"any": STAFF_OF_ZONE},
    summary=_("Add a municipal work to the zone's works"),
    staff=True,
)
action(
    "works.import_matrix",
    staff_of(the_zone),
    target="zone",
    rows={"any": STAFF_OF_ZONE},
    summary=_("Import the monthly update matrix of the zone's works"),
    staff=True,
)
action(
    "works.edit",
    staff_of(work_zone),
    target="work",
    rows=dict.fromkeys(WORK_PHASES, STAFF_OF_ZONE),
    summary=_("Edit a work's details, committee and documents"),
    staff=True,
)
action(
    "works.post_update",
    staff_of(work_zone) & is_open,
    target="work",
    rows={
        "planned": STAFF_OF_ZONE,
        "under_way": STAFF_OF_ZONE,
        "finished": set(),
        "cancelled": set(),
    },
    summary=_("Post a dated update (status, progress, photos) on a work not yet closed"),
    staff=True,
)
action(
    "works.observe",
    verified_resident_of(work_zone) & not_cancelled,
    target="work",
    rows={
        "planned": {"verified"},
        "under_way": {"verified"},
        "finished": {"verified"},
        "cancelled": set(),
    },
    summary=_("Post an observation from the ground (veeduría ciudadana)"),
    participation=True,
)
action(
    "works.follow",
    is_active_user,
    target="work",
    rows=dict.fromkeys(WORK_PHASES, LOGGED_IN),
    summary=_("Follow a work: be told when its status changes"),
    participation=True,
)
