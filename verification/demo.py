"""Demo data for verification (development only; `make setup` loads it through
`load_demo`): a census file of Calderón holding one made-up person, a sheet of one-time
codes for a demo assembly with one code printed by `manage.py demo_logins`, and a
resident's request waiting in Calderón's queue. Idempotent.

The cédula below is made up (third digit 9, which no natural person's number uses) and the
code is fixed so that the demo logins can print them; real sheets are random and shown
once."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.cedula import cedula_hash, check_digit

from .hashing import birth_hash, code_hash
from .models import CensusBatch, CensusEntry, CodeSheet, VerificationCode, VerificationRequest

CENSUS_LABEL = "Padrón de demostración (Calderón)"
CENSUS_CEDULA = "179888001" + str(check_digit("179888001"))
CENSUS_BIRTH = datetime.date(1985, 6, 15)
SHEET_LABEL = "Asamblea parroquial de demostración (Calderón)"
DEMO_CODE = "DEMQ2-CDG7H"


@transaction.atomic
def load() -> None:
    from accounts.models import Resident
    from home.demo import UNVERIFIED_EMAIL, refuse_in_production
    from territory.models import Zone

    refuse_in_production()
    zone = Zone.objects.get(slug="calderon")
    batch, _created = CensusBatch.objects.get_or_create(
        zone=zone,
        label=CENSUS_LABEL,
        defaults={"kind": CensusBatch.Kind.BIRTH_DATE, "rows": 1},
    )
    CensusEntry.objects.get_or_create(
        batch=batch,
        cedula_hash=cedula_hash(CENSUS_CEDULA),
        defaults={"birth_hash": birth_hash(CENSUS_CEDULA, CENSUS_BIRTH)},
    )
    sheet, _created = CodeSheet.objects.get_or_create(
        zone=zone,
        label=SHEET_LABEL,
        defaults={"expires_on": timezone.localdate() + datetime.timedelta(days=90), "count": 1},
    )
    if sheet.expires_on < timezone.localdate() + datetime.timedelta(days=30):
        sheet.expires_on = timezone.localdate() + datetime.timedelta(days=90)  # old demo DBs
        sheet.save(update_fields=["expires_on"])
    VerificationCode.objects.get_or_create(
        code_hash=code_hash(DEMO_CODE), defaults={"sheet": sheet}
    )
    # A request in the staff's queue: an unverified demo resident of Calderón (not the
    # demo login, who is left to try the census and the code).
    waiting = (
        Resident.objects.filter(zone=zone, verification_status=Resident.Verification.UNVERIFIED)
        .exclude(user__email=UNVERIFIED_EMAIL)
        .exclude(parish=None)
        .order_by("pk")
        .first()
    )
    if waiting is not None and not VerificationRequest.objects.filter(resident=waiting).exists():
        VerificationRequest.objects.create(
            resident=waiting,
            zone=zone,
            parish=waiting.parish,
            message="Vivo en el barrio desde hace diez años; puedo llevar una planilla de luz.",
        )
