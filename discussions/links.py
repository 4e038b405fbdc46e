"""Where a thread is read: the public page of the object it discusses.

The engine knows nothing about its hosts (a provision, a consultation as a whole, a budget
request, a public work); each one is found by a locator, asked in turn, and the first
answer is the thread's page. Hosts added later register theirs with `register`.
Locators import their app lazily, so the engine does not depend on any of them."""

from django.apps import apps

from quitodecide.pages import subpage_url

LOCATORS = []


def register(locator):
    """`locator(thread)` returns the thread's site-relative URL, or None if not its host."""
    LOCATORS.append(locator)
    return locator


def thread_path(thread) -> str | None:
    """The site-relative URL of the page where `thread` is read, or None."""
    for locator in LOCATORS:
        try:
            path = locator(thread)
        except LookupError:  # the host app is not installed
            continue
        if path:
            return path
    return None


@register
def _provision(thread):
    provision = (
        apps.get_model("consultations", "Provision")
        .objects.filter(thread=thread)
        .select_related("version__consultation")
        .order_by("-version__number")
        .first()
    )
    if provision is None:
        return None
    consultation = provision.version.consultation
    return subpage_url(consultation, "provision_thread", provision.key)


@register
def _consultation(thread):
    consultation = (
        apps.get_model("consultations", "ConsultationPage")
        .objects.filter(general_thread=thread)
        .first()
    )
    return subpage_url(consultation, "general_discussion") if consultation else None


@register
def _budget_request(thread):
    request = (
        apps.get_model("proposals", "Request")
        .objects.filter(thread=thread)
        .select_related("cycle")
        .first()
    )
    return subpage_url(request.cycle, "request_detail", request.pk) if request else None


@register
def _work(thread):
    from django.urls import reverse

    work = apps.get_model("works", "Work").objects.filter(thread=thread).first()
    return reverse("works:detail", args=[work.code]) if work else None
