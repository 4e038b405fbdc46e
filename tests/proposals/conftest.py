"""Requests live in budget cycles: the same fixtures as the budgets tests."""

from tests.budgets.conftest import cycle, resident, staff  # noqa: F401
