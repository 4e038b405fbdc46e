"""Views for requests behind a cycle page's routes (see budgets.models.BudgetCyclePage)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discussions import views as discussion_views
from discussions.models import MAX_BODY_LENGTH, Comment
from discussions.selectors import thread_page
from quitodecide import ratelimit, rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.pages import subpage_url
from territory.permissions import is_zone_staff

from . import selectors, services
from .forms import RequestFilterForm, RequestForm, VerdictForm
from .models import Request
from .rules import comment_refusal

PAGE_SIZE = 20
# Filing a request costs staff an assessment: a few per hour per account, a few more per
# address (a family or a community centre shares one).
REQUEST_RATES = [("user", "5/h"), ("ip", "20/h")]


def _context(request, cycle, **extra):
    return {
        "page": cycle,
        "cycle": cycle,
        "is_staff": is_zone_staff(request.user, cycle.zone),
    } | extra


def request_list(request, cycle):
    filters = RequestFilterForm(request.GET or None, cycle=cycle)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    requests = selectors.request_list(
        cycle,
        q=(criteria.get("q") or "").strip(),
        parish=criteria.get("parroquia"),
        kind=criteria.get("tipo") or "",
        status=criteria.get("estado") or "",
    )
    paginator = Paginator(requests, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return TemplateResponse(
        request,
        "proposals/request_list.html",
        _context(
            request,
            cycle,
            filters=filters,
            requests=page_obj,
            query=query.urlencode(),
        ),
    )


def request_create(request, cycle):
    if not rulebook.allowed(request.user, "proposals.submit", cycle):
        # The rule's own reason: a cycle not taking requests says so (to anyone, logged in
        # or not: logging in would not help); then log in, confirm the e-mail, the zone.
        refusal = rulebook.explain(request.user, "proposals.submit", cycle)
        if refusal.kind == rulebook.RefusalKind.LOGIN:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('account_login')}?{query}")
        raise PermissionDenied(refusal.reason, refusal=refusal)
    form = RequestForm(request.POST or None, request.FILES or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.limits(
                request,
                "proposals.request_submit",
                REQUEST_RATES,
                message=_(
                    "You have filed several requests in a short time. Please wait an hour "
                    "before filing another."
                ),
            )
            created = services.request_submit(
                cycle=cycle, user=request.user, **form.service_kwargs()
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Your request has been filed as %(reference)s. Staff will assess it.")
                % {"reference": created.reference},
            )
            return redirect(subpage_url(cycle, "request_detail", created.pk))
    return TemplateResponse(
        request, "proposals/request_form.html", _context(request, cycle, form=form)
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your comment"),  # lazy: the class is built once, at import
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _get(cycle, pk, user=None) -> Request:
    try:
        return selectors.request_detail(cycle, pk, user)
    except Request.DoesNotExist:
        raise Http404 from None


def request_detail(request, cycle, pk, *, comment_form=None, status=200):
    item = _get(cycle, pk, request.user)
    thread = None
    if item.thread_id:
        thread = thread_page(
            item.thread,
            sort=request.GET.get("orden", ""),
            page_number=request.GET.get("pagina", 1),
            user=request.user,
        )
    supportable = item.status in services.SUPPORTABLE
    can_support = supportable and rulebook.allowed(request.user, "proposals.support", cycle)
    return TemplateResponse(
        request,
        "proposals/request_detail.html",
        _context(
            request,
            cycle,
            item=item,
            can_support=can_support,
            # Taking one's support back needs no consent (rulebook.may_take_back).
            can_take_back=supportable
            and rulebook.may_take_back(request.user, "proposals.support", cycle),
            # Why the support button is missing, and the way on (log in, get verified...).
            support_refusal=rulebook.explain(request.user, "proposals.support", cycle)
            if supportable and not can_support
            else None,
            can_record_verdict=rulebook.allowed(request.user, "proposals.assess", cycle),
            thread=thread,
            refusal=comment_refusal(request.user, cycle),
            can_manage=thread is not None
            and rulebook.allowed(request.user, "discussions.answer_officially", item.thread),
            form=comment_form or CommentForm(),
            discussion_url=subpage_url(cycle, "request_detail", pk),
        ),
        status=status,
    )


def request_comment(request, cycle, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    item = _get(cycle, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
        try:
            comment = services.request_comment(
                request=item, user=request.user, body=form.cleaned_data["body"], parent=parent
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: your comment has been published."))
            return redirect(f"{subpage_url(cycle, 'request_detail', pk)}#comentario-{comment.pk}")
    return request_detail(request, cycle, pk, comment_form=form, status=400)


def request_comment_action(request, cycle, pk, comment_id, action):
    item = _get(cycle, pk)
    comment = Comment.objects.filter(pk=comment_id, thread_id=item.thread_id).first()
    if item.thread_id is None or comment is None:
        raise Http404
    return discussion_views.comment_action(
        request,
        comment=comment,
        action=action,
        fallback_url=subpage_url(cycle, "request_detail", pk),
    )


def request_support(request, cycle, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return redirect(f"/cuenta/login/?next={subpage_url(cycle, 'request_detail', pk)}")
    item = _get(cycle, pk)
    try:
        if request.POST.get("action") == "withdraw":
            services.request_unsupport(request=item, user=request.user)
            messages.success(request, _("Your support has been withdrawn."))
        else:
            services.request_support(request=item, user=request.user)
            messages.success(request, _("Thank you: your support has been recorded."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(subpage_url(cycle, "request_detail", pk))


def request_verdict(request, cycle, pk):
    gate = rulebook.view_gate(request, "proposals.assess", cycle)
    if gate:
        return gate
    item = _get(cycle, pk)
    initial = {}
    if hasattr(item, "verdict"):
        verdict = item.verdict
        initial = {
            "viable": "1" if verdict.viable else "0",
            "technical_cost": verdict.technical_cost,
            "reason": verdict.reason,
            "notes": verdict.notes,
        }
    else:
        initial = {"technical_cost": item.estimated_cost}
    form = VerdictForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.verdict_record(request=item, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Verdict recorded; the author has been notified."))
            return redirect(subpage_url(cycle, "request_detail", pk))
    return TemplateResponse(
        request, "proposals/verdict_form.html", _context(request, cycle, item=item, form=form)
    )
