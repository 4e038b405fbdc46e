"""Background work of the enacted text: tell everyone who commented on a consultation that
the council enacted the ordinance, with the link to the final text and what changed."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def recipients(consultation) -> list:
    """The people who commented on `consultation` (any article, any version, or the text
    as a whole), once each: active accounts with a visible comment (not hidden by
    moderation nor deleted by its author), official answers left out, and only those who
    keep e-mail notifications on."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from discussions.models import Comment

    from .models import Provision

    thread_ids = set(
        Provision.objects.filter(version__consultation=consultation, thread__isnull=False)
        .values_list("thread_id", flat=True)
        .distinct()
    )
    if consultation.general_thread_id:
        thread_ids.add(consultation.general_thread_id)
    authors = Comment.objects.filter(
        thread_id__in=thread_ids,
        is_official=False,
        author__isnull=False,
        status=Comment.Status.VISIBLE,
    ).values("author_id")
    return list(
        get_user_model()
        .objects.filter(pk__in=authors, is_active=True)
        .filter(Q(resident__isnull=True) | Q(resident__email_notifications=True))
        .exclude(email="")
        .order_by("pk")
    )


@task
def notify_enacted(consultation_id: int) -> int:
    """One e-mail to each contributor of the consultation (see `recipients`). Returns how
    many were sent; nothing when the consultation or its enacted text is gone."""
    from quitodecide.pages import subpage_url
    from quitodecide.site_links import site_url

    from .models import ConsultationPage, DraftVersion

    consultation = ConsultationPage.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return 0
    enacted = DraftVersion.objects.filter(consultation=consultation, is_enacted=True).first()
    if enacted is None:
        return 0
    people = recipients(consultation)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "consultation": consultation,
            "enacted": enacted,
            # Every link from the one configured address (SITE_BASE_URL), never a request's.
            "enacted_url": site_url(subpage_url(consultation, "enacted_text")),
            "profile_url": site_url(reverse("accounts:profile")),
        }
        subject = render_to_string("consultations/email/enacted_subject.txt", context).strip()
        body = render_to_string("consultations/email/enacted_body.txt", context)
    for person in people:  # one message each: no one sees who else took part
        send_mail(subject, body, None, [person.email])
    return len(people)
