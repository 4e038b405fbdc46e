"""The article matching in the Wagtail admin: before a changed draft is published, staff of
the consultation's zone (MFA passed) see how its articles will continue the latest
version's (who keeps which comments) and correct a pairing with a select, no JavaScript.

The matching is of the page's current draft: its latest revision, saved but not yet
published. Corrections are stored by `services.matching_correct` (rule, validation, audit)
with the draft's hash, and apply when that very draft is published.

Reached from the consultation's edit page (a header button, `register_page_header_buttons`)
and from the publish preview's matching table.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied

from . import selectors, services
from .models import ConsultationPage

PAIR_PREFIX = "pair-"


def _choices(version) -> list[tuple[str, str]]:
    return [("", _("— a new article —"))] + [
        (p.key, f"{p.label}{'.- ' + p.heading if p.heading else ''}"[:90])
        for p in version.provisions.all()
        if p.kind != "heading"
    ]


def matching_admin(request, page_id):
    consultation = get_object_or_404(ConsultationPage, pk=page_id)
    try:
        gate = rulebook.view_gate(request, "consultations.manage", consultation)
    except PermissionDenied as refused:
        # The rule's own reason (another zone's consultation), not Wagtail's generic one.
        return TemplateResponse(
            request,
            "consultations/admin/matching.html",
            {"page": consultation, "refusal": refused.message},
            status=403,
        )
    if gate is not None:
        return gate
    draft = services.latest_draft(consultation)
    text = draft.draft_text or ""
    errors: list[str] = []
    submitted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        submitted = {
            name[len(PAIR_PREFIX) :]: value
            for name, value in request.POST.items()
            if name.startswith(PAIR_PREFIX)
        }
        try:
            services.matching_correct(
                consultation=consultation,
                actor=request.user,
                pairs=submitted,
                draft_sha=request.POST.get("draft_sha", ""),
            )
        except DomainError as error:
            errors.append(error.message)
            status = 400
        else:
            messages.success(
                request,
                _("The matching is saved: it applies when this draft is published."),
            )
            return redirect("consultations_matching", consultation.pk)
    result = selectors.draft_matching(draft, text)
    rows = []
    if result["version"] is not None and result["lines"]:
        choices = _choices(result["version"])
        valid = {value for value, _label in choices}
        for line in result["lines"]:
            selected = line.old_key or ""
            if line.new_key and submitted.get(line.new_key) in valid:
                selected = submitted[line.new_key]
            rows.append(
                {
                    "line": line,
                    "field": f"{PAIR_PREFIX}{line.new_key}" if line.new_key else "",
                    "selected": selected,
                }
            )
        context_choices = choices
    else:
        context_choices = []
    return TemplateResponse(
        request,
        "consultations/admin/matching.html",
        {
            "page": consultation,
            "result": result,
            "rows": rows,
            "choices": context_choices,
            "errors": errors,
            "edit_url": reverse("wagtailadmin_pages:edit", args=[consultation.pk]),
        },
        status=status,
    )


@hooks.register("register_admin_urls")
def register_matching_urls():
    return [
        path(
            "consultas/<int:page_id>/correspondencia/",
            matching_admin,
            name="consultations_matching",
        )
    ]


@hooks.register("register_page_header_buttons")
def matching_header_button(page, user, view_name, next_url=None):
    """On a consultation's edit page with a published version: the way to the matching of
    its draft (no query for other pages)."""
    if not isinstance(page, ConsultationPage) or not page.live:
        return []
    if not rulebook.allowed(user, "consultations.manage", page):
        return []
    return [
        Button(
            _("Article matching"),
            reverse("consultations_matching", args=[page.pk]),
            icon_name="resubmit",
            priority=75,
        )
    ]
