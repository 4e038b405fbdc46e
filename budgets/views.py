"""Views behind a cycle page's routes (see BudgetCyclePage): thin, they parse the request,
call a service or selector and render. Everything works without JavaScript."""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.selectors import resident_of
from quitodecide import exports, ratelimit, rulebook
from quitodecide.errors import DomainError
from quitodecide.mfa import user_passed_mfa
from quitodecide.pages import subpage_url
from territory.models import Parish
from territory.permissions import is_zone_staff

from . import bundle, selectors, services
from .forms import BoothVoteForm, EnvelopesForm, TallyForm
from .models import BallotRule


def _base_context(request, cycle, **extra) -> dict:
    context = {
        "page": cycle,
        "cycle": cycle,
        # Zone staff see where their actions are; each action link asks its own rule.
        "is_staff": is_zone_staff(request.user, cycle.zone),
        "staff_passed_mfa": user_passed_mfa(request.user),
        "rule_is_knapsack": cycle.ballot_rule == BallotRule.KNAPSACK,
    }
    context.update(extra)
    return context


def cycle_overview(request, cycle):
    envelopes = selectors.cycle_envelopes(cycle)
    context = _base_context(
        request,
        cycle,
        figures=selectors.cycle_figures(cycle),
        envelopes=envelopes,
        envelopes_total=sum((e.amount for e in envelopes), Decimal("0")),
        has_results=bool(cycle.results.exists()),
    )
    return TemplateResponse(request, "budgets/budget_cycle_page.html", context)


# --- confirmations ------------------------------------------------------------------------
def _confirmed(request) -> bool:
    return request.POST.get("confirm") == "1"


def _confirmation(
    request,
    cycle,
    *,
    action,
    heading,
    consequences,
    button,
    cancel,
    hidden=(),
    ask_reason=False,
    error="",
):
    """The page a destructive staff action shows first (no JavaScript needed): what will
    happen, and a form posting the same action again with confirm=1. Nothing is written
    until then; the rule, the MFA gate and the audit entry stay with the action itself."""
    context = _base_context(
        request,
        cycle,
        confirm_action=action,
        nav_current=cancel,
        heading=heading,
        consequences=consequences,
        button=button,
        action_url=subpage_url(cycle, action),
        cancel_url=subpage_url(cycle, cancel),
        hidden=list(hidden),
        ask_reason=ask_reason,
        reason=request.POST.get("reason", "")[:1000],
        error=error,
    )
    return TemplateResponse(request, "budgets/confirm.html", context, status=400 if error else 200)


# --- envelopes ----------------------------------------------------------------------------
def envelopes_edit(request, cycle):
    gate = rulebook.view_gate(request, "budgets.manage_envelopes", cycle)
    if gate:
        return gate
    parishes = list(Parish.objects.filter(zone=cycle.zone).order_by("name"))
    envelopes = {e.parish_id: e for e in selectors.cycle_envelopes(cycle)}
    form = EnvelopesForm(request.POST or None, parishes=parishes, envelopes=envelopes)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "clear" and not _confirmed(request):
            return _confirmation(
                request,
                cycle,
                action="envelopes",
                heading=_("Remove the parish envelopes?"),
                consequences=[
                    _(
                        "The envelope of every parish is deleted: the cycle gets one ballot for "
                        "the whole zone, with the cycle's total amount."
                    ),
                    _("You can set or compute the envelopes again until voting starts."),
                    _("The change is recorded in the cycle's history."),
                ],
                button=_("Remove the envelopes"),
                cancel="envelopes",
                hidden=[("action", "clear")],
            )
        try:
            if action == "clear":
                services.envelopes_clear(cycle=cycle, actor=request.user)
                messages.success(request, _("Envelopes removed: one ballot for the whole zone."))
                return redirect(subpage_url(cycle, "envelopes"))
            if form.is_valid(action):
                if action == "weighted":
                    services.envelopes_compute(
                        cycle=cycle, figures=form.figures(), actor=request.user
                    )
                    messages.success(request, _("Envelopes computed with the 2020 weights."))
                else:
                    services.envelopes_set(cycle=cycle, amounts=form.amounts(), actor=request.user)
                    messages.success(request, _("Envelopes saved."))
                return redirect(subpage_url(cycle, "envelopes"))
        except DomainError as error:
            form.add_error(None, error.message)
    return TemplateResponse(
        request,
        "budgets/envelopes.html",
        _base_context(request, cycle, form=form, rows=form.rows()),
    )


