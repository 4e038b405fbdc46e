"""Permission predicates as a matrix: phase x role x zone.

Each row says, for one action, in which phases each role may act on a Calderón cycle.
"""

import pytest

from budgets import permissions as budget_rules
from budgets.models import PHASE_ORDER
from proposals import permissions as request_rules
from tests.budgets.builders import make_cycle, make_resident, make_staff, set_phase

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident_unverified_email",
    "resident_email_only",  # verified e-mail, residency not verified
    "resident_verified",
    "resident_other_zone",
    "staff_zone",
    "staff_other_zone",
    "staff_city",
]
PHASES = [None, *PHASE_ORDER, "closed"]  # None: before the cycle; closed: after follow-up

REQ, PRE, PRIO, RES = "requests", "prefeasibility", "prioritisation", "results"
EXPECTED = {
    "submit": {
        "resident_email_only": {REQ},
        "resident_verified": {REQ},
    },
    "support": {"resident_verified": {REQ, PRE}},
    "verdict": {"staff_zone": {REQ, PRE}, "staff_city": {REQ, PRE}},
    "envelopes": {
        "staff_zone": {None, REQ, PRE},
        "staff_city": {None, REQ, PRE},
    },
    "vote": {"resident_verified": {PRIO}},
    "tally": {"staff_zone": {PRIO, RES}, "staff_city": {PRIO, RES}},
    "results": {"staff_zone": {RES}, "staff_city": {RES}},
}
PREDICATES = {
    "submit": request_rules.can_submit_request,
    "support": request_rules.can_support,
    "verdict": request_rules.can_record_verdict,
    "envelopes": budget_rules.can_manage_envelopes,
    "vote": budget_rules.can_vote,
    "tally": budget_rules.can_record_tally,
    "results": budget_rules.can_publish_results,
}


def make_users():
    from django.contrib.auth.models import AnonymousUser

    return {
        "anonymous": AnonymousUser(),
        "resident_unverified_email": make_resident("calderon", email_verified=False),
        "resident_email_only": make_resident("calderon", verified=False),
        "resident_verified": make_resident("calderon"),
        "resident_other_zone": make_resident("tumbaco"),
        "staff_zone": make_staff("calderon"),
        "staff_other_zone": make_staff("tumbaco"),
        "staff_city": make_staff(city=True),
    }


def test_permission_matrix():
    users = make_users()
    cycle = make_cycle("calderon", phase=None)
    mismatches = []
    for phase in PHASES:
        cycle = set_phase(cycle, phase)
        for action, predicate in PREDICATES.items():
            for role in ROLES:
                expected = phase in EXPECTED[action].get(role, set())
                # The predicates read the user's groups and profile afresh each time.
                got = predicate(users[role], cycle)
                if got is not expected:
                    mismatches.append((action, role, phase, got))
    assert mismatches == []


def test_inactive_users_can_do_nothing():
    cycle = make_cycle("calderon", phase="prioritisation")
    voter = make_resident("calderon")
    voter.is_active = False
    staff = make_staff("calderon")
    staff.is_active = False
    assert not budget_rules.can_vote(voter, cycle)
    assert not budget_rules.can_record_tally(staff, cycle)
