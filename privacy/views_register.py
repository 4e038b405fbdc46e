"""The public register of processing activities (registro de actividades de tratamiento)."""

from django.template.response import TemplateResponse


def processing_register(request):
    return TemplateResponse(request, "privacy/register.html", {})
