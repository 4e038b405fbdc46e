"""A cycle's recount bundle: everything needed to recompute its published results without
our database, and the recount itself (`manage.py recount_cycle BUNDLE.zip`).

`build(cycle)` writes the bundle's files from the database, as the platform published from
it (budgets.services._compute_and_store_results). `read(data)` and `recount(bundle)` need
the bundle's bytes only (no query) and recompute with the same pure functions the platform
used (budgets.results.select_winners and Candidate).

No personal data leaves: a ballot carries a number drawn for this bundle (the ballots are
shuffled, then numbered 1..N) and its channel (online or booth), never its resident nor its
voter key; nobody who recorded a tally or computed
the results is named. The actas themselves are not in the bundle (they are signed scans):
their SHA-256 is, so that anyone holding a copy can check it is the one that was counted.
"""

import hashlib
import inspect
import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quitodecide import exports
from quitodecide.bundles import BundleError, read_csv, read_members

from .money import format_usd
from .results import RULE_VERSION, Candidate, select_winners

BUNDLE_FORMAT = 1
README = "leeme.txt"
RULE = "regla.json"
ENVELOPES = "sobres.csv"
PROJECTS = "proyectos.csv"
BALLOTS = "papeletas.csv"
ACTAS = "actas.csv"
TALLY_LINES = "votos_asambleas.csv"
RESULT_SCOPES = "resultados_ambitos.csv"
RESULTS = "resultados.csv"

# "scope" is the DPA code of the parish a ballot is for, or empty: one ballot for the zone.
ENVELOPE_FIELDS = [
    "scope",
    "scope_name",
    "envelope_usd",
    "method",
    "population",
    "unmet_needs_pct",
    "density",
    "infrastructure_needs",
]
PROJECT_FIELDS = ["scope", "request_id", "reference", "title", "parish", "cost_usd"]
BALLOT_FIELDS = ["ballot", "scope", "request_id", "reference", "cost_usd", "channel"]
# Columns added after format 1's first bundles: read when present (older bundles lack them:
# every ballot was online, no booth votes).
OPTIONAL_COLUMNS = {"papeletas.csv": {"channel"}, "resultados.csv": {"booth_votes"}}
ACTA_FIELDS = ["parish_code", "parish", "held_on", "attendees", "acta_sha256", "acta_bytes"]
TALLY_LINE_FIELDS = [
    "parish_code",
    "parish",
    "held_on",
    "attendees",
    "request_id",
    "reference",
    "votes",
]
RESULT_SCOPE_FIELDS = ["scope", "scope_name", "envelope_usd", "selected_total_usd", "computed_at"]
RESULT_FIELDS = [
    "scope",
    "rank",
    "request_id",
    "reference",
    "title",
    "online_votes",
    "booth_votes",
    "assembly_votes",
    "votes",
    "cost_usd",
    "envelope_left_usd",
    "selected",
    "reason",
]
CSV_MEMBERS = {
    ENVELOPES: ENVELOPE_FIELDS,
    PROJECTS: PROJECT_FIELDS,
    BALLOTS: BALLOT_FIELDS,
    ACTAS: ACTA_FIELDS,
    TALLY_LINES: TALLY_LINE_FIELDS,
    RESULT_SCOPES: RESULT_SCOPE_FIELDS,
    RESULTS: RESULT_FIELDS,
}
# A member larger than this is not read (a ZIP can expand enormously).
# What the platform publishes with: select_winners' own default minimum.
MIN_VOTES = inspect.signature(select_winners).parameters["min_votes"].default


def reference(request_id: int) -> str:
    from proposals.models import Request

    return Request(pk=request_id).reference


