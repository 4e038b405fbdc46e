"""The admin of social actors: the list holds only the user's zones, the form saves through
the services (refusals on the form), the import screen checks then imports."""

import io

import pytest
from django.conf import settings

from actors.models import Actor, ActorImport
from tests.actors.helpers import make_actor, staff
from tests.actors.test_importer import csv_file, row
from tests.factories import login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, territory):
    user = staff("calderon")
    login_with_mfa(client, user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def upload(client, content, zone_pk, name="actores.csv"):
    file = io.BytesIO(content)
    file.name = name
    return client.post("/admin/actores-importar/", {"zone": str(zone_pk), "file": file})


def test_the_list_shows_only_the_users_zones(client, desk):
    mine = make_actor("calderon", name="Comité De Aquí")
    theirs = make_actor("tumbaco", name="Comité De Allá", user=staff(city=True))
    html = client.get("/admin/actores/").content.decode()
    assert mine.name in html and theirs.name not in html
    assert client.get(f"/admin/actores/edit/{theirs.pk}/").status_code == 404
    assert client.get(f"/admin/actores/edit/{mine.pk}/").status_code == 200


def test_the_form_saves_through_the_services(client, desk):
    from actors.services import parishes_for
    from territory.models import Zone

    zone = Zone.objects.get(slug="calderon")
    parish = parishes_for(zone).first()
    form = {
        "name": "Liga Barrial Nueva",
        "kind": "liga_deportiva",
        "zone": zone.pk,
        "parish": parish.pk,
        "legal_status": "de_hecho",
        "year_mapped": 2025,
        "source": "administracion_zonal",
        "contact_email": "liga@example.org",
        "contact_public": "on",
        "is_active": "on",
    }
    response = client.post("/admin/actores/new/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    actor = Actor.objects.get(name="Liga Barrial Nueva")
    assert actor.contact_consent_at is not None and actor.updated_by == desk
    # A year out of range comes back on the form, not as an error page.
    form.update(name="Otra", year_mapped=1990)
    response = client.post("/admin/actores/new/", form)
    assert response.status_code == 200 and not Actor.objects.filter(name="Otra").exists()


def test_import_check_then_apply(client, desk):
    from territory.models import Zone

    calderon = Zone.objects.get(slug="calderon")
    response = upload(client, csv_file([row(), row(nombre="Segundo")]), calderon.pk)
    assert response.status_code == 200
    assert not Actor.objects.exists()  # checking writes nothing
    token = response.context["pending"]["token"]
    response = client.post("/admin/actores-importar/importar/", {"token": token})
    assert response.status_code == 302
    assert Actor.objects.count() == 2
    record = ActorImport.objects.get()
    assert (record.created, record.updated, record.zone) == (2, 0, calderon)
    # The token is spent: posting it again imports nothing.
    client.post("/admin/actores-importar/importar/", {"token": token})
    assert ActorImport.objects.count() == 1


def test_import_report_lists_row_errors(client, desk):
    from territory.models import Zone

    calderon = Zone.objects.get(slug="calderon")
    response = upload(client, csv_file([row(), row(parroquia="Tumbaco")]), calderon.pk)
    html = response.content.decode()
    assert response.status_code == 200 and "actor-import-errors" in html
    assert "Tumbaco" in html and response.context["pending"] is None
    assert not Actor.objects.exists()


@pytest.mark.parametrize(
    "content", [b"", b"\x00\xff" * 100, b"PK\x03\x04junk", b"=cmd|' /C calc'!A0\n1"]
)
def test_import_never_fails_on_a_hostile_file(client, desk, content):
    from territory.models import Zone

    response = upload(client, content, Zone.objects.get(slug="calderon").pk)
    assert response.status_code == 200
    assert not Actor.objects.exists()


def test_import_refuses_another_zone(client, desk):
    from territory.models import Zone

    response = upload(
        client, csv_file([row(parroquia="Tumbaco")]), Zone.objects.get(slug="tumbaco").pk
    )
    assert response.status_code == 200
    assert response.context["report"] is None  # the zone is not among the choices
    assert not Actor.objects.exists()


def test_only_staff_reach_the_screens(client, territory):
    from tests.factories import UserFactory

    login_with_mfa(client, UserFactory())
    assert client.get("/admin/actores-importar/").status_code in {302, 403}


def test_a_duplicate_comes_back_on_the_form_and_staff_see_the_contact(client, desk):
    actor = make_actor(
        "calderon", name="Comité Único", contact_email="reservado@example.org", user=desk
    )
    edit = client.get(f"/admin/actores/edit/{actor.pk}/").content.decode()
    assert "reservado@example.org" in edit  # staff of the zone read the contact
    form = {
        "name": "comité único",
        "kind": actor.kind,
        "zone": actor.zone_id,
        "parish": actor.parish_id,
        "legal_status": actor.legal_status,
        "year_mapped": 2024,
        "source": actor.source,
        "is_active": "on",
    }
    response = client.post("/admin/actores/new/", form)
    assert response.status_code == 200
    assert Actor.objects.count() == 1


def test_the_menu_offers_the_actors_to_zone_staff(client, desk):
    html = client.get("/admin/").content.decode()
    assert "Social actors" in html and "/admin/actores-importar/" in html
