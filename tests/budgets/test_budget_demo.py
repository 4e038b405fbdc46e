"""The demo command builds two 2026 cycles with results, and is idempotent."""

import pytest
from django.core.management import call_command

from budgets.models import Ballot, BudgetCyclePage, ParishEnvelope, ResultSet
from proposals.models import Request

pytestmark = pytest.mark.django_db


def test_demo_budgets_are_complete_and_idempotent(client):
    call_command("load_demo_budgets", verbosity=0)
    call_command("load_demo_budgets", verbosity=0)
    cycles = BudgetCyclePage.objects.filter(year=2026)
    assert sorted(c.zone.slug for c in cycles) == ["calderon", "tumbaco"]
    assert Request.objects.count() == 20
    assert Request.objects.filter(status="not_viable").count() == 3
    assert Request.objects.filter(status="prioritised").exists()
    assert Ballot.objects.count() > 40
    calderon = cycles.get(zone__slug="calderon")
    assert sum(e.amount for e in ParishEnvelope.objects.filter(cycle=calderon)) == (
        calderon.total_amount
    )
    assert ResultSet.objects.filter(cycle=calderon).count() == 2
    for result in ResultSet.objects.all():
        assert result.selected_total <= result.envelope
    for path in ("/presupuestos/", calderon.url, calderon.url + "resultados/"):
        assert client.get(path).status_code == 200, path
