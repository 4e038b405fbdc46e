"""Reads for verification: census look-ups, what each staff member may reach (census files,
code sheets, the request queue), a resident's requests and records."""

import hmac
from dataclasses import dataclass

from accounts.cedula import cedula_hash
from territory.permissions import staff_zones

from . import hashing
from .models import CensusBatch, CensusEntry, CodeSheet, VerificationRecord, VerificationRequest


@dataclass(frozen=True)
class CensusMatch:
    """A census row the resident proved: for which zone, and parish (None: the census
    knows only the zone, and the resident's chosen parish is not in it). `parish_fixed`:
    the census states the parish (a parish census), so it cannot be changed."""

    entry_id: int
    cedula_hash: str
    zone: object
    parish: object
    parish_fixed: bool = False

    def as_session(self) -> dict:
        return {
            "entry": self.entry_id,
            "cedula_hash": self.cedula_hash,
            "zone": self.zone.pk,
            "parish": self.parish.pk if self.parish else None,
            "parish_fixed": self.parish_fixed,
        }


def census_match(*, cedula: str, born_on, parish) -> CensusMatch | None:
    """The newest standing census row for this cédula that the date of birth (birth-date
    census) or the parish (parish census) proves; None otherwise. The caller rate-limits
    and gives one answer for every kind of failure."""
    digest = cedula_hash(cedula)
    birth = hashing.birth_hash(cedula, born_on) if born_on else ""
    entries = (
        CensusEntry.objects.filter(cedula_hash=digest, batch__withdrawn_at=None)
        .select_related("batch__zone", "parish")
        .order_by("-batch__uploaded_at", "-pk")
    )
    for entry in entries:
        zone = entry.batch.zone
        if entry.batch.kind == CensusBatch.Kind.BIRTH_DATE:
            if birth and hmac.compare_digest(entry.birth_hash, birth):
                chosen = parish if parish is not None and parish.zone_id == zone.pk else None
                return CensusMatch(entry.pk, digest, zone, chosen)
        elif parish is not None and entry.parish_id == parish.pk:
            return CensusMatch(entry.pk, digest, zone, entry.parish, parish_fixed=True)
    return None


def match_from_session(data) -> CensusMatch | None:
    from territory.models import Parish, Zone

    if not isinstance(data, dict):
        return None
    try:
        zone = Zone.objects.get(pk=data["zone"])
        parish = (
            Parish.objects.filter(pk=data.get("parish")).first() if data.get("parish") else None
        )
        return CensusMatch(
            int(data["entry"]),
            str(data["cedula_hash"]),
            zone,
            parish,
            parish_fixed=bool(data.get("parish_fixed")),
        )
    except (KeyError, TypeError, ValueError, Zone.DoesNotExist):
        return None


def _in_zones(queryset, user, field="zone"):
    zones = staff_zones(user)
    if zones is None:
        return queryset
    return queryset.filter(**{f"{field}__in": zones})


def batches_for(user):
    """Census files `user` may see: the city-wide team's (everyone else: none)."""
    if staff_zones(user) is not None:
        return CensusBatch.objects.none()
    return CensusBatch.objects.select_related("zone", "uploaded_by")


def sheets_for(user):
    return _in_zones(CodeSheet.objects.select_related("zone", "created_by", "assembly"), user)


def requests_for(user):
    """Requests of the zones `user` works for (every zone for the city-wide team)."""
    if staff_zones(user) == []:
        return VerificationRequest.objects.none()
    return _in_zones(
        VerificationRequest.objects.select_related("resident__user", "zone", "parish"), user
    )


def open_requests_for(user):
    return requests_for(user).filter(status=VerificationRequest.Status.OPEN)


def open_request_of(resident):
    if resident is None or resident.pk is None:
        return None
    return VerificationRequest.objects.filter(
        resident=resident, status=VerificationRequest.Status.OPEN
    ).first()


def last_request_of(resident):
    if resident is None or resident.pk is None:
        return None
    return VerificationRequest.objects.filter(resident=resident).order_by("-created_at").first()


def records_of(resident):
    return VerificationRecord.objects.filter(resident=resident).select_related("zone", "parish")