# --- voting -------------------------------------------------------------------------------
def ballot_vote(request, cycle):
    """The ballot: the viable projects of the resident's scope, what is chosen, and what is
    left of the envelope, all computed here (the optional script only updates it live)."""
    resident = resident_of(request.user)
    can_vote = rulebook.allowed(request.user, "budgets.vote", cycle)
    scope = selectors.ballot_scope(cycle, resident) if can_vote else None
    options = list(selectors.ballot_options(cycle, scope.parish if scope else None))
    ballot = selectors.ballot_of(cycle, resident)
    chosen = {line.request_id for line in ballot.lines.all()} if ballot else set()
    error = None
    if request.method == "POST":
        if not can_vote:
            raise HttpForbidden(_("Voting is not open to you."))
        try:
            chosen = {int(pk) for pk in request.POST.getlist("proyectos")}
        except ValueError:
            chosen = set()
        if request.POST.get("action") != "preview":
            try:
                services.ballot_submit(cycle=cycle, user=request.user, request_ids=chosen)
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("Your ballot has been saved. You can change it until prioritisation closes."),
                )
                return redirect(subpage_url(cycle, "vote"))
    envelope = scope.envelope if scope else cycle.total_amount
    spent = sum((o.verdict.technical_cost for o in options if o.pk in chosen), Decimal("0"))
    context = _base_context(
        request,
        cycle,
        can_vote=can_vote,
        scope=scope,
        options=options,
        chosen=chosen,
        ballot=ballot,
        envelope=envelope,
        spent=spent,
        remaining=envelope - spent,
        over_budget=cycle.is_knapsack and spent > envelope,
        error=error,
        reason=_why_no_vote(request.user, cycle, resident) if not can_vote else "",
        no_scope=can_vote and scope is None,
    )
    return TemplateResponse(request, "budgets/vote.html", context, status=400 if error else 200)


def _why_no_vote(user, cycle, resident) -> str:
    from .models import PhaseKind

    if not cycle.is_open(PhaseKind.PRIORITISATION):
        return _("Voting is not open: see the dates of the prioritisation phase.")
    if not user.is_authenticated:
        return _("Log in to vote.")
    if resident is None or resident.zone_id != cycle.zone_id:
        return _("Only residents of this zone can vote in this cycle.")
    return _("Your residency must be verified before you can vote.")


# --- booths -------------------------------------------------------------------------------
BOOTH_RATE = "600/h"  # per staff member: a busy booth, never a script


def booth_vote(request, cycle):
    """A booth's page (phone first, no JavaScript needed): staff type the voter's cédula,
    tick the voter's choices and confirm; the service refuses a person who already voted,
    online or at a booth. The cédula never comes back in a response."""
    gate = rulebook.view_gate(request, "budgets.booth_vote", cycle)
    if gate:
        return gate
    has_envelopes = selectors.has_envelopes(cycle)
    parishes = [e.parish for e in selectors.cycle_envelopes(cycle)] if has_envelopes else []
    parish = _chosen_parish(request, parishes) if has_envelopes else None
    ready = parish is not None or not has_envelopes
    scope = selectors.ballot_scope_of_parish(cycle, parish) if ready else None
    options = list(selectors.ballot_options(cycle, parish)) if ready else []
    booth = (request.POST.get("mesa") or request.GET.get("mesa") or "").strip()[:120]
    form = BoothVoteForm(
        request.POST if request.method == "POST" and ready else None,
        options=options,
        initial={"mesa": booth},
    )
    error, already_voted, status = "", False, 200
    if request.method == "POST" and ready:
        try:
            ratelimit.limit(request, "budgets.booth_vote", BOOTH_RATE, key="user")
            if form.is_valid():
                services.booth_vote(
                    cycle=cycle,
                    actor=request.user,
                    cedula=form.cleaned_data["cedula"],
                    request_ids=[int(pk) for pk in form.cleaned_data["proyectos"]],
                    parish=parish,
                    booth=form.cleaned_data["mesa"],
                )
            else:
                status = 400
        except services.AlreadyVoted as exc:
            error, already_voted, status = exc.message, True, 409
            # The refused person's choices and confirmation must not carry over to the
            # next voter: an empty form (the booth label stays).
            form = BoothVoteForm(None, options=options, initial={"mesa": booth})
        except DomainError as exc:
            error, status = exc.message, 400
        else:
            if status == 200:
                messages.success(request, _("Vote registered. The next voter can come forward."))
                query = {"mesa": booth, **({"parroquia": parish.pk} if parish else {})}
                return redirect(subpage_url(cycle, "booth") + "?" + urlencode(query))
    context = _base_context(
        request,
        cycle,
        parishes=parishes,
        parish=parish,
        has_envelopes=has_envelopes,
        ready=ready,
        scope=scope,
        options=options,
        form=form,
        chosen=form.chosen() if form.is_bound else set(),
        booth=booth,
        error=error,
        already_voted=already_voted,
        booth_count=selectors.booth_ballots(cycle).count(),
    )
    return TemplateResponse(request, "budgets/booth.html", context, status=status)


