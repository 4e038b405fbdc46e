"""The cédula validator and its keyed hash."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.cedula import cedula_hash, check_digit, normalise, validate_cedula

provinces = st.sampled_from([f"{p:02d}" for p in [*range(1, 25), 30]])
seven_digits = st.text(alphabet="0123456789", min_size=7, max_size=7)


@st.composite
def valid_cedulas(draw):
    first_nine = draw(provinces) + draw(seven_digits)
    return first_nine + str(check_digit(first_nine))


@given(valid_cedulas())
def test_every_number_with_a_correct_check_digit_passes(number):
    assert validate_cedula(number) == number


@given(valid_cedulas(), st.integers(min_value=0, max_value=9), st.integers(1, 9))
def test_every_single_digit_change_fails(number, position, delta):
    changed_digit = (int(number[position]) + delta) % 10
    mutated = number[:position] + str(changed_digit) + number[position + 1 :]
    # A change in digits 1-2 may leave a valid province, but the check digit catches it;
    # a change elsewhere always breaks the check digit (the weights 2,1 catch every
    # single-digit change, which is the point of the Luhn-style scheme).
    with pytest.raises(ValidationError):
        validate_cedula(mutated)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "cedula_length"),
        ("171234567", "cedula_length"),
        ("17123456789", "cedula_length"),
        ("17123456a8", "cedula_length"),
        ("１７１２３４５６７８", "cedula_length"),  # full-width digits are not ASCII
        ("2512345678", "cedula_province"),
        ("0012345678", "cedula_province"),
        ("3112345678", "cedula_province"),
    ],
)
def test_malformed_numbers_are_rejected_with_a_specific_error(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_cedula(value)
    assert excinfo.value.code == code


def test_known_real_format_number():
    # 1710034065 is the textbook example used in Ecuadorian validator documentation.
    assert validate_cedula("1710034065") == "1710034065"
    assert validate_cedula("171003406-5") == "1710034065"
    assert normalise(" 17 1003 4065 ") == "1710034065"


def test_province_30_and_third_digit_6_are_accepted():
    for first_nine in ("301234567", "176234567"):
        number = first_nine + str(check_digit(first_nine))
        assert validate_cedula(number) == number


def test_error_messages_are_in_spanish():
    with pytest.raises(ValidationError) as excinfo:
        validate_cedula("1710034066")
    assert "cédula" in excinfo.value.messages[0]
    assert "no es válido" in excinfo.value.messages[0]


def test_hash_is_keyed_and_never_contains_the_number(settings):
    digest = cedula_hash("1710034065")
    assert len(digest) == 64
    assert "1710034065" not in digest
    assert cedula_hash("171003406-5") == digest  # normalised before hashing
    settings.CEDULA_HASH_KEY = "another-key"
    assert cedula_hash("1710034065") != digest
