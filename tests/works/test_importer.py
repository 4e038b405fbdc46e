"""The monthly update matrix: files read, rows checked, batches applied all or nothing, the
admin screens and the command line."""

import contextlib
import csv
import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from wagtail.models import ModelLogEntry

from quitodecide.errors import DomainError
from territory.models import Parish, Zone
from tests.budgets.builders import make_staff
from tests.factories import UserFactory, login_with_mfa
from tests.works.builders import make_work
from works import admin_import, audit, importer, services  # noqa: F401 (admin hooks)
from works.models import Follow, ImportBatch, Work, WorkUpdate
from works.status import WorkStatus

CORPUS = Path(__file__).parent / "corpus"
HEADER = ["codigo", "fecha", "estado", "avance_fisico", "avance_financiero", "observacion"]


# --- helpers ------------------------------------------------------------------------------
def today():
    return timezone.localdate()


def iso(day):
    return day.isoformat()


def csv_bytes(rows, header=HEADER, *, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER, *, percent_columns=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for column in percent_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def backdate(work, days):
    """Move a work's history `days` into the past, so files can carry earlier dates."""
    day = today() - datetime.timedelta(days=days)
    WorkUpdate.objects.filter(work=work).update(date=day)
    Work.objects.filter(pk=work.pk).update(last_update_on=day)
    Work.objects.filter(pk=work.pk, actual_start__isnull=False).update(actual_start=day)
    return Work.objects.get(pk=work.pk)


def check(content, staff, zone_slug="calderon"):
    return importer.check_content(
        content, actor=staff, zone=Zone.objects.get(slug=zone_slug) if zone_slug else None
    )


def errors_at(report):
    return {(error["row"], error["column"]) for error in report.errors}


def upload(content, staff, zone_slug="calderon", name="matriz.csv"):
    zone = Zone.objects.get(slug=zone_slug) if zone_slug else None
    return importer.batch_upload(actor=staff, zone=zone, content=content, file_name=name)


def figures(work):
    work = Work.objects.get(pk=work.pk)
    return (work.status, work.physical_progress, work.financial_progress, work.amount_executed)


@pytest.fixture
def staff(territory):
    return make_staff("calderon")


@pytest.fixture
def under_way(staff):
    """A Calderón work under way at 30 % / 40 %."""
    return make_work(status=WorkStatus.UNDER_WAY, staff=staff)


# --- the happy paths ----------------------------------------------------------------------
def test_a_csv_is_checked_then_applied_once_with_an_audit_entry(staff, under_way):
    content = csv_bytes(
        [
            [
                under_way.code,
                iso(today()),
                "en_ejecucion",
                "45",
                "50,5",
                "Avanza la obra.",
                "1.234,56",
            ]
        ],
        header=[*HEADER, "monto_ejecutado"],
    )
    batch = upload(content, staff)  # the immediate task backend validates it inline
    assert batch.state == ImportBatch.State.PENDING
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.VALID
    assert batch.summary["updates"] == 1 and batch.rows_done == batch.rows_total == 1
    assert figures(under_way)[:3] == ("en_ejecucion", Decimal("30"), Decimal("40"))  # not yet

    importer.batch_confirm(batch=batch, actor=staff)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.APPLIED
    assert not batch.file  # the stored file is gone once applied
    assert figures(under_way) == (
        "en_ejecucion",
        Decimal("45"),
        Decimal("50.5"),
        Decimal("1234.56"),
    )
    assert Work.objects.get(pk=under_way.pk).updated_at > under_way.updated_at
    update = WorkUpdate.objects.get(batch=batch)
    assert update.origin == WorkUpdate.Origin.IMPORT and update.author == staff
    assert update.from_status == "en_ejecucion" and update.text == "Avanza la obra."
    actions = list(ModelLogEntry.objects.for_instance(batch).values_list("action", flat=True))
    assert sorted(actions) == sorted([audit.MATRIX_UPLOAD, audit.MATRIX_APPLY])


def test_an_xlsx_with_date_cells_percent_cells_spanish_names_and_accented_headers(staff):
    work = backdate(make_work(status=WorkStatus.PROCUREMENT, staff=staff), 10)
    day = today() - datetime.timedelta(days=2)
    header = ["Código", "Fecha", "Estado", "Avance físico (%)", "Avance financiero", "Notas"]
    content = xlsx_bytes(
        [
            [
                work.code.lower(),
                datetime.datetime.combine(day, datetime.time()),
                "En ejecución",
                0.125,
                0.2,
                "x",
            ]
        ],
        header=header,
        percent_columns=(4, 5),
    )
    report = check(content, staff)
    assert report.ok, report.errors
    [change] = report.changes
    assert (change.date, change.status, change.physical, change.financial) == (
        day,
        "en_ejecucion",
        Decimal("12.50"),
        Decimal("20.00"),
    )
    batch = upload(content, staff, name="matriz.xlsx")
    importer.batch_confirm(batch=batch, actor=staff)
    work.refresh_from_db()
    assert work.status == "en_ejecucion" and work.actual_start == day
    assert work.last_update_on == day


def test_latin1_semicolons_and_a_bom_are_read(staff, under_way):
    rows = [
        [under_way.code, today().strftime("%d/%m/%Y"), "EN EJECUCIÓN", "45 %", "41", "Señalética"]
    ]
    for content in (
        csv_bytes(rows, delimiter=";", encoding="latin-1"),
        csv_bytes(rows, delimiter=";", encoding="cp1252"),
        b"\xef\xbb\xbf" + csv_bytes(rows, delimiter=";"),
        (csv_bytes(rows) + b"\r\n,,,,,\r\n\r\n"),  # empty rows skipped
    ):
        report = check(content, staff)
        assert report.ok, report.errors
        assert report.changes[0].text == "Señalética"


def test_several_rows_of_a_work_go_in_date_order_each_on_the_state_before(staff, under_way):
    work = backdate(under_way, 10)
    late, early = today() - datetime.timedelta(days=1), today() - datetime.timedelta(days=5)
    rows = [
        [work.code, iso(late), "finalizada", "100", "90", ""],
        [work.code, iso(early), "en_ejecucion", "80", "60", ""],
    ]
    report = check(csv_bytes(rows), staff)
    assert report.ok, report.errors
    assert [change.line for change in report.changes] == [3, 2]
    assert [change.from_status for change in report.changes] == ["en_ejecucion", "en_ejecucion"]
    batch = upload(csv_bytes(rows), staff)
    importer.batch_confirm(batch=batch, actor=staff)
    work.refresh_from_db()
    assert (work.status, work.actual_end, work.last_update_on) == ("finalizada", late, late)
    assert list(WorkUpdate.objects.filter(batch__isnull=False).values_list("date", "status")) == [
        (early, "en_ejecucion"),
        (late, "finalizada"),
    ]
    # The second row is checked against the first: going down after it needs a reason.
    rows[0] = [work.code, iso(late), "en_ejecucion", "70", "60", ""]
    assert (3, "avance_fisico") not in errors_at(check(csv_bytes(rows), staff))


def test_a_status_change_tells_the_followers_after_commit(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    work = make_work(status=WorkStatus.PROCUREMENT, staff=staff)
    Follow.objects.create(work=work, user=UserFactory(email="vecina@example.com"))
    batch = upload(csv_bytes([[work.code, iso(today()), "en_ejecucion", "5", "10", ""]]), staff)
    with django_capture_on_commit_callbacks(execute=True):
        importer.batch_confirm(batch=batch, actor=staff)
    assert [message.to for message in mailoutbox] == [["vecina@example.com"]]


# --- one error of each kind ---------------------------------------------------------------
def test_unknown_code(staff, under_way):
    report = check(
        csv_bytes([["OB-1999-99999", iso(today()), "en_ejecucion", "1", "1", ""]]), staff
    )
    assert errors_at(report) == {(2, "codigo")}
    assert "OB-1999-99999" in report.errors[0]["message"]


def test_impossible_status_change(staff):
    work = make_work(staff=staff)  # planned
    report = check(csv_bytes([[work.code, iso(today()), "finalizada", "100", "100", ""]]), staff)
    assert (2, "estado") in errors_at(report)


def test_progress_going_down_needs_a_reason(staff, under_way):
    row = [under_way.code, iso(today()), "en_ejecucion", "20", "40", ""]
    assert errors_at(check(csv_bytes([row]), staff)) == {(2, "avance_fisico")}
    row[-1] = "Corrección: el informe anterior sobrestimó el avance."
    assert check(csv_bytes([row]), staff).ok


@pytest.mark.parametrize("amount", ["12abc", "1.234", "1,234", "١٢٣", "-5", "1.234,5,6", "12.345"])
def test_amounts_that_are_not_amounts(staff, under_way, amount):
    header = [*HEADER, "monto_ejecutado"]
    row = [under_way.code, iso(today()), "en_ejecucion", "45", "45", "", amount]
    assert errors_at(check(csv_bytes([row], header=header), staff)) == {(2, "monto_ejecutado")}


@pytest.mark.parametrize("day", ["31/02/2026", "mañana", "2026/03/01", "45000", "٢٠٢٦-٠١-٠١"])
def test_dates_that_are_not_dates(staff, under_way, day):
    row = [under_way.code, day, "en_ejecucion", "45", "45", ""]
    assert errors_at(check(csv_bytes([row]), staff)) == {(2, "fecha")}


def test_percentages_that_are_not_percentages(staff, under_way):
    rows = [
        [under_way.code, iso(today()), "en_ejecucion", value, "45", ""]
        for value in ("101", "45,555", "٤٥", "abc", "")
    ]
    assert errors_at(check(csv_bytes(rows), staff)) == {
        (line, "avance_fisico") for line in range(2, 7)
    }


def test_parish_outside_the_zone(staff, under_way):
    header = [*HEADER, "parroquia"]
    row = [under_way.code, iso(today()), "en_ejecucion", "45", "45", "", "Cumbayá"]
    assert errors_at(check(csv_bytes([row], header=header), staff)) == {(2, "parroquia")}
    row[-1] = Parish.objects.get(name="Llano Chico").dpa_code
    assert check(csv_bytes([row], header=header), staff).ok
    row[-1] = "Atlántida"
    assert errors_at(check(csv_bytes([row], header=header), staff)) == {(2, "parroquia")}


def test_a_work_of_another_zone(staff, territory):
    other = make_work("tumbaco", status=WorkStatus.UNDER_WAY)
    row = [other.code, iso(today()), "en_ejecucion", "45", "45", ""]
    report = check(csv_bytes([row]), staff)
    assert errors_at(report) == {(2, "codigo")}
    assert "Tumbaco" in report.errors[0]["message"]
    # The city-wide team imports for any zone.
    city = make_staff(None, city=True)
    assert check(csv_bytes([row]), city, zone_slug=None).ok


def test_a_missing_required_column_is_one_error_for_the_file(staff, under_way):
    header = ["codigo", "fecha", "estado", "avance_fisico"]
    report = check(csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45"]], header), staff)
    assert [(error["row"], error["column"]) for error in report.errors] == [
        (None, "avance_financiero")
    ]


@pytest.mark.parametrize(
    "name",
    [
        "not-a-spreadsheet.png",
        "document.zip",
        "damaged.xlsx",
        "legacy.xls",
        "empty.csv",
        "header-only.csv",
    ],
)
def test_files_that_are_not_a_matrix(staff, name):
    report = check((CORPUS / name).read_bytes(), staff)
    assert len(report.errors) == 1 and report.errors[0]["row"] is None, report.errors


def test_a_workbook_that_unpacks_to_far_too_much_is_refused(staff):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (importer.MAX_UNZIPPED_BYTES + 1))
    content = out.getvalue()
    assert len(content) < importer.MAX_FILE_BYTES
    report = check(content, staff)
    assert [error["message"] for error in report.errors] == [
        gettext("The workbook is too large once unpacked.")
    ]


def test_an_empty_upload_is_refused_before_it_is_stored(staff):
    with pytest.raises(ValidationError):
        upload(b"  \n", staff)
    assert not ImportBatch.objects.exists()


def test_too_many_rows(staff):
    rows = [
        [f"OB-2026-{number:05d}", "2026-01-01", "en_ejecucion", "1", "1", ""]
        for number in range(importer.MAX_ROWS + 1)
    ]
    report = check(csv_bytes(rows), staff)
    assert len(report.errors) == 1 and report.errors[0]["row"] is None
    assert "20.000" in report.errors[0]["message"]


def test_an_invalid_upload_leaves_no_file_behind(
    staff, under_way, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = upload(csv_bytes([["OB-1999-99999", iso(today()), "x", "1", "1", ""]]), staff)
        stored = ImportBatch.objects.get(pk=batch.pk)
    assert stored.file.storage.exists(batch.file.name) is False
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.INVALID and not batch.file
    assert {(error["row"], error["column"]) for error in batch.errors} == {
        (2, "codigo"),
        (2, "estado"),
    }


# --- idempotency and atomicity ------------------------------------------------------------
def test_the_same_changes_twice_change_nothing(staff, under_way):
    rows = [[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]]
    batch = upload(csv_bytes(rows), staff)
    importer.batch_confirm(batch=batch, actor=staff)
    with pytest.raises(DomainError):  # the very same file
        upload(csv_bytes(rows), staff)
    # The same rows in another file (other bytes): every row is skipped, nothing written.
    again = upload(csv_bytes(rows, delimiter=";"), staff)
    again.refresh_from_db()
    assert again.state == ImportBatch.State.VALID
    assert again.summary["updates"] == 0 and again.summary["skipped"] == 1
    importer.batch_confirm(batch=again, actor=staff)
    assert WorkUpdate.objects.filter(work=under_way).count() == 4  # 3 before + 1


def test_a_row_that_no_longer_fits_when_applied_aborts_every_row(staff, under_way):
    second = make_work(status=WorkStatus.UNDER_WAY, staff=staff)
    rows = [
        [second.code, iso(today()), "en_ejecucion", "35", "45", ""],
        [under_way.code, iso(today()), "en_ejecucion", "45", "50", ""],
    ]
    batch = upload(csv_bytes(rows), staff)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.VALID
    before = figures(second)
    # Between the check and the confirmation, someone posts a higher figure by hand.
    services.update_post(
        work=under_way,
        actor=staff,
        date=today(),
        status="en_ejecucion",
        physical_progress=Decimal("80"),
        financial_progress=Decimal("80"),
    )
    importer.batch_confirm(batch=batch, actor=staff)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.INVALID
    assert (3, "avance_fisico") in errors_at(batch)
    assert batch.summary["changed_since_check"] is True and not batch.file
    assert figures(second) == before  # the row that still fitted was not written either
    assert not WorkUpdate.objects.filter(batch=batch).exists()


def test_checking_reads_the_works_in_a_fixed_number_of_queries(staff, under_way):
    def queries(count):
        rows = [
            [under_way.code, iso(today()), "en_ejecucion", str(30 + n % 60), "40", "x"]
            for n in range(count)
        ]
        content = csv_bytes(rows)
        with CaptureQueriesContext(connection) as captured:
            check(content, staff)
        return len(captured)

    assert queries(5) == queries(300)


# --- admin --------------------------------------------------------------------------------
@pytest.fixture
def staff_client(client, staff):
    login_with_mfa(client, staff)
    return client


def test_zone_staff_upload_and_read_the_report(staff_client, under_way):
    content = csv_bytes(
        [
            [under_way.code, iso(today()), "en_ejecucion", "20", "40", ""],
            ["OB-1999-99999", iso(today()), "en_ejecucion", "1", "1", ""],
        ]
    )
    index = staff_client.get("/admin/matriz-obras/")
    assert index.status_code == 200 and b"avance_fisico" in index.content
    response = staff_client.post(
        "/admin/matriz-obras/",
        {"file": _file(content, "marzo.csv"), "zone": str(under_way.zone_id)},
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{batch.pk}/")
    page = staff_client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "OB-1999-99999" in text and "<code>avance_fisico</code>" in text
    assert 'http-equiv="refresh"' not in text  # done: no more reloading


def test_the_page_reloads_itself_while_the_batch_runs(staff_client, staff, under_way):
    batch = ImportBatch.objects.create(
        zone=under_way.zone,
        uploaded_by=staff,
        file_name="x.csv",
        sha256="0" * 64,
        state=ImportBatch.State.VALIDATING,
        rows_total=10_000,
        rows_done=2_500,
    )
    text = staff_client.get(f"/admin/matriz-obras/{batch.pk}/").content.decode()
    assert 'http-equiv="refresh"' in text
    assert '<progress id="import-progress" max="100" value="25">' in text


def test_zone_staff_confirm_and_discard_in_the_admin(staff_client, staff, under_way):
    content = csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]])
    staff_client.post("/admin/matriz-obras/", {"file": _file(content), "zone": under_way.zone_id})
    batch = ImportBatch.objects.get()
    assert b"aplicar" in staff_client.get(f"/admin/matriz-obras/{batch.pk}/").content
    assert staff_client.post(f"/admin/matriz-obras/{batch.pk}/aplicar/").status_code == 302
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.APPLIED
    assert figures(under_way)[1] == Decimal("45")

    other = upload(
        csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "60", "60", ""]]), staff
    )
    assert staff_client.post(f"/admin/matriz-obras/{other.pk}/descartar/").status_code == 302
    other.refresh_from_db()
    assert other.state == ImportBatch.State.DISCARDED and not other.file
    assert figures(under_way)[1] == Decimal("45")


