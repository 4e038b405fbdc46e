"""The rule book's actions on the open-government action plans.

Target: an action plan ("opengov_plan", one phase, "any"); the action also answers for
None (a plan not created yet). Who edits: the members of the open-government staff group
("Gobierno abierto", created by `manage.py load_opengov`), the city-wide team and
superusers, after MFA in their session. The matrix knows no open-government role, so its
rows say `city_staff*`: the city-wide team may act, zone staff may not; the group's own
members are checked in tests/opengov/test_admin.py.
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import action

OPENGOV_GROUP_NAME = "Gobierno abierto"


@rules.predicate
def is_opengov_staff(user) -> bool:
    """A member of the open-government group or of the city-wide team, or a superuser."""
    from territory.services import CITY_GROUP_NAME

    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    # Read once per user object: the admin asks this rule many times per request.
    cached = user.__dict__.get("_opengov_staff")
    if cached is None:
        cached = user.groups.filter(name__in=[OPENGOV_GROUP_NAME, CITY_GROUP_NAME]).exists()
        user.__dict__["_opengov_staff"] = cached
    return cached


action(
    "opengov.edit",
    is_opengov_staff,
    target="opengov_plan",
    rows={"any": {"city_staff*"}},
    summary=_(
        "Edit the open-government action plans: commitments, milestones, statuses and "
        "verifiables (the open-government group and the city-wide team)"
    ),
    staff=True,
)
