"""Views of an assembly page: the live page (Wagtail serves it), the forms it posts to, and
the staff control panel. Thin: parse, call a service or selector, render or redirect."""

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from quitodecide.errors import DomainError

from . import permissions, selectors, services
from .forms import AnnouncementForm, PollOpenForm, QuestionForm, RoomCountsForm
from .models import AgendaItem, AssemblyPage, AssemblyStatus, Ballot, Poll, Question


def ws_path(page: AssemblyPage) -> str:
    return f"/ws/asambleas/{page.pk}/"


def live_page_context(page: AssemblyPage, request, *, staff_view: bool = False) -> dict:
    """Everything the live page renders server-side; the script then keeps it fresh."""
    user = request.user
    staff = staff_view or permissions.can_run_assembly(user, page)
    seq, state = selectors.assembly_state(page, staff=staff)
    status = state["assembly"]["status"]
    voted = set()
    verified = permissions.is_verified_resident(user)
    if verified:
        voted = set(
            Ballot.objects.filter(voter=user, poll__assembly_id=page.pk).values_list(
                "poll_id", flat=True
            )
        )
    current = next((i for i in state["agenda"] if i["id"] == state["current_item"]), None)
    followers = cache.get(f"assemblies:followers:{page.pk}", 0) or 0
    return {
        "seq": seq,
        "state": state,
        "status": status,
        "is_live": status == AssemblyStatus.LIVE,
        "is_finished": status == AssemblyStatus.FINISHED,
        "current_item": current,
        "voted": voted,
        "can_vote": verified and status == AssemblyStatus.LIVE,
        "can_ask": permissions.can_ask(user, status),
        "question_form": QuestionForm(),
        "ws_path": ws_path(page),
        "followers": max(int(followers), 0),
        "control_url": page.url + page.reverse_subpage("control") if staff else "",
        # `<vote_base><poll id>/` and `<question_base><question id>/apoyar/`
        "vote_base": page.url + page.reverse_subpage("vote", kwargs={"poll_id": 0})[:-2],
        "ask_url": page.url + page.reverse_subpage("ask"),
        "question_base": page.url + page.reverse_subpage("ask"),
        "i18n": _script_labels(),
    }


