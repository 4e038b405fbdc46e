"""The rule book's account actions."""

from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import STAFF_OF_ZONE, action, staff_of


def resident_zone(resident):
    return resident.zone


action(
    "accounts.verify_resident",
    staff_of(resident_zone),
    target="resident",
    rows={"any": STAFF_OF_ZONE},
    summary=_("Verify (or withdraw) a resident's residency"),
    staff=True,
)
