"""Money is shown as "USD 1.234,56" in Spanish (Ecuador)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from budgets.money import format_usd


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), "USD 1.234,56"),
        (Decimal("24521320.97"), "USD 24.521.320,97"),
        (Decimal("0"), "USD 0,00"),
        (Decimal("999.995"), "USD 1.000,00"),
        (Decimal("-15.5"), "-USD 15,50"),
        (12, "USD 12,00"),
        ("100.1", "USD 100,10"),
        (None, ""),
        ("no es dinero", ""),
    ],
)
def test_spanish_format(value, expected):
    assert format_usd(value, "es-ec") == expected


def test_english_format():
    assert format_usd(Decimal("24521320.97"), "en") == "USD 24,521,320.97"


def test_template_filter_follows_the_active_language():
    template = Template("{% load budgets_tags %}{{ amount|usd }}")
    with translation.override("es-ec"):
        assert template.render(Context({"amount": Decimal("1234.56")})) == "USD 1.234,56"
    with translation.override("en"):
        assert template.render(Context({"amount": Decimal("1234.56")})) == "USD 1,234.56"
