"""Background work of the council: the empty seat's e-mails (received, accredited,
rejected with its reason, withdrawn).

Who hears: the application's contact e-mail (the address the organisation gave for this
application: always told, it is the channel they asked for) and the account that
submitted it, unless that person turned e-mail notifications off in their profile (or
deleted their account). One e-mail per address, in the site's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

EVENTS = ("received", "accredited", "rejected", "withdrawn")


def _recipients(application) -> list[str]:
    addresses = [application.contact_email]
    applicant = application.applicant
    if applicant is not None and applicant.is_active and applicant.email:
        resident = getattr(applicant, "resident", None)
        if resident is None or resident.email_notifications:
            addresses.append(applicant.email)
    seen, unique = set(), []
    for address in addresses:
        key = (address or "").strip().lower()
        if key and key not in seen:
            seen.add(key)
            unique.append(address.strip())
    return unique


@task
def notify_empty_seat(application_id: int, event: str) -> int:
    """Tell the organisation (and the applicant) what happened to their application.
    Returns how many e-mails were sent."""
    from quitodecide.site_links import site_url

    from .models import EmptySeatApplication

    if event not in EVENTS:
        raise ValueError(f"Unknown empty-seat event {event!r}")
    application = (
        EmptySeatApplication.objects.select_related("item__session", "applicant__resident")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return 0
    recipients = _recipients(application)
    if not recipients:
        return 0
    item = application.item
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "application": application,
            "item": item,
            "session": item.session,
            "event": event,
            "mine_url": site_url(reverse("council:empty_seat_mine")),
            "item_url": site_url(reverse("council:empty_seat_apply", args=[item.pk])),
        }
        subject = render_to_string("council/email/empty_seat_subject.txt", context).strip()
        body = render_to_string("council/email/empty_seat_body.txt", context)
    for address in recipients:
        send_mail(subject, body, None, [address])
    return len(recipients)
