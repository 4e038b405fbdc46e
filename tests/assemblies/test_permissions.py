"""Permission predicates as a matrix: role x status x zone."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory

from assemblies import permissions
from assemblies.models import AssemblyStatus, Poll
from tests.factories import UserFactory

from .conftest import staff_of, verified_resident

pytestmark = pytest.mark.django_db

STATUSES = [AssemblyStatus.SCHEDULED, AssemblyStatus.LIVE, AssemblyStatus.FINISHED]


@pytest.fixture
def roles(zone_page, other_zone_page, unverified):
    city = UserFactory()
    city.groups.add(Group.objects.get(name="Equipo ciudad"))
    return {
        "anonymous": AnonymousUser(),
        "unverified": unverified,
        "verified": verified_resident(zone_page),
        "zone_staff": staff_of(zone_page),
        "other_zone_staff": staff_of(other_zone_page),
        "city_staff": city,
        "superuser": UserFactory(is_superuser=True, is_staff=True),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", False),
        ("unverified", False),
        ("verified", False),
        ("zone_staff", True),
        ("other_zone_staff", False),
        ("city_staff", True),
        ("superuser", True),
    ],
)
def test_can_run_assembly(assembly, roles, role, expected):
    assert permissions.can_run_assembly(roles[role], assembly) is expected


@pytest.mark.parametrize("mfa", [True, False])
def test_control_panel_needs_mfa_this_session(assembly, roles, mfa):
    from django.contrib.sessions.backends.db import SessionStore

    user = roles["zone_staff"]
    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    if mfa:
        request.session["account_authentication_methods_user"] = str(user.pk)
        request.session["account_authentication_methods"] = [{"method": "mfa", "at": 0}]
    assert permissions.can_use_control_panel(request, assembly) is mfa
    request.user = roles["other_zone_staff"]
    assert permissions.can_use_control_panel(request, assembly) is False


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("mode", Poll.Mode.values)
@pytest.mark.parametrize("role", ["anonymous", "unverified", "verified", "zone_staff"])
def test_can_vote(roles, role, status, mode):
    poll = Poll(mode=mode, status=Poll.Status.OPEN)
    expected = role == "verified" and status == AssemblyStatus.LIVE and mode != Poll.Mode.ROOM
    assert permissions.can_vote(roles[role], poll, status) is expected


def test_cannot_vote_on_a_closed_poll(roles):
    poll = Poll(mode=Poll.Mode.ONLINE, status=Poll.Status.CLOSED)
    assert not permissions.can_vote(roles["verified"], poll, AssemblyStatus.LIVE)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("role", ["anonymous", "unverified", "verified"])
def test_can_ask_and_upvote(roles, role, status):
    expected = role != "anonymous" and status != AssemblyStatus.FINISHED
    assert permissions.can_ask(roles[role], status) is expected
    assert permissions.can_upvote(roles[role], status) is expected
