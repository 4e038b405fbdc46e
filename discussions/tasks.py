"""Background work of the discussion engine: e-mail notifications."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


@task
def notify_answer(comment_id: int) -> bool:
    """Tell the author of the parent comment that someone replied or answered officially.

    Respects the resident's opt-out. Returns whether an e-mail was sent.
    """
    from .models import Comment

    comment = Comment.objects.select_related("parent__author__resident", "thread").get(
        pk=comment_id
    )
    parent = comment.parent
    if parent is None or parent.author_id == comment.author_id or not comment.is_visible:
        return False
    if parent.author_id is None:  # its author deleted their account: no one to tell
        return False
    recipient = parent.author
    resident = getattr(recipient, "resident", None)
    if resident is not None and not resident.email_notifications:
        return False
    from quitodecide.site_links import site_url

    from .links import thread_path

    path = thread_path(comment.thread)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "comment": comment,
            "parent": parent,
            "thread": comment.thread,
            # Every link from the one configured address (SITE_BASE_URL), never a request's.
            "comment_url": site_url(f"{path}#comentario-{comment.pk}") if path else "",
            "profile_url": site_url(reverse("accounts:profile")),
        }
        subject = render_to_string("discussions/email/answer_subject.txt", context).strip()
        body = render_to_string("discussions/email/answer_body.txt", context)
    send_mail(subject, body, None, [recipient.email])
    return True