# --- building (from the database) ----------------------------------------------------------
def build(cycle) -> dict[str, bytes]:
    """The bundle's files of a cycle with published results (member name -> bytes)."""
    from proposals.models import Request

    from . import selectors
    from .models import AssemblyTally, BallotLine

    envelopes = selectors.cycle_envelopes(cycle)
    if envelopes:
        scopes = {
            e.parish_id: {
                "scope": e.parish.dpa_code,
                "scope_name": e.parish.name,
                "envelope_usd": e.amount,
                "method": e.method,
                "population": e.population,
                "unmet_needs_pct": e.unmet_needs,
                "density": e.density,
                "infrastructure_needs": e.infrastructure_needs,
            }
            for e in envelopes
        }
    else:
        scopes = {
            None: dict.fromkeys(ENVELOPE_FIELDS)
            | {
                "scope": "",
                "scope_name": cycle.zone.name,
                "envelope_usd": cycle.total_amount,
                "method": "cycle_total",
            }
        }

    projects = []
    requests = (
        Request.objects.filter(cycle=cycle, status__in=selectors.ON_BALLOT)
        .select_related("parish", "verdict")
        .order_by("pk")
    )
    for request in requests:
        scope = scopes.get(request.parish_id if envelopes else None)
        if scope is None:
            continue  # a parish without an envelope has no ballot: the platform skips it too
        projects.append(
            {
                "scope": scope["scope"],
                "request_id": request.pk,
                "reference": request.reference,
                "title": request.title,
                "parish": request.parish.name,
                "cost_usd": request.verdict.technical_cost,
            }
        )

    lines = list(
        BallotLine.objects.filter(request__cycle=cycle).values_list(
            "ballot_id", "ballot__parish__dpa_code", "request_id", "cost", "ballot__channel"
        )
    )
    ballot_ids = sorted({line[0] for line in lines})
    random.SystemRandom().shuffle(ballot_ids)
    number = {ballot_id: position for position, ballot_id in enumerate(ballot_ids, start=1)}
    ballots = sorted(
        (
            {
                "ballot": number[ballot_id],
                "scope": parish_code or "",
                "request_id": request_id,
                "reference": reference(request_id),
                "cost_usd": cost,
                "channel": channel,
            }
            for ballot_id, parish_code, request_id, cost, channel in lines
        ),
        key=lambda row: (row["ballot"], row["request_id"]),
    )

    actas, tally_lines = [], []
    tallies = (
        AssemblyTally.objects.filter(cycle=cycle)
        .select_related("parish")
        .prefetch_related("lines")
        .order_by("parish__name", "pk")
    )
    for tally in tallies:
        digest, size = acta_digest(tally.acta)
        common = {
            "parish_code": tally.parish.dpa_code,
            "parish": tally.parish.name,
            "held_on": tally.held_on,
            "attendees": tally.attendees,
        }
        actas.append(common | {"acta_sha256": digest, "acta_bytes": size})
        for line in sorted(tally.lines.all(), key=lambda line: line.request_id):
            tally_lines.append(
                common
                | {
                    "request_id": line.request_id,
                    "reference": reference(line.request_id),
                    "votes": line.votes,
                }
            )

    result_scopes, results = [], []
    for result in selectors.cycle_results(cycle):
        code = result.parish.dpa_code if result.parish else ""
        result_scopes.append(
            {
                "scope": code,
                "scope_name": result.parish.name if result.parish else cycle.zone.name,
                "envelope_usd": result.envelope,
                "selected_total_usd": result.selected_total,
                "computed_at": result.computed_at,
            }
        )
        for line in result.lines.all():
            results.append(
                {
                    "scope": code,
                    "rank": line.rank,
                    "request_id": line.request_id,
                    "reference": line.request.reference,
                    "title": line.request.title,
                    "online_votes": line.online_votes,
                    "booth_votes": line.booth_votes,
                    "assembly_votes": line.assembly_votes,
                    "votes": line.votes,
                    "cost_usd": line.cost,
                    "envelope_left_usd": line.remaining_before,
                    "selected": line.selected,
                    "reason": line.reason,
                }
            )

    return {
        README: readme(cycle).encode("utf-8"),
        RULE: exports.json_bytes(rule_of(cycle)),
        ENVELOPES: exports.csv_bytes(ENVELOPE_FIELDS, scopes.values()),
        PROJECTS: exports.csv_bytes(PROJECT_FIELDS, projects),
        BALLOTS: exports.csv_bytes(BALLOT_FIELDS, ballots),
        ACTAS: exports.csv_bytes(ACTA_FIELDS, actas),
        TALLY_LINES: exports.csv_bytes(TALLY_LINE_FIELDS, tally_lines),
        RESULT_SCOPES: exports.csv_bytes(RESULT_SCOPE_FIELDS, result_scopes),
        RESULTS: exports.csv_bytes(RESULT_FIELDS, results),
    }


