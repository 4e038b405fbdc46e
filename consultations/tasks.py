"""Background work of consultations: telling authors what became of their contributions."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation


def _pending(author_id: int, disposition_ids: list[int]) -> list:
    """The listed dispositions of `author_id`'s visible comments not yet notified."""
    from .models import Disposition

    return list(
        Disposition.objects.filter(
            pk__in=disposition_ids,
            comment__author_id=author_id,
            comment__status="visible",
            notified_at__isnull=True,
        )
        .select_related("comment__author__resident", "comment__thread", "consultation")
        .order_by("pk")
    )


def _comment_paths(consultation, comments) -> dict[int, str]:
    """The site-relative page of each comment's thread, by thread id (one query for the
    article threads, whatever their number, instead of `thread_path` per comment)."""
    from discussions.links import thread_path

    from .models import Provision

    thread_ids = {c.thread_id for c in comments}
    base = consultation.url
    paths: dict[int, str] = {}
    if consultation.general_thread_id in thread_ids:
        paths[consultation.general_thread_id] = base + consultation.reverse_subpage(
            "general_discussion"
        )
    provisions = (
        Provision.objects.filter(thread_id__in=thread_ids - set(paths))
        .select_related("version__consultation")
        .order_by("thread_id", "-version__number")
    )
    for provision in provisions:  # the latest version first, as thread_path does
        if provision.thread_id not in paths:
            owner = provision.version.consultation
            owner_base = base if owner.pk == consultation.pk else owner.url
            paths[provision.thread_id] = owner_base + owner.reverse_subpage(
                "provision_thread", args=[provision.key]
            )
    for comment in comments:  # not a consultation thread (never expected): ask the engine
        if comment.thread_id not in paths:
            paths[comment.thread_id] = thread_path(comment.thread) or ""
    return paths


def _mark_notified(dispositions) -> list[int]:
    """Mark notified the dispositions still as they were read (same outcome, reason and
    decision time); one changed meanwhile stays unnotified: the change scheduled its own
    e-mail. Returns the ids marked."""
    from .models import Disposition

    now, marked = timezone.now(), []
    for disposition in dispositions:
        updated = Disposition.objects.filter(
            pk=disposition.pk,
            notified_at__isnull=True,
            decided_at=disposition.decided_at,
            outcome=disposition.outcome,
            reason=disposition.reason,
        ).update(notified_at=now)
        if updated:
            marked.append(disposition.pk)
    return marked


@task
def notify_dispositions(author_id: int, disposition_ids: list[int]) -> bool:
    """E-mail one author the dispositions one bulk action gave their comments (one e-mail
    listing them all), and mark them notified. Respects the resident's opt-out; an author
    who deleted their account (or a disposition changed again since: the later action
    tells them) is skipped. A disposition changed while the e-mail is sent is not marked:
    the task its change scheduled tells the new outcome. Returns whether an e-mail was
    sent."""
    from quitodecide.pages import subpage_url
    from quitodecide.site_links import site_url

    from .dispositions import consultation_articles

    dispositions = _pending(author_id, disposition_ids)
    if not dispositions:
        return False
    recipient = dispositions[0].comment.author
    resident = getattr(recipient, "resident", None)
    if not recipient.email or (resident is not None and not resident.email_notifications):
        return False
    consultation = dispositions[0].consultation
    labels = {a.thread_id: a.label for a in consultation_articles(consultation) if a.thread_id}
    paths = _comment_paths(consultation, [d.comment for d in dispositions])
    with translation.override(settings.LANGUAGE_CODE):
        items = []
        for disposition in dispositions:
            comment = disposition.comment
            path = paths.get(comment.thread_id)
            items.append(
                {
                    "disposition": disposition,
                    "comment": comment,
                    "article": labels.get(comment.thread_id, ""),
                    "url": site_url(f"{path}#comentario-{comment.pk}") if path else "",
                }
            )
        context = {
            "consultation": consultation,
            "items": items,
            "report_url": site_url(subpage_url(consultation, "report")),
            "profile_url": site_url(reverse("accounts:profile")),
        }
        subject = render_to_string("consultations/email/disposition_subject.txt", context)
        body = render_to_string("consultations/email/disposition_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient.email])
    _mark_notified(dispositions)
    return True
