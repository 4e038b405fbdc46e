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


def test_moderating_in_the_admin_leaves_one_audit_entry_per_action(client, flagged):
    from wagtail.models import ModelLogEntry

    from discussions import audit

    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    login_with_mfa(client, moderator)
    comment = flagged["calderon"]
    url = f"/admin/moderacion/edit/{comment.pk}/"
    assert client.post(url, {"action": "hide", "reason": "insultos"}).status_code == 302
    assert client.post(url, {"action": "restore", "reason": ""}).status_code == 302
    assert client.post(url, {"action": "dismiss", "reason": ""}).status_code == 302
    entries = ModelLogEntry.objects.filter(object_id=str(comment.pk), user=moderator)
    assert list(entries.order_by("pk").values_list("action", flat=True)) == [
        audit.HIDE,
        audit.RESTORE,
        audit.FLAGS_DISMISS,
    ]
    assert entries.filter(action=audit.HIDE).get().data == {"reason": "insultos"}


def test_a_refused_moderation_is_a_form_error(client, flagged):
    """Restoring a visible comment is refused by the service: shown on the form, no 500."""
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    login_with_mfa(client, moderator)
    comment = flagged["calderon"]
    response = client.post(f"/admin/moderacion/edit/{comment.pk}/", {"action": "restore"})
    assert response.status_code == 200
    assert "Solo se puede restablecer un comentario oculto" in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE
