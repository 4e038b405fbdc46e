"""Writes of the discussion engine. Apps that own a discussed object check their own rules
(is the consultation open, may this person take part) and then call these."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.pagecache import purge as purge_pages

from . import audit
from .models import MAX_BODY_LENGTH, MAX_DEPTH, Comment, Flag, Stance, Support, Thread
from .rules import EDIT_WINDOW_MINUTES

RATE_LIMIT_COUNT = 10
RATE_LIMIT_WINDOW = datetime.timedelta(minutes=10)
DELETED_PLACEHOLDER = ""


def _clean_text(text: str, *, field_label: str, required: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise DomainError(_("Write your %(field)s before sending it.") % {"field": field_label})
    if len(text) > MAX_BODY_LENGTH:
        raise DomainError(
            _("The %(field)s can have at most %(max)d characters (it has %(length)d).")
            % {"field": field_label, "max": MAX_BODY_LENGTH, "length": len(text)}
        )
    return text


def _count(comment: Comment, delta: int) -> None:
    """Move the thread's counters for a comment becoming visible (+1) or not (-1)."""
    changes = {"comment_count": F("comment_count") + delta}
    if comment.parent_id is None and comment.stance in Stance.values:
        field = f"{comment.stance}_count"
        changes[field] = F(field) + delta
    Thread.objects.filter(pk=comment.thread_id).update(**changes)
    purge_pages()  # no signal from this write: drop cached pages


def thread_recount(*, thread: Thread) -> Thread:
    """Rebuild a thread's counters from its comments (after imports or repairs)."""
    visible = Comment.objects.filter(thread=thread, status=Comment.Status.VISIBLE)
    top = visible.filter(parent__isnull=True)
    thread.comment_count = visible.count()
    for stance in Stance.values:
        setattr(thread, f"{stance}_count", top.filter(stance=stance).count())
    thread.save(update_fields=["comment_count", "favor_count", "contra_count", "neutral_count"])
    return thread


