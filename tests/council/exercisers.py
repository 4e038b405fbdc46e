"""For tests/test_exports.py's EXERCISERS: "council.opendata": exercise_council_opendata."""

import json

from council import services
from council.models import AgendaItem, Councillor, CouncilSession
from tests.council.helpers import make_held_session, secretariat

DOWNLOADS = ("sesiones", "puntos", "asistencia", "votaciones")
NUMERIC = {
    "session_id",
    "item_id",
    "position",
    "councillor_id",
    "agenda_items",
    "votes_a_favor",
    "votes_en_contra",
    "votes_abstencion",
    "votes_blanco",
    "votes_ausente",
}


def exercise_council_opendata(client):
    """Formulas typed by the secretariat as a place, number, item titles and summaries,
    councillors' names and parties run through every council download (CSV escaped, JSON
    kept as typed)."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe, csv_cells

    actor = secretariat()
    session, item, councillors = make_held_session(actor, size=len(CORPUS), items=len(CORPUS))
    # Stored as typed (the services trim whitespace, which would drop "\t=1+1").
    for index, (formula, councillor) in enumerate(zip(CORPUS, councillors, strict=True)):
        Councillor.objects.filter(pk=councillor.pk).update(name=formula, party=formula)
        AgendaItem.objects.filter(session=session, position=index + 1).update(
            title=formula, summary=formula
        )
    CouncilSession.objects.filter(pk=session.pk).update(number=CORPUS[0], place=CORPUS[1])
    services.roll_call_record(actor=actor, item=item, votes=dict.fromkeys(councillors, "a_favor"))
    responses = []
    for name in DOWNLOADS:
        csv_response = client.get(f"/concejo/datos/{name}.csv")
        json_response = client.get(f"/concejo/datos/{name}.json")
        rows = csv_cells(csv_response)
        assert_formula_safe(rows, numeric_columns=NUMERIC)
        if name in {"puntos", "asistencia", "votaciones"}:
            assert_corpus_escaped(rows)
        data = json.loads(json_response.content)[name]
        assert data, name
        responses += [csv_response, json_response]
    return responses
