"""The block library and images on zone pages (Wagtail images, Pillow renditions)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.blocks import StreamBlockValidationError
from wagtail.images.models import Image

from home.blocks import BodyBlock, ImageWithAltBlock
from territory.models import ZonePage

pytestmark = pytest.mark.django_db


def make_image(title="Sede zonal", size=(1200, 600)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (11, 79, 138)).save(buffer, format="PNG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name="sede.png"))


def test_image_block_requires_alt_text(territory):
    block = ImageWithAltBlock()
    image = make_image()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"image": image.pk, "alt": "", "caption": ""}))
    value = block.clean(
        block.to_python({"image": image.pk, "alt": "Fachada de la sede", "caption": ""})
    )
    assert value["alt"] == "Fachada de la sede"


def test_body_stream_rejects_an_image_without_alt(territory):
    image = make_image()
    stream = BodyBlock()
    raw = [{"type": "image", "value": {"image": image.pk, "alt": "", "caption": ""}}]
    with pytest.raises(StreamBlockValidationError):
        stream.clean(stream.to_python(raw))


def test_zone_page_renders_an_image_rendition_with_alt(client, territory):
    page = ZonePage.objects.get(zone__slug="calderon")
    page.image = make_image()
    page.image_alt = "Sede de la Administración Zonal Calderón"
    page.body = [
        ("paragraph", "<p>Bienvenidos a Calderón.</p>"),
        (
            "image",
            {
                "image": make_image("Parque"),
                "alt": "Parque central de Carapungo",
                "caption": "Carapungo",
            },
        ),
    ]
    page.save_revision().publish()
    html = client.get("/zonas/calderon/").content.decode()
    assert 'alt="Sede de la Administración Zonal Calderón"' in html
    assert 'alt="Parque central de Carapungo"' in html
    assert "Bienvenidos a Calderón." in html
    assert page.image.renditions.filter(filter_spec="width-960").exists()


def test_zone_page_image_needs_alt(territory):
    page = ZonePage.objects.get(zone__slug="calderon")
    page.image = make_image()
    page.image_alt = ""
    with pytest.raises(ValidationError):
        page.full_clean()