def acta_digest(acta) -> tuple[str, int | None]:
    """The SHA-256 (hex) and size of a stored acta; empty when its file is missing."""
    if not acta:
        return "", None
    digest, size = hashlib.sha256(), 0
    try:
        with acta.open("rb") as handle:
            for chunk in handle.chunks():
                digest.update(chunk)
                size += len(chunk)
    except OSError:
        return "", None
    return digest.hexdigest(), size


def rule_of(cycle) -> dict:
    return {
        "bundle_format": BUNDLE_FORMAT,
        "rule_version": RULE_VERSION,
        "zone": cycle.zone.name,
        "year": cycle.year,
        "cycle": cycle.title,
        "cycle_url": cycle.full_url,
        "ballot_rule": cycle.ballot_rule,
        "max_choices": cycle.max_choices,
        "total_amount_usd": cycle.total_amount,
        "min_votes": MIN_VOTES,
        "currency": "USD",
        "online_votes": f"lines of {BALLOTS} with channel online per request_id",
        "booth_votes": f"lines of {BALLOTS} with channel booth per request_id",
        "assembly_votes": f"sum of votes in {TALLY_LINES} per request_id",
        "votes": "online_votes + booth_votes + assembly_votes",
        "candidates": f"the projects of {PROJECTS} of each scope of {ENVELOPES}",
        "ranking": "votes descending, then cost_usd ascending, then request_id ascending",
        "selection": (
            "down the ranking, a project with at least min_votes votes is selected if its "
            "cost fits in what is left of the scope's envelope; otherwise it is skipped"
        ),
        "generated_at": timezone.now(),
    }


