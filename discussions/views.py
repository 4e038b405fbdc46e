"""Comment actions shared by every app that hosts a discussion (support, flag, delete,
official answer). The host app checks that the comment belongs to its object and says
where to go back to."""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from quitodecide.errors import DomainError

from . import services
from .models import Flag

ACTIONS = {"apoyar", "reportar", "eliminar", "responder-oficialmente"}


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def comment_action(request, *, comment, action: str, fallback_url: str):
    """Apply `action` to `comment` for the current user and redirect back (PRG)."""
    if action not in ACTIONS:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        if action == "apoyar":
            supported = services.support_toggle(comment=comment, user=request.user)
            messages.success(
                request, _("Support recorded.") if supported else _("Support withdrawn.")
            )
        elif action == "reportar":
            reason = request.POST.get("reason", "")
            if reason not in Flag.Reason.values:
                raise DomainError(_("Choose why you are flagging this comment."))
            services.flag_create(comment=comment, user=request.user, reason=reason)
            messages.success(request, _("Thank you: the moderators will review this comment."))
        elif action == "eliminar":
            services.comment_delete(comment=comment, user=request.user)
            messages.success(request, _("Your comment has been deleted."))
        else:
            body = request.POST.get("body", "")
            services.official_answer_create(parent=comment, author=request.user, body=body)
            messages.success(request, _("The official answer has been published."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{safe_next(request, fallback_url)}#comentario-{comment.pk}")
