"""The public directory (/actores/): filters through the query string, pagination, the
counts table, the map data, an actor's page; contact details only with consent."""

import json
import re

import pytest

from actors.demo import load_demo_actors
from actors.models import Actor
from territory.models import Zone
from tests.actors.helpers import make_actor, staff

pytestmark = pytest.mark.django_db

SECRET = "secreta.persona@example.org"
SHOWN = "publica.persona@example.org"


def map_data(html):
    match = re.search(r'<script id="actors-map-data" type="application/json">(.*?)</script>', html)
    return json.loads(match[1])


@pytest.fixture
def actors(territory):
    user = staff(city=True)
    hidden = make_actor(
        "calderon",
        user=user,
        name="Comité Barrial Oculto",
        contact_name="Persona Reservada",
        contact_email=SECRET,
        contact_phone="0991112222",
        year_mapped=2023,
    )
    shown = make_actor(
        "tumbaco",
        user=user,
        name="Liga Deportiva Visible",
        kind="liga_deportiva",
        contact_name="Persona Pública",
        contact_email=SHOWN,
        contact_public=True,
        year_mapped=2025,
        source="universidad",
        source_name="Universidad Central del Ecuador",
    )
    return hidden, shown


def test_the_directory_lists_cards_and_hides_contacts_without_consent(client, actors):
    hidden, shown = actors
    response = client.get("/actores/")
    assert response.status_code == 200
    html = response.content.decode()
    assert hidden.name in html and shown.name in html
    assert "Universidad Central del Ecuador" in html
    assert SHOWN in html and "Persona Pública" in html
    assert SECRET not in html and "Persona Reservada" not in html and "0991112222" not in html
    points = map_data(html)
    assert {point["name"] for point in points} == {hidden.name, shown.name}
    assert SECRET not in json.dumps(points) and SHOWN not in json.dumps(points)


def test_an_actors_page_shows_its_contact_only_with_consent(client, actors):
    hidden, shown = actors
    page = client.get(f"/actores/{hidden.pk}/").content.decode()
    assert hidden.name in page and SECRET not in page and "Persona Reservada" not in page
    page = client.get(f"/actores/{shown.pk}/").content.decode()
    assert SHOWN in page
    assert client.get("/actores/999999/").status_code == 404
    assert client.get("/actores/99999999999/").status_code == 404


def test_a_withdrawn_consent_hides_the_contact_at_once(client, actors):
    _hidden, shown = actors
    Actor.objects.filter(pk=shown.pk).update(contact_public=False)
    assert SHOWN not in client.get("/actores/").content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("zona=tumbaco", {"Liga Deportiva Visible"}),
        ("zona=calderon", {"Comité Barrial Oculto"}),
        ("tipo=liga_deportiva", {"Liga Deportiva Visible"}),
        ("anio=2023", {"Comité Barrial Oculto"}),
        ("estado=de_hecho", set()),
        ("q=oculto", {"Comité Barrial Oculto"}),
        ("q=universidad+central", {"Liga Deportiva Visible"}),
        ("zona=nada&tipo=x&anio=20x5&estado=zzz&parroquia=12", None),  # all ignored
    ],
)
def test_filters(client, actors, query, expected):
    response = client.get(f"/actores/?{query}")
    assert response.status_code == 200
    html = response.content.decode()
    listed = {point["name"] for point in map_data(html)}
    if expected is None:
        assert listed == {"Comité Barrial Oculto", "Liga Deportiva Visible"}
        assert 'class="notice"' in html
    else:
        assert listed == expected


def test_the_parish_filter_takes_a_dpa_code(client, actors):
    hidden, _shown = actors
    response = client.get(f"/actores/?parroquia={hidden.parish.dpa_code}")
    assert {point["name"] for point in map_data(response.content.decode())} == {hidden.name}


def test_hostile_queries_never_fail(client, actors):
    for query in ("pagina=0", "pagina=99999", "pagina=-1", "q=" + "%F0%9F%98%80" * 300, "q=%FF"):
        assert client.get(f"/actores/?{query}").status_code == 200
    assert client.get("/actores/?q=%00").status_code < 500  # the site refuses NUL (400)


def test_pagination_and_counts_table(client, territory):
    load_demo_actors()
    total = Actor.objects.count()
    first = client.get("/actores/").content.decode()
    assert 'rel="next"' in first
    assert f">{total} act" in first  # "60 actores" once translated
    second = client.get("/actores/?pagina=2")
    assert second.status_code == 200 and 'rel="prev"' in second.content.decode()
    assert "actors-counts" in first
    for zone in Zone.objects.all():
        assert zone.name in first


def test_demo_fills_every_zone_and_is_idempotent(territory):
    load_demo_actors()
    count = Actor.objects.count()
    load_demo_actors()
    assert Actor.objects.count() == count
    for zone in Zone.objects.all():
        size = Actor.objects.filter(zone=zone).count()
        assert 4 <= size <= 8, zone.slug
    assert Actor.objects.filter(contact_public=True).exists()
    assert Actor.objects.filter(source_name="Universidad Central del Ecuador").exists()
    assert set(Actor.objects.values_list("year_mapped", flat=True)) == {2023, 2024, 2025}
    assert Actor.objects.values("kind").distinct().count() >= 5