def test_staff_of_another_zone_cannot_see_or_apply_the_batch(client, staff, under_way):
    batch = upload(
        csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]]), staff
    )
    login_with_mfa(client, make_staff("tumbaco"))
    assert client.get(f"/admin/matriz-obras/{batch.pk}/").status_code == 404
    assert client.post(f"/admin/matriz-obras/{batch.pk}/aplicar/").status_code == 404
    assert client.post(f"/admin/matriz-obras/{batch.pk}/descartar/").status_code == 404
    assert batch.file_name.encode() not in client.get("/admin/matriz-obras/").content
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.VALID


def test_site_history_shows_zone_staff_their_zones_imports_only(staff_client, staff, under_way):
    upload(
        csv_bytes([["OB-1999-00001", iso(today()), "x", "1", "1", ""]]),
        staff,
        name="marzo-calderon.csv",
    )
    tumbaco_staff = make_staff("tumbaco")
    other = make_work("tumbaco", staff=tumbaco_staff)
    upload(
        csv_bytes([[other.code, iso(today()), "x", "1", "1", ""]]),
        tumbaco_staff,
        "tumbaco",
        name="marzo-tumbaco.csv",
    )
    text = staff_client.get("/admin/reports/site-history/").content.decode()
    assert "marzo-calderon.csv" in text and "marzo-tumbaco.csv" not in text


