"""The council's open data: four datasets in the catalogue, CSV and JSON through the export
module, tallies computed from the votes, no personal data of empty-seat applicants."""

import csv
import io
import json

import pytest

from council import services
from council.models import EmptySeatApplication
from opendata.registry import dataset
from quitodecide import exports
from tests.council.exercisers import DOWNLOADS, exercise_council_opendata
from tests.council.helpers import make_held_session, secretariat

pytestmark = pytest.mark.django_db


def _csv(response):
    text = response.content.decode("utf-8")
    assert text.startswith(exports.BOM)
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_every_download_is_a_declared_export(client):
    for name in DOWNLOADS:
        for fmt in ("csv", "json"):
            response = client.get(f"/concejo/datos/{name}.{fmt}")
            assert response.status_code == 200
            assert response.export == "council.opendata" and response.export_format == fmt


def test_the_formula_corpus_is_escaped(client, territory):
    responses = exercise_council_opendata(client)
    assert {r.export_format for r in responses} == {"csv", "json"}


def test_datasets_are_in_the_catalogue_with_their_columns(client):
    from council import views

    columns = {
        "concejo-sesiones": views.SESSION_COLUMNS,
        "concejo-puntos-orden-del-dia": views.ITEM_COLUMNS,
        "concejo-asistencia": views.ATTENDANCE_COLUMNS,
        "concejo-votaciones": views.VOTE_COLUMNS,
    }
    for slug, names in columns.items():
        found = dataset(slug)
        assert found is not None, slug
        assert tuple(c.name for c in found.dictionary) == names
        assert [d.format for d in found.distributions] == ["CSV", "JSON"]
        for distribution in found.distributions:
            assert client.get(distribution.url()).status_code == 200


def test_items_carry_the_computed_tally_and_votes_each_councillor(client, territory):
    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=3)
    application = EmptySeatApplication.objects.create(
        item=item,
        organisation="Colectivo Barrial La Floresta",
        legal_registration="MIES-77",
        legal_representative="Representante Privado",
        delegate="Delegada Privada",
        delegate_email="delegada.privada@example.org",
        contact_email="contacto.privado@example.org",
        status=EmptySeatApplication.Status.ACCREDITED,
    )
    services.roll_call_record(
        actor=actor,
        item=item,
        votes={councillors[0]: "a_favor", councillors[1]: "a_favor", councillors[2]: "blanco"},
        empty_seat_votes={application: "en_contra"},
    )
    (row,) = _csv(client.get("/concejo/datos/puntos.csv"))
    assert (row["votes_a_favor"], row["votes_en_contra"], row["votes_blanco"]) == ("2", "1", "1")
    votes = json.loads(client.get("/concejo/datos/votaciones.json").content)["votaciones"]
    assert {v["councillor"] for v in votes} == {c.name for c in councillors} | {""}
    assert {v["empty_seat_organisation"] for v in votes} == {"", "Colectivo Barrial La Floresta"}
    everything = b"".join(
        client.get(f"/concejo/datos/{name}.{fmt}").content
        for name in DOWNLOADS
        for fmt in ("csv", "json")
    )
    for private in (b"privad", b"example.org", b"MIES-77"):
        assert private not in everything.lower()


def test_downloads_refuse_post(client):
    assert client.post("/concejo/datos/sesiones.csv").status_code == 405
