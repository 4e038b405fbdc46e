"""Background work of consultations: telling authors what became of their contributions."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation


@task
def notify_dispositions(author_id: int, disposition_ids: list[int]) -> bool:
    """E-mail one author the dispositions one bulk action gave their comments (one e-mail
    listing them all), and mark them notified. Respects the resident's opt-out; an author
    who deleted their account (or a disposition changed again since: the later action
    tells them) is skipped. Returns whether an e-mail was sent."""
    from discussions.links import thread_path
    from quitodecide.pages import subpage_url
    from quitodecide.site_links import site_url

    from .dispositions import consultation_articles
    from .models import Disposition

    dispositions = list(
        Disposition.objects.filter(
            pk__in=disposition_ids,
            comment__author_id=author_id,
            comment__status="visible",
            notified_at__isnull=True,
        )
        .select_related("comment__author__resident", "comment__thread", "consultation")
        .order_by("pk")
    )
    if not dispositions:
        return False
    recipient = dispositions[0].comment.author
    resident = getattr(recipient, "resident", None)
    if not recipient.email or (resident is not None and not resident.email_notifications):
        return False
    consultation = dispositions[0].consultation
    labels = {a.thread_id: a.label for a in consultation_articles(consultation) if a.thread_id}
    with translation.override(settings.LANGUAGE_CODE):
        items = []
        for disposition in dispositions:
            comment = disposition.comment
            path = thread_path(comment.thread)
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
    Disposition.objects.filter(pk__in=[d.pk for d in dispositions]).update(
        notified_at=timezone.now()
    )
    return True
