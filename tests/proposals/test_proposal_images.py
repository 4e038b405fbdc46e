"""Photos on requests: damaged files are Spanish field errors, a refused submission leaves no
file in the media folder, stored names are random, and GPS positions are stripped.

The storage tests use a real FileSystemStorage in a temporary MEDIA_ROOT (the suite's
default is InMemoryStorage) so that they can list the folder."""

import errno
import io
import random
import re
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from proposals import images, services
from proposals.models import Request, RequestImage
from quitodecide.errors import DomainError
from tests.budgets.builders import make_cycle, make_resident, parish

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^presupuestos/solicitudes/\d+/[0-9a-f]{32}\.jpg$")


# --- files, good and bad ---------------------------------------------------------------------
def noisy_jpeg(size=(240, 180), seed=1, **save_kwargs) -> bytes:
    """A JPEG with real entropy (a flat colour compresses to almost nothing, and a cut
    through it may fall after the last scan)."""
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, data).save(buffer, format="JPEG", **save_kwargs)
    return buffer.getvalue()


def png_bytes(width, height, pixel_data: bytes) -> bytes:
    """A PNG written chunk by chunk, with correct checksums around whatever `pixel_data` is."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixel_data)
        + chunk(b"IEND", b"")
    )


def good_photo(name="foto.jpg", seed=1):
    return SimpleUploadedFile(name, noisy_jpeg(seed=seed), content_type="image/jpeg")


def truncated_jpeg():
    data = noisy_jpeg()
    return SimpleUploadedFile("cancha.jpg", data[: len(data) * 6 // 10], "image/jpeg")


def corrupt_png():
    # Valid signature, header and checksums; the pixel data is not even zlib.
    return SimpleUploadedFile("plano.png", png_bytes(20, 20, b"no-es-zlib" * 8), "image/png")


def zero_bytes():
    return SimpleUploadedFile("vacia.jpg", b"", "image/jpeg")


def text_named_jpg():
    return SimpleUploadedFile("foto.jpg", b"Hola, soy un texto.\n", "image/jpeg")


def decompression_bomb():
    # 30,000 x 30,000 pixels declared in a file of a few hundred bytes.
    return SimpleUploadedFile(
        "bomba.png", png_bytes(30_000, 30_000, zlib.compress(b"\0" * 4096)), "image/png"
    )


def too_many_pixels():
    # 8,000 x 4,000 = 32 megapixels: under Pillow's own bomb limit, over ours.
    return SimpleUploadedFile(
        "grande.png", png_bytes(8_000, 4_000, zlib.compress(b"\0" * 4096)), "image/png"
    )


def gps_photo(name="casa.jpg"):
    """A JPEG whose EXIF carries a real GPS IFD (tag 0x8825) with a position in Quito."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TelefonoMarca"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (0.0, 5.0, 52.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (78.0, 25.0, 18.0)
    data = noisy_jpeg(exif=exif)
    with Image.open(io.BytesIO(data)) as check:  # the fixture really has a position
        written = check.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert written[ExifTags.GPS.GPSLatitudeRef] == "S"
        assert written[ExifTags.GPS.GPSLongitude] == (78.0, 25.0, 18.0)
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


BAD_FILES = {
    "truncated JPEG": (truncated_jpeg, "dañada o incompleta"),
    "corrupt PNG": (corrupt_png, "dañada o incompleta"),
    "zero bytes": (zero_bytes, "El fichero enviado está vacío"),
    "text named .jpg": (text_named_jpg, "Envíe una imagen válida"),
    "decompression bomb": (decompression_bomb, "Envíe una imagen válida"),
    "too many pixels": (too_many_pixels, "megapíxeles"),
}


# --- a real media folder ---------------------------------------------------------------------
@pytest.fixture
def media(tmp_path):
    root = tmp_path / "media"
    root.mkdir()
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(MEDIA_ROOT=str(root), STORAGES=storages):
        yield root


def files_in(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


class DiskFullAfterOneFile(FileSystemStorage):
    """The disk fills up after the first photo: the second write fails, as it would for
    real, after the first file is already on disk."""

    writes = 0

    def _save(self, name, content):
        type(self).writes += 1
        if type(self).writes > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super()._save(name, content)


# --- helpers ---------------------------------------------------------------------------------
def request_url(cycle):
    return cycle.url + cycle.reverse_subpage("request_new")


def form_data(**files):
    data = {
        "kind": "public_works",
        "title": "Graderío para la cancha",
        "description": "Los vecinos ven los partidos de pie.",
        "parish": parish("calderon").pk,
        "barrio_name": "San José de Morán",
        "estimated_cost": "18500.00",
    }
    for number, upload in files.items():
        data[f"image_{number}"] = upload
        data[f"alt_{number}"] = f"Foto {number} de la cancha"
    return data


def submit(cycle, user, uploads):
    return services.request_submit(
        cycle=cycle,
        user=user,
        kind="public_works",
        title="Graderío para la cancha",
        description="Los vecinos ven los partidos de pie.",
        parish=parish("calderon"),
        barrio_name="San José de Morán",
        estimated_cost=Decimal("18500.00"),
        images=[(upload, f"Foto {n}") for n, upload in enumerate(uploads, 1)],
    )


# --- field errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_damaged_or_hostile_file_is_a_spanish_field_error(client, media, kind):
    make_file, message = BAD_FILES[kind]
    cycle = make_cycle("calderon")
    client.force_login(make_resident("calderon"))
    response = client.post(request_url(cycle), form_data(**{"2": make_file()}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["image_2"]
    assert message in " ".join(errors["image_2"])
    assert message in response.content.decode()
    assert not Request.objects.exists()
    assert files_in(media) == []


@pytest.mark.parametrize("kind", BAD_FILES)
def test_the_service_refuses_them_with_a_domain_error(cycle, resident, media, kind):
    make_file, _message = BAD_FILES[kind]
    with pytest.raises(DomainError):
        submit(cycle, resident, [good_photo(), make_file()])
    assert not Request.objects.exists()
    assert files_in(media) == []


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cut=st.floats(min_value=0.0, max_value=1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(1, 255)), max_size=6),
    source=st.sampled_from(["jpeg", "png", "webp"]),
)
def test_any_mangled_image_is_accepted_or_refused_never_an_error(cut, flips, source):
    """Truncations and flipped bytes anywhere: re-encoding returns a clean JPEG or raises a
    ValidationError with a message, nothing else (no 500)."""
    buffer = io.BytesIO()
    with Image.open(io.BytesIO(noisy_jpeg(size=(64, 48)))) as image:
        image.save(buffer, format=source.upper())
    data = bytearray(buffer.getvalue())
    for position, mask in flips:
        data[int(position * (len(data) - 1))] ^= mask
    data = bytes(data[: max(1, int(cut * len(data)))])
    try:
        result = images.reencode(SimpleUploadedFile("x", data))
    except ValidationError as error:
        assert error.messages and error.messages[0]
    else:
        with Image.open(result) as reopened:
            assert reopened.format == "JPEG"


# --- nothing left behind ---------------------------------------------------------------------
def test_a_truncated_photo_with_two_good_ones_leaves_no_file(client, media):
    cycle = make_cycle("calderon")
    client.force_login(make_resident("calderon"))
    uploads = {"1": good_photo(seed=1), "2": good_photo(seed=2), "3": truncated_jpeg()}
    response = client.post(request_url(cycle), form_data(**uploads))
    assert response.status_code == 200
    assert "dañada o incompleta" in " ".join(response.context["form"].errors["image_3"])
    assert not Request.objects.exists() and not RequestImage.objects.exists()
    assert files_in(media) == []


def test_the_service_decodes_every_photo_before_writing_any(cycle, resident, media):
    with pytest.raises(DomainError, match="dañada o incompleta"):
        submit(cycle, resident, [good_photo(seed=1), good_photo(seed=2), truncated_jpeg()])
    assert not Request.objects.exists()
    assert files_in(media) == []


def test_files_written_before_a_failure_are_deleted(cycle, resident, media):
    storages = {
        "default": {"BACKEND": f"{__name__}.DiskFullAfterOneFile"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    DiskFullAfterOneFile.writes = 0
    with override_settings(STORAGES=storages), pytest.raises(OSError, match="No space left"):
        submit(cycle, resident, [good_photo(seed=1), good_photo(seed=2)])
    assert DiskFullAfterOneFile.writes == 2  # the first photo did reach the disk
    assert not Request.objects.exists()
    assert files_in(media) == []


def test_a_good_submission_keeps_its_files(client, media):
    cycle = make_cycle("calderon")
    client.force_login(make_resident("calderon"))
    response = client.post(
        request_url(cycle), form_data(**{"1": good_photo(seed=1), "2": good_photo(seed=2)})
    )
    assert response.status_code == 302
    request = Request.objects.get()
    stored = [item.image.name for item in request.images.all()]
    assert files_in(media) == sorted(stored) and len(stored) == 2


# --- names and metadata ----------------------------------------------------------------------
def test_stored_names_are_random_never_the_residents_file_name(cycle, resident, media):
    first = submit(cycle, resident, [gps_photo("Maria Perez - mi casa.jpg")])
    second = submit(cycle, resident, [gps_photo("Maria Perez - mi casa.jpg")])
    names = [item.image.name for r in (first, second) for item in r.images.all()]
    assert all(STORED_NAME.match(name) for name in names), names
    assert len({name.rsplit("/", 1)[1] for name in names}) == 2
    assert not any("Maria" in path or "casa" in path for path in files_in(media))


def test_png_and_webp_are_stored_as_jpeg_under_a_jpg_name(cycle, resident, media):
    uploads = []
    for fmt, name in (("PNG", "plano.png"), ("WEBP", "foto.webp")):
        buffer = io.BytesIO()
        Image.new("RGBA", (30, 20), (0, 0, 255, 128)).save(buffer, format=fmt)
        uploads.append(SimpleUploadedFile(name, buffer.getvalue()))
    request = submit(cycle, resident, uploads)
    for item in request.images.all():
        assert STORED_NAME.match(item.image.name)
        with item.image.open("rb") as handle, Image.open(handle) as reopened:
            assert reopened.format == "JPEG" and (item.width, item.height) == (30, 20)


def test_gps_position_is_stripped(cycle, resident):
    request = submit(cycle, resident, [gps_photo()])
    [stored] = request.images.all()
    with Image.open(stored.image) as reopened:
        exif = reopened.getexif()
        assert ExifTags.IFD.GPSInfo not in exif
        assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert not exif  # nothing else of the phone's metadata either
        assert "exif" not in reopened.info