def test_staff_without_mfa_are_sent_to_set_it_up_and_nothing_is_stored(client, under_way):
    staff = make_staff("calderon")
    client.force_login(staff)
    content = csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]])
    response = client.post(
        "/admin/matriz-obras/", {"file": _file(content), "zone": under_way.zone_id}
    )
    assert response.status_code == 302 and "/admin/" not in response["Location"]
    assert client.get("/admin/matriz-obras/").status_code == 302
    assert not ImportBatch.objects.exists()


def test_a_zone_staff_cannot_choose_another_zone(staff_client, under_way):
    tumbaco = Zone.objects.get(slug="tumbaco")
    content = csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]])
    response = staff_client.post(
        "/admin/matriz-obras/", {"file": _file(content), "zone": tumbaco.pk}
    )
    assert response.status_code == 200 and not ImportBatch.objects.exists()


def _file(content, name="matriz.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


# --- the template -------------------------------------------------------------------------
def exercise_import_template(client):
    """For tests/test_exports.py's EXERCISERS: the template's CSV, with formula-like work
    titles, safe for spreadsheets. (Used here; the lead wires it in there.)"""
    staff = make_staff("calderon")
    make_work(status=WorkStatus.UNDER_WAY, staff=staff, title='=HYPERLINK("http://x","y")')
    login_with_mfa(client, staff)
    return [client.get("/admin/matriz-obras/plantilla.csv")]


def test_the_csv_template_lists_the_open_works_and_uploads_unchanged_as_nothing(
    client, staff, under_way
):
    make_work(status=WorkStatus.FINISHED, staff=staff)  # closed: not in the template
    make_work("tumbaco", status=WorkStatus.UNDER_WAY)  # another zone's: not in it
    [response] = exercise_import_template(client)
    assert response.status_code == 200 and response.export == "works.import_template"
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == [*importer.COLUMNS, "obra"]
    codes = {row[0] for row in rows[1:]}
    assert under_way.code in codes and len(codes) == 2
    assert '\'=HYPERLINK("http://x","y")' in {row[-1] for row in rows}
    report = check(response.content, staff)
    assert report.ok and report.skipped == 2 and not report.changes


def test_the_xlsx_template_reads_back(staff_client, staff, under_way):
    make_work(status=WorkStatus.UNDER_WAY, staff=staff, title="=1+1")
    response = staff_client.get("/admin/matriz-obras/plantilla.xlsx")
    assert response.status_code == 200
    assert 'filename="matriz-obras-' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    titles = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=1+1" in titles  # text, not a formula
    report = check(content, staff)
    assert report.ok and report.skipped == 2
    assert staff_client.get("/admin/matriz-obras/plantilla.pdf").status_code == 404


# --- command line -------------------------------------------------------------------------
def test_the_command_dry_run_writes_nothing(tmp_path, staff, under_way, capsys):
    path = tmp_path / "matriz.csv"
    path.write_bytes(csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]]))
    before = figures(under_way)
    call_command("import_works", str(path), "--dry-run", "--user", staff.email)
    assert "Filas leídas: 1. Actualizaciones: 1." in capsys.readouterr().out  # in Spanish
    assert figures(under_way) == before
    assert (
        not ImportBatch.objects.exists()
        and not ModelLogEntry.objects.filter(action__startswith="works.matrix").exists()
    )


