"""Background work for verification: telling a resident how their request ended."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from quitodecide.site_links import site_url


@task
def send_request_outcome_email(request_id: int) -> bool:
    """E-mail the resident the outcome of their verification request (verified or
    rejected, with the staff's reason). Sent even to residents who opted out of
    notifications: it answers their own request. Returns whether an e-mail was sent."""
    from .models import VerificationRequest

    request = (
        VerificationRequest.objects.select_related("resident__user", "zone")
        .filter(pk=request_id)
        .first()
    )
    if request is None:  # the account was deleted before the task ran: no one to tell
        return False
    user = request.resident.user
    if not user.email or request.status == VerificationRequest.Status.OPEN:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "request": request,
            "verified": request.status == VerificationRequest.Status.VERIFIED,
            "resident": request.resident,
            "url": site_url(reverse("verification:index")),
        }
        subject = render_to_string("verification/email/outcome_subject.txt", context).strip()
        body = render_to_string("verification/email/outcome_body.txt", context)
    send_mail(subject, body, None, [user.email])
    return True
