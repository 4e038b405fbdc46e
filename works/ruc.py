"""Ecuadorian RUC (Registro Único de Contribuyentes): checked for form only.

A RUC has 13 digits: a province code (01-24, or 30), a third digit that tells the kind of
taxpayer (0-5 natural person, 6 public entity, 9 company), and an establishment number that
is never 000. For natural persons the first ten digits are their cédula, whose check digit
we verify. For companies and public entities we do not verify the modulo-11 check digit:
the SRI has issued valid numbers that fail it, and refusing a real contractor is worse than
letting a typo through (staff see the name beside it). A well-formed RUC proves nothing.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.cedula import VALID_PROVINCES, check_digit

NATURAL, PUBLIC, COMPANY = "natural", "public", "company"


def normalise(value: str) -> str:
    return "".join(ch for ch in str(value or "") if ch not in " -.\t")


def validate_ruc(value: str) -> str:
    """The normalised RUC, or a ValidationError with a message in the person's language."""
    number = normalise(value)
    if len(number) != 13 or not number.isascii() or not number.isdigit():
        raise ValidationError(_("A RUC has exactly 13 digits."), code="ruc_length")
    if int(number[:2]) not in VALID_PROVINCES:
        raise ValidationError(
            _("The first two digits of a RUC are a province code (01 to 24, or 30)."),
            code="ruc_province",
        )
    third = int(number[2])
    if third in (7, 8):
        raise ValidationError(
            _("The third digit of a RUC is 0 to 6 or 9; this one has %(digit)s.")
            % {"digit": third},
            code="ruc_kind",
        )
    establishment = number[10:] if third < 6 else number[9:] if third == 6 else number[10:]
    if int(establishment) == 0:
        raise ValidationError(
            _("A RUC ends in its establishment number, which is never zero (e.g. 001)."),
            code="ruc_establishment",
        )
    if third < 6 and check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            _("This RUC is not valid: its first ten digits are not a valid cédula."),
            code="ruc_check_digit",
        )
    return number


def ruc_kind(number: str) -> str:
    third = int(number[2])
    return NATURAL if third < 6 else PUBLIC if third == 6 else COMPANY
