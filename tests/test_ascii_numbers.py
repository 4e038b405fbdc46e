"""Every form's number fields take ASCII digits only (Python's int() takes any script's)."""

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st


class Figures(forms.Form):
    count = forms.IntegerField()
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    ratio = forms.FloatField()


@pytest.mark.parametrize("digits", ["٤٥", "४५", "４５", "𝟒𝟓", "4٥"])
def test_digits_of_other_scripts_are_refused_with_the_fields_message(digits):
    form = Figures({"count": digits, "amount": digits, "ratio": digits})
    assert not form.is_valid()
    assert set(form.errors) == {"count", "amount", "ratio"}
    assert form.errors["count"] == [forms.IntegerField.default_error_messages["invalid"]]


def test_ascii_numbers_still_work():
    form = Figures({"count": " 45 ", "amount": "45.50", "ratio": "0.5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["count"] == 45


@given(st.text(max_size=8))
def test_a_value_that_passes_is_ascii(text):
    form = Figures({"count": text, "amount": "1", "ratio": "1"})
    if form.is_valid():
        assert text.isascii()
