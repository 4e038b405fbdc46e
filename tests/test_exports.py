"""Every CSV/JSON download goes through quitodecide.exports and is safe to open in a
spreadsheet: a corpus of formulas typed by residents runs through every declared export,
no CSV cell may begin with a character a spreadsheet evaluates, the BOM is there, and a
declared export this file does not exercise fails the suite. Also: no module writes CSV or
a Content-Disposition header by hand, and hidden comments never reach the report export."""

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from budgets import services as budget_services
from consultations import services as consultation_services
from consultations.models import ConsultationPage
from discussions import services as discussion_services
from quitodecide import exports
from quitodecide.mfa import mark_user
from tests.actors.exercisers import exercise_actors_import_template, exercise_actors_opendata
from tests.assemblies.test_recount import exercise_assembly_recount
from tests.budgets.builders import make_cycle, make_request, make_staff
from tests.budgets.test_recount import exercise_budget_recount
from tests.consultations.helpers import make_consultation
from tests.council.exercisers import exercise_council_opendata
from tests.factories import ResidentFactory, UserFactory
from tests.indicators.test_exports_corpus import (
    exercise_indicators_dataset,
    exercise_indicators_sheet,
)
from tests.opendata.test_catalogue import exercise_territory_opendata
from tests.opengov.test_downloads import exercise_opengov_milestones
from tests.privacy.test_export import exercise_my_data
from tests.surveys.exercisers import exercise_surveys_responses, exercise_surveys_results
from tests.training.exercisers import exercise_training_certificate
from tests.works.test_geojson import exercise_works_opendata
from tests.works.test_importer import exercise_import_template

# What residents can type where an export later shows it. The full-width forms are read as
# formulas by some spreadsheet locales.
CORPUS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://x","clic")',
    "=cmd|' /C calc'!A0",
    "-2+3 calles",
    "＝1+1",
    "＋1",
    "－1",
    "＠SUM(A1)",
]
DANGEROUS = exports.FORMULA_PREFIXES
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


# --- checks shared by every export -------------------------------------------------------------
def csv_cells(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith(exports.BOM), "spreadsheets need the BOM to read UTF-8"
    return list(csv.reader(io.StringIO(text[len(exports.BOM) :], newline="")))


def assert_formula_safe(rows: list[list[str]], numeric_columns: set[str] = frozenset()):
    """No cell begins with a dangerous character, except numbers in numeric columns (the
    export passed them as numbers, which a spreadsheet reads as numbers, not formulas)."""
    header, *body = rows
    for row in rows:
        for column, cell in zip(header, row, strict=True):
            if column in numeric_columns and NUMBER.match(cell):
                continue
            assert not cell.startswith(DANGEROUS), (column, cell)


def assert_corpus_escaped(rows: list[list[str]]):
    """Each formula reached the CSV (it was not dropped), with its leading quote."""
    cells = {cell for row in rows for cell in row}
    for formula in CORPUS:
        assert "'" + formula in cells, formula


def json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def json_data(response):
    assert response["Content-Type"] in {"application/json", "application/geo+json"}
    assert not response.content.startswith(exports.BOM.encode())  # RFC 8259: no BOM
    data = json.loads(response.content)
    strings = set(json_strings(data))
    for formula in CORPUS:  # JSON is for programs: the text is kept exactly as typed
        assert formula in strings, formula
    return data


def assert_attachment(response, export_name, fmt):
    assert response.status_code == 200
    assert response.export == export_name and response.export_format == fmt
    disposition = response["Content-Disposition"]
    assert re.fullmatch(rf'attachment; filename="[a-z0-9_-]+\.{fmt}"', disposition), disposition
    assert response["X-Content-Type-Options"] == "nosniff"


# --- one exerciser per declared export ------------------------------------------------------
def closed_consultation_with(bodies, *, slug="informe", names=None):
    """A consultation that took the comments `bodies` (each from its own resident, whose
    public name is the same text unless `names` are given) and is now closed, so its report
    is published."""
    page = make_consultation(slug=slug, opens=-1, closes=10)
    comments = []
    for number, body in enumerate(bodies):
        author = ResidentFactory(display_name=names[number] if names else body).user
        comments.append(
            consultation_services.consultation_comment(
                consultation=page,
                user=author,
                body=body,
                stance=("favor", "contra", "neutral")[number % 3],
                provision_key="art-1",
                proposed_wording=body,
            )
        )
    ConsultationPage.objects.filter(pk=page.pk).update(
        closes_at=page.opens_at + (page.closes_at - page.opens_at) / 100_000
    )
    return ConsultationPage.objects.get(pk=page.pk), comments


def exercise_consultation_report(client):
    page, _comments = closed_consultation_with(CORPUS)
    base = page.url + "informe/"
    csv_response, json_response = client.get(base + "csv/"), client.get(base + "json/")
    rows = csv_cells(csv_response)
    assert_formula_safe(rows, numeric_columns={"comment_id", "revision", "supports"})
    assert_corpus_escaped(rows)
    data = json_data(json_response)
    assert len(data["comments"]) == len(CORPUS)
    return [csv_response, json_response]


def exercise_budget_results(client):
    cycle = make_cycle("calderon", total=Decimal("1000000.00"), phase="results")
    for formula in CORPUS:
        make_request(cycle, title=formula, cost=Decimal("1000.00"))
    staff = make_staff("calderon")
    mark_user(staff, True)  # staff act only after MFA in their session
    budget_services.results_publish(cycle=cycle, actor=staff)
    base = cycle.url + cycle.reverse_subpage("results_csv")
    csv_response = client.get(base)
    json_response = client.get(cycle.url + cycle.reverse_subpage("results_json"))
    rows = csv_cells(csv_response)
    numeric = {"rank", "online_votes", "assembly_votes", "votes", "cost_usd", "envelope_left_usd"}
    assert_formula_safe(rows, numeric_columns=numeric)
    assert_corpus_escaped(rows)
    data = json_data(json_response)
    assert {project["cost_usd"] for project in data["projects"]} == {"1000.00"}
    return [csv_response, json_response]


EXERCISERS = {
    "budgets.results": exercise_budget_results,
    "consultations.report": exercise_consultation_report,
    "council.opendata": exercise_council_opendata,
    "works.opendata": exercise_works_opendata,
    "works.import_template": exercise_import_template,
    "budgets.recount": exercise_budget_recount,
    "assemblies.recount": exercise_assembly_recount,
    "opengov.milestones": exercise_opengov_milestones,
    "indicators.dataset": exercise_indicators_dataset,
    "indicators.sheet": exercise_indicators_sheet,
    "opendata.territory": exercise_territory_opendata,
    "privacy.my_data": exercise_my_data,
    "actors.opendata": exercise_actors_opendata,
    "actors.import_template": exercise_actors_import_template,
    "surveys.responses": exercise_surveys_responses,
    "surveys.results": exercise_surveys_results,
    "training.certificate": exercise_training_certificate,
}


def test_every_declared_export_is_exercised_here():
    """A new export must be added to EXERCISERS (and so run through the corpus)."""
    declared = set(exports.registry()) - {TEST_EXPORT.name}
    assert declared == set(EXERCISERS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXERCISERS))
