"""Consultation views: thin wrappers that parse input, call services and selectors, and
render. Every form works without JavaScript (POST, then redirect)."""

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from discussions import services as discussion_services
from discussions import views as discussion_views
from discussions.models import Comment
from discussions.selectors import latest_comments, thread_page
from quitodecide import rulebook
from quitodecide.errors import DomainError
from quitodecide.pages import subpage_url

from . import selectors, services
from .forms import CommentForm, EditForm
from .models import SessionObservation


def comment_refusal(user, consultation):
    """Why `user` may not comment on `consultation` now (a rulebook.Refusal: its reason and
    kind, for the way on the comment form offers), or None if they may."""
    if rulebook.allowed(user, "consultations.comment", consultation):
        return None
    return rulebook.explain(user, "consultations.comment", consultation)


def _version(consultation, number=None):
    versions = consultation.versions.order_by("number")
    if number is None:
        return versions.last()
    return versions.filter(number=number).first()


def _preview_provisions(consultation):
    """In Wagtail's preview the draft is not published yet: parse it on the fly."""
    from .parser import ParseError, parse_ordinance

    try:
        return parse_ordinance(consultation.draft_text or "")
    except ParseError:
        return None


def _preview_matching(consultation) -> dict:
    """The publish preview's matching of the draft to the latest version, and whether staff
    can correct it now (the draft shown must be the one saved: corrections are kept for the
    saved draft)."""
    from django.urls import reverse

    result = selectors.draft_matching(consultation, consultation.draft_text or "")
    revision = consultation.latest_revision
    saved_text = revision.content.get("draft_text") if revision is not None else None
    result["saved"] = saved_text == (consultation.draft_text or "")
    result["correct_url"] = reverse("consultations_matching", args=[consultation.pk])
    return result


def consultation_context(consultation, request, *, version=None) -> dict:
    version = version or _version(consultation)
    context = {
        "version": version,
        "versions": list(consultation.versions.order_by("number")),
        "provisions": selectors.version_provisions(version) if version else [],
        "refusal": comment_refusal(request.user, consultation),
        "can_manage": rulebook.allowed(request.user, "consultations.manage", consultation),
        "form": CommentForm(on_article=False),
        "discussion_url": consultation.url,
        "sessions": list(consultation.sessions.select_related("parish").order_by("held_on")),
        "thread_query": "",
    }
    if getattr(request, "is_preview", False) and (
        version is None or version.source_text != consultation.draft_text
    ):
        # The preview shows the draft as it will be published and, when a version exists,
        # how its articles will continue the latest version's (who keeps which comments).
        context["preview"] = _preview_provisions(consultation)
        if version is not None:
            context["preview_matching"] = _preview_matching(consultation)
    if consultation.general_thread_id:
        # The page is the text; it shows only the latest general comments (the whole
        # discussion has its own page), so its weight does not grow with participation.
        context["general_thread"] = consultation.general_thread
        context["general_latest"] = latest_comments(consultation.general_thread, GENERAL_EXCERPT)
    return context


GENERAL_EXCERPT = 3


def general_thread(request, consultation, *, form=None, status=200):
    if not consultation.general_thread_id:
        raise Http404
    context = {
        "page": consultation,
        "version": _version(consultation),
        "thread": thread_page(
            consultation.general_thread,
            sort=request.GET.get("orden", ""),
            page_number=request.GET.get("pagina", 1),
            user=request.user,
        ),
        "refusal": comment_refusal(request.user, consultation),
        "can_manage": rulebook.allowed(request.user, "consultations.manage", consultation),
        "form": form or CommentForm(on_article=False),
        "discussion_url": consultation.url,
    }
    return TemplateResponse(request, "consultations/general_thread.html", context, status=status)


def _version_number(request):
    try:
        number = int(request.GET.get("version", ""))
    except ValueError:
        return None
    return number if number > 0 else None


def provision_thread(request, consultation, key, *, form=None, status=200):
    """An article's discussion. `key` is read in the latest version (or, with
    `?version=N`, in version N: the links of an old version's page), then the article is
    followed by its identity to the latest version: a link to an article since renumbered
    redirects to its current key; a deleted article shows its last text, read-only."""
    version = _version(consultation)
    if version is None:
        raise Http404
    number = _version_number(request) if form is None else None
    found = selectors.current_provision(consultation, key, number, latest=version)
    if found is None:
        raise Http404
    provision, current = found
    if form is None and (provision.key != key or number is not None) and current:
        return redirect(subpage_url(consultation, "provision_thread", provision.key))
    thread = thread_page(
        provision.thread,
        sort=request.GET.get("orden", ""),
        page_number=request.GET.get("pagina", 1),
        user=request.user,
    )
    observations = list(
        SessionObservation.objects.filter(
            session__consultation=consultation, thread_id=provision.thread_id
        )
        .select_related("session__parish")
        .order_by("session__held_on", "pk")
    )
    # "On version N, article M": the label this article had in the version each comment
    # (or observation) was about, from one query.
    labels = {
        number: label
        for (_thread, number), label in selectors.thread_labels(
            consultation, [provision.thread_id]
        ).items()
    }
    comments = [*thread.page.object_list, *(r for rs in thread.replies.values() for r in rs)]
    for item in [*comments, *observations]:
        item.revision_label = labels.get(item.revision, "") if item.revision else ""
    context = {
        "page": consultation,
        "provision": provision,
        "version": version,
        "current": current,
        "thread": thread,
        "refusal": comment_refusal(request.user, consultation),
        "can_manage": rulebook.allowed(request.user, "consultations.manage", consultation),
        "form": form or CommentForm(initial={"provision": provision.key}),
        "discussion_url": consultation.url,
        # Observations from in-person sessions are shown, and counted, apart.
        "observations": observations,
    }
    return TemplateResponse(request, "consultations/provision_thread.html", context, status=status)


