"""Demo surveys: the open-government report's survey on the supply of and demand for
public information (open now, city-wide, every kind of question, ~30 answers) and a closed
survey with public results. Idempotent: run again, nothing is duplicated."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from territory.models import Zone

from . import services
from .models import Choice, Question, Survey

INFO_SLUG = "oferta-demanda-informacion-publica"
CLOSED_SLUG = "parques-eugenio-espejo-2026"
RESPONSES = 30

INFO_QUESTIONS = [
    (
        "single",
        "¿Con qué frecuencia busca información pública del Municipio?",
        "",
        True,
        ["Cada semana", "Cada mes", "Algunas veces al año", "Nunca"],
    ),
    (
        "multiple",
        "¿Qué información le interesa más?",
        "Marque todas las que correspondan.",
        True,
        ["Presupuesto y gasto", "Obras públicas", "Contratación", "Trámites", "Concejo"],
    ),
    (
        "scale",
        "¿Qué tan fácil es encontrar la información que busca?",
        "1 = muy difícil, 5 = muy fácil",
        True,
        [],
    ),
    ("short", "¿Qué dato buscó por última vez y no encontró?", "", False, []),
    (
        "long",
        "¿Qué mejoraría en la forma en que el Municipio publica su información?",
        "",
        False,
        [],
    ),
]
CLOSED_QUESTIONS = [
    ("scale", "¿Cómo califica el estado de los parques de su barrio?", "", True, []),
    (
        "single",
        "¿Qué mejora prefiere?",
        "",
        True,
        ["Iluminación", "Juegos infantiles", "Áreas verdes", "Seguridad"],
    ),
    ("long", "Comentarios", "", False, []),
]
TEXTS = [
    "El detalle de las obras de mi barrio.",
    "Los contratos de recolección de basura.",
    "Horarios de atención de la administración zonal.",
    "",
]


def _survey(slug, title, intro, zone, opens_at, closes_at, questions, results_public=True):
    survey = Survey.objects.filter(slug=slug).first()
    if survey is not None:
        return survey
    survey = Survey.objects.create(
        slug=slug,
        title=title,
        intro=intro,
        zone=zone,
        opens_at=opens_at,
        closes_at=closes_at,
        is_published=True,
        results_public=results_public,
    )
    for position, (kind, text, help_text, required, labels) in enumerate(questions, start=1):
        question = Question.objects.create(
            survey=survey,
            position=position,
            kind=kind,
            text=text,
            help_text=help_text,
            required=required,
        )
        for n, label in enumerate(labels, start=1):
            Choice.objects.create(question=question, position=n, label=label)
    return survey


def _answers(survey, rng):
    data = {}
    for question in survey.questions.prefetch_related("choices"):
        ids = [c.pk for c in question.choices.all()]
        if question.kind == "single":
            data[question.pk] = rng.choice(ids)
        elif question.kind == "multiple":
            data[question.pk] = rng.sample(ids, rng.randint(1, 3))
        elif question.kind == "scale":
            data[question.pk] = rng.choice([2, 3, 3, 4, 4, 5])
        else:
            data[question.pk] = rng.choice(TEXTS)
    return data


def _fill(survey, count, rng):
    """Demo answers keyed "demo-resident:<n>" (no accounts needed), through the
    validation of the services."""
    opened = survey.responses.count()
    for n in range(opened, count):
        response = services._save(survey, f"demo-resident:{n}", _answers(survey, rng))
        survey.responses.filter(pk=response.pk).update(
            submitted_at=survey.opens_at + datetime.timedelta(hours=3 * n + 1)
        )


@transaction.atomic
def load_demo_surveys() -> list[str]:
    rng = random.Random(14)  # noqa: S311 (demo data, not a secret)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    info = _survey(
        INFO_SLUG,
        "Encuesta sobre la oferta y demanda de información pública",
        "El Municipio de Quito quiere saber qué información pública busca usted, dónde la "
        "busca y qué tan fácil le resulta encontrarla. Sus respuestas son anónimas.",
        None,
        now - 10 * day,
        now + 30 * day,
        INFO_QUESTIONS,
    )
    espejo = Zone.objects.filter(slug="eugenio-espejo").first() or Zone.objects.first()
    closed = _survey(
        CLOSED_SLUG,
        "Parques de Eugenio Espejo",
        "Consulta sobre el estado de los parques de la zona.",
        espejo,
        now - 60 * day,
        now - 20 * day,
        CLOSED_QUESTIONS,
    )
    # Answers are written while the survey is open (the demo writes them through the
    # service's validation, without the rule book's dates).
    _fill(info, RESPONSES, rng)
    _fill(closed, 24, rng)
    return [
        f"/encuestas/{info.slug}/",
        f"/encuestas/{closed.slug}/resultados/",
    ]
