"""A commitment's progress: the share of its milestones fulfilled ("Cumplido" and "Cumplido*"
both count; "Pendiente" does not). A pure function, so every page, download and the API
publish the same figure, and anyone can recompute it from the milestones' statuses."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FULFILLED = frozenset({"fulfilled", "fulfilled_with_note"})
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Progress:
    fulfilled: int
    total: int

    @property
    def percent(self) -> Decimal:
        """0 to 100, rounded half up to one decimal (6 of 7 is 85.7). No milestones: 0."""
        if not self.total:
            return Decimal("0.0")
        return (Decimal(100 * self.fulfilled) / Decimal(self.total)).quantize(
            ONE_DECIMAL, rounding=ROUND_HALF_UP
        )


def of(statuses: Iterable[str]) -> Progress:
    statuses = [str(status) for status in statuses]
    return Progress(
        fulfilled=sum(1 for status in statuses if status in FULFILLED), total=len(statuses)
    )
