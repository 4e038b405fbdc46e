"""Building consultations for tests."""

import datetime

from django.utils import timezone

from consultations.demo import ensure_index
from consultations.models import ConsultationPage

ORDINANCE = """ORDENANZA DE PRUEBA

TÍTULO I
DISPOSICIONES GENERALES DE LA ORDENANZA

Artículo 1.- Objeto.- Regular la participación ciudadana en el Distrito.
Art. 2.- Ámbito.- Se aplica en las 65 parroquias.
Artículo 3.- Asambleas.- Las asambleas barriales eligen cuatro representantes.

DISPOSICIONES TRANSITORIAS
Primera.- El reglamento se expedirá en noventa días.
"""


def make_consultation(
    parent=None, *, slug="consulta", text=ORDINANCE, opens=-1, closes=10, **extra
):
    now = timezone.now()
    parent = parent or ensure_index()
    page = ConsultationPage(
        title="Ordenanza de prueba",
        slug=slug,
        summary="Resumen.",
        responsible_body="Comisión de Participación",
        draft_text=text,
        opens_at=now + datetime.timedelta(days=opens),
        closes_at=now + datetime.timedelta(days=closes),
        **extra,
    )
    parent.add_child(instance=page)
    page.save_revision().publish()
    return ConsultationPage.objects.get(pk=page.pk)
