"""Views of an assembly page: the live page (Wagtail serves it), the forms it posts to, and
the staff control panel. Thin: parse, call a service or selector, render or redirect."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from quitodecide import exports, ratelimit, rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.pages import subpage_url

from . import bundle, selectors, services
from .forms import (
    AnnouncementForm,
    ControlActionForm,
    PollOpenForm,
    QuestionForm,
    RoomCountsForm,
)
from .models import (
    AgendaItem,
    AssemblyPage,
    AssemblyStatus,
    Ballot,
    Poll,
    Question,
    QuestionUpvote,
)


def ws_path(page: AssemblyPage) -> str:
    return f"/ws/asambleas/{page.pk}/"


def may_vote_online(user, page: AssemblyPage) -> bool:
    """Whether the rule lets this person vote in an open online poll of this assembly (the
    live page shows the vote buttons, also for polls opened after it was rendered)."""
    if not user.is_authenticated:
        return False
    probe = Poll(assembly=page, status=Poll.Status.OPEN, mode=Poll.Mode.BOTH)
    return rulebook.allowed(user, "assemblies.vote", probe)


def live_page_context(page: AssemblyPage, request, *, staff_view: bool = False) -> dict:
    """Everything the live page renders server-side; the script then keeps it fresh."""
    user = request.user
    staff = staff_view or rulebook.allowed(user, "assemblies.run", page)
    seq, state = selectors.assembly_state(page, staff=staff)
    status = state["assembly"]["status"]
    voted, supported, mine = set(), set(), set()
    if user.is_authenticated:
        # One's own questions take no support from their author (services refuse it).
        mine = set(
            Question.objects.filter(author=user, assembly_id=page.pk).values_list("pk", flat=True)
        )
        voted = set(
            Ballot.objects.filter(voter=user, poll__assembly_id=page.pk).values_list(
                "poll_id", flat=True
            )
        )
        supported = set(
            QuestionUpvote.objects.filter(user=user, question__assembly_id=page.pk).values_list(
                "question_id", flat=True
            )
        )
    current = next((i for i in state["agenda"] if i["id"] == state["current_item"]), None)
    followers = cache.get(f"assemblies:followers:{page.pk}", 0) or 0
    has_published_votes = any(poll["results_published"] for poll in state["polls"])
    return {
        "seq": seq,
        "state": state,
        "status": status,
        "is_live": status == AssemblyStatus.LIVE,
        "is_finished": status == AssemblyStatus.FINISHED,
        "is_scheduled": status == AssemblyStatus.SCHEDULED,
        "current_item": current,
        "voted": voted,
        "supported": supported,
        "mine": mine,
        "can_vote": may_vote_online(user, page),
        "can_ask": rulebook.allowed(user, "assemblies.ask", page),
        "question_form": QuestionForm(),
        "ws_path": ws_path(page),
        "followers": max(int(followers), 0),
        "control_url": subpage_url(page, "control") if staff else "",
        # `<vote_base><poll id>/` and `<question_base><question id>/apoyar/`
        "vote_base": subpage_url(page, "vote", poll_id=0)[:-2],
        "ask_url": subpage_url(page, "ask"),
        "question_base": subpage_url(page, "ask"),
        "i18n": _script_labels(),
        "has_published_votes": has_published_votes,
        "bundle_url": bundle_url(page) if has_published_votes else "",
    }


def _script_labels() -> dict:
    return {
        "live": pgettext("connection state", "live"),
        "connected": _("updates automatically"),
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
        # Spanish (like English) has one plural form besides the singular: n == 1 or not.
        "support_one": ngettext("%(count)s support", "%(count)s supports", 1),
        "support_other": ngettext("%(count)s support", "%(count)s supports", 2),
        "pinned": _("Being discussed"),
        "no_questions": _("No questions yet."),
        "no_announcements": _("No announcements yet."),
        "now_label": _("Now"),
        "your_vote": _("Your vote"),
        "close_vote": _("Close vote"),
        "publish": _("Publish results"),
        "reopen": _("Reopen vote"),
        "confirm_withdraw": _("Withdraw the published results"),
        "reload_for_counts": _("Reload the page to enter the hand count."),
        "approve": _("Approve"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "answer": _("Mark as answered"),
        "hide": _("Hide"),
        "login_to_vote": _("Verified residents can vote online."),
        "supported": _("You support this question."),
        "own": _("Your question."),
        "sending": _("Sending…"),
        "send_failed": _(
            "It could not be sent. Check your connection and try again, or reload the page."
        ),
        "log_in": _("Log in"),
        "final_results": _("Final results"),
    }


BUNDLE_EXPORT = exports.register(
    "assemblies.recount",
    formats=["zip"],
    description=(
        "An assembly's recount bundle: the anonymised online votes and the room counts of "
        "its votes with published results, the rule and the published results."
    ),
)


def results_bundle(page: AssemblyPage, request):
    """The recount bundle of the assembly's votes (assemblies.bundle), once one has
    published results."""
    if not bundle.published_polls(page).exists():
        raise Http404(_("This assembly has no votes with published results."))
    return exports.zip_response(
        BUNDLE_EXPORT, filename=f"recuento-{page.slug}", files=bundle.build(page)
    )


# --- The public state as JSON: what a poller (or the page without WebSocket) reads ---------
#
# GET <page url>/estado/ answers {"assembly": id, "seq": n, "state": {...}}: the snapshot a
# WebSocket follower who is not staff gets on connect (selectors.assembly_state(staff=False),
# the function behind consumers._public_snapshot), never staff data. Wagtail's serve view
# decides visibility as for the live page itself (a draft or unpublished page is a 404, a
# page with a view restriction asks for its login or password). A poll costs one query of
# its own (the assembly's last_seq) and one cache read: the serialised body is kept in the
# cache under (assembly, last_seq, last publication, language) and the ETag names the same,
# so an unchanged state answers 304 to If-None-Match. `Cache-Control: no-cache`: clients and
# proxies may keep it but revalidate on every poll. Limited per address
# (ASSEMBLY_STATE_RATE, default 600 a minute: five tabs polling every 0.5 s; None: off).

STATE_CACHE_SECONDS = 300
STATE_RATE = "600/m"


def _state_key(page: AssemblyPage, seq: int) -> str:
    published = page.last_published_at.timestamp() if page.last_published_at else 0
    return f"{page.pk}.{seq}.{published:.6f}.{translation.get_language() or ''}"


def state(page: AssemblyPage, request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    rate = getattr(settings, "ASSEMBLY_STATE_RATE", STATE_RATE)
    if rate:
        try:
            ratelimit.limit(request, "assemblies.state", rate, key="ip")
        except ratelimit.RateLimited as error:
            response = JsonResponse(
                {"ok": False, "code": "rate", "message": str(error)}, status=429
            )
            response["Retry-After"] = "60"
            response["Cache-Control"] = "no-store"
            return response
    key = _state_key(page, selectors.current_seq(page.pk))
    etag = f'"{key}"'
    # Weak comparison (RFC 9110, 13.1.2): a proxy may have marked the tag W/.
    offered = parse_etags(request.headers.get("If-None-Match", ""))
    if etag in {tag.removeprefix("W/") for tag in offered}:
        response = HttpResponseNotModified()
    else:
        body = cache.get(f"assemblies:state:{key}")
        if body is None:
            seq, data = selectors.assembly_state(page, staff=False)
            body = json.dumps(
                {"assembly": page.pk, "seq": seq, "state": data},
                separators=(",", ":"),
                ensure_ascii=False,
            ).encode()
            # Filed under the seq read before the state: a newer state under an older seq is
            # harmless (events are upserts), the next event moves the key.
            key = _state_key(page, seq)
            etag = f'"{key}"'
            cache.set(f"assemblies:state:{key}", body, STATE_CACHE_SECONDS)
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Cookie"])  # the language switch's cookie
    return response


def state_url(page: AssemblyPage) -> str:
    return subpage_url(page, "state")


def bundle_url(page: AssemblyPage) -> str:
    return subpage_url(page, "results_bundle")


def _back(page: AssemblyPage, anchor: str = ""):
    return redirect(page.url + (f"#{anchor}" if anchor else ""))


def _require_post(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


# --- Taking part: the same forms with and without JavaScript ------------------------------
#
# Without JavaScript a form posts, the view adds a message and redirects back to the page
# (the stream restarts). The live page's script posts the same form with fetch() and
# `Accept: application/json`; the view then answers JSON, never a redirect:
#   {"ok": bool, "code": str, "message": str, "payload": {...}, "login_url"?: str}
# `payload` has the shape of the event payloads (docs/live-protocol.md), so the script
# applies it with the code that applies events. Status: 200 done, 400 invalid form,
# 401 not logged in, 403 refused by the rule book, 409 refused now (closed vote, already
# voted), 429 too many questions.

ERROR_STATUS = {"invalid": 400, "login": 401, "forbidden": 403, "rejected": 409, "rate": 429}


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _answer(request, page, anchor, *, code="ok", message="", payload=None, login_url=""):
    ok = code == "ok"
    if wants_json(request):
        data = {"ok": ok, "code": code, "message": str(message), "payload": payload or {}}
        if login_url:
            data["login_url"] = login_url
        return JsonResponse(data, status=200 if ok else ERROR_STATUS[code])
    if login_url:
        return redirect(login_url)
    if message:
        (messages.success if ok else messages.error)(request, message)
    return _back(page, anchor)


def _refusal(error: DomainError) -> str:
    if isinstance(error, services.RateLimited):
        return "rate"
    return "forbidden" if isinstance(error, PermissionDenied) else "rejected"


def _login_answer(request, page, anchor, message):
    login_url = redirect_to_login(page.url)["Location"]
    return _answer(request, page, anchor, code="login", message=message, login_url=login_url)


def cast_vote(page: AssemblyPage, user, poll: Poll | None, option) -> tuple[str, str, dict]:
    """A resident's vote on `poll` of `page` (None: no such poll there), asked by the form
    (`vote` below) or over the live socket (consumers.AssemblyConsumer). Returns (code,
    message, payload) as in the JSON answers above; `option` is the value sent (any string
    or number). The rule book is asked by the service."""
    if not (user and user.is_authenticated):
        return "login", _("Log in to vote."), {}
    if poll is None:
        return "rejected", _("This vote is not open for online voting."), {}
    poll.assembly = page  # the page being served: not read again
    try:
        option = poll.options.get(pk=int(option))
    except (TypeError, ValueError, OverflowError, poll.options.model.DoesNotExist):
        return "invalid", _("Choose an option."), {}
    try:
        services.ballot_cast(poll=poll, voter=user, option=option)
    except DomainError as error:
        return _refusal(error), error.message, {}
    return (
        "ok",
        _("Your vote has been recorded."),
        {"poll": selectors.poll_data(poll), "voted": poll.pk},
    )


def vote(page: AssemblyPage, request, poll_id: int):
    if (refused := _require_post(request)) is not None:
        return refused
    poll = get_object_or_404(Poll, pk=poll_id, assembly_id=page.pk)
    anchor = f"poll-{poll.pk}"
    if not request.user.is_authenticated:
        return _login_answer(request, page, anchor, _("Log in to vote."))
    code, message, payload = cast_vote(page, request.user, poll, request.POST.get("option", "0"))
    return _answer(request, page, anchor, code=code, message=message, payload=payload)


def ask(page: AssemblyPage, request):
    if (refused := _require_post(request)) is not None:
        return refused
    if not request.user.is_authenticated:
        return _login_answer(request, page, "questions", _("Log in to ask a question."))
    form = QuestionForm(request.POST)
    if not form.is_valid():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _answer(request, page, "questions", code="invalid", message=message)
    try:
        services.question_submit(assembly=page, author=request.user, text=form.cleaned_data["text"])
    except DomainError as error:
        return _answer(request, page, "questions", code=_refusal(error), message=error.message)
    return _answer(
        request,
        page,
        "questions",
        message=_("Thank you. Your question will be shown once staff have read it."),
    )


def upvote(page: AssemblyPage, request, question_id: int):
    if (refused := _require_post(request)) is not None:
        return refused
    question = get_object_or_404(Question, pk=question_id, assembly_id=page.pk)
    anchor = f"question-{question.pk}"
    if not request.user.is_authenticated:
        return _login_answer(request, page, anchor, _("Log in to support a question."))
    try:
        question = services.question_upvote(question=question, user=request.user)
    except DomainError as error:
        return _answer(request, page, anchor, code=_refusal(error), message=error.message)
    payload = {"questions": [selectors.question_public_data(question)], "supported": question.pk}
    return _answer(request, page, anchor, message=_("Thank you for your support."), payload=payload)


# --- Control panel ----------------------------------------------------------------------


def control(page: AssemblyPage, request):
    if (refused := rulebook.view_gate(request, "assemblies.run", page)) is not None:
        return refused
    if request.method == "POST":
        if (confirmation := _confirmation_step(page, request)) is not None:
            return confirmation
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


# What each control-panel action acts on (the id its button posts).
CONTROL_TARGETS = {
    "advance": ("item",),
    **dict.fromkeys(("poll_close", "poll_reopen", "room_counts", "publish"), ("poll",)),
    **dict.fromkeys(("approve", "hide", "answer", "pin", "unpin"), ("question",)),
}


def _needs_confirmation(page: AssemblyPage, action: str, poll_id) -> Poll | AssemblyPage | None:
    """What a destructive action would act on, when it asks for confirmation: ending the
    assembly (irreversible: its open vote closes, no more questions or votes), publishing a
    vote's results, and reopening a vote whose results are published (withdraws them)."""
    if action == "end":
        return page
    if action in ("publish", "poll_reopen") and poll_id:
        poll = Poll.objects.filter(pk=poll_id, assembly_id=page.pk).first()
        if poll is not None and (action == "publish" or poll.results_published):
            return poll
    return None