def test_formula_corpus_through_every_export(client, territory, name):
    export = exports.registry()[name]
    responses = EXERCISERS[name](client)
    seen = set()
    for response in responses:
        assert_attachment(response, name, response.export_format)
        seen.add(response.export_format)
    assert seen == set(export.formats), "every format of the export was downloaded"


# --- hidden comments ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_hidden_comments_text_never_reaches_the_report_export(client, territory):
    secret = "Texto que la moderación ocultó"
    page, [kept, hidden] = closed_consultation_with(
        ["Una observación que se queda", secret], slug="informe-oculto", names=["Ana", "Luis"]
    )
    base = page.url + "informe/"
    # Before moderation the text is in both downloads: the checks below can see it.
    assert secret in client.get(base + "csv/").content.decode()
    assert secret in client.get(base + "json/").content.decode()

    moderator = UserFactory(is_superuser=True)
    mark_user(moderator, True)
    discussion_services.comment_hide(comment=hidden, actor=moderator, reason="Insultos")

    csv_text = client.get(base + "csv/").content.decode()
    json_text = client.get(base + "json/").content.decode()
    assert secret not in csv_text and secret not in json_text
    rows = list(csv.DictReader(io.StringIO(csv_text.removeprefix(exports.BOM))))
    by_id = {int(row["comment_id"]): row for row in rows}
    assert by_id[hidden.pk]["status"] == "hidden"  # it keeps its place, not its text
    assert by_id[hidden.pk]["body"] == "" and by_id[hidden.pk]["proposed_wording"] == ""
    assert by_id[kept.pk]["body"] == "Una observación que se queda"
    comments = {row["comment_id"]: row for row in json.loads(json_text)["comments"]}
    assert comments[hidden.pk]["body"] == "" and comments[hidden.pk]["proposed_wording"] == ""


# --- the module itself -------------------------------------------------------------------------
@given(st.text())
def test_safe_cell_never_starts_a_formula_and_keeps_the_text(text):
    cell = exports.safe_cell(text)
    assert not cell.startswith(DANGEROUS)
    assert cell in (text, "'" + text)
    hidden_formula = text.lstrip(" \n\r\t").startswith(DANGEROUS)
    assert (cell != text) == (text.startswith(DANGEROUS) or hidden_formula)


