# ruff: noqa: E501  (the demo ordinance and its comments are prose, one line each)
"""The law-making demo: Calderón's urban tree ordinance, followed from the first draft to the
enacted text.

- Version 1 (ten articles) is commented on by neighbours and discussed at an in-person
  session.
- Version 2 inserts an article near the start ("Principios", so the later articles are
  renumbered), deletes the definitions, moves the neighbourhood participation article up
  and rewrites the pruning article after the comments; comments continue on it and at a
  second session.
- The consultation closes; every contribution gets its disposition, with a reason.
- The council enacts the ordinance (version 3, "PMQ-2026-014"), which takes up more of the
  contributions; its page shows what changed and which contributions were taken up.

Everything goes through the services (the zone's demo coordinator acts, MFA marked by
`demo_accounts`). Dates are relative to today. Idempotent: built once, looked up by slug.
Demo content is Spanish whatever the reader's language.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from territory.models import Parish, ZonePage

from . import enacted, services
from .demo import _backdate, _publish, _resident
from .models import ConsultationPage, Disposition, InPersonSession

SLUG = "ordenanza-arbolado-urbano-calderon"
ORDINANCE_NUMBER = "PMQ-2026-014"
TITLE = "ORDENANZA DE ARBOLADO URBANO DE CALDERÓN"
MOTIVES = (
    "EXPOSICIÓN DE MOTIVOS\n"
    "Calderón ha perdido buena parte de su arbolado con la expansión urbana de las últimas "
    "dos décadas; sus quebradas y parques necesitan reglas claras de cuidado y reposición."
)

# The articles, by a name of ours, as (heading, body) in each version.
OBJETO = (
    "Objeto",
    "Esta ordenanza regula la protección, plantación, poda y reposición del arbolado urbano de la parroquia de Calderón y de Llano Chico.",
)
PRINCIPIOS = (
    "Principios",
    "La gestión del arbolado se rige por la prevención, la preferencia por especies nativas, la participación vecinal y la transparencia.",
)
AMBITO_1 = (
    "Ámbito",
    "Se aplica a los árboles de calles, parques y plazas de la administración zonal.",
)
AMBITO_2 = (
    "Ámbito",
    "Se aplica a los árboles de calles, parques, plazas y quebradas urbanas de la administración zonal.",
)
DEFINICIONES = (
    "Definiciones",
    "Para esta ordenanza se entiende por arbolado urbano el conjunto de árboles y palmeras plantados en el espacio público; por poda, el corte de ramas; y por tala, el corte del árbol entero.",
)
INVENTARIO_1 = (
    "Inventario del arbolado",
    "La administración zonal levantará un inventario de los árboles del espacio público, con su especie, su estado y su ubicación.",
)
INVENTARIO_3 = (
    "Inventario del arbolado",
    "La administración zonal levantará un inventario de los árboles del espacio público, con su especie, su estado y su ubicación, y lo publicará como datos abiertos cada año.",
)
NATIVAS_1 = (
    "Especies nativas",
    "En las nuevas plantaciones se preferirán especies nativas de los Andes.",
)
NATIVAS_2 = (
    "Especies nativas",
    "En las nuevas plantaciones se preferirán especies nativas de los Andes, como el arrayán, el cholán y el pumamaqui.",
)
PODA_1 = (
    "Poda",
    "La poda del arbolado la realizarán las cuadrillas de la administración zonal cuando sea necesaria.",
)
PODA_2 = (
    "Poda",
    "La poda del arbolado la realizará personal certificado de la administración zonal cuando sea necesaria, sin desmochar los árboles.",
)
PODA_3 = (
    "Poda",
    "La poda del arbolado la realizará personal certificado de la administración zonal cuando sea necesaria, sin desmochar los árboles y fuera de la época de anidación; se anunciará al barrio con una semana de anticipación.",
)
TALA_1 = (
    "Tala",
    "La tala de un árbol del espacio público requiere autorización de la administración zonal.",
)
TALA_3 = (
    "Tala",
    "La tala de un árbol del espacio público requiere autorización de la administración zonal, previo informe técnico que se publicará antes de la tala, salvo riesgo inminente.",
)
COMPENSACION_1 = (
    "Compensación",
    "Por cada árbol talado se plantarán tres árboles en el espacio público.",
)
COMPENSACION_3 = (
    "Compensación",
    "Por cada árbol talado se plantarán cinco árboles nativos en el espacio público de la misma parroquia, con riego los dos primeros años.",
)
PARTICIPACION_1 = (
    "Participación vecinal",
    "Los vecinos podrán proponer plantaciones a la administración zonal.",
)
PARTICIPACION_2 = (
    "Participación vecinal",
    "Los vecinos y los comités barriales podrán proponer plantaciones y adoptar árboles del espacio público, cuyo cuidado acordarán con la administración zonal.",
)
SANCIONES_1 = (
    "Sanciones",
    "Talar sin autorización un árbol del espacio público se sancionará con una multa de un salario básico unificado.",
)
SANCIONES_3 = (
    "Sanciones",
    "Talar sin autorización un árbol del espacio público se sancionará con una multa de un salario básico unificado por árbol, y de tres cuando lo haga una empresa constructora.",
)
TAIL = (
    "DISPOSICIONES TRANSITORIAS\n"
    "PRIMERA.- El inventario del arbolado se levantará en el plazo de un año.\n"
    "DISPOSICIÓN FINAL\n"
    "Esta ordenanza entrará en vigencia a partir de su sanción."
)

VERSION_1 = [OBJETO, AMBITO_1, DEFINICIONES, INVENTARIO_1, NATIVAS_1, PODA_1, TALA_1, COMPENSACION_1, PARTICIPACION_1, SANCIONES_1]  # fmt: skip
# Inserts Principios (2), deletes Definiciones, moves Participación up, edits Ámbito,
# Especies nativas and Poda.
VERSION_2 = [OBJETO, PRINCIPIOS, AMBITO_2, INVENTARIO_1, PARTICIPACION_2, NATIVAS_2, PODA_2, TALA_1, COMPENSACION_1, SANCIONES_1]  # fmt: skip
# The enacted text: the council takes up more of the contributions.
VERSION_3 = [OBJETO, PRINCIPIOS, AMBITO_2, INVENTARIO_3, PARTICIPACION_2, NATIVAS_2, PODA_3, TALA_3, COMPENSACION_3, SANCIONES_3]  # fmt: skip


def ordinance_text(articles) -> str:
    lines = [TITLE, "", MOTIVES, ""]
    lines += [
        f"Artículo {number}.- {heading}.- {body}"
        for number, (heading, body) in enumerate(articles, start=1)
    ]
    return "\n".join([*lines, "", TAIL])


ACCEPTED, PARTIAL, REJECTED, OUT = (
    Disposition.Outcome.ACCEPTED,
    Disposition.Outcome.PARTIAL,
    Disposition.Outcome.REJECTED,
    Disposition.Outcome.OUT_OF_SCOPE,
)

PEOPLE = [
    ("ana.arbolado@quitodecide.localhost", "Ana Quishpe", "Calderón"),
    ("luis.arbolado@quitodecide.localhost", "Luis Tipán (Carapungo)", "Calderón"),
    ("carmen.arbolado@quitodecide.localhost", "Carmen Andrango", "Llano Chico"),
    ("wilson.arbolado@quitodecide.localhost", "Wilson Simbaña", "Calderón"),
    ("gladys.arbolado@quitodecide.localhost", "Gladys Pillajo", "Llano Chico"),
    ("byron.arbolado@quitodecide.localhost", "Byron Cevallos", "Calderón"),
    ("nancy.arbolado@quitodecide.localhost", "Nancy Lema", "Llano Chico"),
]

# (days after opening, person, article key in that version or "" for the whole text, stance,
#  body, proposed wording, (outcome, reason))
COMMENTS_V1 = [
    (
        2,
        0,
        "art-1",
        "favor",
        "Muy necesaria. En Carapungo se han talado los eucaliptos de la avenida sin explicar nada a nadie.",
        "",
        (ACCEPTED, ""),
    ),
    (
        3,
        2,
        "art-2",
        "",
        "Que el ámbito incluya también las quebradas urbanas, que son las que más se están perdiendo.",
        "Se aplica a los árboles de calles, parques, plazas y quebradas urbanas.",
        (ACCEPTED, ""),
    ),
    (
        4,
        1,
        "art-3",
        "contra",
        "Las definiciones son muy técnicas y repiten las del Código Municipal; mejor quitarlas.",
        "",
        (ACCEPTED, ""),
    ),
    (
        5,
        5,
        "art-3",
        "",
        "Falta definir qué es un árbol patrimonial.",
        "",
        (
            REJECTED,
            "La definición de árbol patrimonial ya consta en el Código Municipal, al que la ordenanza se remite.",
        ),
    ),
    (
        6,
        3,
        "art-5",
        "favor",
        "Que se nombren las especies: arrayán, cholán, pumamaqui. Si no, siguen plantando ornamentales que no dan sombra.",
        "En las nuevas plantaciones se preferirán especies nativas de los Andes, como el arrayán, el cholán y el pumamaqui.",
        (ACCEPTED, ""),
    ),
    (
        7,
        4,
        "art-6",
        "contra",
        "Las cuadrillas dejan los árboles mochos. La poda debe hacerla gente capacitada.",
        "La poda la realizará personal certificado, sin desmochar los árboles.",
        (ACCEPTED, ""),
    ),
    (
        8,
        6,
        "art-6",
        "",
        "¿Quién poda los árboles que tocan los cables? La Empresa Eléctrica corta como quiere.",
        "",
        (
            PARTIAL,
            "El texto sancionado pide coordinar con la Empresa Eléctrica Quito; la forma de poda de la empresa no es competencia de esta ordenanza.",
        ),
    ),
    (
        9,
        1,
        "art-7",
        "contra",
        "La tala debería estar prohibida salvo que el árbol sea un peligro comprobado.",
        "",
        (
            PARTIAL,
            "Se exige un informe técnico público antes de cada tala; una prohibición general impediría obras necesarias.",
        ),
    ),
    (
        10,
        2,
        "art-8",
        "contra",
        "Tres árboles por cada uno talado es muy poco: que sean cinco y de especies nativas.",
        "Por cada árbol talado se plantarán cinco árboles de especies nativas.",
        (ACCEPTED, ""),
    ),
    (
        11,
        0,
        "art-9",
        "favor",
        "Que los comités barriales puedan adoptar árboles y cuidarlos.",
        "",
        (ACCEPTED, ""),
    ),
    (
        12,
        3,
        "art-10",
        "contra",
        "Un salario básico no es nada para una constructora que tala diez árboles.",
        "",
        (
            PARTIAL,
            "La multa se cobra por árbol y se triplica para las empresas constructoras; no se acoge el monto propuesto de diez salarios.",
        ),
    ),
    (
        13,
        5,
        "",
        "favor",
        "Excelente iniciativa. Calderón necesita más sombra en sus calles.",
        "",
        (ACCEPTED, ""),
    ),
    (
        14,
        6,
        "",
        "",
        "Pido que también se controle la basura en los lotes baldíos.",
        "",
        (
            OUT,
            "Los lotes baldíos se regulan en la ordenanza de gestión de residuos y en la de uso de suelo.",
        ),
    ),
]
COMMENTS_V2 = [
    (
        22,
        4,
        "art-2",
        "",
        "Añadir el principio de justicia climática.",
        "",
        (
            REJECTED,
            "El principio de sostenibilidad del Código Municipal ya lo abarca; la comisión prefirió no duplicarlo.",
        ),
    ),
    (
        23,
        0,
        "art-4",
        "favor",
        "El inventario debe ser público, en datos abiertos, para que los barrios lo revisen.",
        "",
        (ACCEPTED, ""),
    ),
    (
        24,
        2,
        "art-5",
        "favor",
        "Bien que la participación vecinal esté ahora al inicio de la ordenanza.",
        "",
        (ACCEPTED, ""),
    ),
    (
        25,
        3,
        "art-7",
        "favor",
        "Mucho mejor. Que cada poda se avise al barrio con una semana de anticipación.",
        "Cada poda se anunciará al barrio con una semana de anticipación.",
        (ACCEPTED, ""),
    ),
    (
        26,
        5,
        "art-8",
        "",
        "Que el informe técnico de cada tala se publique antes de talar.",
        "",
        (ACCEPTED, ""),
    ),
    (
        27,
        1,
        "art-9",
        "",
        "La compensación debe plantarse en el mismo barrio donde se taló.",
        "",
        (
            PARTIAL,
            "Se plantará en la misma parroquia: en muchos barrios no hay espacio público para cinco árboles.",
        ),
    ),
    (
        28,
        6,
        "art-10",
        "contra",
        "Que las multas vayan a un fondo verde para plantar más árboles.",
        "",
        (
            REJECTED,
            "El destino de las multas lo fija la ordenanza de presupuesto; esta ordenanza no puede asignarlo.",
        ),
    ),
]
# (days after opening, version, place, parish, attendees, [(key, stance, text, disposition)])
SESSIONS = [
    (16, 1, "Casa barrial de Carapungo", "Calderón", 38, [
        ("art-6", "contra", "Los vecinos piden que no se pode en la época de anidación de los pájaros.", (ACCEPTED, "")),
        ("", "contra", "Preocupa que la ordenanza genere costos para los vecinos que tienen árboles frente a su casa.", (REJECTED, "La ordenanza regula el arbolado del espacio público, a cargo de la administración zonal; no impone costos a los vecinos.")),
    ]),
    (30, 2, "Junta parroquial de Llano Chico", "Llano Chico", 24, [
        ("art-9", "favor", "Que la compensación incluya el riego de los árboles nuevos los primeros dos años.", (ACCEPTED, "")),
        ("art-4", "neutral", "Preguntan si el inventario incluirá los árboles de las escuelas.", (OUT, "Los árboles de las escuelas dependen del Ministerio de Educación, no de la administración zonal.")),
    ]),
]  # fmt: skip


@transaction.atomic
def load_demo_lawmaking() -> list[str]:
    """Build the tree ordinance if it is not there; returns the URLs made (empty otherwise)."""
    from home.demo import demo_accounts

    staff = demo_accounts()["staff"]  # refuses under the production settings; MFA marked
    if ConsultationPage.objects.filter(slug=SLUG).exists():
        return []
    now = timezone.now()
    opened = now - datetime.timedelta(days=50)
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    page = _publish(
        zone_page,
        ConsultationPage(
            title="Ordenanza de arbolado urbano de Calderón",
            slug=SLUG,
            summary="Protección, poda, tala y reposición de los árboles de calles, parques y "
            "quebradas de Calderón y Llano Chico: del primer borrador a la ordenanza "
            "sancionada por el Concejo.",
            responsible_body="Comisión de Ambiente",
            opens_at=opened,
            closes_at=now + datetime.timedelta(days=5),  # open while it is commented on
            draft_text=ordinance_text(VERSION_1),
        ),
    )
    people = [_resident(email, name, parish) for email, name, parish in PEOPLE]
    decisions = []  # (contribution, (outcome, reason))

    def comment(days, who, key, stance, body, wording, disposition):
        written = services.consultation_comment(
            consultation=page,
            user=people[who],
            provision_key=key,
            stance=stance,
            body=body,
            proposed_wording=wording,
        )
        _backdate(written, opened + datetime.timedelta(days=days, hours=who))
        decisions.append((written, disposition))

    def session(days, place, parish, attendees, observations):
        held = InPersonSession.objects.create(
            consultation=page,
            held_on=(opened + datetime.timedelta(days=days)).date(),
            place=place,
            parish=Parish.objects.get(name=parish),
            attendees=attendees,
        )
        for key, stance, text, disposition in observations:
            observation = services.observation_record(
                session=held, actor=staff, text=text, provision_key=key, stance=stance
            )
            decisions.append((observation, disposition))

    for row in COMMENTS_V1:
        comment(*row)
    for days, version, place, parish, attendees, observations in SESSIONS:
        if version == 1:
            session(days, place, parish, attendees, observations)
    # Version 2: the staff publish the revised draft; its articles are matched to version
    # 1's by content, so comments stay with their article through the renumbering.
    page.draft_text = ordinance_text(VERSION_2)
    page.save_revision().publish()
    page = ConsultationPage.objects.get(pk=page.pk)
    for row in COMMENTS_V2:
        comment(*row)
    for days, version, place, parish, attendees, observations in SESSIONS:
        if version == 2:
            session(days, place, parish, attendees, observations)
    # The consultation closed two weeks ago; the dispositions follow.
    ConsultationPage.objects.filter(pk=page.pk).update(closes_at=now - datetime.timedelta(days=14))
    page = ConsultationPage.objects.get(pk=page.pk)
    _dispose(page, staff, decisions)
    enacted.enacted_attach(
        consultation=page,
        actor=staff,
        text=ordinance_text(VERSION_3),
        enacted_on=timezone.localdate() - datetime.timedelta(days=3),
        ordinance_number=ORDINANCE_NUMBER,
    )
    return [page.url, page.url + page.reverse_subpage("enacted_text")]


def _dispose(page, staff, decisions) -> None:
    """Every contribution's disposition, through the service (audit, e-mails), grouped by
    the same outcome and reason as staff do it in bulk."""
    from collections import defaultdict

    from discussions.models import Comment

    from .dispositions import disposition_set

    groups = defaultdict(lambda: ([], []))
    for contribution, (outcome, reason) in decisions:
        comments, observations = groups[(outcome, reason)]
        (comments if isinstance(contribution, Comment) else observations).append(contribution.pk)
    for (outcome, reason), (comments, observations) in groups.items():
        disposition_set(
            consultation=page,
            actor=staff,
            outcome=outcome,
            reason=reason,
            comments=comments,
            observations=observations,
        )
