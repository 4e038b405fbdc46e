import pytest
from django.core.management import call_command

from surveys.demo import CLOSED_SLUG, INFO_SLUG, RESPONSES
from surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_has_every_kind(client, territory):
    call_command("load_demo_surveys")
    call_command("load_demo_surveys")
    info = Survey.objects.get(slug=INFO_SLUG)
    assert set(info.questions.values_list("kind", flat=True)) == {
        "single",
        "multiple",
        "scale",
        "short",
        "long",
    }
    assert info.phase() == "open" and info.responses.count() == RESPONSES
    closed = Survey.objects.get(slug=CLOSED_SLUG)
    assert closed.phase() == "closed" and closed.results_public
    assert Response.objects.filter(survey__in=[info, closed]).count() == RESPONSES + 24
    assert client.get(f"/encuestas/{INFO_SLUG}/").status_code == 200
    assert client.get(f"/encuestas/{CLOSED_SLUG}/resultados/").status_code == 200
    assert "Encuesta sobre la oferta y demanda" in client.get("/encuestas/").content.decode()
