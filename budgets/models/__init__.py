"""Budget cycles (Wagtail pages) and the participation data hanging off them."""

from .pages import (
    PHASE_ORDER,
    BallotRule,
    BudgetCyclePage,
    BudgetIndexPage,
    Phase,
    PhaseKind,
    ZoneBudgetsPage,
)
from .participation import (
    AssemblyTally,
    AssemblyTallyLine,
    Ballot,
    BallotLine,
    ParishEnvelope,
    ResultLine,
    ResultSet,
)

__all__ = [
    "PHASE_ORDER",
    "AssemblyTally",
    "AssemblyTallyLine",
    "Ballot",
    "BallotLine",
    "BallotRule",
    "BudgetCyclePage",
    "BudgetIndexPage",
    "ParishEnvelope",
    "Phase",
    "PhaseKind",
    "ResultLine",
    "ResultSet",
    "ZoneBudgetsPage",
]