# --- assembly tallies ---------------------------------------------------------------------
def tally_record(request, cycle):
    gate = rulebook.view_gate(request, "budgets.record_tally", cycle)
    if gate:
        return gate
    parishes = list(Parish.objects.filter(zone=cycle.zone).order_by("name"))
    parish = _chosen_parish(request, parishes)
    has_envelopes = selectors.has_envelopes(cycle)
    options = list(selectors.ballot_options(cycle, parish if has_envelopes else None))
    tallies = list(selectors.cycle_tallies(cycle))
    existing = next((t for t in tallies if parish and t.parish_id == parish.pk), None)
    form = TallyForm(
        request.POST or None,
        request.FILES or None,
        options=options,
        existing=existing,
    )
    if request.method == "POST" and parish is not None and form.is_valid():
        try:
            services.tally_record(
                cycle=cycle,
                parish=parish,
                held_on=form.cleaned_data["held_on"],
                attendees=form.cleaned_data["attendees"],
                acta=form.cleaned_data.get("acta"),
                votes=form.votes(),
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Assembly tally saved."))
            return redirect(subpage_url(cycle, "tallies"))
    context = _base_context(
        request,
        cycle,
        parishes=parishes,
        parish=parish,
        form=form,
        tallies=tallies,
        # Booth ballots are per person: a hand count must not count them again.
        booth_count=selectors.booth_ballots(cycle).count(),
        parish_has_booth=bool(
            parish and has_envelopes and selectors.booth_ballots(cycle, parish).exists()
        ),
    )
    return TemplateResponse(request, "budgets/tallies.html", context)


def _chosen_parish(request, parishes):
    raw = request.POST.get("parroquia") or request.GET.get("parroquia")
    return next((p for p in parishes if str(p.pk) == raw), None)


# --- results ------------------------------------------------------------------------------
def results_page(request, cycle):
    context = _base_context(
        request,
        cycle,
        results=selectors.cycle_results(cycle),
        rule_version=bundle.RULE_VERSION,
    )
    return TemplateResponse(request, "budgets/results.html", context)


def results_compute(request, cycle):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    gate = rulebook.view_gate(request, "budgets.publish_results", cycle)
    if gate:
        return gate
    if not _confirmed(request):
        return _confirmation(
            request,
            cycle,
            action="results_compute",
            heading=_("Compute and publish the results?"),
            consequences=_publish_consequences(cycle),
            button=_("Yes, compute and publish the results"),
            cancel="results",
        )
    try:
        services.results_publish(cycle=cycle, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Results computed and published."))
    return redirect(subpage_url(cycle, "results"))


def results_withdraw(request, cycle):
    """Staff withdraw the published results (a confirmed, audited action with a reason):
    the only way to reopen voting once results are out."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    gate = rulebook.view_gate(request, "budgets.withdraw_results", cycle)
    if gate:
        return gate

    def confirmation(error=""):
        return _confirmation(
            request,
            cycle,
            action="results_withdraw",
            heading=_("Withdraw the published results?"),
            consequences=[
                _("The published results are taken down from the cycle's pages and its open data."),
                _(
                    "Prioritised and not selected requests go back to “viable”; each change "
                    "is recorded with your reason."
                ),
                _("Your reason is kept in the public record of the cycle."),
                _(
                    "Voting can reopen only after this, once the prioritisation dates allow "
                    "it. The results can be computed and published again later."
                ),
            ],
            button=_("Yes, withdraw the results"),
            cancel="results",
            ask_reason=True,
            error=error,
        )

    if not _confirmed(request):
        return confirmation()
    try:
        services.results_withdraw(
            cycle=cycle,
            actor=request.user,
            confirm=True,
            reason=request.POST.get("reason", "")[:1000],
        )
    except DomainError as error:
        return confirmation(error.message)
    else:
        messages.success(
            request,
            _("Results withdrawn. Voting can reopen once the phase dates allow it."),
        )
    return redirect(subpage_url(cycle, "results"))


def _publish_consequences(cycle) -> list[str]:
    parishes = Parish.objects.filter(zone=cycle.zone).count()
    entered = selectors.cycle_tallies(cycle).count()
    consequences = [
        _(
            "The results are computed from the online ballots and the assembly tallies "
            "entered so far, and published on the cycle's pages and its open data at once."
        ),
        ngettext(
            "Assembly tallies entered: %(entered)s of %(count)s parish.",
            "Assembly tallies entered: %(entered)s of %(count)s parishes.",
            parishes,
        )
        % {"entered": entered, "count": parishes},
        _("Selected requests become “prioritised”, the other viable ones “not selected”."),
        _(
            "While results are published voting cannot reopen: that needs withdrawing them, "
            "with a reason."
        ),
    ]
    if cycle.results.exists():
        consequences.insert(0, _("The results published now replace the ones published before."))
    return consequences


RESULT_FIELDS = [
    "scope",
    "rank",
    "reference",
    "title",
    "parish",
    "online_votes",
    "booth_votes",
    "assembly_votes",
    "votes",
    "cost_usd",
    "envelope_left_usd",
    "selected",
    "reason",
]


def _result_rows(cycle, results):
    for result in results:
        scope = result.parish.name if result.parish else cycle.zone.name
        for line in result.lines.all():
            yield {
                "scope": scope,
                "rank": line.rank,
                "reference": line.request.reference,
                "title": line.request.title,
                "parish": line.request.parish.name,
                "online_votes": line.online_votes,
                "booth_votes": line.booth_votes,
                "assembly_votes": line.assembly_votes,
                "votes": line.votes,
                # Decimals, not text: the CSV keeps them numbers, the JSON writes "15000.00".
                "cost_usd": line.cost,
                "envelope_left_usd": line.remaining_before,
                "selected": line.selected,
                "reason": line.reason,
            }


RESULTS_EXPORT = exports.register(
    "budgets.results", description="A cycle's results: every project of every ballot scope."
)


def _results_filename(cycle) -> str:
    return f"resultados-{cycle.zone.slug}-{cycle.year}"


def results_csv(request, cycle):
    return exports.csv_response(
        RESULTS_EXPORT,
        filename=_results_filename(cycle),
        header=RESULT_FIELDS,
        rows=_result_rows(cycle, selectors.cycle_results(cycle)),
    )


def results_json(request, cycle):
    results = selectors.cycle_results(cycle)
    payload = {
        "zone": cycle.zone.name,
        "year": cycle.year,
        "rule": cycle.ballot_rule,
        "tie_break": "votes desc, cost asc, request id asc",
        "combination": "online votes + booth votes + assembly votes",
        # Which kind each count is: per person (online, booth) or an aggregate hand count.
        "vote_kinds": {
            "online_votes": "en línea",
            "booth_votes": "mesa (registro por persona)",
            "assembly_votes": "conteo a mano (asamblea)",
        },
        "currency": "USD",
        "scopes": [
            {
                "parish": result.parish.name if result.parish else None,
                "envelope_usd": str(result.envelope),
                "selected_total_usd": str(result.selected_total),
                "computed_at": result.computed_at.isoformat(),
            }
            for result in results
        ],
        "projects": list(_result_rows(cycle, results)),
    }
    return exports.json_response(RESULTS_EXPORT, filename=_results_filename(cycle), data=payload)


BUNDLE_EXPORT = exports.register(
    "budgets.recount",
    formats=["zip"],
    description=(
        "A cycle's recount bundle: anonymised ballots, assembly tallies with their actas' "
        "SHA-256, envelopes, the rule and its version, and the published results."
    ),
)


def results_bundle(request, cycle):
    """The recount bundle (budgets.bundle): only once results are published."""
    if not cycle.results.exists():
        raise Http404(_("This cycle has no published results yet."))
    return exports.zip_response(
        BUNDLE_EXPORT,
        filename=f"recuento-{cycle.zone.slug}-{cycle.year}",
        files=bundle.build(cycle),
    )
