"""The participation report with dispositions: the page (and its print stylesheet), the CSV
and the JSON carry each comment's and observation's disposition and a summary per article;
hidden comments keep their text (and disposition) out; the query count stays flat; the
consultation page says how many contributions were taken up."""

import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from consultations import services
from consultations.dispositions import disposition_set
from consultations.models import ConsultationPage, Disposition, InPersonSession
from discussions import services as discussion_services
from quitodecide import exports
from territory.models import ZonePage
from tests.consultations.helpers import make_consultation
from tests.consultations.test_dispositions import close, say
from tests.verification.helpers import zone_staff

pytestmark = pytest.mark.django_db
A = Disposition.Outcome


@pytest.fixture
def reported(territory):
    page = make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="informe")
    staff = zone_staff("calderon")
    taken = say(page, "Paradas cubiertas", proposed_wording="Todas las paradas tendrán techo.")
    refused = say(page, "Quitar la ciclovía", key="art-2")
    waiting = say(page, "Una duda", key="art-2")
    hidden = say(page, "Texto que la moderación ocultó")
    session = InPersonSession.objects.create(
        consultation=page, held_on=datetime.date(2026, 11, 2), place="Casa barrial", attendees=9
    )
    observation = services.observation_record(
        session=session, actor=staff, text="Más luminarias", provision_key="art-1"
    )
    page = close(page)
    disposition_set(consultation=page, actor=staff, outcome=A.ACCEPTED, comments=[taken])
    disposition_set(
        consultation=page,
        actor=staff,
        outcome=A.REJECTED,
        reason="La ciclovía es parte del plan maestro aprobado.",
        comments=[refused, hidden],
        observations=[],
    )
    disposition_set(
        consultation=page,
        actor=staff,
        outcome=A.PARTIAL,
        reason="Se añaden luminarias en las paradas.",
        observations=[observation],
    )
    discussion_services.comment_hide(comment=hidden, actor=staff, reason="Insultos")
    return {
        "page": page,
        "staff": staff,
        "taken": taken,
        "refused": refused,
        "waiting": waiting,
        "hidden": hidden,
        "observation": observation,
    }


def csv_rows(client, page) -> list[dict]:
    response = client.get(page.url + "informe/csv/")
    assert response.status_code == 200
    text = response.content.decode("utf-8").removeprefix(exports.BOM)
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_a_row_per_contribution_with_its_disposition(client, reported):
    rows = csv_rows(client, reported["page"])
    comments = {int(r["comment_id"]): r for r in rows if r["kind"] == "comment"}
    observations = [r for r in rows if r["kind"] == "observation"]
    taken, refused = comments[reported["taken"].pk], comments[reported["refused"].pk]
    assert (taken["disposition"], taken["disposition_reason"]) == ("acogida", "")
    assert taken["disposition_label"] in {"Acogida", "Taken up"}
    assert refused["disposition"] == "no_acogida"
    assert refused["disposition_reason"] == "La ciclovía es parte del plan maestro aprobado."
    assert comments[reported["waiting"].pk]["disposition"] == ""
    # The hidden comment keeps its place, never its text nor its disposition.
    hidden = comments[reported["hidden"].pk]
    assert (hidden["status"], hidden["body"], hidden["disposition"]) == ("hidden", "", "")
    assert hidden["disposition_reason"] == ""
    [observation] = observations
    assert observation["observation_id"] == str(reported["observation"].pk)
    assert observation["comment_id"] == "" and observation["body"] == "Más luminarias"
    assert observation["session"] == "Casa barrial (02/11/2026)"
    assert observation["article"] == "Artículo 1"
    assert (observation["disposition"], observation["disposition_reason"]) == (
        "parcial",
        "Se añaden luminarias en las paradas.",
    )


def test_the_json_has_dispositions_and_a_summary_per_article(client, reported):
    response = client.get(reported["page"].url + "informe/json/")
    data = json.loads(response.content)
    comments = {row["comment_id"]: row for row in data["comments"]}
    assert comments[reported["taken"].pk]["disposition"] == "acogida"
    assert comments[reported["hidden"].pk]["disposition"] == ""
    assert "Texto que la moderación ocultó" not in response.content.decode()
    [observation] = data["observations"]
    assert observation["disposition"] == "parcial" and observation["kind"] == "observation"
    summary = {row["key"]: row for row in data["dispositions"]["per_article"]}
    assert summary["art-1"] | {"article": ""} == {
        "article": "",
        "key": "art-1",
        "in_current_version": True,
        "contributions": 2,
        "taken_up": 2,
        "pending": 0,
        "acogida": 1,
        "parcial": 1,
        "no_acogida": 0,
        "fuera_ambito": 0,
    }
    assert (summary["art-2"]["no_acogida"], summary["art-2"]["pending"]) == (1, 1)
    totals = data["dispositions"]["totals"]
    assert (totals["total"], totals["taken_up"], totals["pending"]) == (4, 2, 1)
    assert set(data["dispositions"]["outcomes"]) == set(A.values)


