"""The rule book: one named permission per action, the single source of who may do what.

Each app declares its actions in its `rules.py` with `action(...)`: the permission's name
(`budgets.vote`), its predicate (composed with django-rules from the shared predicates
below and the app's own), and its matrix rows: for each phase of the target, which roles
may act. Services ask `require(...)` (they are the authority), views and consumers ask
`allowed(...)`, templates ask `{% allowed "budgets.vote" cycle as can_vote %}`.

The matrix test (tests/test_rulebook_matrix.py) builds every role x phase x zone from these
rows and checks the predicate against them, so an action registered without rows, or a
predicate that disagrees with its rows, fails. `docs/permissions.md` is generated from the
same registry (`manage.py rulebook_docs`), and a test keeps it in sync.

Roles (what the matrix builds; a role name alone means "of the target's zone", a role name
followed by `*` means "of any zone"):
- `anonymous`: not logged in.
- `account`: logged in, e-mail verified, no residency given.
- `resident`: e-mail verified, lives in the zone (residency not verified).
- `unconfirmed`: verified residency in the zone, e-mail not verified.
- `verified`: verified resident of the zone (and of the parish, where the target has one).
- `author`: a verified resident of the zone who wrote the target (comment, question).
- `staff_no_mfa`: staff of the zone whose session did not pass MFA.
- `staff`: staff of the zone, MFA passed.
- `city_staff`: the city-wide team, MFA passed (acts on every zone).
- `secretariat`: the council secretariat's group (no zone), MFA passed.

Superusers get no bypass here: phases apply to everyone; the matrix does not list them.
Every role the matrix builds has accepted the current privacy policy: participation actions
(`participation=True`) refuse anyone who has not (`may_participate`), tested in
tests/privacy/test_consent.py.
"""

import datetime
from dataclasses import dataclass

import rules
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop

from .errors import PermissionDenied
from .mfa import user_passed_mfa

ROLES = (
    "anonymous",
    "account",
    "resident",
    "unconfirmed",
    "verified",
    "author",
    "staff_no_mfa",
    "staff",
    "city_staff",
    "secretariat",
)
STAFF = frozenset({"staff", "city_staff"})

# Row sets the apps' rules share.
STAFF_OF_ZONE = frozenset({"staff", "city_staff*"})
LOGGED_IN = frozenset(
    {
        "account*",
        "resident*",
        "unconfirmed*",
        "verified*",
        "author*",
        "staff_no_mfa*",
        "staff*",
        "city_staff*",
        "secretariat*",
    }
)
WITH_VERIFIED_EMAIL = LOGGED_IN - {"unconfirmed*", "author*"}
# Everyone, logged in or not (a training registration without an account, an invitation).
EVERYONE = LOGGED_IN | {"anonymous*"}


def rows_open_in(phases, open_in, roles) -> dict:
    """Rows where `roles` may act in the phases `open_in` and nobody in the others."""
    return {phase: set(roles) if phase in open_in else set() for phase in phases}


@dataclass(frozen=True)
class Action:
    name: str
    predicate: rules.Predicate
    target: str  # the kind of object the rule takes: a key of the matrix test's builders
    rows: dict  # phase -> frozenset of role tokens ("verified", "account*")
    summary: str | Promise
    staff: bool  # a staff action: passes the MFA gate, leaves an audit entry
    participation: bool = False  # a resident taking part: needs the current policy consent
    own_rule: rules.Predicate | None = None  # the predicate without the participation gate

    def allows(self, role: str, phase: str, *, own_zone: bool) -> bool:
        """What the rows say for one cell of the matrix."""
        tokens = self.rows.get(phase, frozenset())
        return f"{role}*" in tokens or (own_zone and role in tokens)


ACTIONS: dict[str, Action] = {}


