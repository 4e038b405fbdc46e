"""Dispositions in the Wagtail admin: staff pick a closed consultation of their zone, then go
article by article, select contributions and give them one disposition (and reason) at once.
Works without JavaScript. Views parse and render; `dispositions.disposition_set` checks the
rule (`consultations.dispose`: zone staff, MFA, closed) and writes the audit entry."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from quitodecide import rulebook
from quitodecide.errors import DomainError
from territory.models import ZonePage
from territory.permissions import staff_zones

from . import dispositions
from . import report as report_module  # registers the report export at start-up
from .models import ConsultationPage, Disposition, SessionObservation

REPORT_EXPORT = report_module.REPORT_EXPORT


def consultations_for(user):
    """The consultations whose dispositions `user` may give: those under their zones'
    pages (every one for the city-wide team and superusers)."""
    pages = ConsultationPage.objects.all()
    zones = staff_zones(user)
    if zones is None:
        return pages
    under_zone = Q(pk__in=[])
    for zone_path in ZonePage.objects.filter(zone__in=zones).values_list("path", flat=True):
        under_zone |= Q(path__startswith=zone_path)
    return pages.filter(under_zone)


def _require_staff(user) -> None:
    if staff_zones(user) == []:
        raise HttpForbidden(_("Only zone staff can do this."))


class DispositionForm(forms.Form):
    """“Give the selected: outcome + reason”. The selected contributions are checkboxes
    named `comment` and `observation`, drawn by the template next to each contribution."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("Disposition"),
        choices=Disposition.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a disposition.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=dispositions.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Required unless taken up in full. The authors receive it by e-mail and it is "
            "published in the participation report."
        ),
    )

    def __init__(self, *args, comment_ids=(), observation_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.comment_ids = {str(pk) for pk in comment_ids}
        self.observation_ids = {str(pk) for pk in observation_ids}

    def _submitted(self, name: str) -> list[str]:
        return self.data.getlist(name) if hasattr(self.data, "getlist") else []

    def selected(self, name: str) -> list[int]:
        """The selected contributions of this article (those the page listed)."""
        allowed = self.comment_ids if name == "comment" else self.observation_ids
        return sorted({int(value) for value in self._submitted(name) if value in allowed})

    def foreign_count(self, name: str) -> int:
        """How many selected values are not contributions of this article (another
        consultation's or article's comment, an official answer, a hidden comment, an id
        that does not exist or is no number)."""
        allowed = self.comment_ids if name == "comment" else self.observation_ids
        return len({value for value in self._submitted(name) if value not in allowed})

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        reason = (cleaned.get("reason") or "").strip()
        if outcome and outcome != Disposition.Outcome.ACCEPTED and not reason:
            self.add_error(
                "reason",
                _("Give the reason: it is required unless the contribution was taken up in full."),
            )
        foreign = self.foreign_count("comment") + self.foreign_count("observation")
        if foreign:  # all or nothing: never give the rest a disposition silently
            raise forms.ValidationError(
                ngettext(
                    "%(count)d of the selected contributions is not a contribution to this "
                    "article of this consultation; nothing was saved.",
                    "%(count)d of the selected contributions are not contributions to this "
                    "article of this consultation; nothing was saved.",
                    foreign,
                )
                % {"count": foreign}
            )
        if not self.selected("comment") and not self.selected("observation"):
            raise forms.ValidationError(_("Select at least one contribution."))
        cleaned["reason"] = reason
        return cleaned


# --- views --------------------------------------------------------------------------------
def consultations_index(request):
    """The closed consultations of the staff's zones, with their progress."""
    _require_staff(request.user)
    now = timezone.now()
    pages = dispositions.with_counts(
        consultations_for(request.user).filter(closes_at__lte=now).order_by("-closes_at")
    )
    rows = [{"page": page, "counts": dispositions.counts_of(page)} for page in pages[:200]]
    return TemplateResponse(request, "consultations/admin/dispositions_index.html", {"rows": rows})


def _consultation(request, pk) -> ConsultationPage:
    _require_staff(request.user)
    return get_object_or_404(consultations_for(request.user), pk=pk)


def consultation_articles(request, pk):
    """One consultation: its articles with their progress, each a link to its page."""
    consultation = _consultation(request, pk)
    articles = [a for a in dispositions.consultation_contributions(consultation) if a.contributions]
    return TemplateResponse(
        request,
        "consultations/admin/dispositions_consultation.html",
        {
            "page": consultation,
            "articles": articles,
            "totals": dispositions.summary_totals(articles),
            "closed": consultation.status in {"cerrada", "informe"},
        },
    )


SELECT_ALL, SELECT_PENDING = "todas", "pendientes"
RULE = "consultations.dispose"


def article_dispositions(request, pk, slug):
    """One article: its contributions with checkboxes and the bulk form. A GET with
    ?seleccionar=pendientes (or todas) pre-selects, so no JavaScript is needed."""
    consultation = _consultation(request, pk)
    article = dispositions.article_of(consultation, slug)
    if article is None:
        raise Http404
    comment_ids = [c.pk for c in article.comments]
    observation_ids = [o.pk for o in article.observations]
    closed = consultation.status in {"cerrada", "informe"}
    form = DispositionForm(comment_ids=comment_ids, observation_ids=observation_ids)
    selected_comments, selected_observations = set(), set()
    preselect = request.GET.get("seleccionar")
    if preselect in {SELECT_ALL, SELECT_PENDING}:
        for contribution in article.contributions:
            if preselect == SELECT_ALL or contribution.current_disposition is None:
                is_observation = isinstance(contribution, SessionObservation)
                chosen = selected_observations if is_observation else selected_comments
                chosen.add(contribution.pk)
    if request.method == "POST":
        form = DispositionForm(
            request.POST, comment_ids=comment_ids, observation_ids=observation_ids
        )
        selected_comments = set(form.selected("comment"))
        selected_observations = set(form.selected("observation"))
        if not closed:
            form.add_error(
                None,
                _("This consultation is still open: dispositions can be given once it closes."),
            )
        elif (
            gate := rulebook.view_gate(request, "consultations.dispose", consultation)
        ) is not None:
            return gate
        elif form.is_valid():
            try:
                changed = dispositions.disposition_set(
                    consultation=consultation,
                    actor=request.user,
                    outcome=form.cleaned_data["outcome"],
                    reason=form.cleaned_data["reason"],
                    comments=sorted(selected_comments),
                    observations=sorted(selected_observations),
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                count = len(selected_comments) + len(selected_observations)
                messages.success(
                    request,
                    ngettext(
                        "%(count)d contribution has this disposition (%(changed)d changed); "
                        "the authors with an account are told by e-mail.",
                        "%(count)d contributions have this disposition (%(changed)d changed); "
                        "the authors with an account are told by e-mail.",
                        count,
                    )
                    % {"count": count, "changed": len(changed)},
                )
                return redirect(request.path)
    articles = dispositions.consultation_articles(consultation)
    position = next(i for i, a in enumerate(articles) if a.slug == article.slug)
    return TemplateResponse(
        request,
        "consultations/admin/dispositions_article.html",
        {
            "page": consultation,
            "article": article,
            "summary": article.summary,
            "form": form,
            "closed": closed,
            "selected_comments": selected_comments,
            "selected_observations": selected_observations,
            "previous_article": articles[position - 1] if position > 0 else None,
            "next_article": articles[position + 1] if position + 1 < len(articles) else None,
            "select_all": SELECT_ALL,
            "select_pending": SELECT_PENDING,
        },
    )


# --- hooks --------------------------------------------------------------------------------
urlpatterns = [
    path("disposiciones/", consultations_index, name="dispositions_index"),
    path("disposiciones/<int:pk>/", consultation_articles, name="dispositions_consultation"),
    path(
        "disposiciones/<int:pk>/<slug:slug>/",
        article_dispositions,
        name="dispositions_article",
    ),
]


@hooks.register("register_admin_urls")
def register_disposition_urls():
    return urlpatterns


class DispositionsMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_zones(request.user) != []


@hooks.register("register_admin_menu_item")
def register_dispositions_menu_item():
    return DispositionsMenuItem(
        gettext_lazy("Dispositions"),
        reverse("dispositions_index"),
        icon_name="tick",
        order=246,
    )


@hooks.register("register_page_header_buttons")
def consultation_disposition_button(page, user, view_name, next_url=None):
    """On a closed consultation's edit page: the way to its dispositions (no query for
    other pages)."""
    if not isinstance(page, ConsultationPage) or page.status not in {"cerrada", "informe"}:
        return []
    if staff_zones(user) == []:
        return []
    return [
        Button(
            _("Dispositions of the contributions"),
            reverse("dispositions_consultation", args=[page.pk]),
            icon_name="tick",
            priority=95,
        )
    ]
