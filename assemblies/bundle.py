"""An assembly's recount bundle: the votes of its polls with published results, and the
recount itself (`manage.py recount_poll BUNDLE.zip`).

`build(assembly)` writes the files from the database; `read(data)` and `recount(bundle)`
need the bundle's bytes only (no query) and recompute each poll's tally with the very
function the site shows results with (assemblies.selectors.poll_data), fed unsaved polls
and options rebuilt from the bundle.

No personal data leaves: an online vote carries a number drawn for this bundle (the votes
of each poll are shuffled, then numbered 1..N), never its voter nor the time it was cast.
"""

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from quitodecide import exports
from quitodecide.bundles import BundleError, read_csv, read_members

from . import selectors
from .models import Ballot, Poll, PollOption

BUNDLE_FORMAT = 1
# The poll rule: an option's total is its online votes (when residents vote online) plus
# its hand count in the room (when the room counts). Change the version with the rule.
RULE_VERSION = "1"
README = "leeme.txt"
RULE = "regla.json"
POLLS = "votaciones.csv"
OPTIONS = "opciones.csv"
VOTES = "votos_en_linea.csv"
RESULTS = "resultados.csv"

POLL_FIELDS = ["poll", "question", "mode", "opened_at", "closed_at"]
OPTION_FIELDS = ["poll", "option_id", "position", "option", "room_count"]
VOTE_FIELDS = ["poll", "vote", "option_id", "option"]
RESULT_FIELDS = ["poll", "option_id", "option", "online", "room", "total"]
CSV_MEMBERS = {
    POLLS: POLL_FIELDS,
    OPTIONS: OPTION_FIELDS,
    VOTES: VOTE_FIELDS,
    RESULTS: RESULT_FIELDS,
}


def published_polls(assembly):
    """The assembly's polls whose results are published (closed, by the model's rule)."""
    return Poll.objects.filter(assembly_id=assembly.pk, results_published=True).order_by(
        "opened_at", "pk"
    )


# --- building (from the database) ----------------------------------------------------------
def build(assembly) -> dict[str, bytes]:
    polls = list(published_polls(assembly))
    options = (
        PollOption.objects.filter(poll__in=polls)
        .order_by("poll_id", "position", "pk")
        .values_list("poll_id", "pk", "position", "label", "room_count")
    )
    labels = {}
    option_rows = []
    for poll_id, option_id, position, label, room_count in options:
        labels[option_id] = label
        option_rows.append(
            {
                "poll": poll_id,
                "option_id": option_id,
                "position": position,
                "option": label,
                "room_count": room_count,
            }
        )
    by_poll = defaultdict(list)
    for poll_id, option_id in Ballot.objects.filter(poll__in=polls).values_list(
        "poll_id", "option_id"
    ):
        by_poll[poll_id].append(option_id)
    shuffle = random.SystemRandom().shuffle
    vote_rows = []
    for poll in polls:
        chosen = by_poll[poll.pk]
        shuffle(chosen)
        vote_rows += [
            {"poll": poll.pk, "vote": n, "option_id": option_id, "option": labels[option_id]}
            for n, option_id in enumerate(chosen, start=1)
        ]
    result_rows = []
    for poll in selectors_polls(assembly, polls):
        data = selectors.poll_data(poll, list(poll.options.all()))
        result_rows += [
            {
                "poll": poll.pk,
                "option_id": row["id"],
                "option": row["label"],
                "online": row["online"],
                "room": row["room"],
                "total": row["total"],
            }
            for row in data["options"]
        ]
    poll_rows = [
        {
            "poll": poll.pk,
            "question": poll.question,
            "mode": poll.mode,
            "opened_at": poll.opened_at,
            "closed_at": poll.closed_at,
        }
        for poll in polls
    ]
    return {
        README: readme(assembly).encode("utf-8"),
        RULE: exports.json_bytes(rule_of(assembly)),
        POLLS: exports.csv_bytes(POLL_FIELDS, poll_rows),
        OPTIONS: exports.csv_bytes(OPTION_FIELDS, option_rows),
        VOTES: exports.csv_bytes(VOTE_FIELDS, vote_rows),
        RESULTS: exports.csv_bytes(RESULT_FIELDS, result_rows),
    }