def action(name, predicate, *, target, rows, summary, staff=False, participation=False) -> Action:
    """Register one action. `rows` maps every phase of `target` to the roles that may act
    (an empty set where nobody may). Staff actions get the MFA gate added here, so no
    staff rule can forget it; participation actions (a resident taking part: commenting,
    supporting, voting, asking...) get the participation gate (`may_participate`: the
    current privacy-policy consent), so no participation rule can forget it either."""
    if name in ACTIONS:
        raise ValueError(f"The action {name} is registered twice.")
    if staff and participation:
        raise ValueError(f"{name}: an action is either a staff action or a participation one.")
    own_rule = predicate
    if staff:
        predicate = predicate & passed_mfa
    if participation:
        predicate = predicate & may_participate()
    for phase, tokens in rows.items():
        unknown = {token.rstrip("*") for token in tokens} - set(ROLES)
        if unknown:
            raise ValueError(f"{name}, phase {phase}: unknown roles {sorted(unknown)}")
    registered = Action(
        name=name,
        predicate=predicate,
        target=target,
        rows={phase: frozenset(tokens) for phase, tokens in rows.items()},
        summary=summary,
        staff=staff,
        participation=participation,
        own_rule=own_rule,
    )
    ACTIONS[name] = registered
    rules.set_perm(name, predicate)
    return registered


def allowed(user, name: str, obj=None) -> bool:
    if name not in ACTIONS:
        raise KeyError(f"No rule named {name} in the rule book.")
    return rules.has_perm(name, user, obj)


def may_take_back(user, name: str, obj=None) -> bool:
    """Whether `user` may undo their own participation under action `name` (withdraw a
    support): the action's own rule (phase, residency) decides, without the participation
    gate, because taking something back never needs consent (LOPDP: withdrawing consent
    must not lock anyone into what they gave), nor is blocked by a pending deletion."""
    if name not in ACTIONS:
        raise KeyError(f"No rule named {name} in the rule book.")
    registered = ACTIONS[name]
    if not registered.participation:
        return allowed(user, name, obj)
    return bool(registered.own_rule.test(user, obj))


def require(user, name: str, obj=None, message=None) -> None:
    """Raise PermissionDenied (with `message`, or the rule's own explanation) unless
    allowed. The exception carries the Refusal as `refusal`."""
    if not allowed(user, name, obj):
        refusal = explain(user, name, obj)
        raise PermissionDenied(message or refusal.reason, refusal=refusal)


# --- Shared predicates ------------------------------------------------------------------


@rules.predicate
def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def passed_mfa(user) -> bool:
    return user_passed_mfa(user)


@rules.predicate
def has_verified_email(user) -> bool:
    from accounts.selectors import has_verified_email as verified

    return is_active_user(user) and verified(user)


@rules.predicate
def accepted_policy(user) -> bool:
    """Holds a standing consent to the current privacy-policy version
    (settings.PRIVACY_POLICY_VERSION): accepted, not withdrawn. Read once per user object
    (privacy.consent caches it), so a page asking many rules costs one query."""
    from privacy.consent import has_current_consent

    return is_active_user(user) and has_current_consent(user)


def may_participate() -> rules.Predicate:
    """The participation gate, ANDed into every action registered with
    `participation=True`: the one place that says what a person needs, beyond each
    action's own rule, to take part at all. Today: the current privacy-policy consent
    (`accepted_policy`; withdrawing it stops participation, accepting again restores it).
    Staff actions do not pass it: staff work is not participation (docs/privacy.md).
    Add further conditions here with `&`, each a predicate with its own explainer.
    Also: not scheduled for deletion (`not_scheduled_for_deletion`: during the grace period
    the person logs in and reads, but nothing new gets linked to an account about to go)."""
    return accepted_policy & not_scheduled_for_deletion


@rules.predicate
def not_scheduled_for_deletion(user) -> bool:
    """No confirmed deletion of the account is waiting for its date (privacy.deletion);
    cached on the user object, one query per request."""
    from privacy.deletion import is_scheduled_for_deletion

    return not is_scheduled_for_deletion(user)


def staff_of(get_zone):
    """Staff of the target's zone (or city-wide staff). `get_zone(obj)` gives the zone;
    None means a city-wide object, on which only city-wide staff act."""
    from territory.permissions import is_zone_staff

    @rules.predicate(name=f"staff_of({getattr(get_zone, '__name__', 'zone')})")
    def predicate(user, obj) -> bool:
        return obj is not None and is_zone_staff(user, get_zone(obj))

    predicate.explainer = _explain_staff(get_zone)
    return predicate


