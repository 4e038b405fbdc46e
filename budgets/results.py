"""Which projects win a participatory-budget ballot: a pure function (no ORM), so anyone can
re-run it on the published votes and get the same answer.

The rule, as published on every results page:

1. Rank the viable projects by votes (online ballots plus the votes counted in the parish
   assemblies, a simple sum).
2. Ties are broken, in this order, by: the lower cost first (it leaves more money for the
   others), then the earlier request (lower reference number) first.
3. Go down the ranking filling the envelope: a project is selected if its cost fits in what
   is left; otherwise it is skipped and the next one is tried.
4. A project with fewer votes than the minimum (one vote by default) is never selected.

RULE_VERSION names this rule in every recount bundle (budgets.bundle): change it with the rule.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

# The version of the rule above; a bundle of another version is not recounted with this code.
RULE_VERSION = "1"

SELECTED = "selected"
DID_NOT_FIT = "did_not_fit"
BELOW_MINIMUM = "below_minimum"


@dataclass(frozen=True)
class Candidate:
    key: Hashable
    cost: Decimal
    votes: int
    # Earlier requests win ties that cost alone does not break: the request's id (unique).
    order: int


@dataclass(frozen=True)
class Outcome:
    key: Hashable
    rank: int
    votes: int
    cost: Decimal
    selected: bool
    reason: str
    # What was left of the envelope when this project's turn came.
    remaining_before: Decimal


def rank(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Most votes first; ties: lower cost, then earlier request."""
    keys = [candidate.key for candidate in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("Each project may appear only once.")
    # Unique orders make the ranking total, so the input's order never matters.
    orders = [candidate.order for candidate in candidates]
    if len(set(orders)) != len(orders):
        raise ValueError("Each project needs its own order (its request number).")
    return sorted(candidates, key=lambda c: (-c.votes, c.cost, c.order))


def select_winners(
    candidates: Sequence[Candidate], envelope: Decimal, *, min_votes: int = 1
) -> list[Outcome]:
    """The ranked outcome of every candidate, with why it was selected or skipped."""
    if envelope < 0:
        raise ValueError("The envelope cannot be negative.")
    if any(candidate.cost < 0 or candidate.votes < 0 for candidate in candidates):
        raise ValueError("Costs and votes cannot be negative.")
    remaining = envelope
    outcomes = []
    for position, candidate in enumerate(rank(candidates), start=1):
        before = remaining
        if candidate.votes < min_votes:
            selected, reason = False, BELOW_MINIMUM
        elif candidate.cost <= remaining:
            selected, reason = True, SELECTED
            remaining -= candidate.cost
        else:
            selected, reason = False, DID_NOT_FIT
        outcomes.append(
            Outcome(
                key=candidate.key,
                rank=position,
                votes=candidate.votes,
                cost=candidate.cost,
                selected=selected,
                reason=reason,
                remaining_before=before,
            )
        )
    return outcomes