@pytest.mark.parametrize("text", [" =1+1", "\n=1+1", "  @SUM(A1)"])
def test_a_formula_behind_spaces_or_line_breaks_is_escaped(text):
    assert exports.safe_cell(text) == "'" + text


@pytest.mark.django_db
def test_text_cells_are_quoted_so_a_semicolon_never_splits_them(territory):
    export = exports.registry()["works.opendata"]
    response = exports.csv_response(
        export, filename="x", header=["barrio", "monto"], rows=[["Centro;=1+1", Decimal("5.5")]]
    )
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[1] == '"Centro;=1+1",5.5'


@given(st.one_of(st.integers(), st.decimals(allow_nan=False, allow_infinity=False)))
def test_numbers_stay_numbers(number):
    """Negative amounts passed as numbers are not escaped: they must add up in a sheet."""
    assert exports.safe_cell(number) is number


def test_text_that_looks_like_a_negative_number_is_escaped():
    assert exports.safe_cell("-15.50") == "'-15.50"  # pass amounts as Decimal, not str
    assert exports.safe_cell(Decimal("-15.50")) == Decimal("-15.50")
    assert exports.safe_cell(None) == ""


TEST_EXPORT = exports.register("tests.sample", formats=["csv"])


@given(st.lists(st.lists(st.text(), min_size=2, max_size=2), max_size=5))
def test_any_text_comes_out_of_a_csv_safe_and_readable(rows):
    response = exports.csv_response(TEST_EXPORT, filename="x", header=["a", "b"], rows=rows)
    parsed = csv_cells(response)
    assert len(parsed) == len(rows) + 1
    assert_formula_safe(parsed)


def test_mapping_rows_are_read_by_the_header():
    response = exports.csv_response(
        TEST_EXPORT,
        filename="x",
        header=["b", "a"],
        rows=[{"a": 1, "b": "=2", "ignored": "z"}],
    )
    assert csv_cells(response) == [["b", "a"], ["'=2", "1"]]


def test_undeclared_exports_and_formats_are_refused():
    with pytest.raises(ImproperlyConfigured):
        exports.csv_response(
            exports.Export("tests.nowhere", ("csv",)), filename="x", header=[], rows=[]
        )
    with pytest.raises(ImproperlyConfigured):
        exports.json_response(TEST_EXPORT, filename="x", data={})
    with pytest.raises(ImproperlyConfigured):
        exports.register("tests.sample", formats=["json"])  # declared differently before
    with pytest.raises(ImproperlyConfigured):
        exports.register("tests.bad", formats=["xlsx"])


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("informe-consulta-cañón", 'attachment; filename="informe-consulta-canon.csv"'),
        ('a"b\\c/../d\r\nSet-Cookie: x', 'attachment; filename="abcd-set-cookie-x.csv"'),
        ("", 'attachment; filename="datos.csv"'),
    ],
)
def test_file_names_are_safe(stem, expected):
    response = exports.csv_response(TEST_EXPORT, filename=stem, header=["a"], rows=[])
    assert response["Content-Disposition"] == expected


# --- no hand-written exporters -----------------------------------------------------------------
HAND_WRITTEN = re.compile(r"csv\.(writer|DictWriter)\(|text/csv|Content-Disposition")


def test_no_module_writes_a_download_by_hand():
    base = Path(settings.BASE_DIR)
    skip = {".venv", "tests", "benches", "var", "node_modules"}
    offenders = []
    for path in base.rglob("*.py"):
        relative = path.relative_to(base)
        if relative.parts[0] in skip or "migrations" in relative.parts:
            continue
        if relative == Path("quitodecide/exports.py"):
            continue
        if HAND_WRITTEN.search(path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert offenders == [], "build downloads with quitodecide.exports"


@pytest.mark.django_db
def test_wagtail_admin_csv_exports_are_formula_safe_too(client, territory):
    """The admin's own spreadsheet exports (site history here) escape formulas typed by
    residents and start with the BOM, like ours."""
    from accounts import services as account_services
    from territory.models import Parish
    from tests.factories import login_with_mfa

    parish = Parish.objects.order_by("pk").first()
    resident = ResidentFactory(
        display_name='=HYPERLINK("http://x.test","clic")', zone=parish.zone, parish=parish
    )
    admin = UserFactory(is_superuser=True, is_staff=True)
    mark_user(admin, True)
    account_services.resident_verify(
        resident=resident, actor=admin, document_kind="cedula", reason="Cédula vista"
    )
    login_with_mfa(client, admin)
    response = client.get("/admin/reports/site-history/?export=csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(exports.BOM)
    rows = csv.reader(io.StringIO(body.removeprefix(exports.BOM)))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://x.test","clic")' in cells
    assert not [cell for cell in cells if cell.startswith(exports.FORMULA_PREFIXES)]
