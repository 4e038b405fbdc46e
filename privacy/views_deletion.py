"""/cuenta/mis-datos/eliminar/: ask for the deletion of one's account (password again),
confirm it by the e-mailed link (GET shows, POST confirms), cancel it during the grace
period. Thin: the rules and writes are privacy.deletion's."""

from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from quitodecide import ratelimit
from quitodecide.errors import DomainError

from . import deletion as service


class DeletionRequestForm(forms.Form):
    """The password again: whoever finds a session left open cannot ask for the deletion.
    Checked through allauth's adapter, so wrong passwords count towards the same lockout as
    the login and the reauthentication (`login_failed`)."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password() or not get_adapter().reauthenticate(
            self.user, password
        ):
            raise forms.ValidationError(_("The password is not correct."))
        return password


def _render_request(request, form, status=200):
    context = service.page_context(request.user)
    context["deletion_form"] = form
    return TemplateResponse(request, "privacy/deletion_request.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def deletion_request(request):
    if request.method == "GET":
        return _render_request(request, DeletionRequestForm(user=request.user))
    form = DeletionRequestForm(request.POST, user=request.user)
    try:
        # Each request sends an e-mail: a few an hour are plenty.
        ratelimit.limit(request, "privacy.deletion_request", "5/h", key="user")
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_request(request, form, status=429)
    if not form.is_valid():
        return _render_request(request, form, status=400)
    try:
        service.deletion_request(user=request.user)
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_request(request, form, status=409)
    messages.success(
        request,
        _(
            "We sent you an e-mail with a link to confirm the deletion of your account. "
            "Nothing changes until you confirm it."
        ),
    )
    return redirect("privacy:my_data")


def _invalid(request, message, status=400):
    return TemplateResponse(
        request, "privacy/deletion_invalid.html", {"message": message}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def deletion_confirm(request, token):
    try:
        deletion = service.deletion_for_token(request.user, token)
    except DomainError as error:
        return _invalid(request, error.message)
    if request.method == "GET":
        return TemplateResponse(
            request,
            "privacy/deletion_confirm.html",
            {"deletion": deletion, "deletion_grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS},
        )
    try:
        deletion = service.deletion_confirm(user=request.user, token=token)
    except DomainError as error:
        return _invalid(request, error.message)
    messages.success(
        request,
        _(
            "Your account will be deleted on %(date)s. Until then you can log in and cancel "
            "the deletion on this page."
        )
        % {"date": date_format(localtime(deletion.due_at), "DATE_FORMAT")},
    )
    return redirect("privacy:my_data")


@login_required
@require_POST
def deletion_cancel(request):
    try:
        service.deletion_cancel(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("privacy:my_data")
    messages.success(request, _("The deletion of your account is cancelled. Nothing was deleted."))
    return redirect("privacy:my_data")
