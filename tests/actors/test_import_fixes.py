"""Defects found by the review of the actors' import: a re-import keeps what the file does
not say (inactive actors, contact, consent, point), the natural key across zones (Mariscal
Sucre), Unicode-normalised names, and the sweep of abandoned uploads."""

import datetime
import io
import os
import unicodedata

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import override_settings

from actors import importer, services
from actors.models import Actor
from actors.uploads import FOLDER, purge_stale_uploads
from quitodecide.errors import DomainError
from quitodecide.storage import private_storage
from territory.models import Parish, Zone
from tests.actors.helpers import make_actor, staff, zone
from tests.actors.test_importer import HEADER, csv_file, row
from tests.factories import login_with_mfa

pytestmark = pytest.mark.django_db

REQUIRED = ["nombre", "tipo", "parroquia", "estado_legal", "anio_mapeo", "fuente"]
NAME = "Comité Pro Mejoras San Juan"


def minimal(rows, header=REQUIRED):
    """A file with some columns only: rows are dicts of column -> cell."""
    base = dict(zip(HEADER, row(), strict=True))
    return csv_file([[{**base, **values}[column] for column in header] for values in rows], header)


def check(content, slug="calderon"):
    return importer.check_content(content, zone=zone(slug))


def apply(content, user, slug="calderon"):
    return importer.apply_content(content, actor=user, zone=zone(slug), file_name="a.csv")


@pytest.fixture
def desk(territory):
    return staff("calderon")


@pytest.fixture
def mapped(desk):
    """An inactive actor with a published contact, a point, a description and members."""
    actor = make_actor(
        user=desk,
        name=NAME,
        members=45,
        registration="ACU-1",
        barrio="San Juan",
        legal_status="con_personeria",
        year_mapped=2025,
        description="Organiza mingas.",
        lat="-0.095",
        lon="-78.42",
        contact_name="Rosa Pérez",
        contact_email="rosa@example.org",
        contact_phone="0999999999",
        contact_public=True,
        is_active=False,
    )
    actor.refresh_from_db()
    assert not actor.is_active and actor.contact_consent_at
    return actor


def test_a_file_with_the_required_columns_only_keeps_everything_else(desk, mapped):
    content = minimal([{"nombre": NAME.upper(), "anio_mapeo": "2024"}])
    report = check(content)
    assert report.ok, report.errors
    apply(content, desk)
    actor = Actor.objects.get()
    assert actor.year_mapped == 2024 and not actor.is_active
    assert (actor.contact_name, actor.contact_email, actor.contact_phone) == (
        "Rosa Pérez",
        "rosa@example.org",
        "0999999999",
    )
    assert actor.contact_public and actor.contact_consent_at == mapped.contact_consent_at
    assert float(actor.lat) == -0.095 and float(actor.lon) == -78.42
    assert actor.description == "Organiza mingas." and actor.members == 45
    assert actor.registration == "ACU-1" and actor.barrio == "San Juan"
    assert report.summary()["updated"] == 1
    assert report.lines == [
        {"row": 2, "name": NAME.upper(), "action": "update", "columns": ["nombre", "anio_mapeo"]}
    ]


def test_the_full_template_with_activo_empty_keeps_an_inactive_actor(desk, mapped):
    content = csv_file(
        [
            row(
                descripcion="Organiza mingas.",
                latitud="-0.095",
                longitud="-78.42",
                contacto_nombre="Rosa Pérez",
                contacto_correo="rosa@example.org",
                contacto_telefono="0999999999",
                publicar_contacto="si",
            )
        ]
    )
    report = check(content)
    apply(content, desk)
    assert not Actor.objects.get().is_active
    assert report.ok and report.lines[0]["action"] == "unchanged", report.lines


@pytest.mark.parametrize("cell, active", [("si", True), ("no", False), ("", False)])
def test_the_column_activo_alone_changes_the_active_flag(desk, mapped, cell, active):
    content = minimal([{"activo": cell}], header=[*REQUIRED, "activo"])
    report = check(content)
    assert report.ok, report.errors
    apply(content, desk)
    assert Actor.objects.get().is_active is active
    assert report.lines[0]["columns"] == (["activo"] if active else [])


def test_a_present_empty_cell_clears_the_field_and_the_report_names_columns_only(desk, mapped):
    header = [*REQUIRED, "contacto_correo", "publicar_contacto", "latitud", "longitud"]
    content = minimal(
        [{"contacto_correo": "", "publicar_contacto": "", "latitud": "", "longitud": ""}], header
    )
    report = check(content)
    assert report.ok, report.errors
    record = apply(content, desk)
    actor = Actor.objects.get()
    assert actor.contact_email == "" and not actor.contact_public
    assert actor.contact_consent_at is None and actor.lat is None
    assert actor.contact_name == "Rosa Pérez"  # its column is not in the file
    assert report.lines[0]["columns"] == ["latitud", "longitud", "contacto_correo"] + [
        "publicar_contacto"
    ]
    assert "rosa" not in repr(report.lines) and "Rosa" not in repr(report.lines)
    assert "rosa" not in repr(record.report)


def test_a_new_actor_from_a_minimal_file_is_active_with_empty_fields(desk):
    apply(minimal([{"nombre": "Cabildo Nuevo", "tipo": "cabildo"}]), desk)
    actor = Actor.objects.get()
    assert actor.is_active and actor.members is None and actor.contact_email == ""


