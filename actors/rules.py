"""The rule book's actions on the map of social actors.

Target "actor": one actor (or an unsaved one carrying the zone, to create or import); one
phase, "any". Staff of the actor's zone (and the city-wide team) edit, import and read the
contact details; everyone reads the public directory (no rule: it is public).
"""

from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import STAFF_OF_ZONE, action, staff_of


def actor_zone(actor):
    return actor.zone


action(
    "actors.manage",
    staff_of(actor_zone),
    target="actor",
    rows={"any": STAFF_OF_ZONE},
    summary=_(
        "Edit and import the zone's social actors and read their contact details (zone staff)"
    ),
    staff=True,
)
