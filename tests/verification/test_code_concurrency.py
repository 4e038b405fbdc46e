"""One code, used by two residents at the same moment, on PostgreSQL: exactly one is
verified (the claim is a conditional UPDATE inside the verification's transaction).

Skipped on SQLite, which serialises writers (see tests/budgets/test_budget_concurrency.py).
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Resident
from quitodecide.errors import DomainError
from territory.models import Zone
from territory.services import territory_load
from tests.budgets.builders import wagtail_base
from tests.budgets.test_budget_concurrency import run_together
from verification import services
from verification.models import VerificationCode

from .helpers import resident_in, zone_staff

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="needs PostgreSQL (DATABASE_URL): SQLite serialises writers",
    ),
    pytest.mark.django_db(transaction=True),
]

RUNS = 10


def test_one_code_two_residents_at_once_exactly_one_is_verified():
    wagtail_base()
    territory_load()
    zone = Zone.objects.get(slug="calderon")
    for _run in range(RUNS):
        _sheet, codes = services.code_sheet_create(
            actor=zone_staff(),
            zone=zone,
            label="Asamblea",
            count=1,
            expires_on=timezone.localdate() + datetime.timedelta(days=1),
        )
        people = [resident_in("calderon", index % 2) for index in range(4)]
        code = codes[0]
        outcomes = run_together(
            [
                lambda user=person.user, typed=code: services.code_verify_self(
                    user=user, code=typed
                )
                for person in people
            ]
        )
        succeeded = [o for o in outcomes if isinstance(o, Resident)]
        refused = [o for o in outcomes if isinstance(o, DomainError)]
        assert len(succeeded) == 1, outcomes
        assert len(refused) == len(people) - 1, outcomes
        verified = Resident.objects.filter(
            pk__in=[p.pk for p in people], verification_status="verified"
        )
        assert verified.count() == 1
        used = VerificationCode.objects.get(sheet=_sheet)
        assert used.used_by_id == verified.get().user_id
