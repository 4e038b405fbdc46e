"""Supporting documents of the silla vacía: only real PDFs (by name and content), at most
5 MB each, 1 to 5 files; a refused upload leaves no file in the private storage, whatever
the bytes (Hypothesis), through the service and through the public form."""

import pytest
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from council import empty_seat
from council.demo_empty_seat import demo_pdf
from council.models import EmptySeatApplication, EmptySeatDocument
from tests.council.test_empty_seat import fields, make_item, storage, stored_names
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _empty_private_storage():
    for name in stored_names(storage()):
        storage().delete(name)


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def big_pdf(size):
    body = demo_pdf("Grande")
    padded = body[:-6] + b"%" + b"x" * (size - len(body) - 2) + b"\n%%EOF\n"
    assert len(padded) == size
    return padded


def refused_documents(item, files):
    with pytest.raises(ValidationError) as refused:
        empty_seat.application_submit(item=item, applicant=UserFactory(), files=files, **fields())
    return refused.value.message_dict["documents"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([upload("acta.pdf", b"PK\x03\x04 a zip renamed")], "no es un documento PDF válido"),
        ([upload("acta.pdf", b"%PDF-1.4\nno end marker")], "no es un documento PDF válido"),
        ([upload("acta.exe", demo_pdf("x"))], "no es un archivo PDF"),
        ([upload("acta.pdf", b"")], "está vacío"),
        ([upload("acta.pdf", big_pdf(6 * MB))], "pesa más de 5 MB"),
        ([], "Adjunte al menos un documento"),
        ([upload(f"d{n}.pdf", demo_pdf("x")) for n in range(6)], "como máximo 5 documentos"),
        # One bad file among good ones refuses the whole application.
        ([upload("ok.pdf", demo_pdf("x")), upload("mal.pdf", b"<html>")], "“mal.pdf”"),
    ],
)
def test_bad_documents_are_refused_in_spanish_and_nothing_is_stored(files, expected):
    item = make_item()
    errors = refused_documents(item, files)
    assert any(expected in error for error in errors), errors
    assert not EmptySeatApplication.objects.exists()
    assert not EmptySeatDocument.objects.exists()
    assert stored_names(storage()) == []


def test_a_pdf_of_exactly_5_mb_is_accepted():
    item = make_item()
    application = empty_seat.application_submit(
        item=item,
        applicant=UserFactory(),
        files=[upload("grande.pdf", big_pdf(5 * MB))],
        **fields(),
    )
    assert application.documents.get().size == 5 * MB
    assert len(stored_names(storage())) == 1


def test_a_failure_while_writing_removes_what_was_written(monkeypatch):
    """The storage fails on the second document (a full disk, say): the first one, already
    written, is deleted, and no application is left."""
    item = make_item()
    target = storage()
    real_save = target._save
    calls = []

    def save_then_fail(name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real_save(name, content)

    monkeypatch.setattr(target, "_save", save_then_fail)
    with pytest.raises(OSError):
        empty_seat.application_submit(
            item=item,
            applicant=UserFactory(),
            files=[upload("b.pdf", demo_pdf("b")), upload("c.pdf", demo_pdf("c"))],
            **fields(),
        )
    assert len(calls) == 2
    assert stored_names(storage()) == []
    assert not EmptySeatApplication.objects.exists()
    assert not EmptySeatDocument.objects.exists()


@hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    content=st.binary(max_size=3000),
    name=st.text(max_size=60),
)
def test_arbitrary_bytes_and_names_never_store_a_non_pdf(content, name):
    """Whatever the bytes and the name, either the document is a PDF by our checks and is
    stored under a safe name, or the application is refused with a message and nothing is
    stored."""
    try:
        document_upload = upload(name or "x", content)
    except SuspiciousFileOperation:  # Django's own upload object refuses the name ("/")
        assume(False)
    item = make_item()
    before = set(stored_names(storage()))
    try:
        application = empty_seat.application_submit(
            item=item,
            applicant=UserFactory(),
            files=[document_upload],
            **fields(legal_registration=f"R-{len(before)}-{abs(hash(content)) % 10**9}"),
        )
    except ValidationError as error:
        assert error.message_dict["documents"]
        assert set(stored_names(storage())) == before
        return
    document = application.documents.get()
    assert content.startswith(b"%PDF-") and b"%%EOF" in content[-1024:]
    assert name.lower().endswith(".pdf")
    shown = document.original_name
    assert shown.endswith(".pdf") and "/" not in shown and "\\" not in shown
    assert all(ch.isprintable() for ch in shown)


@given(name=st.text(max_size=300))
def test_clean_filename_is_always_a_plain_pdf_name(name):
    shown = empty_seat.clean_filename(name)
    assert shown.endswith(".pdf") and 5 <= len(shown) <= 120
    assert "/" not in shown and "\\" not in shown and not shown.startswith(".")
    assert all(ch.isprintable() for ch in shown)


# --- through the form ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([("informe.pdf", b"GIF89a not a pdf")], "no es un documento PDF válido"),
        ([("informe.pdf", big_pdf(6 * MB))], "pesa más de 5 MB"),
        ([], "Adjunte al menos un documento"),
        ([(f"d{n}.pdf", demo_pdf("x")) for n in range(6)], "como máximo 5 documentos"),
    ],
)
def test_the_form_shows_the_document_errors_and_keeps_nothing(client, files, expected):
    item = make_item()
    client.force_login(UserFactory())
    data = {**fields(), "documents": [upload(name, content) for name, content in files]}
    response = client.post(f"/concejo/silla-vacia/punto/{item.pk}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert expected in html
    assert 'id="id_documents_error"' in html or "field-invalid" in html
    assert not EmptySeatApplication.objects.exists()
    assert stored_names(storage()) == []


def test_the_form_in_english_too(client):
    item = make_item()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(UserFactory())
    data = {**fields(), "documents": [upload("x.pdf", b"nope")]}
    html = client.post(f"/concejo/silla-vacia/punto/{item.pk}/", data).content.decode()
    assert "is not a valid PDF document" in html
