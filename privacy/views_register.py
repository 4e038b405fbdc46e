"""The public register of processing activities (registro de actividades de tratamiento)."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from . import register


@require_safe
def processing_register(request):
    activities = [
        {"activity": item, "retention": item.retention_text()} for item in register.ACTIVITIES
    ]
    context = {"activities": activities, "controller": register.CONTROLLER}
    return TemplateResponse(request, "privacy/register.html", context)
