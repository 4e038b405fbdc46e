"""Numbers typed into forms are ASCII digits only, everywhere.

Python's int() and Decimal() accept any Unicode decimal digit ("٤٥" is 45, "４５" too), so
Django's number fields do as well. A figure that reads one way on screen and is stored as
another is a trap in a platform whose numbers people check (amounts, progress, tallies):
`refuse_non_ascii_digits()` makes every IntegerField, DecimalField and FloatField of every
form (ours, allauth's and Wagtail's admin alike) refuse them with the field's own "enter a
number" message. Called once at start-up (home.apps).
"""

from django import forms
from django.core.exceptions import ValidationError

_PATCHED = "_quitodecide_ascii_only"


def _ascii_only(to_python):
    def wrapper(self, value):
        if isinstance(value, str) and not value.isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return to_python(self, value)

    setattr(wrapper, _PATCHED, True)
    return wrapper


def refuse_non_ascii_digits() -> None:
    for field in (forms.IntegerField, forms.DecimalField, forms.FloatField):
        method = field.__dict__.get("to_python")
        if method is not None and not getattr(method, _PATCHED, False):
            field.to_python = _ascii_only(method)
