"""The rule book explains its empty-seat refusals (for any caller, not only the views)."""

import datetime

import pytest
from django.utils import timezone, translation

from council.models import AgendaItem, CouncilSession
from quitodecide import rulebook
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _item(days, **extra):
    session = CouncilSession.objects.create(
        kind="ordinaria",
        number="099",
        starts_at=timezone.now() + datetime.timedelta(days=days),
        place="Salón de la Ciudad",
    )
    return AgendaItem.objects.create(session=session, position=1, title="Ordenanza", **extra)


def test_a_closed_empty_seat_and_a_non_secretariat_user_are_explained():
    user = UserFactory()
    with translation.override("en"):
        closed = rulebook.explain(user, "council.apply_empty_seat", _item(1))
        assert "closed on" in closed.reason and closed.kind == rulebook.RefusalKind.PHASE
        none = rulebook.explain(user, "council.apply_empty_seat", _item(20, empty_seat=False))
        assert "does not take empty-seat applications" in none.reason
        staff_only = rulebook.explain(user, "council.manage", None)
        assert "council secretariat" in staff_only.reason
