"""The actors' import: CSV and XLSX, row-by-row report, all or nothing, update by the
natural key (parish, type, name ignoring case), the zone's parishes only, hostile files."""

import csv
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from actors import audit, importer
from actors.models import Actor, ActorImport
from quitodecide.errors import PermissionDenied
from tests.actors.helpers import make_actor, staff, zone

pytestmark = pytest.mark.django_db

HEADER = list(importer.COLUMNS)


def row(**values):
    base = {
        "nombre": "Comité Pro Mejoras San Juan",
        "tipo": "comite_barrial",
        "parroquia": "Calderón",
        "barrio": "San Juan",
        "estado_legal": "con_personeria",
        "registro": "ACU-1",
        "miembros": "45",
        "anio_mapeo": "2025",
        "fuente": "administracion_zonal",
        "nombre_fuente": "",
        "descripcion": "",
        "latitud": "",
        "longitud": "",
        "contacto_nombre": "",
        "contacto_correo": "",
        "contacto_telefono": "",
        "publicar_contacto": "no",
        "activo": "",
    }
    base.update(values)
    return [base[column] for column in HEADER]


def csv_file(rows, header=HEADER, delimiter=";"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_file(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def desk(territory):
    return staff("calderon")


def apply(content, user, slug="calderon"):
    return importer.apply_content(content, actor=user, zone=zone(slug), file_name="actores.csv")


def test_a_good_csv_is_checked_without_writing_then_applied(desk):
    content = csv_file(
        [
            row(),
            row(
                nombre="Liga Deportiva Llano Chico",
                tipo="Liga deportiva",  # the label, in English
                parroquia="Llano Chico",
                estado_legal="de_hecho",
                miembros="",
                publicar_contacto="sí",
                contacto_correo="liga@example.org",
            ),
        ]
    )
    report = importer.check_content(content, zone=zone("calderon"))
    assert report.ok, report.errors
    assert report.summary()["created"] == 2
    assert not Actor.objects.exists()  # checking writes nothing
    record = apply(content, desk)
    assert (record.created, record.updated) == (2, 0)
    liga = Actor.objects.get(name="Liga Deportiva Llano Chico")
    assert liga.kind == "liga_deportiva" and liga.members is None
    assert liga.contact_public and liga.contact_consent_at is not None
    assert ModelLogEntry.objects.filter(action=audit.ACTOR_IMPORT).count() == 1
    assert ModelLogEntry.objects.filter(action=audit.ACTOR_SAVE).count() == 2


def test_a_good_xlsx_with_number_cells(desk):
    content = xlsx_file(
        [
            [
                "Cabildo de Calderón",
                "cabildo",
                "Calderón",
                "",
                "de_hecho",
                "",
                30,
                2024,
                "universidad",
                "Universidad Central del Ecuador",
                "",
                -0.095,
                -78.42,
                "",
                "",
                "",
                "no",
            ]
        ]
    )
    record = apply(content, desk)
    assert record.created == 1
    actor = Actor.objects.get()
    assert actor.members == 30 and actor.year_mapped == 2024
    assert float(actor.lat) == -0.095 and actor.source_name == "Universidad Central del Ecuador"


def test_the_dpa_code_names_the_parish(desk):
    parish = zone("calderon").parishes.order_by("name").last()
    apply(csv_file([row(parroquia=parish.dpa_code)]), desk)
    assert Actor.objects.get().parish == parish


def test_row_errors_are_reported_per_row_and_column_and_nothing_is_written(desk):
    content = csv_file(
        [
            row(nombre="Bueno"),
            row(nombre="", tipo="banda"),
            row(nombre="Otro", parroquia="Tumbaco"),  # a parish of another zone
            row(nombre="Tercero", anio_mapeo="dos mil", miembros="-3", contacto_correo="x@"),
            row(nombre="bueno"),  # the first row's natural key again
        ]
    )
    report = importer.check_content(content, zone=zone("calderon"))
    found = {(error["row"], error["column"]) for error in report.errors}
    expected = {(3, "nombre"), (3, "tipo"), (4, "parroquia"), (5, "anio_mapeo"), (5, "miembros")}
    assert expected <= found
    assert (6, "nombre") in found
    assert all(error["message"] for error in report.errors)
    with pytest.raises(importer.Rejected):
        apply(content, desk)
    assert not Actor.objects.exists() and not ActorImport.objects.exists()


def test_an_existing_actor_is_updated_by_its_natural_key(desk):
    actor = make_actor(user=desk, name="Comité Pro Mejoras San Juan", members=10)
    record = apply(csv_file([row(nombre="COMITÉ PRO MEJORAS SAN JUAN", miembros="99")]), desk)
    assert (record.created, record.updated) == (0, 1)
    actor.refresh_from_db()
    assert actor.members == 99 and Actor.objects.count() == 1
    # The same file again changes nothing.
    record = apply(csv_file([row(nombre="COMITÉ PRO MEJORAS SAN JUAN", miembros="99")]), desk)
    assert (record.created, record.updated) == (0, 0)


def test_only_the_zones_staff_import(desk):
    with pytest.raises(PermissionDenied):
        apply(csv_file([row()]), staff("tumbaco"))
    with pytest.raises(PermissionDenied):
        apply(csv_file([row()]), staff("calderon", mfa=False))
    assert not Actor.objects.exists()


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"   \n\n",
        b"\x00\x01\x02binary junk\xff\xfe",
        b"\xd0\xcf\x11\xe0" + b"\x00" * 100,  # legacy XLS
        b"PK\x03\x04 not really a zip",
        _zip({"hola.txt": "x"}),
        _zip({"xl/workbook.xml": "<broken"}),
        b"foo;bar\n1;2\n",  # wrong headers
        b"nombre;tipo;parroquia;estado_legal;anio_mapeo;fuente\n",  # no rows
        b"nombre;nombre;tipo\n",  # a column twice
        b"\xff\xfe" + "nombre\ttipo\n".encode("utf-16-le")[:7],  # damaged UTF-16
    ],
)
def test_hostile_files_are_file_errors(desk, content):
    report = importer.check_content(content, zone=zone("calderon"))
    assert not report.ok
    assert report.errors[0]["row"] is None and report.errors[0]["message"]


