"""Per-parish envelopes from parish figures, with Quito's 2020 allocation weights.

Pure functions (no ORM): the service feeds them the figures staff entered and stores what
they return.

Each parish's share is the weighted sum of its share of every criterion:

    share(p) = 0.40 * population(p) / Σ population
             + 0.30 * unmet_needs(p) / Σ unmet_needs
             + 0.20 * density(p) / Σ density
             + 0.10 * infrastructure_needs(p) / Σ infrastructure_needs

computed with exact fractions. A criterion that adds up to zero across the parishes says
nothing about how to split, so its weight is shared among the other criteria in proportion
to theirs (if every criterion is zero, parishes get equal shares).

Amounts are rounded to the cent with the largest remainder method (Hamilton): every parish
gets the floor of its exact amount in cents, and the cents left over go one each to the
parishes with the largest fractional remainders; ties go to the smaller key. The envelopes
therefore always add up to the total exactly, to the cent.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")

# Quito's 2020 weights for allocating the participatory budget among parishes.
WEIGHTS_2020: Mapping[str, Fraction] = {
    "population": Fraction(40, 100),
    "unmet_needs": Fraction(30, 100),
    "density": Fraction(20, 100),
    "infrastructure_needs": Fraction(10, 100),
}
CRITERIA = tuple(WEIGHTS_2020)


@dataclass(frozen=True)
class ParishFigures:
    """What staff enter for one parish. Any non-negative numbers: only ratios matter."""

    key: Hashable
    population: Decimal
    unmet_needs: Decimal
    density: Decimal
    infrastructure_needs: Decimal


def to_cents(amount: Decimal) -> int:
    quantized = amount.quantize(CENT)
    if quantized != amount:
        raise ValueError("The total must be a whole number of cents.")
    return int(quantized * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def largest_remainder(total_cents: int, shares: Mapping[Hashable, Fraction]) -> dict:
    """Split `total_cents` by `shares` (non-negative, adding up to 1) into whole cents."""
    if total_cents < 0:
        raise ValueError("The total cannot be negative.")
    if not shares:
        return {}
    if sum(shares.values()) != 1 or any(share < 0 for share in shares.values()):
        raise ValueError("Shares must be non-negative and add up to 1.")
    exact = {key: share * total_cents for key, share in shares.items()}
    floors = {key: value.numerator // value.denominator for key, value in exact.items()}
    left = total_cents - sum(floors.values())
    by_remainder = sorted(exact, key=lambda key: (-(exact[key] - floors[key]), _sort_key(key)))
    for key in by_remainder[:left]:
        floors[key] += 1
    return floors


def weighted_shares(
    figures: Sequence[ParishFigures], weights: Mapping[str, Fraction] = WEIGHTS_2020
) -> dict:
    """Each parish's exact share of the total (fractions adding up to exactly 1)."""
    if not figures:
        return {}
    keys = [figure.key for figure in figures]
    if len(set(keys)) != len(keys):
        raise ValueError("Each parish may appear only once.")
    sums = {}
    for criterion in weights:
        values = [Fraction(getattr(figure, criterion)) for figure in figures]
        if any(value < 0 for value in values):
            raise ValueError("Figures cannot be negative.")
        sums[criterion] = sum(values)
    usable = {criterion: weight for criterion, weight in weights.items() if sums[criterion] > 0}
    if not usable:
        return {key: Fraction(1, len(keys)) for key in keys}
    weight_total = sum(usable.values())
    shares = {}
    for figure in figures:
        shares[figure.key] = sum(
            (weight / weight_total) * Fraction(getattr(figure, criterion)) / sums[criterion]
            for criterion, weight in usable.items()
        )
    return shares


def compute_envelopes(
    total: Decimal,
    figures: Sequence[ParishFigures],
    weights: Mapping[str, Fraction] = WEIGHTS_2020,
) -> dict:
    """Envelope per parish key, in USD with two decimals, adding up to `total` exactly."""
    cents = largest_remainder(to_cents(total), weighted_shares(figures, weights))
    return {key: from_cents(value) for key, value in cents.items()}


def _sort_key(key) -> tuple:
    return (type(key).__name__, key) if isinstance(key, int | str) else ("", str(key))
