"""The demo budgets: Calderón and Tumbaco with published results, Eugenio Espejo voting,
Calderón's next cycle taking requests; loading them again changes nothing."""

import pytest
from django.core.management import call_command

from budgets.models import Ballot, BudgetCyclePage, ParishEnvelope, ResultSet
from proposals.models import Request

pytestmark = pytest.mark.django_db


def test_demo_budgets_are_complete_and_idempotent(client):
    call_command("load_demo_budgets", verbosity=0)
    snapshot = (Request.objects.count(), Ballot.objects.count(), ResultSet.objects.count())
    call_command("load_demo_budgets", verbosity=0)
    assert (Request.objects.count(), Ballot.objects.count(), ResultSet.objects.count()) == snapshot
    cycles = {(c.zone.slug, c.current_phase.kind): c for c in BudgetCyclePage.objects.all()}
    assert sorted(cycles) == [
        ("calderon", "requests"),
        ("calderon", "results"),
        ("eugenio-espejo", "prioritisation"),
        ("tumbaco", "results"),
    ]
    calderon = cycles["calderon", "results"]
    assert cycles["calderon", "requests"].year == calderon.year + 1
    assert Request.objects.count() == 35
    assert Request.objects.filter(status="not_viable").count() == 5
    assert Request.objects.filter(status="prioritised").exists()
    assert Ballot.objects.filter(cycle__results__isnull=False).distinct().count() > 40
    assert cycles["eugenio-espejo", "prioritisation"].ballots.count() == 12
    assert sum(e.amount for e in ParishEnvelope.objects.filter(cycle=calderon)) == (
        calderon.total_amount
    )
    assert ResultSet.objects.filter(cycle=calderon).count() == 2
    for result in ResultSet.objects.all():
        assert result.selected_total <= result.envelope
    for path in ("/presupuestos/", calderon.url, calderon.url + "resultados/"):
        assert client.get(path).status_code == 200, path