def test_too_large_and_too_many_rows(desk):
    report = importer.check_content(b"x" * (importer.MAX_FILE_BYTES + 1), zone=zone("calderon"))
    assert "MB" in report.errors[0]["message"]
    many = csv_file([row(nombre=f"Comité {n}") for n in range(importer.MAX_ROWS + 1)])
    report = importer.check_content(many, zone=zone("calderon"))
    assert report.errors[0]["row"] is None and "5.000" in report.errors[0]["message"]


def test_formulas_and_huge_numbers_are_row_errors_or_text(desk):
    content = csv_file(
        [
            row(nombre='=HYPERLINK("http://x")', miembros="1e400"),
            row(nombre="Dos", miembros="99999999999999999999", latitud="1e999", longitud="-78"),
            row(nombre="Tres", anio_mapeo="20250000000000000000"),
        ]
    )
    report = importer.check_content(content, zone=zone("calderon"))
    found = {(error["row"], error["column"]) for error in report.errors}
    assert {(2, "miembros"), (3, "miembros"), (3, "latitud"), (4, "anio_mapeo")} <= found


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cells=st.lists(
        st.one_of(
            st.text(max_size=30),
            st.integers(min_value=-(10**30), max_value=10**30).map(str),
            st.floats(allow_nan=True, allow_infinity=True).map(str),
        ),
        min_size=len(HEADER),
        max_size=len(HEADER),
    )
)
def test_any_cells_give_a_report_never_an_exception(desk, cells):
    content = csv_file([cells])
    report = importer.check_content(content, zone=zone("calderon"))
    assert report.ok or report.errors
    for error in report.errors:
        assert error["column"] is None or error["column"] in importer.COLUMNS