def selectors_polls(assembly, polls) -> list[Poll]:
    """The same polls with their options counted as the site counts them (two queries)."""
    wanted = {poll.pk for poll in polls}
    return [p for p in selectors.polls_with_tallies(assembly.pk) if p.pk in wanted]


def rule_of(assembly) -> dict:
    return {
        "bundle_format": BUNDLE_FORMAT,
        "rule_version": RULE_VERSION,
        "assembly": assembly.title,
        "assembly_url": assembly.full_url,
        "kind": assembly.kind,
        "starts_at": assembly.starts_at,
        "online": f"lines of {VOTES} per option_id, counted when mode is online or both",
        "room": f"room_count of {OPTIONS}, counted when mode is room or both",
        "total": "online + room",
        "generated_at": timezone.now(),
    }


def readme(assembly) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _readme(assembly)


def _readme(assembly) -> str:
    title = _("Recount bundle of the votes: %(assembly)s") % {"assembly": assembly.title}
    intro = _(
        "This bundle holds the votes of this assembly whose results were published: every "
        "online vote (each with a number drawn for this file, never the voter), the hand "
        "count of the room for each option, the rule and its version (%(version)s), and the "
        "published results."
    ) % {"version": RULE_VERSION}
    files = [
        _("Files:"),
        _("- %(file)s: each vote: its question and who voted (mode: online, room or both).")
        % {"file": POLLS},
        _("- %(file)s: the options of each vote with the room's hand count.") % {"file": OPTIONS},
        _("- %(file)s: one line per online vote.") % {"file": VOTES},
        _("- %(file)s: the results as published.") % {"file": RESULTS},
    ]
    steps = [
        _("How to check it by hand:"),
        _(
            "1. For each option, count its lines in %(votes)s: its online votes (they count "
            "when the mode is online or both)."
        )
        % {"votes": VOTES},
        _(
            "2. Add the room's hand count from %(options)s (it counts when the mode is room or "
            "both)."
        )
        % {"options": OPTIONS},
        _("3. Compare with %(results)s.") % {"results": RESULTS},
    ]
    command = _(
        "With the platform's source code, the same check is one command, which prints whether "
        "the recount matches what was published: python manage.py recount_poll THIS_FILE.zip"
    )
    page = _("Assembly page: %(url)s") % {"url": assembly.full_url or ""}
    return "\n\n".join([title, intro, "\n".join(files), "\n".join(steps), command, page]) + "\n"


# --- reading and recounting (from the bundle alone) ----------------------------------------
@dataclass
class Bundle:
    rule: dict
    polls: list[dict]
    options: list[dict]
    votes: list[dict]
    published: list[dict]


@dataclass(frozen=True)
class Difference:
    poll: str
    option: str
    what: str
    published: object
    recounted: object


@dataclass
class PollRecount:
    question: str
    rows: list[dict]


@dataclass
class Recount:
    rule: dict
    polls: list[PollRecount] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.differences


def _members(data: bytes) -> dict[str, str]:
    return read_members(
        data,
        [README, RULE, *CSV_MEMBERS],
        not_this_kind=_("This is not an assembly's recount bundle: it lacks %(files)s."),
    )


def _rows(name: str, text: str) -> list[dict]:
    return read_csv(name, text, CSV_MEMBERS[name])


def _int(row: dict, name: str, column: str, *, empty_is_none: bool = False) -> int | None:
    raw = row[column].strip()
    if raw == "" and empty_is_none:
        return None
    try:
        value = int(raw)
        if value < 0:
            raise ValueError
    except ValueError:
        raise BundleError(
            _("%(file)s, line %(line)s: %(column)s is not valid (%(value)s).")
            % {"file": name, "line": row["_line"], "column": column, "value": raw[:40]}
        ) from None
    return value