def test_the_report_page_shows_each_disposition_and_the_summary(client, reported):
    response = client.get(reported["page"].url + "informe/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Paradas cubiertas",
        "Todas las paradas tendrán techo.",
        "La ciclovía es parte del plan maestro aprobado.",
        "Más luminarias",
        "Se añaden luminarias en las paradas.",
        'id="r-dispositions"',
        f'id="contribucion-c{reported["taken"].pk}"',
        f'id="contribucion-o{reported["observation"].pk}"',
        "report-print.css",
    ):
        assert text in html, text
    assert "Texto que la moderación ocultó" not in html
    assert "Acogida parcialmente" in html and "No acogida" in html
    # The summary table: art-2 has 2 contributions, 1 not taken up, 1 without disposition.
    assert "Disposiciones por artículo" in html


def test_a_formula_in_a_reason_is_neutralised_in_the_csv(client, reported):
    disposition_set(
        consultation=reported["page"],
        actor=reported["staff"],
        outcome=A.OUT_OF_SCOPE,
        reason='=HYPERLINK("http://x")',
        comments=[reported["waiting"]],
    )
    rows = csv_rows(client, reported["page"])
    row = next(r for r in rows if r["comment_id"] == str(reported["waiting"].pk))
    assert row["disposition_reason"] == '\'=HYPERLINK("http://x")'


@given(reason=st.text(min_size=1, max_size=300).filter(lambda t: t.replace("\x00", "").strip()))
@hsettings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_reason_reaches_the_json_as_given(client, reported, reason):
    disposition_set(
        consultation=reported["page"],
        actor=reported["staff"],
        outcome=A.REJECTED,
        reason=reason,
        comments=[reported["waiting"]],
    )
    data = json.loads(client.get(reported["page"].url + "informe/json/").content)
    row = next(r for r in data["comments"] if r["comment_id"] == reported["waiting"].pk)
    assert row["disposition_reason"] == reason.replace("\x00", "").strip()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_report_queries_do_not_grow_with_contributions(client, reported):
    page = reported["page"]
    urls = [page.url + "informe/", page.url + "informe/csv/", page.url + "informe/json/"]
    for url in urls:
        client.get(url)  # warm caches
    before = [count_queries(client, url) for url in urls]
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + datetime.timedelta(days=5)
    )
    page = ConsultationPage.objects.get(pk=page.pk)
    new = [say(page, f"Comentario {n}", key=f"art-{1 + n % 3}") for n in range(12)]
    page = close(page)
    session = InPersonSession.objects.get(consultation=page)
    extra = [
        services.observation_record(session=session, actor=reported["staff"], text=f"Obs {n}")
        for n in range(4)
    ]
    disposition_set(
        consultation=page,
        actor=reported["staff"],
        outcome=A.REJECTED,
        reason="No procede.",
        comments=new[:8],
        observations=extra,
    )
    assert [count_queries(client, url) for url in urls] == before


def test_the_consultation_page_counts_what_was_taken_up(client, reported):
    page = reported["page"]
    html = client.get(page.url).content.decode()
    # 4 contributions (3 visible comments and 1 observation); 2 taken up (1 fully, 1 partly).
    assert 'data-taken-up="2" data-contributions="4"' in html
    assert "2 de 4 contribuciones fueron acogidas" in html
    assert "1 por completo, 1 parcialmente" in html
    assert "1 aún espera su disposición." in html
    assert page.url + "informe/#r-dispositions" in html


def test_the_page_count_appears_only_once_dispositions_exist(client, territory):
    page = close(make_consultation(slug="sin-disposiciones"))
    html = client.get(page.url).content.decode()
    assert "data-taken-up" not in html
    open_page = make_consultation(slug="abierta")
    assert "data-taken-up" not in client.get(open_page.url).content.decode()


def test_the_page_count_costs_one_query(client, reported):
    page = reported["page"]
    client.get(page.url)
    with_dispositions = count_queries(client, page.url)
    Disposition.objects.all().delete()
    without = count_queries(client, page.url)
    assert with_dispositions == without  # the count is the one query either way
