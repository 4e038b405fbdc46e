"""For tests/test_exports.py's EXERCISERS: "actors.opendata": exercise_actors_opendata,
"actors.import_template": exercise_actors_import_template."""

import json

from actors.models import Actor
from tests.actors.helpers import make_actor, staff

DOWNLOADS = ("conteos", "directorio")
NUMERIC = {"actor_id", "year", "actors", "members", "year_mapped", "latitude", "longitude"}


def exercise_actors_opendata(client):
    """Formulas typed by staff as actors' names, barrios and sources run through both
    datasets (CSV escaped, JSON kept as typed); contact details never reach them."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe, csv_cells

    user = staff(city=True)
    for index, formula in enumerate(CORPUS):
        actor = make_actor(
            "calderon",
            user=user,
            name=f"Actor {index}",
            contact_name="Contacto Reservado",
            contact_email=f"reservado{index}@example.org",
            contact_public=index % 2 == 0,
            lat="-0.1",
            lon="-78.4",
        )
        # Stored as typed (the services trim whitespace, which would drop "\t=1+1").
        Actor.objects.filter(pk=actor.pk).update(name=formula, barrio=formula, source_name=formula)
    responses = []
    for name in DOWNLOADS:
        csv_response = client.get(f"/actores/datos/{name}.csv")
        json_response = client.get(f"/actores/datos/{name}.json")
        rows = csv_cells(csv_response)
        assert_formula_safe(rows, numeric_columns=NUMERIC)
        if name == "directorio":
            assert_corpus_escaped(rows)
            data = json.loads(json_response.content)[name]
            assert {row["name"] for row in data} >= set(CORPUS)
        for response in (csv_response, json_response):
            body = response.content.decode()
            assert "reservado" not in body and "Contacto Reservado" not in body
        responses += [csv_response, json_response]
    return responses


def exercise_actors_import_template(client):
    """The import template (fixed columns and one example row) is formula-safe."""
    from tests.factories import login_with_mfa
    from tests.test_exports import assert_formula_safe, csv_cells

    login_with_mfa(client, staff("calderon"))
    response = client.get("/admin/actores-importar/plantilla.csv")
    assert_formula_safe(csv_cells(response), numeric_columns={"miembros", "anio_mapeo"})
    return [response]
