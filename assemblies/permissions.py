"""Who may do what in an assembly. One predicate per action; services and consumers call
these, and tests/assemblies/test_permissions.py checks them as a role x status x zone matrix.
"""

from quitodecide.mfa import session_passed_mfa
from territory.permissions import is_zone_staff

from .models import AssemblyPage, AssemblyStatus, Poll


def assembly_zone(assembly: AssemblyPage):
    """The zone whose staff run the assembly (its parent ZonePage's zone)."""
    from territory.models import ZonePage

    zone_page = (
        ZonePage.objects.filter(path=assembly.path[: -assembly.steplen])
        .select_related("zone")
        .first()
    )
    return zone_page.zone if zone_page else None


def can_run_assembly(user, assembly: AssemblyPage) -> bool:
    """Staff of the assembly's zone (or city-wide staff). MFA is checked per session by
    `can_use_control_panel`, which views and consumers use."""
    return is_zone_staff(user, assembly_zone(assembly))


def can_use_control_panel(request, assembly: AssemblyPage) -> bool:
    """`request` is an HttpRequest, or anything with `.user` and `.session` (a consumer's
    scope adapter)."""
    return can_run_assembly(request.user, assembly) and session_passed_mfa(request)


def is_verified_resident(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    resident = getattr(user, "resident", None)
    return bool(resident and resident.is_verified)


def can_vote(user, poll: Poll, status: str) -> bool:
    return (
        is_verified_resident(user)
        and status == AssemblyStatus.LIVE
        and poll.status == Poll.Status.OPEN
        and poll.counts_online
    )


def can_ask(user, status: str) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and status != AssemblyStatus.FINISHED
    )


def can_upvote(user, status: str) -> bool:
    return can_ask(user, status)
