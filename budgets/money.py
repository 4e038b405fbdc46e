"""Money as users read it: "USD 1.234,56" in Spanish (Ecuador), "USD 1,234.56" in English."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language

CENT = Decimal("0.01")


def format_usd(value, language: str | None = None) -> str:
    """Two decimals, grouped thousands; separators follow the language (es-EC by default)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    language = (language or get_language() or "es").lower()
    thousands, decimal_mark = (",", ".") if language.startswith("en") else (".", ",")
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}USD {thousands.join(groups)}{decimal_mark}{cents}"
