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

Superusers get no bypass here: phases apply to everyone; the matrix does not list them.
"""

from dataclasses import dataclass

import rules
from django.utils.functional import Promise

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
    }
)
WITH_VERIFIED_EMAIL = LOGGED_IN - {"unconfirmed*", "author*"}


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

    def allows(self, role: str, phase: str, *, own_zone: bool) -> bool:
        """What the rows say for one cell of the matrix."""
        tokens = self.rows.get(phase, frozenset())
        return f"{role}*" in tokens or (own_zone and role in tokens)


ACTIONS: dict[str, Action] = {}


def action(name, predicate, *, target, rows, summary, staff=False) -> Action:
    """Register one action. `rows` maps every phase of `target` to the roles that may act
    (an empty set where nobody may). Staff actions get the MFA gate added here, so no
    staff rule can forget it."""
    if name in ACTIONS:
        raise ValueError(f"The action {name} is registered twice.")
    if staff:
        predicate = predicate & passed_mfa
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
    )
    ACTIONS[name] = registered
    rules.set_perm(name, predicate)
    return registered


def allowed(user, name: str, obj=None) -> bool:
    if name not in ACTIONS:
        raise KeyError(f"No rule named {name} in the rule book.")
    return rules.has_perm(name, user, obj)


def require(user, name: str, obj=None, message=None) -> None:
    """Raise PermissionDenied (with `message`, or the generic one) unless allowed."""
    if not allowed(user, name, obj):
        from django.utils.translation import gettext as _

        raise PermissionDenied(message or _("This action is not available to you now."))


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


def staff_of(get_zone):
    """Staff of the target's zone (or city-wide staff). `get_zone(obj)` gives the zone;
    None means a city-wide object, on which only city-wide staff act."""
    from territory.permissions import is_zone_staff

    @rules.predicate(name=f"staff_of({getattr(get_zone, '__name__', 'zone')})")
    def predicate(user, obj) -> bool:
        return obj is not None and is_zone_staff(user, get_zone(obj))

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

    return predicate


def lives_in(get_zone):
    """Gave the target's zone as residence (verified or not)."""
    from accounts.selectors import resident_of

    @rules.predicate(name=f"lives_in({getattr(get_zone, '__name__', 'zone')})")
    def predicate(user, obj) -> bool:
        resident = resident_of(user)
        zone = get_zone(obj) if obj is not None else None
        return bool(resident and zone is not None and resident.zone_id == zone.pk)

    return predicate


def view_gate(request, name: str, obj=None):
    """For views of staff actions: None when the user may act; otherwise the response that
    explains why not: log in, set up or confirm the second factor (staff whose session did
    not pass MFA), or 403. The rule decides; this only chooses the answer."""
    from django.core.exceptions import PermissionDenied as HttpForbidden
    from django.utils.translation import gettext as _

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
    raise HttpForbidden(_("This action is not available to you now."))


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
        "and leave an audit entry. `tests/test_rulebook_matrix.py` checks every cell below",
        "for every role, in the target's zone and in another.",
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
