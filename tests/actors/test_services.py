"""Saving and deleting a social actor: the rule book (staff of the actor's zone with MFA),
the checks (parish of the zone, year, coordinates, e-mail), the consent date, the audit."""

import pytest
from wagtail.models import ModelLogEntry

from actors import audit, services
from actors.models import Actor
from quitodecide.errors import DomainError, PermissionDenied
from tests.actors.helpers import data, make_actor, other_parish, staff, zone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_zone_staff_create_an_actor_with_an_audit_entry(territory):
    user = staff("calderon")
    actor = services.actor_save(actor=user, zone=zone("calderon"), data=data(name="Liga Carapungo"))
    assert actor.pk and actor.zone.slug == "calderon"
    entry = ModelLogEntry.objects.get(action=audit.ACTOR_SAVE, object_id=str(actor.pk))
    assert entry.user_id == user.pk
    assert entry.data["created"] is True


@pytest.mark.parametrize(
    "who",
    [
        lambda: staff("tumbaco"),  # another zone's staff
        lambda: staff("calderon", mfa=False),  # staff without MFA
        lambda: UserFactory(),  # an account
    ],
)
def test_refused_for_anyone_but_the_zones_staff_with_mfa(territory, who):
    with pytest.raises(PermissionDenied):
        services.actor_save(actor=who(), zone=zone("calderon"), data=data())
    assert not Actor.objects.exists()


def test_another_zones_staff_cannot_edit_or_delete(territory):
    actor = make_actor("calderon")
    intruder = staff("tumbaco")
    with pytest.raises(PermissionDenied):
        services.actor_save(
            actor=intruder, zone=zone("calderon"), data=data(name="Otro"), record=actor
        )
    with pytest.raises(PermissionDenied):
        services.actor_delete(actor=intruder, record=actor)
    assert Actor.objects.get(pk=actor.pk).name == actor.name


def test_the_city_team_may_act_in_any_zone(territory):
    actor = make_actor("tumbaco", user=staff(city=True))
    assert actor.zone.slug == "tumbaco"


def test_the_parish_must_be_of_the_zone(territory):
    with pytest.raises(DomainError) as error:
        services.actor_save(
            actor=staff("calderon"),
            zone=zone("calderon"),
            data=data(parish=other_parish("calderon")),
        )
    assert error.value.field == "parish"
    assert not Actor.objects.exists()


def test_la_mariscal_takes_actors_of_mariscal_sucre(territory):
    actor = make_actor("la-mariscal")
    assert actor.parish.dpa_code == "170123"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": "  "}, "name"),
        ({"kind": "nope"}, "kind"),
        ({"year_mapped": 1999}, "year_mapped"),
        ({"year_mapped": 3000}, "year_mapped"),
        ({"members": -1}, "members"),
        ({"members": 10**12}, "members"),
        ({"lat": "-0.2", "lon": None}, "lon"),
        ({"lat": "45", "lon": "-78.5"}, "lat"),
        ({"lat": "-0.2", "lon": "NaN"}, "lon"),
        ({"contact_email": "no-es-correo"}, "contact_email"),
        ({"contact_public": True}, "contact_public"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_wrong_values_are_refused_naming_the_field(territory, overrides, field):
    with pytest.raises(services.FieldProblem) as error:
        make_actor(**overrides)
    assert error.value.field == field
    assert not Actor.objects.exists()


def test_the_natural_key_is_unique_ignoring_case(territory):
    make_actor(name="Liga Barrial Carapungo", kind="liga_deportiva")
    with pytest.raises(DomainError):
        make_actor(name="liga barrial CARAPUNGO", kind="liga_deportiva")
    assert make_actor(name="Liga Barrial Carapungo", kind="comite_barrial").pk


def test_consent_records_its_date_and_withdrawal_clears_it(territory):
    user = staff()
    actor = make_actor(user=user, contact_name="Ana Pérez", contact_email="ana@example.org")
    assert actor.contact_consent_at is None
    values = data(name=actor.name, contact_email="ana@example.org", contact_public=True)
    actor = services.actor_save(actor=user, zone=actor.zone, data=values, record=actor)
    assert actor.contact_consent_at is not None
    entry = ModelLogEntry.objects.filter(action=audit.ACTOR_SAVE).order_by("-pk").first()
    assert entry.data["changed"]["contact_public"] == [False, True]
    assert "ana@example.org" not in str(entry.data)  # the log keeps no contact values
    values["contact_public"] = False
    actor = services.actor_save(actor=user, zone=actor.zone, data=values, record=actor)
    assert actor.contact_consent_at is None


def test_delete_leaves_an_audit_entry(territory):
    user = staff()
    actor = make_actor(user=user)
    services.actor_delete(actor=user, record=actor)
    assert not Actor.objects.exists()
    assert ModelLogEntry.objects.filter(action=audit.ACTOR_DELETE).exists()
