"""A NUL byte anywhere in a query string or a form is a 400 with its reason, never a 500
(PostgreSQL text columns cannot hold it), on pages and on the API alike."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_nul_in_the_query_string_is_a_400_page_in_spanish(client):
    response = client.get("/buscar/", {"q": "agua\x00"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "No se pudo leer la solicitud" in body
    assert "NUL" in body


def test_a_nul_in_a_parameter_name_is_refused_too(client):
    assert client.get("/obras/", {"a\x00b": "1"}).status_code == 400


def test_the_api_answers_json(client):
    response = client.get("/api/v1/works", {"zone": "\x00"})
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_form_post_with_a_nul_is_refused_before_the_view(client):
    response = client.post("/cuenta/login/", {"login": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400


def test_ordinary_input_passes(client):
    assert client.get("/buscar/", {"q": "agua potable"}).status_code == 200