def _script_labels() -> dict:
    return {
        "live": pgettext("connection state", "live"),
        "reconnecting": pgettext("connection state", "reconnecting…"),
        "connecting": pgettext("connection state", "connecting…"),
        "option": _("Option"),
        "online": _("Online"),
        "room": _("Room"),
        "total": _("Total"),
        "vote": _("Vote"),
        "voted": _("You have voted on this question."),
        "results_published": _("Results published"),
        "closed": _("Closed"),
        "open": _("Open"),
        "support": _("Support"),
        "supports": _("supports"),
        "pinned": _("Being discussed"),
        "no_questions": _("No questions yet."),
        "no_announcements": _("No announcements yet."),
        "now_label": _("Now"),
        "your_vote": _("Your vote"),
        "close_vote": _("Close vote"),
        "publish": _("Publish results"),
        "reload_for_counts": _("Reload the page to enter the hand count."),
        "approve": _("Approve"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "answer": _("Mark as answered"),
        "hide": _("Hide"),
        "login_to_vote": _("Verified residents can vote online."),
    }


def _back(page: AssemblyPage, anchor: str = ""):
    return redirect(page.url + (f"#{anchor}" if anchor else ""))


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


def vote(page: AssemblyPage, request, poll_id: int):
    if (refused := _require_post(request)) is not None:
        return refused
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    poll = get_object_or_404(Poll, pk=poll_id, assembly_id=page.pk)
    try:
        option = poll.options.get(pk=int(request.POST.get("option", "0")))
    except (ValueError, poll.options.model.DoesNotExist):
        messages.error(request, _("Choose an option."))
        return _back(page, f"poll-{poll.pk}")
    try:
        services.ballot_cast(poll=poll, voter=request.user, option=option)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your vote has been recorded."))
    return _back(page, f"poll-{poll.pk}")


def ask(page: AssemblyPage, request):
    if (refused := _require_post(request)) is not None:
        return refused
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back(page, "questions")
    try:
        services.question_submit(assembly=page, author=request.user, text=form.cleaned_data["text"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Thank you. Your question will be shown once staff have read it.")
        )
    return _back(page, "questions")


def upvote(page: AssemblyPage, request, question_id: int):
    if (refused := _require_post(request)) is not None:
        return refused
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    question = get_object_or_404(Question, pk=question_id, assembly_id=page.pk)
    try:
        services.question_upvote(question=question, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return _back(page, f"question-{question.pk}")


# --- Control panel ----------------------------------------------------------------------


def _control_gate(page: AssemblyPage, request):
    """None when the request may use the panel; otherwise the response to send."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_run_assembly(user, page):
        raise HttpForbidden(_("Only staff of this zone can run this assembly."))
    if not permissions.can_use_control_panel(request, page):
        messages.warning(
            request, _("Confirm your identity with your authentication code to continue.")
        )
        if not is_mfa_enabled(user):
            return redirect("mfa_activate_totp")
        return redirect(f"{reverse('mfa_reauthenticate')}?next={request.path}")
    return None


def control(page: AssemblyPage, request):
    if (refused := _control_gate(page, request)) is not None:
        return refused
    if request.method == "POST":
        try:
            _control_action(page, request)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect(request.path)
    context = live_page_context(page, request, staff_view=True)
    polls = list(Poll.objects.filter(assembly_id=page.pk).prefetch_related("options"))
    context.update(
        {
            "page": page,
            "self": page,
            "announcement_form": AnnouncementForm(),
            "poll_form": PollOpenForm(),
            "room_forms": {
                poll.pk: RoomCountsForm(poll=poll, prefix=f"poll{poll.pk}")
                for poll in polls
                if poll.counts_room and not poll.results_published
            },
            "agenda_items": list(page.agenda_items.all()),
        }
    )
    return TemplateResponse(request, "assemblies/control_panel.html", context)


def _control_action(page: AssemblyPage, request) -> None:
    action, user, post = request.POST.get("action", ""), request.user, request.POST
    if action == "start":
        services.assembly_start(assembly=page, actor=user)
    elif action == "end":
        services.assembly_end(assembly=page, actor=user)
    elif action == "advance":
        item = None
        if post.get("item"):
            item = get_object_or_404(AgendaItem, pk=post["item"], page_id=page.pk)
        services.agenda_advance(assembly=page, actor=user, item=item)
    elif action == "announce":
        form = AnnouncementForm(post)
        if not form.is_valid():
            raise DomainError(_("Write the announcement (at most 1,000 characters)."))
        services.announcement_post(assembly=page, actor=user, text=form.cleaned_data["text"])
    elif action == "poll_open":
        form = PollOpenForm(post)
        if not form.is_valid():
            raise DomainError(_("Write the question, its options and who votes."))
        services.poll_open(
            assembly=page,
            actor=user,
            question=form.cleaned_data["question"],
            options=form.option_labels(),
            mode=form.cleaned_data["mode"],
        )
    elif action in ("poll_close", "room_counts", "publish"):
        poll = get_object_or_404(Poll, pk=post.get("poll"), assembly_id=page.pk)
        if action == "poll_close":
            services.poll_close(poll=poll, actor=user)
        elif action == "publish":
            services.poll_publish_results(poll=poll, actor=user)
        else:
            form = RoomCountsForm(post, poll=poll, prefix=f"poll{poll.pk}")
            if not form.is_valid():
                raise DomainError(_("A hand count is a whole number, zero or more."))
            services.poll_record_room_counts(poll=poll, actor=user, counts=form.counts())
    elif action in ("approve", "hide", "answer", "pin", "unpin"):
        question = get_object_or_404(Question, pk=post.get("question"), assembly_id=page.pk)
        services.question_moderate(question=question, actor=user, action=action)
    else:
        raise DomainError(_("Unknown action."))
    messages.success(request, _("Done."))
