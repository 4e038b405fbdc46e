"""The rule book's discussion-engine actions. Whether a discussion takes comments at all
(is the consultation open?) is the owning capability's rule (`consultations.comment`,
`proposals.comment`); these are the engine's own.

Targets: a thread ("any" phase) and a comment ("fresh": visible, inside the edit window;
"old": visible, past it; "hidden": hidden by moderation).
"""

import rules
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import LOGGED_IN, STAFF_OF_ZONE, action, is_active_user, staff_of

EDIT_WINDOW_MINUTES = 15


def thread_zone(thread):
    return thread.zone


def comment_zone(comment):
    return comment.thread.zone


@rules.predicate
def is_author(user, comment) -> bool:
    return bool(comment is not None and user and user.pk and comment.author_id == user.pk)


@rules.predicate
def is_visible(user, comment) -> bool:
    return comment is not None and comment.is_visible


@rules.predicate
def within_edit_window(user, comment) -> bool:
    age = timezone.now() - comment.created_at
    return age.total_seconds() <= EDIT_WINDOW_MINUTES * 60


@rules.predicate
def not_deleted(user, comment) -> bool:
    return comment is not None and comment.status != comment.Status.DELETED


NOT_AUTHOR = LOGGED_IN - {"author*"}

action(
    "discussions.moderate",
    staff_of(thread_zone),
    target="thread",
    rows={"any": STAFF_OF_ZONE},
    summary=_("Hide or restore comments, dismiss flags"),
    staff=True,
)
action(
    "discussions.answer_officially",
    staff_of(thread_zone),
    target="thread",
    rows={"any": STAFF_OF_ZONE},
    summary=_("Publish an official answer"),
    staff=True,
)
action(
    "discussions.flag",
    is_active_user,
    target="comment",
    rows={"fresh": LOGGED_IN, "old": LOGGED_IN, "hidden": LOGGED_IN},
    summary=_("Flag a comment for moderation"),
    participation=True,
)
action(
    "discussions.support",
    is_active_user & is_visible & ~is_author,
    target="comment",
    rows={"fresh": NOT_AUTHOR, "old": NOT_AUTHOR, "hidden": set()},
    summary=_("Support someone else's comment"),
    participation=True,
)
action(
    "discussions.edit",
    is_active_user & is_author & is_visible & within_edit_window,
    target="comment",
    rows={"fresh": {"author*"}, "old": set(), "hidden": set()},
    summary=_("Edit one's own comment, within 15 minutes of writing it"),
    participation=True,
)
action(
    "discussions.delete",
    is_active_user & is_author & not_deleted,
    target="comment",
    rows={"fresh": {"author*"}, "old": {"author*"}, "hidden": {"author*"}},
    summary=_("Delete one's own comment (replies stay)"),
)