def test_the_command_applies_and_reports_errors_with_an_exit_status(
    tmp_path, staff, under_way, capsys
):
    bad = tmp_path / "mala.csv"
    bad.write_bytes(csv_bytes([[under_way.code, "ayer", "en_ejecucion", "45", "50", ""]]))
    with pytest.raises(CommandError) as raised:
        call_command("import_works", str(bad), "--user", staff.email)
    assert raised.value.returncode == 1
    assert "fila 2, fecha" in capsys.readouterr().err
    assert not ImportBatch.objects.exists()

    good = tmp_path / "buena.csv"
    good.write_bytes(csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]]))
    call_command("import_works", str(good), "--user", staff.email)
    assert figures(under_way)[1] == Decimal("45")
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.APPLIED and batch.uploaded_by == staff
    call_command("import_works", str(good), "--user", staff.email)  # again: nothing to do
    assert "ya se aplicó" in capsys.readouterr().out
    assert ImportBatch.objects.count() == 1


def test_the_command_as_another_zones_staff_refuses_the_rows(tmp_path, under_way):
    path = tmp_path / "matriz.csv"
    path.write_bytes(csv_bytes([[under_way.code, iso(today()), "en_ejecucion", "45", "50", ""]]))
    other = make_staff("tumbaco")
    with pytest.raises(CommandError):
        call_command("import_works", str(path), "--dry-run", "--user", other.email)