def test_the_admin_report_says_what_each_row_does(client, desk, mapped):
    login_with_mfa(client, desk)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    file = io.BytesIO(minimal([{"anio_mapeo": "2024"}, {"nombre": "Liga Nueva"}]))
    file.name = "a.csv"
    html = client.post(
        "/admin/actores-importar/", {"zone": str(zone().pk), "file": file}
    ).content.decode()
    assert "updates the actor" in html and "creates the actor" in html
    assert "<code>anio_mapeo</code>" in html and "rosa@example.org" not in html


# --- the natural key across zones (Mariscal Sucre) ------------------------------------------
@pytest.fixture
def mariscal_actor(territory):
    actor = make_actor("la-mariscal", name="Comité Centro Histórico", kind="comite_barrial")
    assert actor.parish.dpa_code == "170123"
    return actor


def _espejo_row(**values):
    return minimal([{"nombre": "COMITÉ CENTRO HISTÓRICO", "parroquia": "170123", **values}])


@pytest.mark.parametrize("city", [False, True])
def test_an_import_never_touches_another_zones_actor(mariscal_actor, city):
    report = check(_espejo_row(), "eugenio-espejo")
    assert not report.ok and report.summary()["updated"] == 0
    error = report.errors[0]
    assert error["column"] == "nombre" and "La Mariscal" in error["message"]
    user = staff(city=True) if city else staff("eugenio-espejo")
    with pytest.raises(importer.Rejected):
        apply(_espejo_row(), user, "eugenio-espejo")
    mariscal_actor.refresh_from_db()
    assert mariscal_actor.zone.slug == "la-mariscal" and mariscal_actor.year_mapped == 2024


def test_saving_a_key_taken_by_another_zone_names_that_zone(mariscal_actor):
    with pytest.raises(services.FieldProblem) as error:
        make_actor(
            "eugenio-espejo",
            name="comité centro histórico",
            parish=Parish.objects.get(dpa_code="170123"),
        )
    assert error.value.field == "name" and "La Mariscal" in error.value.message
    assert Actor.objects.count() == 1


# --- Unicode -----------------------------------------------------------------------------------
def test_names_are_normalised_on_save_and_compared_normalised(desk):
    actor = make_actor(user=desk, name="  Comité \n Nuevo\t ")
    assert actor.name == "Comité Nuevo"
    for twin in (
        unicodedata.normalize("NFD", "COMITÉ NUEVO"),
        "Comité  Nuevo",
        unicodedata.normalize("NFD", "comité nuevo"),
    ):
        with pytest.raises(DomainError):
            make_actor(user=desk, name=twin)
    assert Actor.objects.count() == 1


def test_the_import_key_is_normalised(desk):
    make_actor(user=desk, name="Comité Nuevo")
    nfd = unicodedata.normalize("NFD", "COMITÉ  NUEVO")
    report = check(minimal([{"nombre": nfd}]))
    assert report.ok and report.summary()["created"] == 0, report.errors
    # Two rows differing only in the form of "É" or in spaces are the same key.
    report = check(minimal([{"nombre": "Liga Ñandú"}, {"nombre": "LIGA  " + "ÑANDÚ"}]))
    assert not report.ok and report.errors[0]["row"] == 3


def test_a_line_break_in_a_name_is_a_space_and_members_take_thousands(desk):
    apply(
        minimal([{"nombre": "Comité\nNuevo", "miembros": "1.000"}], [*REQUIRED, "miembros"]), desk
    )
    actor = Actor.objects.get()
    assert actor.name == "Comité Nuevo" and actor.members == 1000
    report = check(minimal([{"miembros": "1.5"}], [*REQUIRED, "miembros"]))
    assert not report.ok and report.errors[0]["column"] == "miembros"


# --- the sweep of abandoned uploads --------------------------------------------------------
@pytest.fixture
def disk(tmp_path):
    storages = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    with override_settings(STORAGES=storages):
        yield private_storage()


def _old_and_new(storage):
    old = storage.save(f"{FOLDER}/old.bin", ContentFile(b"contacto"))
    new = storage.save(f"{FOLDER}/new.bin", ContentFile(b"contacto"))
    seven_hours_ago = (datetime.datetime.now() - datetime.timedelta(hours=7)).timestamp()
    os.utime(storage.path(old), (seven_hours_ago, seven_hours_ago))
    return old, new


def test_the_sweep_deletes_only_old_upload_files(disk):
    assert purge_stale_uploads() == 0  # no folder yet
    old, new = _old_and_new(disk)
    assert purge_stale_uploads() == 1
    assert not disk.exists(old) and disk.exists(new)


def test_the_command_and_every_upload_sweep(client, territory, disk):
    old, new = _old_and_new(disk)
    out = io.StringIO()
    call_command("purge_actor_uploads", stdout=out)
    assert "1" in out.getvalue() and not disk.exists(old) and disk.exists(new)
    old, _new = _old_and_new(disk)
    user = staff("calderon")
    login_with_mfa(client, user)
    file = io.BytesIO(minimal([{}]))
    file.name = "a.csv"
    calderon = Zone.objects.get(slug="calderon")
    assert (
        client.post("/admin/actores-importar/", {"zone": calderon.pk, "file": file}).status_code
        == 200
    )
    assert not disk.exists(old)