def verified_resident_of(get_zone, get_parish=None):
    """A verified resident (verified e-mail too) of the target's zone, and of its parish
    where `get_parish(obj)` gives one. The one "verified resident of a zone" predicate."""
    from accounts.selectors import is_verified_resident_of

    @rules.predicate(name=f"verified_resident_of({getattr(get_zone, '__name__', 'zone')})")
    def predicate(user, obj) -> bool:
        if obj is None:
            return False
        parish = get_parish(obj) if get_parish else None
        return is_verified_resident_of(user, get_zone(obj), parish=parish)

    predicate.explainer = _explain_verified_resident(get_zone, get_parish)
    return predicate


def lives_in(get_zone):
    """Gave the target's zone as residence (verified or not)."""
    from accounts.selectors import resident_of

    @rules.predicate(name=f"lives_in({getattr(get_zone, '__name__', 'zone')})")
    def predicate(user, obj) -> bool:
        resident = resident_of(user)
        zone = get_zone(obj) if obj is not None else None
        return bool(resident and zone is not None and resident.zone_id == zone.pk)

    predicate.explainer = _explain_lives_in(get_zone)
    return predicate


def view_gate(request, name: str, obj=None):
    """For views of staff actions: None when the user may act; otherwise the response that
    explains why not: log in, set up or confirm the second factor (staff whose session did
    not pass MFA), or 403 carrying the rule's own explanation (a Refusal, which the 403
    page shows with its way on). The rule decides; this only chooses the answer."""
    from .mfa import gate, mark_user, user_passed_mfa

    user = request.user
    if allowed(user, name, obj):
        return None
    if not user.is_authenticated:
        return gate(request)
    # Would the rule say yes once this session passed MFA? Then the gate is the answer.
    passed = user_passed_mfa(user)
    if not passed:
        mark_user(user, True)
        try:
            only_mfa_missing = allowed(user, name, obj)
        finally:
            mark_user(user, passed)
        if only_mfa_missing:
            response = gate(request)
            if response is not None:
                return response
    refusal = explain(user, name, obj)
    raise PermissionDenied(refusal.reason, refusal=refusal)


# --- Why not: explaining a refusal --------------------------------------------------------
#
# A rule says yes or no. When it says no, `explain(user, name, obj)` says why, in words for
# the person, and what the way on is. It walks the action's predicate (the `&`, `|` and `~`
# of django-rules) to the parts that failed and asks each one's explanation: the shared
# predicates above carry theirs, the apps' own predicates are explained by name
# (`because(...)`). Reasons about the target (a phase not open, an assembly finished) come
# before reasons about the person: logging in or getting verified would not help there.
# Explanations never decide anything: they only run once the rule has said no.


class RefusalKind:
    LOGIN = "login"  # not logged in: log in (or sign up) and come back
    INACTIVE = "inactive"  # the account is disabled
    EMAIL = "email"  # the e-mail address is not confirmed yet
    MFA = "mfa"  # staff whose session did not pass the second factor
    RESIDENCY = "residency"  # lives in another zone (or parish)
    RESIDENCY_UNKNOWN = "residency_unknown"  # the profile does not say where they live
    VERIFICATION = "verification"  # lives there, residency not verified yet
    PHASE = "phase"  # the target is not open for this now (for anyone)
    STAFF = "staff"  # staff only (of this zone)
    AUTHOR = "author"  # only its author may (or: not on one's own)
    CONSENT = "consent"  # has not accepted the current privacy policy (or withdrew consent)
    OTHER = "other"

    ABOUT_THE_TARGET = frozenset({PHASE})


@dataclass(frozen=True)
class Refusal:
    """Why a rule said no, and where to go on from there."""

    reason: str
    kind: str = RefusalKind.OTHER
    zone: object = None  # the zone the action belongs to (its page is the way on)
    url: str = ""  # the target's page, or where to fix it (the profile, the e-mail page)
    opens_on: datetime.date | None = None  # when the phase opens, when it is in the future

    def __str__(self) -> str:
        return str(self.reason)


GENERIC_REFUSAL = _lazy("This action is not available to you now.")
_EXPLAINERS: dict[str, object] = {}