def _confirmation_step(page: AssemblyPage, request):
    """Without `confirm=1` a destructive action does nothing and answers a page that asks
    to confirm it (a form, so this works without JavaScript); the confirmed post then goes
    through the service with its rule, MFA gate and audit entry like any other action."""
    post = request.POST
    action = post.get("action", "")
    target = ControlActionForm(post, targets=CONTROL_TARGETS.get(action, ()))
    if not target.is_valid() or target.cleaned_data["confirm"]:
        return None
    subject = _needs_confirmation(page, action, target.cleaned_data.get("poll"))
    if subject is None:
        return None
    texts = {
        "end": (
            _("End the assembly?"),
            _(
                "The open vote, if any, is closed. Nobody can ask questions or vote any more, "
                "and the page shows the final results. This cannot be undone."
            ),
            _("Yes, end the assembly"),
        ),
        "publish": (
            _("Publish the results of this vote?"),
            _(
                "Everyone sees the results as final and can download them in the recount "
                "bundle. Check the hand count first."
            ),
            _("Yes, publish the results"),
        ),
        "poll_reopen": (
            _("Reopen this vote?"),
            _(
                "Its published results are withdrawn and the vote takes votes again until "
                "it is closed."
            ),
            _("Yes, withdraw the results and reopen"),
        ),
    }
    title, explanation, button = texts[action]
    return TemplateResponse(
        request,
        "assemblies/control_confirm.html",
        {
            "page": page,
            "self": page,
            "title": title,
            "explanation": explanation,
            "button": button,
            "action": action,
            "poll": subject if isinstance(subject, Poll) else None,
            "control_url": request.path,
        },
    )


