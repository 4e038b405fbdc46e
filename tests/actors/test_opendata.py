"""The actors' open data: two datasets in the catalogue (counts per zone, year and type;
the directory without contacts), CSV and JSON through the export module, and the selector
behind the indicator."""

import csv
import io
import json

import pytest

from actors import selectors
from opendata.registry import dataset
from quitodecide import exports
from tests.actors.exercisers import (
    DOWNLOADS,
    exercise_actors_import_template,
    exercise_actors_opendata,
)
from tests.actors.helpers import make_actor, staff

pytestmark = pytest.mark.django_db


def _csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith(exports.BOM)
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_every_download_is_a_declared_export(client, territory):
    for name in DOWNLOADS:
        for fmt in ("csv", "json"):
            response = client.get(f"/actores/datos/{name}.{fmt}")
            assert response.status_code == 200
            assert response.export == "actors.opendata" and response.export_format == fmt


def test_the_formula_corpus_is_escaped_and_no_contact_leaks(client, territory):
    responses = exercise_actors_opendata(client)
    assert {r.export_format for r in responses} == {"csv", "json"}


def test_the_import_template_is_a_declared_export(client, territory):
    (response,) = exercise_actors_import_template(client)
    assert response.export == "actors.import_template"
    header = _csv(response)[0].keys()
    assert list(header)[:3] == ["nombre", "tipo", "parroquia"]


def test_counts_per_zone_year_and_type(client, territory):
    user = staff(city=True)
    make_actor("calderon", user=user, year_mapped=2024)
    make_actor("calderon", user=user, year_mapped=2024)
    make_actor("calderon", user=user, year_mapped=2025, kind="cabildo")
    make_actor("tumbaco", user=user, year_mapped=2024)
    inactive = make_actor("tumbaco", user=user, year_mapped=2024)
    inactive.is_active = False
    inactive.save()
    rows = selectors.counts_by_zone_year()
    got = {(row["zone_slug"], row["year"], row["kind"]): row["actors"] for row in rows}
    assert got == {
        ("calderon", 2024, "comite_barrial"): 2,
        ("calderon", 2025, "cabildo"): 1,
        ("tumbaco", 2024, "comite_barrial"): 1,
    }
    served = _csv(client.get("/actores/datos/conteos.csv"))
    assert [(r["zone_slug"], r["year"], r["kind"], r["actors"]) for r in served] == [
        ("calderon", "2024", "comite_barrial", "2"),
        ("calderon", "2025", "cabildo", "1"),
        ("tumbaco", "2024", "comite_barrial", "1"),
    ]
    data = json.loads(client.get("/actores/datos/conteos.json").content)
    assert data["licence"] == "CC-BY-4.0" and len(data["conteos"]) == 3


def test_datasets_are_in_the_catalogue_without_personal_columns(client, territory):
    for slug in ("actores-sociales-conteos", "actores-sociales-directorio"):
        found = dataset(slug)
        assert found is not None
        columns = {column.name for column in found.dictionary}
        assert not columns & {"contact_name", "contact_email", "contact_phone"}
        assert {d.format for d in found.distributions} == {"CSV", "JSON"}
    directory = dataset("actores-sociales-directorio")
    assert [c.name for c in directory.dictionary] == list(selectors.DIRECTORY_COLUMNS)
    assert client.get("/datos/").status_code == 200


def test_contacts_are_never_in_the_datasets_even_with_consent(client, territory):
    make_actor(contact_name="Ana Pública", contact_email="ana@example.org", contact_public=True)
    for name in DOWNLOADS:
        for fmt in ("csv", "json"):
            body = client.get(f"/actores/datos/{name}.{fmt}").content.decode()
            assert "ana@example.org" not in body and "Ana Pública" not in body