def readme(cycle) -> str:
    """How to check the bundle, in the site's language (the README is for the public)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _readme(cycle)


def _readme(cycle) -> str:
    title = _("Recount bundle: %(cycle)s, %(zone)s %(year)s") % {
        "cycle": cycle.title,
        "zone": cycle.zone.name,
        "year": cycle.year,
    }
    intro = _(
        "This bundle holds everything needed to recompute the published results of this "
        "participatory-budget cycle: the online ballots (each with a number drawn for this "
        "file, never the resident), the votes counted in the parish assemblies, the SHA-256 "
        "fingerprint of each signed acta, the envelopes, the rule and its version "
        "(%(version)s), and the published results."
    ) % {"version": RULE_VERSION}
    files = [
        _("Files:"),
        _("- %(file)s: the rule, its version, the ballot rule and the total amount.")
        % {"file": RULE},
        _(
            "- %(file)s: the ballot scopes: one per parish with its envelope, or one for the "
            "whole zone (empty scope)."
        )
        % {"file": ENVELOPES},
        _("- %(file)s: the projects on the ballot of each scope, with the cost the rule uses.")
        % {"file": PROJECTS},
        _(
            "- %(file)s: one line per project chosen on each ballot, online or registered per "
            "person at a booth (channel)."
        )
        % {"file": BALLOTS},
        _("- %(file)s: the votes counted in each parish assembly, with its date and attendees.")
        % {"file": TALLY_LINES},
        _(
            "- %(file)s: each assembly's acta: its SHA-256 fingerprint and size in bytes (empty "
            "if the file could not be read)."
        )
        % {"file": ACTAS},
        _("- %(file)s and %(scopes)s: the results as published.")
        % {"file": RESULTS, "scopes": RESULT_SCOPES},
    ]
    steps = [
        _("How to check it by hand (a spreadsheet is enough):"),
        _(
            "1. For each project of %(projects)s, count its lines in %(ballots)s (online and "
            "booth votes, by channel) and add its votes in %(tallies)s (assembly votes, "
            "counted by hand)."
        )
        % {"projects": PROJECTS, "ballots": BALLOTS, "tallies": TALLY_LINES},
        _(
            "2. In each scope, rank the projects by votes; ties go to the lower cost, then to "
            "the lower request_id."
        ),
        ngettext(
            "3. Go down the ranking: a project with at least %(min)s vote is selected if its "
            "cost fits in what is left of the scope's envelope (%(envelopes)s); otherwise it "
            "is skipped and the next one is tried.",
            "3. Go down the ranking: a project with at least %(min)s votes is selected if its "
            "cost fits in what is left of the scope's envelope (%(envelopes)s); otherwise it "
            "is skipped and the next one is tried.",
            MIN_VOTES,
        )
        % {"min": MIN_VOTES, "envelopes": ENVELOPES},
        _("4. Compare with %(results)s.") % {"results": RESULTS},
    ]
    command = _(
        "With the platform's source code, the same check is one command, which prints whether "
        "the recount matches what was published: python manage.py recount_cycle THIS_FILE.zip"
    )
    actas = _(
        "To check an acta, compute the SHA-256 of your copy (sha256sum acta.pdf, or "
        "Get-FileHash on Windows) and compare it with %(actas)s."
    ) % {"actas": ACTAS}
    page = _("Cycle page: %(url)s") % {"url": cycle.full_url or ""}
    blocks = [title, intro, "\n".join(files), "\n".join(steps), command, actas, page]
    return "\n\n".join(blocks) + "\n"


# --- reading and recounting (from the bundle alone) ----------------------------------------
@dataclass
class Scope:
    code: str
    name: str
    envelope: Decimal


@dataclass
class Bundle:
    rule: dict
    scopes: list[Scope]
    projects: list[dict]
    ballots: list[dict]
    tally_lines: list[dict]
    published_scopes: dict[str, dict]
    published: list[dict]


@dataclass(frozen=True)
class Difference:
    scope: str
    reference: str
    what: str
    published: object
    recounted: object


@dataclass
class ScopeRecount:
    name: str
    envelope: Decimal
    projects: int
    selected: int
    selected_total: Decimal


@dataclass
class Recount:
    rule: dict
    scopes: list[ScopeRecount] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.differences


def _members(data: bytes) -> dict[str, str]:
    return read_members(
        data,
        [README, RULE, *CSV_MEMBERS],
        not_this_kind=_("This is not a cycle's recount bundle: it lacks %(files)s."),
    )


def _rows(name: str, text: str) -> list[dict]:
    optional = OPTIONAL_COLUMNS.get(name, set())
    return read_csv(name, text, [c for c in CSV_MEMBERS[name] if c not in optional])


def _value(row: dict, name: str, column: str, kind):
    raw = row[column].strip()
    try:
        if kind is int:
            value = int(raw)
        elif kind is Decimal:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
        elif kind is bool:
            if raw not in {"True", "False"}:
                raise ValueError
            value = raw == "True"
        else:
            value = raw
    except (ValueError, InvalidOperation):
        raise BundleError(
            _("%(file)s, line %(line)s: %(column)s is not valid (%(value)s).")
            % {"file": name, "line": row["_line"], "column": column, "value": raw[:40]}
        ) from None
    return value


def _channel(row: dict) -> str:
    channel = row.get("channel", "online").strip() or "online"
    if channel not in {"online", "booth"}:
        raise BundleError(
            _("%(file)s, line %(line)s: %(column)s is not valid (%(value)s).")
            % {"file": BALLOTS, "line": row["_line"], "column": "channel", "value": channel[:40]}
        )
    return channel


def read(data: bytes) -> Bundle:
    """Parse a bundle's bytes; BundleError says what is wrong with an unreadable one."""
    texts = _members(data)
    try:
        rule = json.loads(texts[RULE])
    except json.JSONDecodeError as error:
        message = _("%(file)s is not valid JSON (%(error)s).")
        raise BundleError(message % {"file": RULE, "error": error}) from None
    if not isinstance(rule, dict) or rule.get("bundle_format") != BUNDLE_FORMAT:
        raise BundleError(
            _("%(file)s does not describe a bundle of format %(format)s.")
            % {"file": RULE, "format": BUNDLE_FORMAT}
        )
    if rule.get("rule_version") != RULE_VERSION:
        raise BundleError(
            _(
                "The bundle was published under rule version %(theirs)s; this code implements "
                "version %(ours)s and cannot recount it."
            )
            % {"theirs": rule.get("rule_version"), "ours": RULE_VERSION}
        )
    from .models import BallotRule

    if rule.get("ballot_rule") not in BallotRule.values:
        # Both ballot rules elect winners the same way (select_winners, by votes within the
        # envelope); an unknown rule is a bundle this code does not understand.
        raise BundleError(
            _("%(file)s names the ballot rule “%(rule)s”, which this code does not know.")
            % {"file": RULE, "rule": str(rule.get("ballot_rule"))[:40]}
        )
    min_votes = rule.get("min_votes")
    if not isinstance(min_votes, int) or isinstance(min_votes, bool) or min_votes < 0:
        raise BundleError(_("%(file)s has no valid min_votes.") % {"file": RULE})
    rows = {name: _rows(name, texts[name]) for name in CSV_MEMBERS}

    scopes = [
        Scope(
            code=_value(row, ENVELOPES, "scope", str),
            name=_value(row, ENVELOPES, "scope_name", str),
            envelope=_value(row, ENVELOPES, "envelope_usd", Decimal),
        )
        for row in rows[ENVELOPES]
    ]
    if len({scope.code for scope in scopes}) != len(scopes):
        raise BundleError(_("%(file)s lists a scope twice.") % {"file": ENVELOPES})
    projects = [
        {
            "scope": _value(row, PROJECTS, "scope", str),
            "request_id": _value(row, PROJECTS, "request_id", int),
            "cost": _value(row, PROJECTS, "cost_usd", Decimal),
        }
        for row in rows[PROJECTS]
    ]
    ballots = [
        {
            "ballot": _value(row, BALLOTS, "ballot", int),
            "request_id": _value(row, BALLOTS, "request_id", int),
            "channel": _channel(row),
        }
        for row in rows[BALLOTS]
    ]
    tally_lines = [
        {
            "request_id": _value(row, TALLY_LINES, "request_id", int),
            "votes": _value(row, TALLY_LINES, "votes", int),
        }
        for row in rows[TALLY_LINES]
    ]
    published_scopes = {}
    for row in rows[RESULT_SCOPES]:
        code = _value(row, RESULT_SCOPES, "scope", str)
        published_scopes[code] = {
            "name": _value(row, RESULT_SCOPES, "scope_name", str),
            "envelope": _value(row, RESULT_SCOPES, "envelope_usd", Decimal),
            "selected_total": _value(row, RESULT_SCOPES, "selected_total_usd", Decimal),
        }
    published = [
        {
            "scope": _value(row, RESULTS, "scope", str),
            "request_id": _value(row, RESULTS, "request_id", int),
            "rank": _value(row, RESULTS, "rank", int),
            "online_votes": _value(row, RESULTS, "online_votes", int),
            "booth_votes": _value(row, RESULTS, "booth_votes", int) if "booth_votes" in row else 0,
            "assembly_votes": _value(row, RESULTS, "assembly_votes", int),
            "votes": _value(row, RESULTS, "votes", int),
            "cost": _value(row, RESULTS, "cost_usd", Decimal),
            "remaining_before": _value(row, RESULTS, "envelope_left_usd", Decimal),
            "selected": _value(row, RESULTS, "selected", bool),
            "reason": _value(row, RESULTS, "reason", str),
        }
        for row in rows[RESULTS]
    ]
    return Bundle(
        rule=rule | {"min_votes": min_votes},
        scopes=scopes,
        projects=projects,
        ballots=ballots,
        tally_lines=tally_lines,
        published_scopes=published_scopes,
        published=published,
    )


