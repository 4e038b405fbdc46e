"""Accepting the current privacy policy (the re-prompt when its version changes, the way
back after a withdrawal) and withdrawing consent, with a confirmation step."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import consent as service


class AcceptForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the privacy policy and I accept this version of it."),
        required=True,
        initial=False,
        error_messages={"required": _("Tick the box to accept the privacy policy.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


def _my_data() -> str:
    return reverse("privacy:my_data")


def safe_next(request, candidate: str, fallback: str) -> str:
    """`candidate` if it is an absolute path on this site, else `fallback` (never another
    host; never a bare word, which `redirect` would try to reverse as a URL name)."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return fallback


@login_required
@require_http_methods(["GET", "POST"])
def consent_accept(request):
    status = service.consent_status(request.user)
    candidate = request.POST.get("next", "") if request.method == "POST" else ""
    candidate = candidate or request.GET.get("next", "")
    next_url = safe_next(request, candidate, _my_data())
    data = request.POST if request.method == "POST" else None
    form = AcceptForm(data, initial={"next": next_url})
    if request.method == "POST" and form.is_valid():
        service.consent_accept(request.user)
        messages.success(
            request,
            gettext("Thank you: you accepted version %(version)s of the privacy policy.")
            % {"version": service.current_version()},
        )
        return HttpResponseRedirect(next_url)
    context = {
        "form": form,
        "status": status,
        "next_url": next_url,
        "current": service.policy_version(service.current_version()),
        "version": service.current_version(),
        "changes": service.versions_since(status.last_version if status else None),
    }
    return TemplateResponse(request, "privacy/consent_accept.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request):
    """The confirmation step (GET, or the section's POST without `confirm`), then the
    withdrawal itself (POST with `confirm`)."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        withdrawn = service.consent_withdraw(request.user)
        if withdrawn:
            messages.success(
                request,
                gettext(
                    "You withdrew your consent. You can no longer take part until you "
                    "accept the privacy policy again."
                ),
            )
        else:
            messages.info(request, gettext("You had no consent to withdraw."))
        return redirect(f"{_my_data()}#consentimiento")
    context = {"status": service.consent_status(request.user)}
    return TemplateResponse(request, "privacy/consent_withdraw.html", context)
