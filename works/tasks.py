"""Background work for public works: telling followers and supporters about a new status."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from quitodecide.site_links import site_url


def status_change_recipients(work) -> list[str]:
    """The addresses to tell: the work's followers, and, for a work from the participatory
    budget, its request's author and supporters. Each once; opt-outs respected."""
    from accounts.models import User

    from .models import Follow

    user_ids = set(Follow.objects.filter(work=work).values_list("user_id", flat=True))
    if work.request_id:
        request = work.request
        if request.author_id:
            user_ids.add(request.author_id)
        user_ids.update(request.supports.values_list("resident__user_id", flat=True))
    users = (
        User.objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .exclude(resident__email_notifications=False)
        .order_by("pk")
    )
    return list(users.values_list("email", flat=True))


@task
def notify_status_change(update_id: int) -> int:
    """E-mail everyone who asked to hear about the work that its status changed.
    One message per person (nobody sees the others' addresses). Returns how many."""
    from .models import WorkUpdate

    update = WorkUpdate.objects.select_related("work", "work__request").get(pk=update_id)
    work = update.work
    recipients = status_change_recipients(work)
    if not recipients:
        return 0
    url = site_url(reverse("works:detail", args=[work.code]))
    with translation.override(settings.LANGUAGE_CODE):
        context = {"work": work, "update": update, "url": url}
        subject = render_to_string("works/email/status_subject.txt", context).strip()
        body = render_to_string("works/email/status_body.txt", context)
    # One message per person, over one connection: nobody sees the others' addresses.
    return send_mass_mail([(subject, body, None, [address]) for address in recipients])