def read(data: bytes) -> Bundle:
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
    rows = {name: _rows(name, texts[name]) for name in CSV_MEMBERS}
    polls = []
    for row in rows[POLLS]:
        if row["mode"] not in Poll.Mode.values:
            raise BundleError(
                _("%(file)s, line %(line)s: %(column)s is not valid (%(value)s).")
                % {"file": POLLS, "line": row["_line"], "column": "mode", "value": row["mode"][:40]}
            )
        polls.append(
            {"poll": _int(row, POLLS, "poll"), "question": row["question"], "mode": row["mode"]}
        )
    if len({poll["poll"] for poll in polls}) != len(polls):
        raise BundleError(_("%(file)s lists a vote twice.") % {"file": POLLS})
    options = [
        {
            "poll": _int(row, OPTIONS, "poll"),
            "option_id": _int(row, OPTIONS, "option_id"),
            "label": row["option"],
            "room_count": _int(row, OPTIONS, "room_count", empty_is_none=True),
        }
        for row in rows[OPTIONS]
    ]
    votes = [
        {"poll": _int(row, VOTES, "poll"), "option_id": _int(row, VOTES, "option_id")}
        for row in rows[VOTES]
    ]
    published = [
        {
            "poll": _int(row, RESULTS, "poll"),
            "option_id": _int(row, RESULTS, "option_id"),
            "online": _int(row, RESULTS, "online"),
            "room": _int(row, RESULTS, "room", empty_is_none=True),
            "total": _int(row, RESULTS, "total"),
        }
        for row in rows[RESULTS]
    ]
    return Bundle(rule=rule, polls=polls, options=options, votes=votes, published=published)


def recount(bundle: Bundle) -> Recount:
    """Recompute each poll's tally with selectors.poll_data and compare (no database)."""
    online = Counter((vote["poll"], vote["option_id"]) for vote in bundle.votes)
    options_of = defaultdict(list)
    for option in bundle.options:
        options_of[option["poll"]].append(option)
    published = {(row["poll"], row["option_id"]): row for row in bundle.published}
    report = Recount(rule=bundle.rule)
    seen = set()
    for poll_row in bundle.polls:
        poll_id, question = poll_row["poll"], poll_row["question"]
        poll = Poll(
            pk=poll_id,
            question=question,
            mode=poll_row["mode"],
            status=Poll.Status.CLOSED,
            results_published=True,
        )
        options = []
        for row in options_of[poll_id]:
            option = PollOption(
                pk=row["option_id"], label=row["label"], room_count=row["room_count"]
            )
            option.online = online[(poll_id, row["option_id"])]
            options.append(option)
        ids = {option.pk for option in options}
        strays = sum(n for (p, o), n in online.items() if p == poll_id and o not in ids)
        if strays:
            report.differences.append(
                Difference(question, "", "online", _("no such option"), strays)
            )
        data = selectors.poll_data(poll, options)
        report.polls.append(PollRecount(question=question, rows=data["options"]))
        for row in data["options"]:
            seen.add((poll_id, row["id"]))
            theirs = published.get((poll_id, row["id"]))
            if theirs is None:
                report.differences.append(
                    Difference(question, row["label"], "option", _("not published"), _("recounted"))
                )
                continue
            for what in ("online", "room", "total"):
                if theirs[what] != row[what]:
                    report.differences.append(
                        Difference(question, row["label"], what, theirs[what], row[what])
                    )
    questions = {poll["poll"]: poll["question"] for poll in bundle.polls}
    for poll_id, option_id in sorted(set(published) - seen):
        report.differences.append(
            Difference(
                questions.get(poll_id, str(poll_id)),
                str(option_id),
                "option",
                _("published"),
                _("not recounted"),
            )
        )
    return report


def describe(report: Recount) -> list[str]:
    lines = [
        _("%(assembly)s: rule version %(version)s.")
        % {"assembly": report.rule.get("assembly", ""), "version": report.rule.get("rule_version")}
    ]
    for poll in report.polls:
        tally = ", ".join(f"{row['label']} {row['total']}" for row in poll.rows)
        lines.append(f"{poll.question}: {tally}")
    for difference in report.differences:
        lines.append(
            _(
                "Difference in “%(poll)s”%(option)s, %(what)s: published %(published)s, "
                "recounted %(recounted)s."
            )
            % {
                "poll": difference.poll,
                "option": f" ({difference.option})" if difference.option else "",
                "what": difference.what,
                "published": difference.published,
                "recounted": difference.recounted,
            }
        )
    return lines