def _control_action(page: AssemblyPage, request) -> None:
    user, post = request.user, request.POST
    target = ControlActionForm(post, targets=CONTROL_TARGETS.get(post.get("action", ""), ()))
    if not target.is_valid():
        raise DomainError(_("The action is incomplete or invalid."))
    action, ids = target.cleaned_data["action"], target.cleaned_data
    if action == "start":
        services.assembly_start(assembly=page, actor=user)
    elif action == "end":
        services.assembly_end(assembly=page, actor=user)
    elif action == "advance":
        item = None
        if ids["item"]:
            item = get_object_or_404(AgendaItem, pk=ids["item"], page_id=page.pk)
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
    elif action in ("poll_close", "poll_reopen", "room_counts", "publish"):
        poll = get_object_or_404(Poll, pk=ids["poll"], assembly_id=page.pk)
        if action == "poll_close":
            services.poll_close(poll=poll, actor=user)
        elif action == "poll_reopen":
            services.poll_reopen(poll=poll, actor=user, confirm=ids["confirm"])
        elif action == "publish":
            services.poll_publish_results(poll=poll, actor=user)
        else:
            form = RoomCountsForm(post, poll=poll, prefix=f"poll{poll.pk}")
            if not form.is_valid():
                raise DomainError(
                    " ".join(
                        f"{form.fields[name].label}: {error}"
                        for name, errors in form.errors.items()
                        for error in errors
                    )
                )
            services.poll_record_room_counts(poll=poll, actor=user, counts=form.counts())
    elif action in ("approve", "hide", "answer", "pin", "unpin"):
        question = get_object_or_404(Question, pk=ids["question"], assembly_id=page.pk)
        services.question_moderate(question=question, actor=user, action=action)
    else:
        raise DomainError(_("Unknown action."))
    messages.success(request, _("Done."))
