"""Residents discuss a request through the shared discussion engine."""

import pytest

from discussions.models import Comment
from tests.budgets.builders import make_request, make_staff
from tests.factories import UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


def detail_url(cycle, item):
    return cycle.url + f"solicitudes/{item.pk}/"


def test_comment_reply_support_and_official_answer(client, cycle, resident):
    item = make_request(cycle)
    url = detail_url(cycle, item)
    html = client.get(url).content.decode()
    assert "/cuenta/login/" in html  # anonymous: prompt to log in, no form
    client.force_login(resident)
    response = client.post(url + "comentar/", {"body": "La calle lo necesita con urgencia"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    item.refresh_from_db()
    assert comment.thread_id == item.thread_id
    assert item.thread.zone == cycle.zone
    neighbour = UserFactory()
    client.force_login(neighbour)
    client.post(url + "comentar/", {"body": "Apoyo", "parent": comment.pk})
    client.post(url + f"comentario/{comment.pk}/apoyar/")
    comment.refresh_from_db()
    assert comment.support_count == 1
    staff = make_staff(cycle.zone.slug)
    client.force_login(staff)
    # Password only: the MFA gate refuses the official answer.
    client.post(
        url + f"comentario/{comment.pk}/responder-oficialmente/",
        {"body": "Sin segundo factor."},
    )
    assert not Comment.objects.filter(is_official=True, parent=comment).exists()
    login_with_mfa(client, staff)
    client.post(
        url + f"comentario/{comment.pk}/responder-oficialmente/",
        {"body": "Está en la lista de prefactibilidad."},
    )
    assert Comment.objects.filter(is_official=True, parent=comment).exists()
    html = client.get(url).content.decode()
    for text in (
        "La calle lo necesita con urgencia",
        "Apoyo",
        "Está en la lista de prefactibilidad",
    ):
        assert text in html


def test_empty_comment_keeps_the_form_and_creates_nothing(client, cycle, resident):
    item = make_request(cycle)
    client.force_login(resident)
    response = client.post(detail_url(cycle, item) + "comentar/", {"body": ""})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_comment_of_another_request_is_not_reachable(client, cycle, resident):
    first, second = make_request(cycle), make_request(cycle, title="Otra obra")
    client.force_login(resident)
    client.post(detail_url(cycle, first) + "comentar/", {"body": "Sobre la primera"})
    comment = Comment.objects.get()
    response = client.post(detail_url(cycle, second) + f"comentario/{comment.pk}/apoyar/")
    assert response.status_code == 404


def test_unverified_email_cannot_comment(client, cycle):
    item = make_request(cycle)
    client.force_login(UserFactory(verified_email=False))
    response = client.post(detail_url(cycle, item) + "comentar/", {"body": "Hola"})
    assert response.status_code == 400
    assert not Comment.objects.exists()
