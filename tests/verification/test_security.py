"""No clear cédula anywhere: a census uploaded through the admin, residents verifying
against it and with codes, a request handled; then every text column of every model, every
column of every table, the SQL sent to the database, the logs and the e-mails are searched
for the numbers used. Also: the census upload is read in memory only."""

import datetime
import logging
import os

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from territory.models import Zone
from tests.factories import login_with_mfa
from verification import services
from verification.census import MAX_FILE_BYTES
from verification.models import CensusBatch
from verification.uploads import CappedMemoryUploadHandler

from .helpers import (
    assert_no_clear_cedula,
    cedulas,
    census_csv,
    city_staff,
    resident_in,
    zone_staff,
)

pytestmark = pytest.mark.django_db


def test_no_clear_cedula_in_any_table_log_query_or_mail(
    client, territory, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    people = cedulas(4, start=500)
    calderon = Zone.objects.get(slug="calderon")
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        login_with_mfa(client, city_staff())
        rows = [(number, "01/02/1990") for number in people]
        response = client.post(
            "/admin/verificacion/censos/",
            {
                "zone": calderon.pk,
                "label": "Padrón",
                "file": SimpleUploadedFile("padron.csv", census_csv(rows), "text/csv"),
            },
        )
        assert response.status_code == 302 and CensusBatch.objects.get().rows == 4
        # A resident verifies against it, another tries a wrong date.
        first = resident_in("calderon")
        client.force_login(first.user)
        for number, born in ((people[0], "01/02/1990"), (people[1], "02/02/1990")):
            client.post(
                "/cuenta/verificacion/",
                {
                    "action": "census",
                    "censo-cedula": number,
                    "censo-born_on": born,
                    "censo-parish": first.parish_id,
                },
            )
        first.refresh_from_db()
        assert first.is_verified
        # Codes, and a request handled by staff.
        _sheet, codes = services.code_sheet_create(
            actor=zone_staff(),
            zone=calderon,
            label="Asamblea",
            count=2,
            expires_on=timezone.localdate() + datetime.timedelta(days=3),
        )
        second = resident_in("calderon", 1)
        client.force_login(second.user)
        client.post("/cuenta/verificacion/", {"action": "code", "codigo-code": codes[0]})
        third = resident_in("calderon")
        item = services.request_create(user=third.user, message="Hola")
        services.request_verify(
            actor=zone_staff(), request=item, document_kind="cedula", reason="Cédula vista"
        )
    sql = [f"{query['sql']}" for query in queries.captured_queries]
    texts = [caplog.text, *sql, *(m.subject + m.body for m in mail.outbox)]
    assert_no_clear_cedula(people, texts=texts)
    # The codes are not kept either.
    assert_no_clear_cedula([code.replace("-", "") for code in codes], texts=texts)
    assert_no_clear_cedula(codes, texts=[caplog.text])


def _multipart(content: bytes):
    request = RequestFactory().post(
        "/admin/verificacion/censos/",
        {"label": "x", "file": SimpleUploadedFile("c.csv", content, "text/csv")},
    )
    return request


def test_the_upload_handler_keeps_files_in_memory_and_drops_big_ones(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django's own handler would use a temp file
    small = _multipart(b"cedula,fecha_nacimiento\n")
    small.upload_handlers = [CappedMemoryUploadHandler(small)]
    upload = small.FILES["file"]
    assert not isinstance(upload, TemporaryUploadedFile)
    assert upload.read() == b"cedula,fecha_nacimiento\n"
    big = _multipart(b"x" * (MAX_FILE_BYTES + 1))
    big.upload_handlers = [CappedMemoryUploadHandler(big)]
    assert "file" not in big.FILES
    assert big.POST["label"] == "x"
    assert big.upload_too_big


def test_a_huge_census_upload_leaves_no_temporary_file_behind(client, territory, monkeypatch):
    """Under FILE_UPLOAD_MAX_MEMORY_SIZE (5 MB) a census file never touches the disk (the
    test above). A larger body is spooled by Django's default handlers (RefuseNulMiddleware
    reads the form before the view can install its own: docs/privacy.md, and the proxy caps
    this URL's body in production); the view refuses it and nothing of it is left."""
    made = []
    original = TemporaryUploadedFile.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self.temporary_file_path())

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", spy)
    login_with_mfa(client, city_staff())
    content = b"cedula,fecha_nacimiento\n" + b"#" * (6 * 1024 * 1024)
    response = client.post(
        "/admin/verificacion/censos/",
        {
            "zone": Zone.objects.get(slug="calderon").pk,
            "label": "x",
            "file": SimpleUploadedFile("c.csv", content, "text/csv"),
        },
    )
    assert response.status_code == 200
    assert not CensusBatch.objects.exists()
    assert made, "a body over 5 MB is spooled: the test must see that file"
    assert not any(os.path.exists(path) for path in made)


def test_the_scan_finds_a_planted_cedula(territory):
    number = cedulas(1, start=700)[0]
    resident_in("calderon", display_name=f"Vecina {number}")
    with pytest.raises(AssertionError, match="clear cédula"):
        assert_no_clear_cedula([number])
    with pytest.raises(AssertionError, match="clear cédula"):
        assert_no_clear_cedula(
            [cedulas(1, start=701)[0]], texts=[f"log {cedulas(1, start=701)[0]}"]
        )
