"""The resident's own profile page under /cuenta/perfil/."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from . import services
from .forms import ProfileForm


@login_required
def profile(request):
    resident = services.resident_for(request.user)
    form = ProfileForm(request.POST or None, resident=resident, request=request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
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
    return TemplateResponse(request, "accounts/profile.html", {"form": form, "resident": resident})
