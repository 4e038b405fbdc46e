"""Background work for requests: telling the author about the pre-feasibility verdict."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from quitodecide.pages import subpage_url
from quitodecide.site_links import site_url


@task
def send_verdict_email(request_id: int) -> bool:
    """E-mail the author the verdict on their request. Respects the resident's opt-out.
    Returns whether an e-mail was sent."""
    from .models import Request

    request = Request.objects.select_related("author", "verdict", "cycle").get(pk=request_id)
    author = request.author
    if author is None or not author.email:
        return False
    resident = getattr(author, "resident", None)
    if resident is not None and not resident.email_notifications:
        return False
    cycle = request.cycle
    url = site_url(subpage_url(cycle, "request_detail", request.pk))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"request": request, "verdict": request.verdict, "url": url}
        subject = render_to_string("proposals/email/verdict_subject.txt", context).strip()
        body = render_to_string("proposals/email/verdict_body.txt", context)
    send_mail(subject, body, None, [author.email])
    return True