def because(key, explainer) -> None:
    """Explain refusals by one predicate: `key` is the predicate itself or its dotted name
    (`"consultations.rules.is_open"`, the factory's name for predicates made by a factory:
    `"proposals.rules.step_open"`; `"~"` in front for its negation). `explainer(user, obj,
    predicate)` returns a Refusal, or None to leave it to the next failing part."""
    if isinstance(key, rules.Predicate):
        key.explainer = explainer
    else:
        _EXPLAINERS[key] = explainer


def _predicate_key(predicate) -> str:
    fn = predicate.fn
    qualname = getattr(fn, "__qualname__", getattr(fn, "__name__", ""))
    return f"{getattr(fn, '__module__', '')}.{qualname.split('.<locals>')[0]}"


def _parts(predicate):
    """(operator, first, second) for a predicate django-rules combined, else None."""
    fn = predicate.fn
    op = getattr(fn, "__name__", "")
    if getattr(fn, "__module__", "") != "rules.predicates" or op not in {"AND", "OR", "INVERT"}:
        return None
    cells = dict(
        zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__ or ()), strict=False)
    )
    return op, cells.get("self"), cells.get("other")


def _explainer(predicate, negated=False):
    if not negated and getattr(predicate, "explainer", None):
        return predicate.explainer
    return _EXPLAINERS.get(("~" if negated else "") + _predicate_key(predicate))


def _holds(predicate, user, obj) -> bool | None:
    try:
        return bool(predicate.test(user, obj))
    except Exception:  # a part that cannot even be asked of this target explains nothing
        return None


def _failing(predicate, user, obj):
    """The parts of `predicate` that fail for (user, obj), in the rule's order, each as
    (explainer, part)."""
    parts = _parts(predicate)
    if parts is None or _explainer(predicate):
        if _holds(predicate, user, obj) is False:
            explainer = _explainer(predicate)
            if explainer:
                yield explainer, predicate
        return
    op, first, second = parts
    if op == "INVERT":
        if _holds(predicate, user, obj) is False:
            explainer = _explainer(first, negated=True)
            if explainer:
                yield explainer, predicate
        return
    if op == "OR" and _holds(predicate, user, obj) is not False:
        return
    for part in (first, second):
        if part is not None:
            yield from _failing(part, user, obj)


def explain(user, name: str, obj=None) -> Refusal:
    """Why `user` may not do `name` on `obj`: the first failing part's explanation, those
    about the target first. A generic Refusal when the rule allows it or nothing explains
    it."""
    if name not in ACTIONS:
        raise KeyError(f"No rule named {name} in the rule book.")
    about_target, about_person = [], []
    for explainer, part in _failing(ACTIONS[name].predicate, user, obj):
        refusal = explainer(user, obj, part)
        if refusal is None:
            continue
        (about_target if refusal.kind in RefusalKind.ABOUT_THE_TARGET else about_person).append(
            refusal
        )
    found = about_target or about_person
    if found:
        return found[0]
    if not is_active_user(user):
        return _account_refusal(user)
    return Refusal(str(GENERIC_REFUSAL))


def _account_refusal(user) -> Refusal:
    from django.utils.translation import gettext as _

    if not (user and user.is_authenticated):
        return Refusal(_("You need to log in to do this."), RefusalKind.LOGIN)
    return Refusal(
        _("Your account is not active. Write to the administration if you think this is an error."),
        RefusalKind.INACTIVE,
    )


def _explain_active(user, obj, predicate) -> Refusal:
    return _account_refusal(user)


def _explain_email(user, obj, predicate) -> Refusal:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if not is_active_user(user):
        return _account_refusal(user)
    return Refusal(
        _(
            "Confirm your e-mail address to take part: follow the link in the e-mail we sent "
            "you, or ask for a new one."
        ),
        RefusalKind.EMAIL,
        url=reverse("account_email"),
    )


def _explain_mfa(user, obj, predicate) -> Refusal:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    if not is_active_user(user):
        return _account_refusal(user)
    return Refusal(
        _("Confirm your identity with your authentication code to act as staff."),
        RefusalKind.MFA,
        url=reverse("mfa_reauthenticate"),
    )


