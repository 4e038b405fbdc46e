"""The verification demo (`load_demo`): what `demo_logins` prints works, once; loading
twice changes nothing."""

import pytest
from django.core.management import call_command

from accounts.cedula import cedula_hash
from accounts.models import Resident
from home import demo as home_demo
from verification import demo, services
from verification.models import CensusEntry, CodeSheet, VerificationCode, VerificationRequest

pytestmark = pytest.mark.django_db


def test_the_printed_code_verifies_the_unverified_demo_resident_once(territory, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)  # idempotent
    assert CodeSheet.objects.filter(label=demo.SHEET_LABEL).count() == 1
    assert VerificationCode.objects.count() == 1
    assert CensusEntry.objects.filter(cedula_hash=cedula_hash(demo.CENSUS_CEDULA)).count() == 1
    user = Resident.objects.get(user__email=home_demo.UNVERIFIED_EMAIL).user
    assert not user.resident.is_verified
    services.code_verify_self(user=user, code=demo.DEMO_CODE.lower())
    assert Resident.objects.get(user=user).is_verified
    assert VerificationRequest.objects.filter(resident__user=user).count() == 0
