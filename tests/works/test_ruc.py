import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import valid_cedula
from works.ruc import ruc_kind, validate_ruc


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("1790012345001", "company"),
        ("1760001550001", "public"),
        (valid_cedula("171234567") + "001", "natural"),
        ("17 9001 2345 001", "company"),  # people type spaces
    ],
)
def test_well_formed_rucs_pass(value, kind):
    number = validate_ruc(value)
    assert len(number) == 13 and ruc_kind(number) == kind


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("179001234500", "ruc_length"),
        ("17900123450011", "ruc_length"),
        ("17900123450O1", "ruc_length"),  # a letter O
        ("٠١٧٩٠٠١٢٣٤٥٠٠", "ruc_length"),  # Arabic-Indic digits are not ASCII digits
        ("2590012345001", "ruc_province"),
        ("1780012345001", "ruc_kind"),
        ("1790012345000", "ruc_establishment"),
        ("1712345670001", "ruc_check_digit"),
    ],
)
def test_malformed_rucs_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        validate_ruc(value)
    assert error.value.code == code


@given(st.text(max_size=30))
def test_any_text_is_a_ruc_or_a_validation_error(text):
    try:
        number = validate_ruc(text)
    except ValidationError:
        return
    assert number.isascii() and number.isdigit() and len(number) == 13