def version_detail(request, consultation, number):
    version = _version(consultation, number)
    if version is None:
        raise Http404
    context = consultation.get_context(request)
    context.update(consultation_context(consultation, request, version=version))
    context["viewing_old_version"] = version.number != context["versions"][-1].number
    if context["viewing_old_version"]:
        # Keys are read in the version the reader is looking at, then followed by identity.
        context["thread_query"] = f"?version={version.number}"
    return TemplateResponse(request, consultation.get_template(request), context)


def version_diff(request, consultation):
    versions = list(consultation.versions.order_by("number"))
    if len(versions) < 2:
        raise Http404
    by_number = {v.number: v for v in versions}

    def pick(name, default):
        try:
            return by_number[int(request.GET.get(name, default))]
        except (KeyError, TypeError, ValueError):
            return by_number[default]

    old = pick("desde", versions[-2].number)
    new = pick("hasta", versions[-1].number)
    return TemplateResponse(
        request,
        "consultations/version_diff.html",
        {
            "page": consultation,
            "versions": versions,
            "old": old,
            "new": new,
            "rows": selectors.version_diff(old, new),
        },
    )


def _back(request, consultation, fallback_key=""):
    fallback = (
        subpage_url(consultation, "provision_thread", fallback_key)
        if fallback_key
        else subpage_url(consultation, "general_discussion")
    )
    return redirect(discussion_views.safe_next(request, fallback))


def comment_post(request, consultation):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    parent_id = request.POST.get("parent") or None
    key = request.POST.get("provision", "")
    form = CommentForm(request.POST, reply=bool(parent_id), on_article=bool(key))
    if form.is_valid():
        data = form.cleaned_data
        parent = None
        if data.get("parent"):
            parent = Comment.objects.filter(pk=data["parent"]).select_related("thread").first()
        try:
            comment = services.consultation_comment(
                consultation=consultation,
                user=request.user,
                body=data["body"],
                stance=data.get("stance", ""),
                proposed_wording=data.get("proposed_wording", ""),
                provision_key=data.get("provision", ""),
                parent=parent,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you: your comment has been published."))
            response = _back(request, consultation, key)
            response["Location"] += f"#comentario-{comment.pk}"
            return response
    # Show the form again with what was typed and the errors: nothing is lost.
    if key:
        return provision_thread(request, consultation, key, form=form, status=400)
    return general_thread(request, consultation, form=form, status=400)


def comment_action(request, consultation, comment_id, action):
    comment = get_object_or_404(Comment.objects.select_related("thread"), pk=comment_id)
    if not services._thread_belongs(consultation, comment.thread):
        raise Http404
    key = request.POST.get("provision", "") or request.GET.get("articulo", "")
    if action == "editar":
        return _edit(request, consultation, comment, key)
    fallback = (
        subpage_url(consultation, "provision_thread", key)
        if key
        else subpage_url(consultation, "general_discussion")
    )
    return discussion_views.comment_action(
        request, comment=comment, action=action, fallback_url=fallback
    )


def _edit(request, consultation, comment, key):
    if not rulebook.allowed(request.user, "discussions.edit", comment):
        messages.error(request, _("A comment can only be edited by its author, within 15 minutes."))
        return _back(request, consultation, key)
    form = EditForm(
        request.POST or None,
        initial={
            "body": comment.body,
            "stance": comment.stance,
            "proposed_wording": comment.proposed_wording,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            discussion_services.comment_edit(
                comment=comment, user=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your comment has been updated."))
            response = _back(request, consultation, key)
            response["Location"] += f"#comentario-{comment.pk}"
            return response
    back = (
        subpage_url(consultation, "provision_thread", key)
        if key
        else subpage_url(consultation, "general_discussion")
    )
    return TemplateResponse(
        request,
        "consultations/comment_edit.html",
        {
            "page": consultation,
            "comment": comment,
            "form": form,
            "provision_key": key,
            "back_url": f"{back}#comentario-{comment.pk}",
        },
    )