def _check_rate_limit(author) -> None:
    since = timezone.now() - RATE_LIMIT_WINDOW
    recent = Comment.objects.filter(author=author, created_at__gte=since).count()
    if recent >= RATE_LIMIT_COUNT:
        raise DomainError(
            _(
                "You have sent %(count)d comments in the last %(minutes)d minutes. Please wait a "
                "few minutes before sending another one."
            )
            % {"count": recent, "minutes": int(RATE_LIMIT_WINDOW.total_seconds() // 60)}
        )


@transaction.atomic
def comment_create(
    *,
    thread: Thread,
    author,
    body: str,
    stance: str = "",
    proposed_wording: str = "",
    parent: Comment | None = None,
    revision: int | None = None,
    is_official: bool = False,
) -> Comment:
    body = _clean_text(body, field_label=_("comment"), required=True)
    proposed_wording = _clean_text(
        proposed_wording, field_label=_("proposed wording"), required=False
    )
    if stance and stance not in Stance.values:
        raise DomainError(_("Choose a valid stance."))
    depth = 1
    if parent is not None:
        if parent.thread_id != thread.pk:
            raise DomainError(_("You can only reply to a comment of the same discussion."))
        if not parent.is_visible and not is_official:
            raise DomainError(_("This comment cannot receive replies."))
        depth = parent.depth + 1
        if depth > MAX_DEPTH:
            raise DomainError(_("Replies can only go three levels deep."))
        stance = "" if is_official else stance
    if not is_official:
        _check_rate_limit(author)
    comment = Comment.objects.create(
        thread=thread,
        author=author,
        parent=parent,
        depth=depth,
        stance=stance,
        body=body,
        proposed_wording=proposed_wording,
        revision=revision,
        is_official=is_official,
    )
    _count(comment, +1)
    if parent is not None:
        from .tasks import notify_answer

        transaction.on_commit(lambda: notify_answer.enqueue(comment.pk))
    return comment


@transaction.atomic
def official_answer_create(*, parent: Comment, author, body: str) -> Comment:
    thread = parent.thread
    if not rulebook.allowed(author, "discussions.answer_officially", thread):
        raise PermissionDenied(_("Only staff of this zone can answer officially."))
    comment = comment_create(
        thread=thread,
        author=author,
        body=body,
        parent=parent,
        revision=parent.revision,
        is_official=True,
    )
    log(instance=comment, action=audit.OFFICIAL_ANSWER, user=author)
    return comment


@transaction.atomic
def comment_edit(
    *, comment: Comment, user, body: str, stance: str = "", proposed_wording: str = ""
) -> Comment:
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not rulebook.allowed(user, "discussions.edit", comment):
        raise PermissionDenied(
            _("A comment can only be edited by its author, within %(minutes)d minutes.")
            % {"minutes": EDIT_WINDOW_MINUTES}
        )
    comment.body = _clean_text(body, field_label=_("comment"), required=True)
    comment.proposed_wording = _clean_text(
        proposed_wording, field_label=_("proposed wording"), required=False
    )
    if comment.parent_id is None and stance in Stance.values and stance != comment.stance:
        _count(comment, -1)
        comment.stance = stance
        _count(comment, +1)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "proposed_wording", "stance", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> Comment:
    """The author withdraws a comment: its text goes, its replies stay."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not rulebook.allowed(user, "discussions.delete", comment):
        raise PermissionDenied(_("Only the author can delete this comment."))
    if comment.is_visible:
        _count(comment, -1)
    comment.status = Comment.Status.DELETED
    comment.body = DELETED_PLACEHOLDER
    comment.proposed_wording = ""
    comment.save(update_fields=["status", "body", "proposed_wording"])
    return comment


def support_toggle(*, comment: Comment, user) -> bool:
    """Support a comment, or withdraw the support. Returns whether it is supported now.

    One support per person is a database constraint; the counter is updated in the same
    transaction, so it cannot drift under concurrent clicks.
    """
    if not rulebook.may_take_back(user, "discussions.support", comment):
        raise PermissionDenied(_("You cannot support this comment."))
    with transaction.atomic():
        deleted, _detail = Support.objects.filter(comment=comment, user=user).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk).update(support_count=F("support_count") - 1)
            return False
    # Supporting anew is participation: the whole rule, with its gate.
    rulebook.require(user, "discussions.support", comment, _("You cannot support this comment."))
    try:
        with transaction.atomic():
            Support.objects.create(comment=comment, user=user)
            Comment.objects.filter(pk=comment.pk).update(support_count=F("support_count") + 1)
    except IntegrityError:
        return True  # a concurrent click already recorded it
    return True


def flag_create(*, comment: Comment, user, reason: str) -> Flag:
    if not rulebook.allowed(user, "discussions.flag", comment):
        raise PermissionDenied(_("Log in to flag a comment."))
    if reason not in Flag.Reason.values:
        raise DomainError(_("Choose why you are flagging this comment."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(comment=comment, user=user, reason=reason)
            Comment.objects.filter(pk=comment.pk).update(open_flag_count=F("open_flag_count") + 1)
    except IntegrityError:
        raise DomainError(_("You have already flagged this comment.")) from None
    return flag


@transaction.atomic
def comment_hide(*, comment: Comment, actor, reason: str) -> Comment:
    comment = Comment.objects.select_for_update().select_related("thread").get(pk=comment.pk)
    if not rulebook.allowed(actor, "discussions.moderate", comment.thread):
        raise PermissionDenied(_("You can only moderate discussions of your zone."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("State the reason for hiding the comment: it is shown publicly."))
    if comment.status == Comment.Status.DELETED:
        raise DomainError(_("This comment was deleted by its author."))
    if comment.is_visible:
        _count(comment, -1)
    comment.status = Comment.Status.HIDDEN
    comment.moderation_reason = reason[:300]
    comment.moderated_by = actor
    comment.moderated_at = timezone.now()
    comment.open_flag_count = 0
    comment.save()
    comment.flags.filter(resolved=False).update(resolved=True)
    log(instance=comment, action=audit.HIDE, user=actor, data={"reason": comment.moderation_reason})
    return comment


@transaction.atomic
def comment_restore(*, comment: Comment, actor) -> Comment:
    comment = Comment.objects.select_for_update().select_related("thread").get(pk=comment.pk)
    if not rulebook.allowed(actor, "discussions.moderate", comment.thread):
        raise PermissionDenied(_("You can only moderate discussions of your zone."))
    if comment.status != Comment.Status.HIDDEN:
        raise DomainError(_("Only a hidden comment can be restored."))
    comment.status = Comment.Status.VISIBLE
    comment.moderation_reason = ""
    comment.moderated_by = actor
    comment.moderated_at = timezone.now()
    comment.save()
    _count(comment, +1)
    log(instance=comment, action=audit.RESTORE, user=actor)
    return comment


@transaction.atomic
def flags_dismiss(*, comment: Comment, actor) -> int:
    if not rulebook.allowed(actor, "discussions.moderate", comment.thread):
        raise PermissionDenied(_("You can only moderate discussions of your zone."))
    count = comment.flags.filter(resolved=False).update(resolved=True)
    Comment.objects.filter(pk=comment.pk).update(open_flag_count=0)
    log(instance=comment, action=audit.FLAGS_DISMISS, user=actor, data={"flags": count})
    return count
