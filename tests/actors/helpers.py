"""Builders for the actors tests."""

import itertools

from django.contrib.auth.models import Group

from actors import services
from quitodecide.mfa import mark_user
from territory.models import Parish, Zone
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.factories import UserFactory

_serial = itertools.count(1)


def zone(slug="calderon"):
    return Zone.objects.get(slug=slug)


def parish_of(slug="calderon"):
    return services.parishes_for(zone(slug)).first()


def staff(slug="calderon", *, mfa=True, city=False):
    """Staff of zone `slug` (or the city-wide team), marked as having passed MFA."""
    user = UserFactory()
    name = CITY_GROUP_NAME if city else zone_group_name(zone(slug))
    user.groups.add(Group.objects.get(name=name))
    mark_user(user, mfa)
    return user


def data(slug="calderon", **overrides):
    values = {
        "name": f"Comité barrial {next(_serial)}",
        "kind": "comite_barrial",
        "parish": parish_of(slug),
        "barrio": "San Juan",
        "legal_status": "con_personeria",
        "registration": "",
        "members": 25,
        "year_mapped": 2024,
        "source": "administracion_zonal",
        "source_name": "",
        "description": "",
        "lat": None,
        "lon": None,
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "contact_public": False,
    }
    values.update(overrides)
    return values


def make_actor(slug="calderon", *, user=None, **overrides):
    user = user or staff(slug)
    return services.actor_save(actor=user, zone=zone(slug), data=data(slug, **overrides))


def other_parish(slug="calderon"):
    """A parish that is not of zone `slug`."""
    return Parish.objects.exclude(zone__slug=slug).exclude(dpa_code="170123").first()
