"""A consultation's comment URLs act only on the comments of that consultation's threads.

`/consultas/<A>/comentario/<id>/<action>/` with the id of a comment of consultation B is a
404 that changes nothing, for every action (support, flag, delete, official answer, edit),
and a reply to B's comment cannot be posted through A. Each case is made by someone who may
do it through B's own URL (which the test checks too), so only the scoping stands between.
"""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations import services
from discussions.models import Comment, Flag
from territory.models import Zone, ZonePage
from territory.services import zone_group_name
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory, UserFactory, comment_state, login_with_mfa

pytestmark = pytest.mark.django_db


def calderon_resident():
    zone = Zone.objects.get(slug="calderon")
    return ResidentFactory(
        zone=zone,
        parish=zone.parishes.first(),
        verification_status="verified",
        verified_at=timezone.now(),
    ).user


def calderon_staff():
    user = UserFactory()
    user.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    return user


@pytest.fixture
def two_consultations(territory):
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    a = make_consultation(zone_page, slug="consulta-a")
    b = make_consultation(zone_page, slug="consulta-b")
    author = calderon_resident()
    comment = services.consultation_comment(
        consultation=b,
        user=author,
        body="Texto original en la consulta B",
        stance="favor",
        provision_key="art-3",
    )
    return a, b, author, comment


state = comment_state


# action -> (who does it: "author", "neighbour" or "staff"; POST data)
ACTIONS = {
    "apoyar": ("neighbour", {"provision": "art-3"}),
    "reportar": ("neighbour", {"provision": "art-3", "reason": Flag.Reason.OFFENSIVE}),
    "eliminar": ("author", {"provision": "art-3"}),
    "responder-oficialmente": ("staff", {"provision": "art-3", "body": "Respuesta oficial"}),
    "editar": ("author", {"provision": "art-3", "body": "Texto cambiado", "stance": "contra"}),
}


def log_in(client, who, author):
    if who == "author":
        client.force_login(author)
    elif who == "neighbour":
        client.force_login(calderon_resident())
    else:
        login_with_mfa(client, calderon_staff())


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_on_another_consultations_comment_is_404_and_changes_nothing(
    client, two_consultations, action
):
    a, b, author, comment = two_consultations
    who, data = ACTIONS[action]
    log_in(client, who, author)
    before = state(comment)

    wrong = f"{a.url}comentario/{comment.pk}/{action}/"
    if action == "editar":
        assert client.get(wrong).status_code == 404
    assert client.post(wrong, data).status_code == 404
    assert state(comment) == before

    # Through B's own URL the same person, with the same data, does change it.
    response = client.post(f"{b.url}comentario/{comment.pk}/{action}/", data)
    assert response.status_code == 302
    assert state(comment) != before


def test_a_reply_to_another_consultations_comment_is_refused(client, two_consultations):
    a, b, _author, comment = two_consultations
    client.force_login(calderon_resident())
    count = Comment.objects.count()

    response = client.post(f"{a.url}comentar/", {"body": "Respuesta cruzada", "parent": comment.pk})
    assert response.status_code == 400
    assert "Ese comentario no forma parte de esta consulta." in response.content.decode()
    assert Comment.objects.count() == count

    response = client.post(
        f"{b.url}comentar/", {"body": "Respuesta en su sitio", "parent": comment.pk}
    )
    assert response.status_code == 302
    assert Comment.objects.filter(parent=comment).count() == 1