# --- the parsers --------------------------------------------------------------------------
cents = st.decimals(min_value=0, max_value=Decimal("100"), places=2)


@given(cents, st.sampled_from([".", ","]), st.sampled_from(["", "%", " %"]))
def test_any_percentage_written_either_way_reads_back(value, separator, suffix):
    text = f"{value:f}".replace(".", separator) + suffix
    assert importer.parse_percent(text) == value


def _grouped(value: Decimal, thousands: str, decimal: str) -> str:
    whole, cents_part = f"{value:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", thousands)
    return f"{groups}{decimal}{cents_part}"


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_any_amount_written_in_each_accepted_style_reads_back(value):
    plain = f"{value:.2f}"
    for text in (
        plain,
        plain.replace(".", ","),
        _grouped(value, ".", ","),
        _grouped(value, ",", "."),
    ):
        assert importer.parse_amount(text) == value, text


@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=999),
    st.sampled_from([".", ","]),
)
def test_a_lone_separator_before_three_digits_is_refused(high, low, separator):
    with pytest.raises(importer.NotANumber):
        importer.parse_amount(f"{high}{separator}{low:03d}")


@given(st.text(st.characters(categories=["Nd"]), min_size=1, max_size=4))
def test_digits_of_other_scripts_are_not_numbers(digits):
    if digits.isascii():
        return
    for parse in (importer.parse_percent, importer.parse_amount):
        with pytest.raises(importer.NotANumber):
            parse(digits)


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(9999, 12, 31)))
def test_any_date_in_either_format_reads_back(day):
    assert importer.parse_date(day.isoformat()) == day
    assert importer.parse_date(day.strftime("%d/%m/") + f"{day.year:04d}") == day


@given(st.text(max_size=12))
def test_the_parsers_refuse_or_return_in_range_never_crash(text):
    with contextlib.suppress(importer.NotANumber):
        assert 0 <= importer.parse_percent(text) <= 100
    with contextlib.suppress(importer.NotANumber):
        assert importer.parse_amount(text) >= 0
    with contextlib.suppress(ValueError):
        importer.parse_date(text)


def test_status_names_in_spanish_and_english_ignoring_case_and_accents():
    for text in ("En ejecución", "EN_EJECUCION", "en-ejecucion", "Under way"):
        assert importer.parse_status(text) == "en_ejecucion"
    assert importer.parse_status("En contratación") == "en_contratacion"
    with pytest.raises(ValueError):
        importer.parse_status("ejecutándose")


def test_excels_unicode_text_export_utf16_with_tabs_is_read(staff, under_way):
    content = csv_bytes(
        [[under_way.code, iso(today()), "En ejecución", "45", "50", ""]],
        delimiter="\t",
        encoding="utf-16",  # Python writes the byte-order mark, as Excel does
    )
    assert content.startswith(b"\xff\xfe")
    report = check(content, staff)
    assert report.ok, report.errors
    assert report.summary()["updates"] == 1
