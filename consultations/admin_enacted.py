"""The enacted text in the Wagtail admin: staff of the consultation's zone (MFA passed) attach
the sanctioned ordinance of a closed consultation.

Two steps, no JavaScript needed: the form (paste the text or upload a .txt/.md file, the
ordinance number, the sanction date, the official document from Wagtail's documents), then
a preview of how its articles match the consulted draft's (consultations.matching), where
staff may correct a pairing before confirming. The service (consultations.enacted.
enacted_attach) checks the rule again, writes the audit entry and schedules the e-mails.

Reached from a consultation's edit page (header "more" menu) and its row in the page
listing; another zone's consultation, an open one, or a session without MFA is refused
by the rule book (`consultations.enact`, through `rulebook.view_gate`).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.widgets import AdminDateInput, Button
from wagtail.documents.widgets import AdminDocumentChooser

from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied

from . import enacted, matching
from .forms_admin import ALLOWED_SUFFIXES, MAX_UPLOAD_BYTES
from .models import ConsultationPage, Status
from .parser import parse_ordinance

PAIR_PREFIX = "pair-"


def read_upload(upload) -> str:
    """The text of an uploaded .txt/.md file (UTF-8, at most 500 KB), as the consultation
    editor reads drafts (consultations.forms_admin); ValidationError otherwise."""
    if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
        raise forms.ValidationError(_("Upload a plain text (.txt) or Markdown (.md) file."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("The file is larger than 500 KB."))
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise forms.ValidationError(
            _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
        ) from None
    if "\x00" in text:
        raise forms.ValidationError(_("The file is not plain text."))
    return text


class HiddenDateInput(forms.DateInput):
    input_type = "hidden"


class EnactedForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Enacted text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy(
            "The ordinance as the council sanctioned it, as plain text or Markdown, with the "
            "same layout as the draft (“Artículo 1.-”, headings, dispositions)."
        ),
    )
    upload = forms.FileField(
        label=gettext_lazy("Or upload the enacted text"),
        required=False,
        help_text=gettext_lazy(
            "A .txt or .md file (UTF-8, at most 500 KB). It replaces the text above."
        ),
    )
    ordinance_number = forms.CharField(
        label=gettext_lazy("Ordinance number"),
        max_length=enacted.MAX_NUMBER_LENGTH,
        help_text=gettext_lazy("E.g. PMQ-2026-014."),
    )
    enacted_on = forms.DateField(
        label=gettext_lazy("Sanctioned on"),
        # Day first whatever the admin's language: 01/12/2026 is never read as 12 January.
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=AdminDateInput(format="%d/%m/%Y"),
        error_messages={"invalid": gettext_lazy("Enter a valid date, e.g. 20/11/2026.")},
    )
    document = forms.ModelChoiceField(
        label=gettext_lazy("Official document"),
        queryset=None,  # set per user in __init__
        required=False,
        widget=AdminDocumentChooser,
        help_text=gettext_lazy("The sanctioned ordinance as published (PDF), from the documents."),
    )

    def __init__(self, *args, consultation, user, confirming=False, **kwargs):
        super().__init__(*args, **kwargs)
        from wagtail.documents import get_document_model
        from wagtail.permissions import policy_registry

        self.consultation = consultation
        policy = policy_registry.get_by_type(get_document_model())
        self.fields["document"].queryset = policy.instances_user_has_any_permission_for(
            user, ["choose"]
        )
        if confirming:
            # The preview carries what was checked, unchanged, to the confirmation.
            del self.fields["upload"]
            for name in ("text", "ordinance_number", "enacted_on", "document"):
                self.fields[name].widget = forms.HiddenInput()
            self.fields["enacted_on"].widget = HiddenDateInput(format="%Y-%m-%d")

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload:
            try:
                cleaned["text"] = read_upload(upload)
            except forms.ValidationError as error:
                self.add_error("upload", error)
                return cleaned
        text = (cleaned.get("text") or "").replace("\r\n", "\n")
        cleaned["text"] = text
        for message in enacted.parse_errors(text):
            self.add_error("upload" if upload else "text", message)
        if "enacted_on" in cleaned:
            problem = enacted.date_error(self.consultation, cleaned["enacted_on"])
            if problem:
                self.add_error("enacted_on", problem)
        if "ordinance_number" in cleaned:
            problem = enacted.number_error(cleaned["ordinance_number"])
            if problem:
                self.add_error("ordinance_number", problem)
        return cleaned


def _pairing_rows(consultation, text: str, chosen: dict[str, str] | None = None) -> list[dict]:
    """The proposed matching of the enacted text's articles to the consulted draft's, as
    the preview lists it: each new article with the old one it continues (a select to
    correct it), then the old articles that continue in none."""
    consulted = enacted.consulted_version(consultation)
    old = list(consulted.provisions.all()) if consulted is not None else []
    new = parse_ordinance(text).provisions
    pairings = matching.apply_corrections(matching.propose(old, new), chosen or {})
    old_by_key = {p.key: p for p in old if p.kind != "heading"}
    new_by_key = {p.key: p for p in new if p.kind != "heading"}
    choices = [("", _("— a new article —"))] + [
        (p.key, f"{p.label}{'.- ' + p.heading if p.heading else ''}"[:90])
        for p in old_by_key.values()
    ]
    rows = []
    for pairing in pairings:
        rows.append(
            {
                "new": new_by_key.get(pairing.new_key) if pairing.new_key else None,
                "old": old_by_key.get(pairing.old_key) if pairing.old_key else None,
                "pairing": pairing,
                "field": f"{PAIR_PREFIX}{pairing.new_key}" if pairing.new_key else "",
                "choices": choices,
                "similarity": round(pairing.similarity * 100),
            }
        )
    return rows


def _corrections(request, consultation, text: str) -> dict[str, str]:
    """The pairings staff changed in the preview ({new_key: old_key or ""}); keys and
    values that are not the texts' own are dropped by matching.apply_corrections."""
    proposed = {
        row["pairing"].new_key: row["pairing"].old_key or ""
        for row in _pairing_rows(consultation, text)
        if row["pairing"].new_key
    }
    corrections = {}
    for new_key, old_key in proposed.items():
        value = request.POST.get(f"{PAIR_PREFIX}{new_key}")
        if value is not None and value != old_key:
            corrections[new_key] = value
    return corrections


