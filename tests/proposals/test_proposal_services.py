"""Request services: submission with images, supports, verdicts with history and e-mail."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import ExifTags, Image
from wagtail.models import ModelLogEntry

from proposals import images, services
from proposals.models import Request, Support
from quitodecide.errors import DomainError, PermissionDenied
from tests.budgets.builders import make_cycle, make_request, make_resident, make_staff, parish

pytestmark = pytest.mark.django_db


def photo(fmt="JPEG", size=(40, 30), name="foto.jpg", exif_gps=False):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, "green")
    kwargs = {}
    if exif_gps:
        # A real GPS IFD (tag 0x8825), as phones write it, not just a camera tag.
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "TelefonoMarca"
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "S"
        gps[ExifTags.GPS.GPSLatitude] = (0.0, 5.0, 52.0)
        gps[ExifTags.GPS.GPSLongitudeRef] = "W"
        gps[ExifTags.GPS.GPSLongitude] = (78.0, 25.0, 18.0)
        kwargs["exif"] = exif
    image.save(buffer, format=fmt, **kwargs)
    if exif_gps:
        with Image.open(io.BytesIO(buffer.getvalue())) as written:
            assert written.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the position is there
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def submit(cycle, user, **overrides):
    values = {
        "kind": "public_works",
        "title": "Graderío para la cancha del barrio",
        "description": "La cancha no tiene graderíos y los vecinos ven los partidos de pie.",
        "parish": parish("calderon"),
        "barrio_name": "San José de Morán",
        "estimated_cost": Decimal("18500.00"),
    }
    values.update(overrides)
    return services.request_submit(cycle=cycle, user=user, **values)


def test_a_resident_with_verified_email_submits_a_request(cycle):
    # Residency need not be verified to file a request; the e-mail must be.
    author = make_resident("calderon", verified=False)
    request = submit(
        cycle,
        author,
        latitude=Decimal("-0.09"),
        longitude=Decimal("-78.42"),
        organisation="Comité pro mejoras",
        images=[(photo(exif_gps=True), "La cancha vista desde la calle")],
    )
    assert request.status == "submitted" and request.author == author
    assert request.history.get().to_status == "submitted"
    [stored] = request.images.all()
    with Image.open(stored.image) as reopened:
        assert reopened.format == "JPEG"
        assert not reopened.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # GPS position stripped
        assert not reopened.getexif()  # and every other piece of metadata
    assert stored.alt_text == "La cancha vista desde la calle"


@pytest.mark.parametrize(
    ("who", "phase"),
    [
        ("unverified-email", "requests"),
        ("other-zone", "requests"),
        ("resident", "prefeasibility"),
        ("resident", None),
    ],
)
def test_who_cannot_submit(who, phase):
    cycle = make_cycle("calderon", phase=phase)
    user = {
        "unverified-email": lambda: make_resident("calderon", email_verified=False),
        "other-zone": lambda: make_resident("tumbaco"),
        "resident": lambda: make_resident("calderon"),
    }[who]()
    with pytest.raises(PermissionDenied):
        submit(cycle, user)
    assert not Request.objects.exists()


def test_parish_must_be_in_the_zone_and_location_complete(cycle, resident):
    with pytest.raises(DomainError):
        submit(cycle, resident, parish=parish("tumbaco"))
    with pytest.raises(DomainError):
        submit(cycle, resident, latitude=Decimal("-0.1"))


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.jpg", b"not an image at all"), "no es una imagen"),
        (photo(fmt="GIF", name="x.gif"), "deben ser JPEG, PNG o WebP"),
    ],
)
def test_images_are_checked_by_content(upload, message):
    with pytest.raises(ValidationError, match=message):
        images.validate_image(upload)


def test_images_are_checked_for_size_and_pixels(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="el máximo es 100"):
        images.validate_image(photo(size=(200, 200)))
    monkeypatch.setattr(images, "MAX_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    with pytest.raises(ValidationError, match="megapíxeles"):
        images.validate_image(photo(size=(50, 50)))
    images.validate_image(photo(size=(20, 20), fmt="PNG", name="ok.png"))


def test_large_images_are_scaled_down():
    stored = images.reencode(photo(size=(3200, 1000)))
    with Image.open(stored) as reopened:
        assert reopened.size == (1600, 500)


def test_one_support_per_verified_resident(cycle):
    request = make_request(cycle, viable=None)
    supporter = make_resident("calderon")
    services.request_support(request=request, user=supporter)
    services.request_support(request=request, user=supporter)
    assert Support.objects.filter(request=request).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(request=request, resident=supporter.resident)
    with pytest.raises(PermissionDenied):
        services.request_support(request=request, user=make_resident("calderon", verified=False))
    services.request_unsupport(request=request, user=supporter)
    assert not Support.objects.exists()


def test_not_viable_needs_a_reason_and_the_author_is_told(
    cycle, staff, django_capture_on_commit_callbacks
):
    author = make_resident("calderon")
    request = make_request(cycle, viable=None, author=author)
    with pytest.raises(DomainError, match="no es viable"):
        services.verdict_record(request=request, actor=staff, viable=False, reason="  ")
    with pytest.raises(DomainError, match="costo técnico"):
        services.verdict_record(request=request, actor=staff, viable=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_record(
            request=request,
            actor=staff,
            viable=False,
            reason="El terreno es privado.",
            notes="Se visitó el 12/04/2026.",
        )
    request.refresh_from_db()
    assert request.status == "not_viable"
    [message] = mail.outbox
    assert message.to == [author.email]
    assert "no es viable" in message.subject
    assert "El terreno es privado." in message.body
    history = list(request.history.values_list("from_status", "to_status", "actor"))
    assert history[-1] == ("submitted", "not_viable", staff.pk)
    assert ModelLogEntry.objects.filter(action="proposals.verdict_record", user=staff).exists()

    # Staff may revise the verdict during pre-feasibility; the history keeps both.
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_record(
            request=request, actor=staff, viable=True, technical_cost=Decimal("21000.00")
        )
    request.refresh_from_db()
    assert request.status == "viable" and request.verdict.technical_cost == Decimal("21000.00")
    assert request.history.count() == 3
    assert "USD 21.000,00" in mail.outbox[1].body


def test_author_who_opted_out_gets_no_email(cycle, staff, django_capture_on_commit_callbacks):
    author = make_resident("calderon")
    author.resident.email_notifications = False
    author.resident.save()
    request = make_request(cycle, viable=None, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_record(
            request=request, actor=staff, viable=True, technical_cost=Decimal(1)
        )
    assert mail.outbox == []


def test_only_own_zone_staff_record_verdicts(cycle):
    request = make_request(cycle, viable=None)
    for user in (make_staff("tumbaco"), make_resident("calderon")):
        with pytest.raises(PermissionDenied):
            services.verdict_record(
                request=request, actor=user, viable=True, technical_cost=Decimal(5)
            )
    city = make_staff(city=True)
    services.verdict_record(request=request, actor=city, viable=True, technical_cost=Decimal(5))
