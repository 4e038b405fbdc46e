"""A request's comment URLs act only on the comments of that request's thread.

`/…/presupuestos/<cycle>/solicitudes/<X>/comentario/<id>/<action>/` with the id of a comment
of another request (of the same cycle or of another cycle), or with a request of another
cycle, is a 404 that changes nothing; a reply to another request's comment is refused. Each
action is made by someone who may do it through the comment's own URL (checked too)."""

import pytest

from discussions.models import Comment, Flag
from proposals import services
from tests.budgets.builders import make_cycle, make_request, make_resident, make_staff
from tests.factories import UserFactory, comment_state, login_with_mfa

pytestmark = pytest.mark.django_db


def detail(cycle, item):
    return cycle.url + cycle.reverse_subpage("request_detail", args=[item.pk])


@pytest.fixture
def requests(db):
    cycle = make_cycle("calderon", year=2026)
    older = make_cycle("calderon", year=2025)
    here = make_request(cycle, title="Alumbrado del parque")
    there = make_request(cycle, title="Adoquinado de la calle")
    elsewhere = make_request(older, title="Casa comunal")
    author = make_resident("calderon")
    comments = {
        name: services.request_comment(request=item, user=author, body=f"Comentario en {name}")
        for name, item in (("there", there), ("elsewhere", elsewhere))
    }
    return {
        "cycle": cycle,
        "older": older,
        "here": here,
        "there": there,
        "elsewhere": elsewhere,
        "author": author,
        "comments": comments,
    }


state = comment_state


ACTIONS = {
    "apoyar": ("neighbour", {}),
    "reportar": ("neighbour", {"reason": Flag.Reason.SPAM}),
    "eliminar": ("author", {}),
    "responder-oficialmente": ("staff", {"body": "Respuesta oficial de la zona"}),
}


def log_in(client, who, author):
    if who == "author":
        client.force_login(author)
    elif who == "neighbour":
        client.force_login(UserFactory())
    else:
        login_with_mfa(client, make_staff("calderon"))


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("target", ["there", "elsewhere"])
def test_an_action_on_another_requests_comment_is_404_and_changes_nothing(
    client, requests, action, target
):
    comment = requests["comments"][target]
    who, data = ACTIONS[action]
    log_in(client, who, requests["author"])
    before = state(comment)

    cycle = requests["cycle"]
    wrong = [f"{detail(cycle, requests['here'])}comentario/{comment.pk}/{action}/"]
    if target == "elsewhere":  # the right request, but named under another cycle
        wrong.append(f"{detail(cycle, requests['elsewhere'])}comentario/{comment.pk}/{action}/")
    for url in wrong:
        assert client.post(url, data).status_code == 404, url
        assert state(comment) == before

    own_cycle = requests["older"] if target == "elsewhere" else cycle
    own = f"{detail(own_cycle, requests[target])}comentario/{comment.pk}/{action}/"
    assert client.post(own, data).status_code == 302
    assert state(comment) != before


@pytest.mark.parametrize("target", ["there", "elsewhere"])
def test_a_reply_to_another_requests_comment_is_refused(client, requests, target):
    comment = requests["comments"][target]
    client.force_login(UserFactory())
    count = Comment.objects.count()

    url = detail(requests["cycle"], requests["here"]) + "comentar/"
    response = client.post(url, {"body": "Respuesta cruzada", "parent": comment.pk})
    assert response.status_code == 400
    assert "Ese comentario no pertenece a esta solicitud." in response.content.decode()
    assert Comment.objects.count() == count