def enacted_admin(request, page_id):
    consultation = get_object_or_404(ConsultationPage, pk=page_id)
    try:
        gate = rulebook.view_gate(request, "consultations.enact", consultation)
    except PermissionDenied as refused:
        # The rule's own reason (another zone, not closed yet), not Wagtail's generic one.
        return TemplateResponse(
            request,
            "consultations/admin/enacted_form.html",
            {"page": consultation, "refusal": refused.message},
            status=403,
        )
    if gate is not None:
        return gate
    existing = enacted.enacted_version(consultation)
    context = {"page": consultation, "existing": existing, "public_url": ""}
    if existing is not None:
        context["public_url"] = consultation.url + consultation.reverse_subpage("enacted_text")
        return TemplateResponse(request, "consultations/admin/enacted_form.html", context)
    action = request.POST.get("action", "preview") if request.method == "POST" else ""
    kwargs = {"consultation": consultation, "user": request.user}
    if action == "confirm":
        form = EnactedForm(request.POST, confirming=True, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                enacted.enacted_attach(
                    consultation=consultation,
                    actor=request.user,
                    text=data["text"],
                    enacted_on=data["enacted_on"],
                    ordinance_number=data["ordinance_number"],
                    document=data.get("document"),
                    corrections=_corrections(request, consultation, data["text"]),
                )
            except DomainError as error:
                form = EnactedForm(request.POST, **kwargs)
                form.is_valid()
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("The enacted text is published; everyone who commented will be told."),
                )
                return redirect("wagtailadmin_pages:edit", consultation.pk)
        else:
            # Tampered with between the steps: back to the form, with its errors.
            form = EnactedForm(request.POST, **kwargs)
            form.is_valid()
    elif action == "preview":
        form = EnactedForm(request.POST, request.FILES, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            confirm = EnactedForm(
                initial={
                    "text": data["text"],
                    "ordinance_number": data["ordinance_number"].strip(),
                    "enacted_on": data["enacted_on"],
                    "document": data["document"].pk if data.get("document") else None,
                },
                confirming=True,
                **kwargs,
            )
            rows = _pairing_rows(consultation, data["text"])
            context.update(
                {
                    "form": confirm,
                    "data": data,
                    "rows": rows,
                    "consulted": enacted.consulted_version(consultation),
                    "counts": {
                        "matched": sum(1 for r in rows if r["new"] and r["old"]),
                        "added": sum(1 for r in rows if r["new"] and not r["old"]),
                        "removed": sum(1 for r in rows if not r["new"]),
                    },
                }
            )
            return TemplateResponse(request, "consultations/admin/enacted_preview.html", context)
    elif action == "edit":
        form = EnactedForm(request.POST, **kwargs)
    else:
        form = EnactedForm(**kwargs)
    context["form"] = form
    return TemplateResponse(request, "consultations/admin/enacted_form.html", context)


@hooks.register("register_admin_urls")
def register_enacted_urls():
    return [
        path(
            "consultas/<int:page_id>/texto-sancionado/",
            enacted_admin,
            name="consultations_enacted",
        )
    ]


def _button(page, user, priority):
    """The button for a consultation (already specific: no query for other pages): attach
    the enacted text while the rule lets `user` do it, or read it once attached."""
    if not isinstance(page, ConsultationPage) or not page.live:
        return []
    if page.versions.filter(is_enacted=True).exists():
        return [
            Button(
                _("Enacted text (public page)"),
                page.url + page.reverse_subpage("enacted_text"),
                icon_name="doc-full",
                priority=priority,
            )
        ]
    if not rulebook.allowed(user, "consultations.enact", page):
        return []
    return [
        Button(
            _("Attach the enacted text"),
            reverse("consultations_enacted", args=[page.pk]),
            icon_name="doc-full-inverse",
            priority=priority,
        )
    ]


@hooks.register("register_page_header_buttons")
def enacted_header_button(page, user, view_name, next_url=None):
    return _button(page, user, 80)


@hooks.register("register_page_listing_more_buttons")
def enacted_listing_button(page, user, next_url=None):
    """In the page listing (rows are specific pages): only closed consultations ask the
    rule, and no row asks whether it is enacted (the form's page says so)."""
    if not isinstance(page, ConsultationPage) or not page.live:
        return []
    if page.status not in {Status.CLOSED, Status.REPORTED}:
        return []
    if not rulebook.allowed(user, "consultations.enact", page):
        return []
    return [
        Button(
            _("Enacted text"),
            reverse("consultations_enacted", args=[page.pk]),
            icon_name="doc-full-inverse",
            priority=80,
        )
    ]
