"""Background work of training: the registrant's e-mails (registered or on the waiting
list, moved from the waiting list to a place, the session cancelled) and the attendee's
evaluation invitation. One e-mail to the registration's address, in the site's language.

E-mails with a cancel link make its token here (only its SHA-256 is stored): no secret
waits in the task queue, and the latest e-mail's link is the valid one."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

EVENTS = ("registered", "promoted", "session_cancelled")


def _registration(pk):
    from .models import Registration

    return (
        Registration.objects.select_related("session__plan__zone", "session__evaluation")
        .filter(pk=pk)
        .first()
    )


def _send(prefix: str, context: dict, address: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"training/email/{prefix}_subject.txt", context).strip()
        body = render_to_string(f"training/email/{prefix}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [address])


@task
def notify_registration(registration_id: int, event: str) -> int:
    """Tell the registrant what happened. Returns how many e-mails were sent (0 or 1)."""
    from quitodecide.site_links import site_url

    from .models import Registration
    from .services import new_token

    if event not in EVENTS:
        raise ValueError(f"Unknown training event {event!r}")
    registration = _registration(registration_id)
    if registration is None or not registration.email:
        return 0
    if event != "session_cancelled" and registration.status == Registration.Status.CANCELLED:
        return 0
    context = {
        "registration": registration,
        "session": registration.session,
        "event": event,
        "session_url": site_url(registration.session.get_absolute_url()),
        "cancel_url": "",
    }
    if event in ("registered", "promoted"):
        token, digest = new_token()
        Registration.objects.filter(pk=registration.pk).update(token_hash=digest)
        context["cancel_url"] = site_url(reverse("training:cancel", args=[token]))
    _send("registration", context, registration.email)
    return 1


@task
def notify_evaluation(registration_id: int) -> int:
    """Invite an attendee to the session's evaluation survey (a link of their own)."""
    from quitodecide.site_links import site_url
    from surveys.invitations import make_token

    from .services import invitation_key

    registration = _registration(registration_id)
    if registration is None or not registration.attended or not registration.email:
        return 0
    survey = registration.session.evaluation
    if survey is None:
        return 0
    token = make_token(survey, invitation_key(registration), registration.name)
    url = site_url(reverse("surveys:detail", args=[survey.slug]) + "?invitacion=" + token)
    context = {
        "registration": registration,
        "session": registration.session,
        "survey": survey,
        "survey_url": url,
        "certificate_url": site_url(
            reverse("training:certificate_pdf", args=[registration.certificate_code])
        )
        if registration.certificate_code
        else "",
    }
    _send("evaluation", context, registration.email)
    return 1
