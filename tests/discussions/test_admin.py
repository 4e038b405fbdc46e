"""The moderation queue in the Wagtail admin, limited to the moderator's zone."""

import pytest
from django.contrib.auth.models import Group

from discussions import services
from discussions.models import Comment, Thread
from territory.models import Zone
from territory.services import zone_group_name
from tests.factories import UserFactory, login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(territory):
    comments = {}
    for slug in ("calderon", "tumbaco"):
        thread = Thread.objects.create(zone=Zone.objects.get(slug=slug), title=f"Art. {slug}")
        comment = services.comment_create(
            thread=thread, author=UserFactory(), body=f"Comentario en {slug}"
        )
        services.flag_create(comment=comment, user=UserFactory(), reason="ofensivo")
        comments[slug] = comment
    return comments


def test_queue_shows_only_the_moderators_zone_and_hides_through_the_service(client, flagged):
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    login_with_mfa(client, moderator)
    html = client.get("/admin/moderacion/").content.decode()
    assert "Comentario en calderon" in html
    assert "Comentario en tumbaco" not in html
    own, other = flagged["calderon"], flagged["tumbaco"]
    assert client.get(f"/admin/moderacion/edit/{other.pk}/").status_code == 404
    response = client.post(f"/admin/moderacion/edit/{own.pk}/", {"action": "hide", "reason": ""})
    assert response.status_code == 200  # reason required: form shown again
    own.refresh_from_db()
    assert own.status == Comment.Status.VISIBLE
    response = client.post(
        f"/admin/moderacion/edit/{own.pk}/", {"action": "hide", "reason": "insultos"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.status, own.moderation_reason, own.moderated_by) == (
        "hidden",
        "insultos",
        moderator,
    )
