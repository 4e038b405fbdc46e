import pytest

from tests.budgets.builders import make_cycle, make_resident, make_staff


@pytest.fixture
def cycle(db):
    return make_cycle("calderon")


@pytest.fixture
def resident(db):
    return make_resident("calderon")


@pytest.fixture
def staff(db):
    return make_staff("calderon")
