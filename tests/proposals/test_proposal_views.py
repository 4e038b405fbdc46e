"""Request pages: list with filters and search, submission form, detail, support, verdict."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from proposals.models import Request, Support
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    mfa_login,
    parish,
)

pytestmark = pytest.mark.django_db


def url(cycle, name, *args):
    return cycle.url + cycle.reverse_subpage(name, args=args or None)


def test_list_filters_search_and_fixed_query_count(client):
    cycle = make_cycle("calderon")
    make_request(cycle, title="Alumbrado en Carapungo", parish_obj=parish("calderon", 0))
    make_request(
        cycle, title="Parque de Llano Chico", parish_obj=parish("calderon", 1), viable=None
    )

    def fetch(query=""):
        with CaptureQueriesContext(connection) as context:
            html = client.get(url(cycle, "requests") + query).content.decode()
        return html, len(context.captured_queries)

    fetch()
    html, few = fetch()
    assert "Alumbrado" in html and "Parque" in html
    assert "Parque" not in fetch("?q=alumbrado")[0]
    assert "Alumbrado" not in fetch(f"?parroquia={parish('calderon', 1).pk}")[0]
    assert "Alumbrado" not in fetch("?estado=submitted")[0]
    assert "Parque" in fetch("?tipo=public_works")[0]
    for i in range(20):
        make_request(cycle, title=f"Obra {i}")
    assert fetch()[1] == few


def image_upload(fmt="PNG", name="foto.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "blue").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form_data(**overrides):
    data = {
        "kind": "social_project",
        "title": "Escuela de música para jóvenes",
        "description": "Clases gratuitas de música los sábados en la casa barrial.",
        "parish": parish("calderon").pk,
        "barrio_name": "Marianitas",
        "estimated_cost": "12000.50",
        "latitude": "-0.095",
        "longitude": "-78.42",
        "organisation": "",
    }
    data.update(overrides)
    return data


def test_submit_form_shows_field_errors_in_spanish(client):
    cycle = make_cycle("calderon")
    client.force_login(make_resident("calderon"))
    response = client.post(
        url(cycle, "request_new"),
        form_data(
            longitude="78.42",  # positive: outside the district
            image_1=SimpleUploadedFile("virus.jpg", b"MZ not an image"),
            image_2=image_upload(),
            alt_2="",
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "fuera del Distrito Metropolitano de Quito" in html
    assert "Envíe una imagen válida" in html  # Django's own check comes first
    assert "Describa la foto" in html
    assert not Request.objects.exists()


def test_submit_form_creates_the_request(client):
    cycle = make_cycle("calderon")
    client.force_login(make_resident("calderon"))
    response = client.post(
        url(cycle, "request_new"), form_data(image_1=image_upload(), alt_1="La casa barrial")
    )
    request = Request.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/solicitudes/{request.pk}/"
    )
    assert request.estimated_cost == Decimal("12000.50")
    assert request.images.count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "USD 12.000,50" in detail and 'alt="La casa barrial"' in detail


def test_outsiders_cannot_open_the_form(client):
    cycle = make_cycle("calderon")
    client.force_login(make_resident("tumbaco"))
    assert client.get(url(cycle, "request_new")).status_code == 403


def test_support_from_the_detail_page(client):
    cycle = make_cycle("calderon")
    item = make_request(cycle, viable=None)
    client.force_login(make_resident("calderon"))
    assert (
        client.post(url(cycle, "request_support", item.pk), {"action": "support"}).status_code
        == 302
    )
    client.post(url(cycle, "request_support", item.pk), {"action": "support"})
    assert Support.objects.count() == 1
    html = client.get(url(cycle, "request_detail", item.pk)).content.decode()
    assert "withdraw" in html


def test_staff_record_a_verdict(client, django_capture_on_commit_callbacks):
    cycle = make_cycle("calderon", phase="prefeasibility")
    item = make_request(cycle, viable=None, author=make_resident("calderon"))
    mfa_login(client, make_staff("calderon"))
    response = client.post(url(cycle, "request_verdict", item.pk), {"viable": "0", "reason": ""})
    assert response.status_code == 200  # reason missing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(cycle, "request_verdict", item.pk), {"viable": "1", "technical_cost": "9000"}
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "viable" and item.verdict.technical_cost == Decimal("9000")