COMPARED = ("rank", "online_votes", "booth_votes", "assembly_votes", "votes", "cost")
COMPARED += ("remaining_before",)
COMPARED += ("selected", "reason")


def recount(bundle: Bundle) -> Recount:
    """Recompute every scope's result from the bundle and list where it differs from the
    published one (no database)."""
    online = Counter(line["request_id"] for line in bundle.ballots if line["channel"] == "online")
    booth = Counter(line["request_id"] for line in bundle.ballots if line["channel"] == "booth")
    assembly = Counter()
    for line in bundle.tally_lines:
        if line["votes"] < 0:
            raise BundleError(_("%(file)s has a negative vote count.") % {"file": TALLY_LINES})
        assembly[line["request_id"]] += line["votes"]
    published_by_scope = defaultdict(dict)
    for line in bundle.published:
        published_by_scope[line["scope"]][line["request_id"]] = line
    report = Recount(rule=bundle.rule)
    known = {scope.code for scope in bundle.scopes}
    for scope in bundle.scopes:
        candidates = [
            Candidate(
                key=project["request_id"],
                cost=project["cost"],
                votes=online[project["request_id"]]
                + booth[project["request_id"]]
                + assembly[project["request_id"]],
                order=project["request_id"],
            )
            for project in bundle.projects
            if project["scope"] == scope.code
        ]
        try:
            outcomes = select_winners(
                candidates, scope.envelope, min_votes=bundle.rule["min_votes"]
            )
        except ValueError as error:
            raise BundleError(
                _("The scope %(scope)s cannot be recounted: %(error)s")
                % {"scope": scope.name, "error": error}
            ) from None
        selected_total = sum((o.cost for o in outcomes if o.selected), Decimal(0))
        report.scopes.append(
            ScopeRecount(
                name=scope.name,
                envelope=scope.envelope,
                projects=len(outcomes),
                selected=sum(1 for o in outcomes if o.selected),
                selected_total=selected_total,
            )
        )
        counts = {"online": online, "booth": booth, "assembly": assembly}
        _compare_scope(report, scope, outcomes, counts, published_by_scope)
        published = bundle.published_scopes.get(scope.code)
        if published is None:
            report.differences.append(
                Difference(scope.name, "", "scope", _("not published"), _("recounted"))
            )
            continue
        for what, ours in (("envelope", scope.envelope), ("selected_total", selected_total)):
            if published[what] != ours:
                report.differences.append(Difference(scope.name, "", what, published[what], ours))
    for code, published in bundle.published_scopes.items():
        if code not in known:
            report.differences.append(
                Difference(
                    published["name"], "", "scope", _("published"), _("not in the envelopes")
                )
            )
    return report


