"""/cuenta/mis-datos/: a resident's data rights in one page, and the public register of
processing activities at /privacidad/registro/."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse


@login_required
def my_data(request):
    return TemplateResponse(request, "privacy/my_data.html", {})


def processing_register(request):
    return TemplateResponse(request, "privacy/register.html", {})
