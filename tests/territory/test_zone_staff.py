"""The zone-staff predicate other apps' services rely on, as a role x zone matrix."""

import pytest
from django.contrib.auth.models import Group

from territory.models import Zone
from territory.permissions import is_zone_staff
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_matrix(territory):
    calderon, tumbaco = Zone.objects.get(slug="calderon"), Zone.objects.get(slug="tumbaco")
    calderon_staff = UserFactory()
    calderon_staff.groups.add(Group.objects.get(name=zone_group_name(calderon)))
    city = UserFactory()
    city.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    resident = UserFactory()
    superuser = UserFactory(is_superuser=True)
    inactive = UserFactory(is_active=False)
    inactive.groups.add(Group.objects.get(name=zone_group_name(calderon)))
    expected = {
        # user: (calderon, tumbaco, city-wide)
        calderon_staff: (True, False, False),
        city: (True, True, True),
        resident: (False, False, False),
        superuser: (True, True, True),
        inactive: (False, False, False),
    }
    for user, (own, other, citywide) in expected.items():
        assert is_zone_staff(user, calderon) is own
        assert is_zone_staff(user, tumbaco) is other
        assert is_zone_staff(user, None) is citywide


def test_anonymous_is_nobody(territory):
    from django.contrib.auth.models import AnonymousUser

    assert not is_zone_staff(AnonymousUser(), Zone.objects.first())
