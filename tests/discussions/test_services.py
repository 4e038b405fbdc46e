"""The discussion engine: comments, replies, supports, flags, moderation, counters."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from discussions import services
from discussions.models import Comment, Support, Thread
from quitodecide.errors import DomainError, PermissionDenied
from territory.models import Zone
from territory.services import zone_group_name
from tests.factories import UserFactory, with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(territory):
    return Thread.objects.create(zone=Zone.objects.get(slug="calderon"), title="Artículo 1")


def comment(thread, author=None, **kwargs):
    kwargs.setdefault("body", "Un comentario.")
    return services.comment_create(thread=thread, author=author or UserFactory(), **kwargs)


def test_create_counts_and_strips(thread):
    c = comment(thread, body="  Hola vecinos  ", stance="favor")
    assert (c.body, c.stance, c.depth) == ("Hola vecinos", "favor", 1)
    thread.refresh_from_db()
    assert thread.comment_count == 1


@pytest.mark.parametrize("body", ["", "   ", "x" * 3001])
def test_bad_bodies_are_refused(thread, body):
    with pytest.raises(DomainError):
        comment(thread, body=body)
    assert not Comment.objects.exists()


def test_invalid_stance_is_refused(thread):
    with pytest.raises(DomainError):
        comment(thread, stance="maybe")


def test_replies_go_three_levels_deep(thread):
    first = comment(thread)
    second = comment(thread, parent=first)
    third = comment(thread, parent=second)
    assert (second.depth, third.depth) == (2, 3)
    with pytest.raises(DomainError):
        comment(thread, parent=third)


def test_reply_must_be_in_the_same_thread(thread, territory):
    other = Thread.objects.create(title="Otro")
    with pytest.raises(DomainError):
        comment(thread, parent=comment(other))


def test_database_refuses_a_fourth_level(thread):
    first = comment(thread)
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.create(thread=thread, author=first.author, parent=first, depth=4, body="x")


def test_rate_limit(thread):
    author = UserFactory()
    for _ in range(services.RATE_LIMIT_COUNT):
        comment(thread, author=author)
    with pytest.raises(DomainError) as excinfo:
        comment(thread, author=author)
    assert "10" in excinfo.value.message
    # Older comments no longer count.
    Comment.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=11))
    comment(thread, author=author)


def test_support_toggle_is_one_per_user_and_counted(thread):
    c = comment(thread)
    fan = UserFactory()
    assert services.support_toggle(comment=c, user=fan) is True
    c.refresh_from_db()
    assert c.support_count == 1
    assert services.support_toggle(comment=c, user=fan) is False
    c.refresh_from_db()
    assert c.support_count == 0
    with pytest.raises(PermissionDenied):
        services.support_toggle(comment=c, user=c.author)  # not one's own
    Support.objects.create(comment=c, user=fan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(comment=c, user=fan)


def test_edit_window(thread):
    c = comment(thread, stance="favor")
    services.comment_edit(comment=c, user=c.author, body="Corregido", stance="contra")
    c.refresh_from_db()
    assert (c.body, c.stance) == ("Corregido", "contra")
    assert c.edited_at is not None
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=c, user=UserFactory(), body="Ajeno")
    Comment.objects.filter(pk=c.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    c.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.comment_edit(comment=c, user=c.author, body="Tarde")


def test_delete_keeps_replies(thread):
    c = comment(thread)
    reply = comment(thread, parent=c)
    services.comment_delete(comment=c, user=c.author)
    c.refresh_from_db()
    assert (c.status, c.body) == ("deleted", "")
    assert Comment.objects.filter(pk=reply.pk, status="visible").exists()
    thread.refresh_from_db()
    assert thread.comment_count == 1


def test_flags_once_per_user(thread):
    c = comment(thread)
    flagger = UserFactory()
    services.flag_create(comment=c, user=flagger, reason="spam")
    with pytest.raises(DomainError):
        services.flag_create(comment=c, user=flagger, reason="ofensivo")
    with pytest.raises(DomainError):
        services.flag_create(comment=c, user=UserFactory(), reason="nonsense")
    c.refresh_from_db()
    assert c.open_flag_count == 1


@pytest.fixture
def calderon_moderator(territory):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=zone_group_name(Zone.objects.get(slug="calderon"))))
    return with_mfa(user)


def test_moderator_hides_with_reason_and_restores_with_audit(thread, calderon_moderator):
    c = comment(thread)
    services.flag_create(comment=c, user=UserFactory(), reason="ofensivo")
    with pytest.raises(DomainError):
        services.comment_hide(comment=c, actor=calderon_moderator, reason="  ")
    services.comment_hide(comment=c, actor=calderon_moderator, reason="lenguaje ofensivo")
    c.refresh_from_db()
    assert (c.status, c.moderation_reason, c.open_flag_count) == ("hidden", "lenguaje ofensivo", 0)
    assert not c.flags.filter(resolved=False).exists()
    thread.refresh_from_db()
    assert thread.comment_count == 0
    services.comment_restore(comment=c, actor=calderon_moderator)
    c.refresh_from_db()
    assert c.status == "visible"
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(c.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["discussions.comment_hide", "discussions.comment_restore"]


def test_moderators_act_only_on_their_zone(territory, calderon_moderator):
    tumbaco_thread = Thread.objects.create(zone=Zone.objects.get(slug="tumbaco"), title="T")
    city_thread = Thread.objects.create(zone=None, title="Ciudad")
    for other in (tumbaco_thread, city_thread):
        c = comment(other)
        with pytest.raises(PermissionDenied):
            services.comment_hide(comment=c, actor=calderon_moderator, reason="x")
        with pytest.raises(PermissionDenied):
            services.official_answer_create(parent=c, author=calderon_moderator, body="x")


def test_official_answer_is_marked_and_audited(thread, calderon_moderator):
    c = comment(thread)
    answer = services.official_answer_create(
        parent=c, author=calderon_moderator, body="Gracias, se acoge."
    )
    assert answer.is_official and answer.parent == c
    assert ModelLogEntry.objects.filter(action="discussions.official_answer").exists()


def test_reply_notification_and_opt_out(thread, mailoutbox, django_capture_on_commit_callbacks):
    from tests.factories import ResidentFactory

    author = ResidentFactory().user
    c = comment(thread, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        comment(thread, parent=c)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [author.email]
    assert "respuesta" in mailoutbox[0].subject.lower()
    author.resident.email_notifications = False
    author.resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment(thread, parent=c)
    assert len(mailoutbox) == 1
    author.resident.email_notifications = True
    author.resident.save()
    with django_capture_on_commit_callbacks(execute=True):
        comment(thread, author=author, parent=c)  # replying to oneself notifies nobody
    assert len(mailoutbox) == 1
