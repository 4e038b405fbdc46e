"""The resident's own profile page under /cuenta/perfil/, and the e-mail confirmation
link's landing (allauth's, keeping `next`)."""

from allauth.account.views import ConfirmEmailView as AllauthConfirmEmailView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import services
from .forms import ProfileForm
from .selectors import zone_office

CONFIRM_MOVE = "confirmar_cambio"


def _moves(resident, data) -> bool:
    zone, parish = data.get("zone"), data.get("parish")
    return (resident.zone_id, resident.parish_id) != (
        zone.pk if zone else None,
        parish.pk if parish else None,
    )


@login_required
def profile(request):
    resident = services.resident_for(request.user)
    form = ProfileForm(request.POST or None, resident=resident, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (
            resident.is_verified
            and _moves(resident, data)
            and request.POST.get(CONFIRM_MOVE) != "1"
        ):
            # A verified resident who changes zone or parish loses the verification (it
            # was of that residence): say so and ask first. Nothing is saved yet.
            return TemplateResponse(
                request,
                "accounts/profile_confirm_move.html",
                {
                    "form": form,
                    "resident": resident,
                    "new_zone": data.get("zone"),
                    "new_parish": data.get("parish"),
                    "confirm_field": CONFIRM_MOVE,
                },
            )
        try:
            services.resident_update_profile(
                resident=resident,
                display_name=data["display_name"],
                zone=data["zone"],
                parish=data["parish"],
                cedula=data["cedula"],
                email_notifications=data["email_notifications"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return TemplateResponse(
        request,
        "accounts/profile.html",
        {"form": form, "resident": resident, "zone_office": zone_office(resident.zone)},
    )


class ConfirmEmailView(AllauthConfirmEmailView):
    """allauth's confirmation page, where the link's `next` (accounts.adapters) leads.

    In the browser that signed up, allauth resumes the pending login and goes to the
    sign-up's `next` itself. Anywhere else (the link opened on a phone) nobody is logged
    in after confirming: log in first, then on to `next`, instead of landing logged out
    on a page whose action needs an account."""

    def get_redirect_url(self) -> str:
        next_url = self.get_next_url()
        if next_url and not self.request.user.is_authenticated:
            return f"{reverse('account_login')}?{urlencode({'next': next_url})}"
        return super().get_redirect_url()


confirm_email = ConfirmEmailView.as_view()
