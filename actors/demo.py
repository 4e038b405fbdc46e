"""Demo map of social actors for `make run` / `manage.py load_demo_actors`: four to eight
invented actors (not real organisations) in every zone, of varied types, mapped in 2023 to
2025 by the zonal administration or a partner university; some consent to publishing their
(invented) contact. Written through actors.services as the demo mapping account (city-wide
team, no usable password). Idempotent: an actor is looked up by its natural key."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from home.demo import refuse_in_production
from quitodecide.mfa import mark_user
from territory.models import Zone
from territory.services import CITY_GROUP_NAME

from . import services

MAPPER_EMAIL = "mapeo.actores@quitodecide.localhost"
UNIVERSITIES = (
    "Universidad Central del Ecuador",
    "Pontificia Universidad Católica del Ecuador",
    "Escuela Politécnica Nacional",
)
# (name pattern, kind, legal status, members); {place} is the parish, {zone} the zone.
TEMPLATES = (
    ("Comité Pro Mejoras del Barrio {barrio}", "comite_barrial", "con_personeria", 60),
    ("Cabildo Ciudadano de {place}", "cabildo", "de_hecho", 35),
    ("Liga Deportiva Barrial {place}", "liga_deportiva", "con_personeria", 220),
    ("Colectivo Juvenil {barrio}", "sociedad_civil", "en_tramite", 18),
    ("Asociación de Mujeres Emprendedoras de {place}", "sociedad_civil", "con_personeria", 42),
    ("Observatorio Ciudadano de {zone}", "academia", "no_aplica", None),
    ("Delegación a la Asamblea de Quito de {zone}", "delegado_asamblea", "no_aplica", 3),
    ("Red de Adultos Mayores de {place}", "otro", "de_hecho", 75),
)
BARRIOS = ("La Esperanza", "San José", "El Rosario", "Los Pinos", "Santa Clara", "El Carmen")
FIRST_NAMES = ("María", "Luis", "Rosa", "Carlos", "Gloria", "Fernando", "Patricia", "Jorge")
SURNAMES = ("Guamán", "Andrade", "Quishpe", "Salazar", "Toapanta", "Herrera", "Cando", "Vega")


def mapper_user():
    refuse_in_production()
    user, created = get_user_model().objects.get_or_create(
        email=MAPPER_EMAIL, defaults={"first_name": "Mapeo de actores", "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user.groups.add(Group.objects.get(name=CITY_GROUP_NAME))
    mark_user(user, True)
    return user


def _plan(zone: Zone, zone_index: int) -> list[dict]:
    parishes = list(services.parishes_for(zone))
    if not parishes:
        return []
    size = 4 + zone_index % 5  # 4 to 8 per zone
    plan = []
    for index in range(size):
        pattern, kind, status, members = TEMPLATES[(zone_index + index) % len(TEMPLATES)]
        parish = parishes[index % len(parishes)]
        barrio = BARRIOS[(zone_index + index) % len(BARRIOS)]
        university = (zone_index + index) % 3 == 0
        public = (zone_index + index) % 4 == 0
        person = (
            f"{FIRST_NAMES[(zone_index + index) % len(FIRST_NAMES)]} "
            f"{SURNAMES[(zone_index * 3 + index) % len(SURNAMES)]}"
        )
        slug = f"{zone.slug}-{index + 1}"
        located = index % 2 == 0 and parish.lat is None and zone.lat is not None
        plan.append(
            {
                "name": pattern.format(place=parish.name, zone=zone.name, barrio=barrio),
                "kind": kind,
                "parish": parish,
                "barrio": barrio if kind in {"comite_barrial", "sociedad_civil"} else "",
                "legal_status": status,
                "registration": f"ACU-{2015 + index}-{100 + zone_index:03d}"
                if status == "con_personeria"
                else "",
                "members": None if members is None else members + 7 * zone_index,
                "year_mapped": 2023 + (zone_index + index) % 3,
                "source": "universidad" if university else "administracion_zonal",
                "source_name": UNIVERSITIES[(zone_index + index) % len(UNIVERSITIES)]
                if university
                else zone.official_name,
                "description": "Organización de demostración (datos inventados).",
                # Near the zone's point, so the map shows its own marker for some.
                "lat": str(round(float(zone.lat) + 0.004 * (index - 2), 6)) if located else None,
                "lon": str(round(float(zone.lon) + 0.003 * (index - 2), 6)) if located else None,
                "contact_name": person,
                "contact_email": f"contacto.{slug}@example.org",
                "contact_phone": f"09{zone_index}{index:02d}{zone_index * 7 + index:05d}"[:10],
                "contact_public": public,
                "is_active": True,
            }
        )
    return plan


@transaction.atomic
def load_demo_actors() -> list[str]:
    user = mapper_user()
    created = 0
    for zone_index, zone in enumerate(Zone.objects.order_by("pk")):
        for values in _plan(zone, zone_index):
            existing = services.find_duplicate(
                parish=values["parish"], kind=values["kind"], name=values["name"]
            )
            if existing is None:
                services.actor_save(actor=user, zone=zone, data=values)
                created += 1
    return [f"social actors created: {created}", "/actores/", "/actores/datos/conteos.csv"]
