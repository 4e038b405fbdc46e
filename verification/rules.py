"""The rule book's verification actions: the city-wide team's census files, zone staff's
code sheets and request queue, and residents verifying themselves."""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    STAFF_OF_ZONE,
    WITH_VERIFIED_EMAIL,
    Refusal,
    RefusalKind,
    action,
    because,
    has_verified_email,
    is_active_user,
    lives_in,
    staff_of,
)


def the_zone(zone):
    return zone


def request_zone(request):
    return request.zone


@rules.predicate
def is_city_staff(user, zone=None) -> bool:
    """The city-wide team (and superusers): census files cover whole populations."""
    from territory.permissions import staff_zones

    return bool(user and user.is_authenticated and user.is_active) and staff_zones(user) is None


@rules.predicate
def request_open(user, request) -> bool:
    return request is not None and request.status == "open"


def _city_only(user, obj, predicate):
    from django.utils.translation import gettext

    return Refusal(gettext("Only the city-wide team can do this."), RefusalKind.STAFF)


def _handled(user, obj, predicate):
    from django.utils.translation import gettext

    return Refusal(gettext("This request has already been handled."), RefusalKind.PHASE)


because(is_city_staff, _city_only)
because(request_open, _handled)

action(
    "verification.upload_census",
    is_city_staff,
    target="zone",
    rows={"any": {"city_staff*"}},
    summary=_("Upload or withdraw a census file for a zone"),
    staff=True,
)
action(
    "verification.issue_codes",
    staff_of(the_zone),
    target="zone",
    rows={"any": STAFF_OF_ZONE},
    summary=_("Generate a sheet of one-time verification codes for an event of the zone"),
    staff=True,
)
action(
    "verification.handle_request",
    staff_of(request_zone) & request_open,
    target="verification_request",
    rows={"open": STAFF_OF_ZONE, "closed": set()},
    summary=_("Verify or reject a resident's request to be verified"),
    staff=True,
)
action(
    "verification.verify_self",
    is_active_user & has_verified_email,
    target="zone",
    rows={"any": WITH_VERIFIED_EMAIL},
    summary=_("Verify one's own residency with a census file or a one-time code"),
    participation=True,
)
action(
    "verification.request",
    lives_in(the_zone) & has_verified_email,
    target="zone",
    rows={"any": {"resident", "verified"}},
    summary=_("Ask the staff of one's zone to verify one's residency"),
    participation=True,
)
