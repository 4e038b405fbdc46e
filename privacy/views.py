"""/cuenta/mis-datos/: a resident's data rights in one page."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from . import consent, deletion


@login_required
def my_data(request):
    context = {}
    context.update(deletion.page_context(request.user))
    context.update(consent.page_context(request.user))
    return TemplateResponse(request, "privacy/my_data.html", context)