def _compare_scope(report, scope, outcomes, counts, published_by_scope):
    published = dict(published_by_scope.get(scope.code, {}))
    for outcome in outcomes:
        ours = {
            "rank": outcome.rank,
            "online_votes": counts["online"][outcome.key],
            "booth_votes": counts["booth"][outcome.key],
            "assembly_votes": counts["assembly"][outcome.key],
            "votes": outcome.votes,
            "cost": outcome.cost,
            "remaining_before": outcome.remaining_before,
            "selected": outcome.selected,
            "reason": outcome.reason,
        }
        theirs = published.pop(outcome.key, None)
        if theirs is None:
            report.differences.append(
                Difference(
                    scope.name, reference(outcome.key), "line", _("not published"), _("recounted")
                )
            )
            continue
        for what in COMPARED:
            if theirs[what] != ours[what]:
                report.differences.append(
                    Difference(scope.name, reference(outcome.key), what, theirs[what], ours[what])
                )
    for request_id in sorted(published):
        report.differences.append(
            Difference(
                scope.name, reference(request_id), "line", _("published"), _("not a candidate")
            )
        )


def describe(report: Recount) -> list[str]:
    """The recount as sentences, for the command's output."""
    rule = report.rule
    lines = [
        _("%(cycle)s, %(zone)s %(year)s: rule version %(version)s (%(rule)s).")
        % {
            "cycle": rule.get("cycle", ""),
            "zone": rule.get("zone", ""),
            "year": rule.get("year", ""),
            "version": rule.get("rule_version"),
            "rule": rule.get("ballot_rule", ""),
        }
    ]
    for scope in report.scopes:
        lines.append(
            ngettext(
                "%(scope)s: %(selected)s of %(projects)s project selected, %(total)s of an "
                "envelope of %(envelope)s.",
                "%(scope)s: %(selected)s of %(projects)s projects selected, %(total)s of an "
                "envelope of %(envelope)s.",
                scope.projects,
            )
            % {
                "scope": scope.name,
                "selected": scope.selected,
                "projects": scope.projects,
                "total": format_usd(scope.selected_total),
                "envelope": format_usd(scope.envelope),
            }
        )
    for difference in report.differences:
        lines.append(
            _(
                "Difference in %(scope)s%(project)s, %(what)s: published %(published)s, "
                "recounted %(recounted)s."
            )
            % {
                "scope": difference.scope,
                "project": f" {difference.reference}" if difference.reference else "",
                "what": difference.what,
                "published": difference.published,
                "recounted": difference.recounted,
            }
        )
    return lines