def residency_refusal(user, zone, parish=None) -> Refusal:
    """Why `user` is not a verified resident of `zone` (and `parish`): log in, confirm the
    e-mail, say or change where they live, or get verified. For explanations of the apps'
    own residency predicates too."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from accounts.selectors import has_verified_email as email_verified
    from accounts.selectors import resident_of

    if not is_active_user(user):
        return _account_refusal(user)
    profile = reverse("accounts:profile")
    resident = resident_of(user)
    if zone is None:  # a city-wide target: verified residents of any zone
        if resident is None or resident.zone_id is None:
            return Refusal(
                _(
                    "Only verified residents can do this, and your profile does not say where "
                    "you live."
                ),
                RefusalKind.RESIDENCY_UNKNOWN,
                url=profile,
            )
    elif resident is None or resident.zone_id is None:
        return Refusal(
            _(
                "Only residents of %(zone)s can do this, and your profile does not say where "
                "you live."
            )
            % {"zone": zone.name},
            RefusalKind.RESIDENCY_UNKNOWN,
            zone=zone,
            url=profile,
        )
    elif resident.zone_id != zone.pk:
        return Refusal(
            _("Only residents of %(zone)s can do this; your profile says you live in %(yours)s.")
            % {"zone": zone.name, "yours": resident.zone.name},
            RefusalKind.RESIDENCY,
            zone=zone,
            url=profile,
        )
    if parish is not None and resident.parish_id != parish.pk:
        return Refusal(
            _("Only residents of the parish %(parish)s can do this.") % {"parish": parish.name},
            RefusalKind.RESIDENCY,
            zone=zone,
            url=profile,
        )
    if not email_verified(user):
        return _explain_email(user, None, None)
    if not resident.is_verified:
        return Refusal(
            _("Only verified residents can do this, and your residency is not verified yet."),
            RefusalKind.VERIFICATION,
            zone=zone or resident.zone,
            url=f"{profile}#verificacion",
        )
    return Refusal(str(GENERIC_REFUSAL), zone=zone)


def _explain_lives_in(get_zone):
    def explainer(user, obj, predicate) -> Refusal:
        return residency_refusal(user, get_zone(obj) if obj is not None else None)

    return explainer


def _explain_verified_resident(get_zone, get_parish):
    def explainer(user, obj, predicate) -> Refusal | None:
        if obj is None:
            return None
        return residency_refusal(user, get_zone(obj), get_parish(obj) if get_parish else None)

    return explainer


def _explain_staff(get_zone):
    def explainer(user, obj, predicate) -> Refusal:
        from django.utils.translation import gettext as _

        if not is_active_user(user):
            return _account_refusal(user)
        zone = get_zone(obj) if obj is not None else None
        if zone is None:
            return Refusal(_("Only the city-wide team can do this."), RefusalKind.STAFF)
        return Refusal(
            _("Only staff of %(zone)s can do this.") % {"zone": zone.name},
            RefusalKind.STAFF,
            zone=zone,
        )

    return explainer


def _explain_policy(user, obj, predicate) -> Refusal:
    from django.utils.translation import gettext as _

    from privacy.consent import accept_url, page_of

    if not is_active_user(user):
        return _account_refusal(user)
    return Refusal(
        _("Accept the current version of the privacy policy to take part."),
        RefusalKind.CONSENT,
        zone=getattr(obj, "zone", None),
        url=accept_url(page_of(obj)),
    )


def _explain_scheduled_for_deletion(user, obj, predicate) -> Refusal:
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return Refusal(
        _(
            "Your account is scheduled for deletion: you can read, but not take part. "
            "Cancel the deletion on “My data” to take part again."
        ),
        RefusalKind.OTHER,
        url=reverse("privacy:my_data"),
    )


because(is_active_user, _explain_active)
because(has_verified_email, _explain_email)
because(passed_mfa, _explain_mfa)
because(accepted_policy, _explain_policy)
because(not_scheduled_for_deletion, _explain_scheduled_for_deletion)


# The apps' own predicates, by name. (An app may declare its own with `because` in its
# rules.py; these are the ones the public pages meet.)


def _phase_refusal(reason, obj, *, starts_on=None, ends_on=None) -> Refusal:
    """A phase that is not open: when it opens (in the future) or when it ended."""
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    today = timezone.localdate()
    opens_on = None
    if starts_on and starts_on > today:
        opens_on = starts_on
        reason = _("%(reason)s It opens on %(date)s.") % {
            "reason": reason,
            "date": date_format(starts_on, "DATE_FORMAT"),
        }
    elif ends_on and ends_on < today:
        reason = _("%(reason)s It closed on %(date)s.") % {
            "reason": reason,
            "date": date_format(ends_on, "DATE_FORMAT"),
        }
    return Refusal(
        reason,
        RefusalKind.PHASE,
        zone=getattr(obj, "zone", None),
        url=getattr(obj, "url", "") or "",
        opens_on=opens_on,
    )


def _step_open(user, cycle, predicate) -> Refusal:
    from django.utils.translation import gettext as _

    step = predicate.name.partition("(")[2].rstrip(")")
    reasons = {
        "submit": ("requests", _("This budget cycle is not taking requests now.")),
        "support": ("requests", _("Requests of this budget cycle cannot be supported now.")),
        "assess": ("prefeasibility", _("Pre-feasibility verdicts are not being recorded now.")),
    }
    kind, reason = reasons.get(step, ("", str(GENERIC_REFUSAL)))
    phase = cycle.phase(kind) if kind and hasattr(cycle, "phase") else None
    return _phase_refusal(
        reason,
        cycle,
        starts_on=getattr(phase, "starts_on", None),
        ends_on=getattr(phase, "ends_on", None),
    )


def _budget_phase_open(user, cycle, predicate) -> Refusal:
    from django.utils.translation import gettext as _

    from budgets.models import PhaseKind

    kinds = predicate.name.partition("(")[2].rstrip(")").split(",")
    phase = cycle.phase(kinds[0]) if kinds and hasattr(cycle, "phase") else None
    label = PhaseKind(kinds[0]).label if kinds[0] in PhaseKind.values else kinds[0]
    reason = _("The “%(phase)s” phase of this budget cycle is not open now.") % {"phase": label}
    if kinds[0] == PhaseKind.PRIORITISATION:
        reason = _("Voting in this budget cycle is not open now.")
    return _phase_refusal(
        reason,
        cycle,
        starts_on=getattr(phase, "starts_on", None),
        ends_on=getattr(phase, "ends_on", None),
    )


def _consultation_open(user, consultation, predicate) -> Refusal:
    from django.utils import timezone
    from django.utils.translation import gettext as _

    if consultation.opens_at and consultation.opens_at > timezone.now():
        return _phase_refusal(
            _("This consultation has not opened yet."),
            consultation,
            starts_on=timezone.localdate(consultation.opens_at),
        )
    return _phase_refusal(
        _("This consultation is closed: it can be read but no longer receives comments."),
        consultation,
    )


def _consultation_residency(user, consultation, predicate) -> Refusal:
    return residency_refusal(user, consultation.zone)


def _simple(kind, message):
    def explainer(user, obj, predicate) -> Refusal:
        from django.utils.translation import gettext as _

        return Refusal(
            _(message),
            kind,
            zone=getattr(obj, "zone", None) if kind == RefusalKind.PHASE else None,
        )

    return explainer


because("proposals.rules.step_open", _step_open)
because("budgets.rules.phase_open", _budget_phase_open)
because(
    "budgets.rules.before_prioritisation",
    _simple(
        RefusalKind.PHASE, gettext_noop("Voting has started: the envelopes can no longer change.")
    ),
)
because(
    "budgets.rules.no_published_results",
    _simple(
        RefusalKind.PHASE, gettext_noop("The results of this budget cycle are already published.")
    ),
)
because(
    "budgets.rules.has_published_results",
    _simple(
        RefusalKind.PHASE, gettext_noop("The results of this budget cycle are not published yet.")
    ),
)
because("consultations.rules.is_open", _consultation_open)
because("consultations.rules.residency_satisfied", _consultation_residency)
because(
    "assemblies.rules.not_finished",
    _simple(RefusalKind.PHASE, gettext_noop("This assembly has finished.")),
)
because(
    "assemblies.rules.question_open",
    _simple(RefusalKind.PHASE, gettext_noop("This assembly has finished.")),
)
because(
    "assemblies.rules.poll_takes_online_votes",
    _simple(RefusalKind.PHASE, gettext_noop("This vote does not take online votes now.")),
)
because(
    "~assemblies.rules.asked_it",
    _simple(RefusalKind.AUTHOR, gettext_noop("You cannot support your own question.")),
)
because(
    "~discussions.rules.is_author",
    _simple(RefusalKind.AUTHOR, gettext_noop("You cannot support your own comment.")),
)
because(
    "discussions.rules.is_author",
    _simple(RefusalKind.AUTHOR, gettext_noop("Only its author can do this.")),
)
because(
    "discussions.rules.is_visible",
    _simple(RefusalKind.PHASE, gettext_noop("This comment is no longer visible.")),
)
because(
    "discussions.rules.not_deleted",
    _simple(RefusalKind.PHASE, gettext_noop("This comment was deleted by its author.")),
)
because(
    "discussions.rules.within_edit_window",
    _simple(
        RefusalKind.PHASE,
        gettext_noop("A comment can only be edited within 15 minutes of writing it."),
    ),
)
because(
    "works.rules.is_open",
    _simple(
        RefusalKind.PHASE, gettext_noop("This work is finished or cancelled: it no longer changes.")
    ),
)
because(
    "works.rules.not_cancelled",
    _simple(RefusalKind.PHASE, gettext_noop("This work was cancelled.")),
)
because(
    "opengov.rules.is_opengov_staff",
    _simple(RefusalKind.STAFF, gettext_noop("Only the open-government team can do this.")),
)


# --- The table in docs/permissions.md ---------------------------------------------------

ROLE_LABELS = {
    "anonymous": "anyone, not logged in",
    "account": "account with a verified e-mail",
    "resident": "resident of the zone (residency not verified)",
    "unconfirmed": "verified resident whose e-mail is not verified",
    "verified": "verified resident of the zone (and parish, where the target has one)",
    "author": "the author of the target",
    "staff_no_mfa": "zone staff without MFA this session",
    "staff": "staff of the zone (MFA this session)",
    "city_staff": "city-wide staff (MFA this session)",
    "secretariat": "the council secretariat's group (MFA this session)",
}


def _who(tokens) -> str:
    if not tokens:
        return "nobody"
    names = []
    for role in ROLES:
        if f"{role}*" in tokens:
            names.append(f"{role} (any zone)")
        elif role in tokens:
            names.append(role)
    return ", ".join(names)


def render_markdown() -> str:
    """docs/permissions.md, generated from the registry (`make permissions-doc`); a test
    fails when the file and the registry disagree."""
    from django.utils import translation

    lines = [
        "# Permissions: the rule book",
        "",
        "Generated from the registry by `make permissions-doc`; do not edit by hand.",
        "Each action is one named rule (`quitodecide/rulebook.py`, each app's `rules.py`).",
        "Services check it (they are the authority); views, the WebSocket consumer and",
        "templates (`{% allowed %}`) ask the same rule. Staff actions include the MFA gate",
        "and leave an audit entry; participation actions include the participation gate",
        "(`may_participate`: the current privacy-policy consent, docs/privacy.md), which the",
        "rows below assume. `tests/test_rulebook_matrix.py` checks every cell below for",
        "every role, in the target's zone and in another.",
        "",
        "## Roles",
        "",
        "| role | who |",
        "|---|---|",
        *[f"| `{role}` | {ROLE_LABELS[role]} |" for role in ROLES],
        "",
        'A role alone means of the target\'s zone; "(any zone)" means wherever the person',
        "lives or works. Superusers get no bypass: phases apply to them too.",
        "",
        "## Actions",
        "",
    ]
    with translation.override("en"):
        for name in sorted(ACTIONS):
            registered = ACTIONS[name]
            kind = "staff action (MFA gate, audited)" if registered.staff else "participation"
            if registered.participation:
                kind = "participation (needs the current privacy-policy consent)"
            lines += [
                f"### `{name}`",
                "",
                f"{registered.summary}. Target: {registered.target}; {kind}.",
                "",
                "| phase | who may |",
                "|---|---|",
                *[
                    f"| {phase} | {_who(tokens)} |"
                    for phase, tokens in sorted(registered.rows.items())
                ],
                "",
            ]
    return "\n".join(lines)
