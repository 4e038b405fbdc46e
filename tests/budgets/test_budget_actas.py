"""Actas (signed minutes of an assembly) are stored under random names, a replaced acta
leaves no file behind, and a damaged file is refused with a Spanish error."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from budgets import services
from budgets.forms import validate_acta
from budgets.models import AssemblyTally
from tests.budgets.builders import make_cycle, make_request, make_staff, parish

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def media(tmp_path):
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def record(cycle, staff, request, upload):
    return services.tally_record(
        cycle=cycle,
        parish=parish("calderon"),
        held_on=timezone.localdate(),
        votes={request.pk: 3},
        attendees=40,
        acta=upload,
        actor=staff,
    )


def test_actas_get_random_names_and_a_replaced_one_is_deleted(
    media, django_capture_on_commit_callbacks
):
    cycle = make_cycle("calderon", phase="prioritisation")
    request = make_request(cycle)
    staff = make_staff("calderon")
    with django_capture_on_commit_callbacks(execute=True):
        first = record(
            cycle, staff, request, SimpleUploadedFile("../../acta de Llano Chico.pdf", PDF)
        )
    stored = files(media)
    assert len(stored) == 1
    name = Path(stored[0]).name
    assert "Llano" not in name and ".." not in stored[0]
    assert name.endswith(".pdf") and len(name) == 32 + len(".pdf")
    with django_capture_on_commit_callbacks(execute=True):
        record(cycle, staff, request, SimpleUploadedFile("acta corregida.pdf", PDF))
    after = files(media)
    assert len(after) == 1 and after != stored
    assert AssemblyTally.objects.get(pk=first.pk).acta.name == after[0]


def _png(truncate: bool = False) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, format="PNG")
    data = buffer.getvalue()
    return data[: len(data) // 2] if truncate else data


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("acta.pdf", PDF, True),
        ("acta.png", _png(), True),
        ("acta.pdf", b"%PDF-<html><script>alert(1)</script></html>", False),
        ("acta.png", _png(truncate=True), False),
        ("acta.jpg", b"\xff\xd8\xff\xe0 not really a photo", False),
    ],
)
def test_damaged_actas_are_refused_in_spanish(name, content, ok):
    from django.core.exceptions import ValidationError

    upload = SimpleUploadedFile(name, content)
    if ok:
        validate_acta(upload)
        return
    with pytest.raises(ValidationError) as raised:
        validate_acta(upload)
    assert "dañado" in raised.value.messages[0] or "PDF, JPEG o PNG" in raised.value.messages[0]
