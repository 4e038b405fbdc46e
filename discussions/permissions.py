"""Who may do what in a discussion. Context-specific rules (is the consultation open?)
live in the app that owns the discussed object; these are the engine's own."""

from django.utils import timezone

from territory.permissions import is_zone_staff

EDIT_WINDOW_MINUTES = 15


def can_moderate(user, thread) -> bool:
    """Moderators act only on threads of their zone; city-level staff on city-wide ones."""
    return is_zone_staff(user, thread.zone)


def can_answer_officially(user, thread) -> bool:
    return is_zone_staff(user, thread.zone)


def can_flag(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_support(user, comment) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and comment.is_visible
        and comment.author_id != user.pk
    )


def can_edit(user, comment, *, now=None) -> bool:
    now = now or timezone.now()
    return bool(
        user
        and user.is_authenticated
        and comment.author_id == user.pk
        and comment.is_visible
        and (now - comment.created_at).total_seconds() <= EDIT_WINDOW_MINUTES * 60
    )


def can_delete(user, comment) -> bool:
    return bool(
        user
        and user.is_authenticated
        and comment.author_id == user.pk
        and comment.status != comment.Status.DELETED
    )
