import pytest

from territory.models import Parish, ZonePage
from tests.consultations.helpers import make_consultation
from tests.factories import ResidentFactory


@pytest.fixture
def consultation(territory):
    return make_consultation()


@pytest.fixture
def zonal_consultation(territory):
    return make_consultation(ZonePage.objects.get(zone__slug="calderon"), slug="zonal")


@pytest.fixture
def resident(territory):
    parish = Parish.objects.get(name="Llano Chico")
    return ResidentFactory(zone=parish.zone, parish=parish).user
