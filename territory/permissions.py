"""Who may act for a zone. One predicate per question; services call these."""

from .models import Zone
from .services import CITY_GROUP_NAME, ZONE_GROUP_PREFIX, zone_group_name


def _group_names(user) -> frozenset[str]:
    """The user's group names, read once per user object (a request's user, a consumer's
    scope user): every staff rule asks them, as Django caches permissions on the user."""
    cached = user.__dict__.get("_quitodecide_group_names")
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user.__dict__["_quitodecide_group_names"] = cached
    return cached


def is_zone_staff(user, zone: Zone | None) -> bool:
    """Staff of `zone` (member of its editors group), the city-wide team, or a superuser.
    `zone=None` means a city-wide object: only superusers and the city-wide team act on it."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    names = _group_names(user)
    if CITY_GROUP_NAME in names:
        return True
    return zone is not None and zone_group_name(zone) in names


def staff_zones(user) -> list[Zone] | None:
    """The zones `user` acts for as staff: None means every zone and city-wide objects
    (superusers, the city-wide team); an empty list means none. Two queries."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    if user.is_superuser:
        return None
    names = _group_names(user)
    if CITY_GROUP_NAME in names:
        return None
    return [zone for zone in Zone.objects.all() if zone_group_name(zone) in names]


def acts_as_staff(user) -> bool:
    """Anyone who may enter the admin or belongs to a zone's or the city's staff group:
    the people the MFA gate (quitodecide.mfa) applies to."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or user.has_perm("wagtailadmin.access_admin"):
        return True
    names = _group_names(user)
    return CITY_GROUP_NAME in names or any(name.startswith(ZONE_GROUP_PREFIX) for name in names)
