"""Demo consultations for `make run`, one in each state: the city-wide participation
ordinance (open, two versions), Calderón's mobility ordinance (open, 34 articles and about
200 comments with replies, supports, an official answer, open flags and hidden comments),
Calderón's public-space ordinance (closed, with its report) and Tumbaco's waste ordinance
(closed, report pending).

Dates are relative to today. Idempotent: each consultation is looked up by its slug and
built once; a later run only moves the dates of an open one that has closed since (an older
database), so that it is open again.
"""

import datetime
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import Resident
from discussions import services as discussion_services
from home.models import HomePage
from territory.models import Parish, ZonePage

from . import services
from .models import ConsultationIndexPage, ConsultationPage, InPersonSession

DATA = Path(__file__).resolve().parent / "data"
WASTE_SLUG = "ordenanza-residuos-tumbaco"
WASTE_TEXT = (
    "ORDENANZA DE GESTIÓN DE RESIDUOS EN TUMBACO Y CUMBAYÁ\n\n"
    "Artículo 1.- Objeto.- Regular la separación, recolección y aprovechamiento de los "
    "residuos en las parroquias de Tumbaco y Cumbayá.\n"
    "Artículo 2.- Recolección diferenciada.- Los residuos orgánicos e inorgánicos se "
    "recogerán en días distintos, según el calendario de cada barrio.\n"
    "Artículo 3.- Puntos limpios.- Cada parroquia tendrá al menos dos puntos limpios para "
    "reciclables, aceite usado y pilas.\n"
    "Artículo 4.- Compostaje barrial.- La administración zonal apoyará las composteras "
    "comunitarias en parques y escuelas.\n"
    "DISPOSICIÓN FINAL\nEsta ordenanza entrará en vigencia a partir de su sanción."
)


def ensure_index() -> ConsultationIndexPage:
    index = ConsultationIndexPage.objects.first()
    if index is None:
        index = HomePage.objects.get().add_child(
            instance=ConsultationIndexPage(
                title="Consultas normativas",
                slug="consultas",
                intro="<p>Comente los proyectos de ordenanza artículo por artículo.</p>",
            )
        )
    return index


def _resident(email, name, parish_name):
    from privacy.consent import consent_ensure_current

    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user = user_model.objects.create_user(email=email, password=None)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        parish = Parish.objects.get(name=parish_name)
        Resident.objects.create(user=user, display_name=name, zone=parish.zone, parish=parish)
    consent_ensure_current(user)  # as sign-up records it: participation needs it
    return user


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _keep_open(slug, now) -> bool:
    """An open demo consultation that has closed since an older run opens again for as long
    as it was open. Returns whether its dates moved."""
    page = ConsultationPage.objects.filter(slug=slug).first()
    if page is None or page.closes_at > now:
        return False
    length = page.closes_at - page.opens_at
    ConsultationPage.objects.filter(pk=page.pk).update(
        opens_at=now - length / 3, closes_at=now + length * 2 / 3
    )
    return True


@transaction.atomic
def load_demo_consultations() -> list[str]:
    """Build what is missing; returns what it did (empty when everything was there)."""
    from home.demo import demo_accounts

    staff = demo_accounts()["staff"]  # refuses under the production settings
    done = []
    index = ensure_index()
    text = (DATA / "demo_ordenanza_participacion.txt").read_text(encoding="utf-8")
    now = timezone.now()
    if not ConsultationPage.objects.filter(slug="ordenanza-participacion-ciudadana").exists():
        page = _publish(
            index,
            ConsultationPage(
                title="Ordenanza de participación ciudadana",
                slug="ordenanza-participacion-ciudadana",
                summary="Proyecto de ordenanza que actualiza el sistema metropolitano de "
                "participación ciudadana: asambleas, presupuestos participativos y "
                "consultas en línea.",
                responsible_body="Comisión de Participación Ciudadana y Gobierno Abierto",
                opens_at=now - datetime.timedelta(days=10),
                closes_at=now + datetime.timedelta(days=20),
                draft_text=text,
            ),
        )
        maria = _resident("maria.demo@quitodecide.localhost", "María de Carapungo", "Calderón")
        jorge = _resident("jorge.demo@quitodecide.localhost", "Jorge (Chillogallo)", "Chillogallo")
        art3 = page.versions.get().provisions.get(key="art-3")
        first = discussion_services.comment_create(
            thread=art3.thread,
            author=maria,
            stance="favor",
            revision=1,
            body="Cuatro representantes por barrio es razonable, pero pedimos que al menos dos "
            "sean mujeres.",
            proposed_wording="Las asambleas barriales eligen cuatro representantes, con "
            "paridad de género.",
        )
        discussion_services.comment_create(
            thread=art3.thread,
            author=jorge,
            parent=first,
            revision=1,
            body="De acuerdo. En Chillogallo ya lo hacemos así.",
        )
        discussion_services.comment_create(
            thread=art3.thread,
            author=jorge,
            stance="contra",
            revision=1,
            body="El quórum de la mitad más uno es imposible en barrios grandes.",
        )
        done.append(page.url)
        page.draft_text = text.replace(
            "Artículo 3.- Las asambleas barriales eligen cuatro representantes.",
            "Artículo 3.- Las asambleas barriales eligen cuatro representantes, con paridad "
            "de género.",
        )
        page.save_revision().publish()
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    if not ConsultationPage.objects.filter(slug="ordenanza-espacio-publico-calderon").exists():
        page = _publish(
            zone_page,
            ConsultationPage(
                title="Ordenanza de uso del espacio público en Calderón",
                slug="ordenanza-espacio-publico-calderon",
                summary="Reglas para ferias, comercio autónomo y eventos en parques de Calderón.",
                responsible_body="Comisión de Uso de Suelo",
                opens_at=now - datetime.timedelta(days=60),
                closes_at=now - datetime.timedelta(days=5),
                draft_text="Artículo 1.- Objeto.- Regular el uso del espacio público.\n"
                "Artículo 2.- Ferias.- Las ferias requieren permiso de la administración "
                "zonal.\nDISPOSICIÓN FINAL\nEntra en vigencia con su publicación.",
                report_published=True,
                report_conclusions="<p>La comisión acoge la observación sobre ferias "
                "barriales.</p>",
            ),
        )
        InPersonSession.objects.create(
            consultation=page,
            held_on=(now - datetime.timedelta(days=20)).date(),
            place="Casa barrial de Carapungo",
            parish=Parish.objects.get(name="Calderón"),
            attendees=42,
        )
        services.version_publish(consultation=page)
        done.append(page.url)
    if not ConsultationPage.objects.filter(slug=MOBILITY_SLUG).exists():
        page = _publish(
            zone_page,
            ConsultationPage(
                title="Ordenanza de movilidad activa y transporte público en Calderón",
                slug=MOBILITY_SLUG,
                summary="Aceras de dos metros, cruces seguros, ciclovías hacia la Ecovía, "
                "paradas cubiertas y frecuencias nocturnas: el plan piloto de movilidad de "
                "Calderón y Llano Chico, artículo por artículo.",
                responsible_body="Comisión de Movilidad",
                opens_at=now - datetime.timedelta(days=18),
                closes_at=now + datetime.timedelta(days=25),
                requires_verified_residency=True,
                draft_text=mobility_text(),
            ),
        )
        services.version_publish(consultation=page)
        _mobility_comments(page, staff, now)
        done.append(page.url)
    tumbaco = ZonePage.objects.get(zone__slug="tumbaco")
    if not ConsultationPage.objects.filter(slug=WASTE_SLUG).exists():
        page = _publish(
            tumbaco,
            ConsultationPage(
                title="Ordenanza de gestión de residuos en Tumbaco y Cumbayá",
                slug=WASTE_SLUG,
                summary="Recolección diferenciada, puntos limpios y compostaje barrial en las "
                "parroquias del valle de Tumbaco.",
                responsible_body="Comisión de Ambiente",
                opens_at=now - datetime.timedelta(days=45),
                closes_at=now - datetime.timedelta(days=3),
                draft_text=WASTE_TEXT,
            ),
        )
        services.version_publish(consultation=page)
        neighbour = _resident("rosa.demo@quitodecide.localhost", "Rosa de Cumbayá", "Cumbayá")
        article = page.versions.get().provisions.get(key="art-2")
        comment = discussion_services.comment_create(
            thread=article.thread,
            author=neighbour,
            stance="favor",
            revision=1,
            body="La recolección diferenciada ya funciona en Lumbisí; que llegue a todo el valle.",
        )
        _backdate(comment, now - datetime.timedelta(days=30))
        done.append(page.url)
    if _keep_open("ordenanza-participacion-ciudadana", now):
        done.append("re-dated: ordenanza-participacion-ciudadana")
    if _keep_open(MOBILITY_SLUG, now):
        done.append(f"re-dated: {MOBILITY_SLUG}")
    return done


# --- the big consultation: 34 articles, about 200 comments ----------------------------------
MOBILITY_SLUG = "ordenanza-movilidad-activa-calderon"
MOBILITY_ARTICLES = [
    ("TÍTULO I", "DISPOSICIONES GENERALES"),
    (
        "Objeto",
        "Esta ordenanza regula la movilidad activa y el transporte público en la "
        "parroquia de Calderón y en Llano Chico, como plan piloto del Distrito Metropolitano.",
    ),
    (
        "Ámbito",
        "Se aplica a las vías, aceras, plazas, chaquiñanes y paradas de la "
        "Administración Zonal Calderón.",
    ),
    (
        "Principios",
        "La movilidad se rige por la seguridad vial, la accesibilidad universal, "
        "la equidad territorial, la sostenibilidad ambiental y la participación ciudadana.",
    ),
    (
        "Definiciones",
        "Para esta ordenanza, movilidad activa es la que se realiza a pie, en "
        "bicicleta o en otros vehículos de tracción humana.",
    ),
    (
        "Jerarquía de la movilidad",
        "Las obras y los planes darán prioridad, en este orden, a "
        "peatones, ciclistas, transporte público, transporte de carga y vehículos particulares.",
    ),
    ("TÍTULO II", "DE LOS PEATONES"),
    (
        "Aceras",
        "Toda acera nueva tendrá al menos dos metros de ancho libre de obstáculos; las "
        "existentes se ampliarán cuando se intervenga la vía.",
    ),
    (
        "Accesibilidad universal",
        "Las aceras, cruces y paradas tendrán rampas, pisos "
        "podotáctiles y pendientes aptas para personas con discapacidad y adultos mayores.",
    ),
    (
        "Cruces seguros",
        "Las intersecciones de la avenida Giovanni Calles y de la Panamericana "
        "Norte tendrán cruces a nivel señalizados y semaforizados.",
    ),
    (
        "Entornos escolares",
        "En un radio de doscientos metros de cada escuela se pacificará el "
        "tránsito en los horarios de entrada y salida.",
    ),
    (
        "Ocupación de aceras",
        "El comercio autónomo podrá ocupar la acera solo con permiso y "
        "dejando libre al menos un metro veinte para el paso.",
    ),
    (
        "Iluminación peatonal",
        "Los pasajes, escalinatas y paradas contarán con iluminación "
        "peatonal, priorizando los barrios con mayor inseguridad reportada.",
    ),
    (
        "Escalinatas y chaquiñanes",
        "La administración zonal mantendrá las escalinatas y los "
        "chaquiñanes que conectan los barrios altos con las vías principales.",
    ),
    ("TÍTULO III", "DE LA BICICLETA"),
    (
        "Red de ciclovías",
        "Se construirá una red de ciclovías segregadas que conecte Carapungo, "
        "el centro de Calderón, Llano Chico y la estación de transferencia.",
    ),
    (
        "Ciclovía de la Panamericana",
        "La ciclovía de la Panamericana Norte unirá Carapungo con "
        "la estación de Marín de la Ecovía en un plazo de tres años.",
    ),
    (
        "Estacionamientos para bicicletas",
        "Los mercados, escuelas, centros de salud y paradas "
        "principales tendrán estacionamientos seguros para bicicletas.",
    ),
    (
        "Bicicleta pública",
        "El sistema de bicicleta pública se extenderá a Calderón con al menos cinco estaciones.",
    ),
    (
        "Bicicletas de carga",
        "Se promoverá el uso de bicicletas de carga para el reparto en los "
        "mercados y ferias de la parroquia.",
    ),
    ("TÍTULO IV", "DEL TRANSPORTE PÚBLICO"),
    (
        "Paradas",
        "Cada parada tendrá cubierta, asiento, iluminación e información de rutas y frecuencias.",
    ),
    (
        "Frecuencias nocturnas",
        "Las rutas que sirven a Calderón mantendrán frecuencias de al "
        "menos treinta minutos hasta las veintitrés horas.",
    ),
    (
        "Alimentadores",
        "Los alimentadores conectarán los barrios con la estación de Carapungo y "
        "con el corredor de la Ecovía sin pago adicional.",
    ),
    (
        "Transporte escolar",
        "El transporte escolar respetará las paradas seguras que defina la "
        "administración zonal con las comunidades educativas.",
    ),
    (
        "Tarifa preferencial",
        "Estudiantes, adultos mayores y personas con discapacidad pagarán "
        "la tarifa preferencial en todas las rutas de la parroquia.",
    ),
    (
        "Seguridad en el transporte",
        "Las unidades y paradas contarán con protocolos contra el "
        "acoso y canales de denuncia atendidos las veinticuatro horas.",
    ),
    ("TÍTULO V", "DEL TRÁNSITO CALMADO"),
    (
        "Velocidad en los barrios",
        "La velocidad máxima en las calles locales de los barrios "
        "será de treinta kilómetros por hora.",
    ),
    (
        "Reductores de velocidad",
        "Los reductores se ubicarán con criterios técnicos y a pedido "
        "de las asambleas barriales, previa evaluación de la Agencia Metropolitana de Tránsito.",
    ),
    (
        "Carga y descarga",
        "La carga y descarga en el centro de Calderón se hará entre las veinte y las siete horas.",
    ),
    (
        "Estacionamiento en la vía",
        "Se prohíbe estacionar sobre las aceras; el estacionamiento "
        "en la calzada se ordenará con zonas tarifadas donde haga falta.",
    ),
    (
        "Mercados y ferias",
        "Los días de feria se cerrarán al tránsito las calles que defina la "
        "administración zonal, con desvíos señalizados.",
    ),
    ("TÍTULO VI", "DE LA PARTICIPACIÓN Y EL SEGUIMIENTO"),
    (
        "Comité de movilidad",
        "Se crea el comité parroquial de movilidad, con representantes de "
        "las asambleas barriales, las escuelas y los transportistas.",
    ),
    (
        "Auditorías de seguridad vial",
        "Cada año se auditará la seguridad vial de las diez vías "
        "con más siniestros, con participación del comité.",
    ),
    (
        "Datos abiertos",
        "Los siniestros de tránsito, los conteos de peatones y ciclistas y las "
        "obras de esta ordenanza se publicarán como datos abiertos.",
    ),
    (
        "Financiamiento",
        "Al menos el veinte por ciento del presupuesto participativo de obra "
        "vial de la zona se destinará a movilidad activa.",
    ),
    (
        "Sanciones",
        "Estacionar sobre la acera o en una ciclovía se sancionará con una multa "
        "del diez por ciento de un salario básico unificado.",
    ),
    (
        "Informe anual",
        "La administración zonal presentará cada año, en asamblea zonal, el "
        "informe de cumplimiento de esta ordenanza.",
    ),
]
MOBILITY_TAIL = (
    "DISPOSICIONES TRANSITORIAS\n"
    "PRIMERA.- En el plazo de ciento veinte días se aprobará el plan de ciclovías.\n"
    "SEGUNDA.- En el plazo de un año se adecuarán las paradas existentes.\n"
    "DISPOSICIÓN FINAL\n"
    "Esta ordenanza entrará en vigencia a partir de su sanción."
)


def mobility_text() -> str:
    lines = [
        "ORDENANZA DE MOVILIDAD ACTIVA Y TRANSPORTE PÚBLICO: PLAN PILOTO DE CALDERÓN",
        "",
        "EXPOSICIÓN DE MOTIVOS",
        "Calderón es la parroquia que más crece en el Distrito: sus vecinos pasan horas en "
        "el tránsito y caminan por aceras angostas o inexistentes.",
        "",
    ]
    number = 0
    for heading, body in MOBILITY_ARTICLES:
        if heading.startswith("TÍTULO"):
            lines += ["", heading, body, ""]
            continue
        number += 1
        lines.append(f"Artículo {number}.- {heading}.- {body}")
    return "\n".join(lines + ["", MOBILITY_TAIL])


_FIRST = (
    "María Rosa Luis Carmen Segundo Patricia Jorge Gladys Fernando Mercedes Wilson Blanca "
    "Ramiro Nancy Édison Lucía Marco Jessica Byron Verónica"
)
FIRST_NAMES = _FIRST.split()
_LAST = (
    "Quishpe Tipán Chicaiza Guamán Andrango Simbaña Cevallos Morales Pillajo Jácome Toapanta "
    "Lema Guachamín Pazmiño Caiza"
)
LAST_NAMES = _LAST.split()
BARRIOS = ["Carapungo", "Bellavista", "Marianitas", "Collas", "Zabala", "San José de Morán"]
FAVOR = [
    "Totalmente de acuerdo. En {barrio} caminamos por la calzada porque no hay acera.",
    "Apoyo este artículo: es lo que pedimos en la asamblea barrial del año pasado.",
    "Bien pensado. Ojalá se cumpla y no quede en el papel como otras ordenanzas.",
    "De acuerdo, y que se empiece por los barrios más alejados, no solo por el centro.",
    "Me parece justo. Mis hijos van a la escuela a pie y esto les da seguridad.",
    "Sí, por fin. Pido que el comité barrial pueda vigilar que se cumpla.",
    "Estoy a favor; en otras ciudades ya funciona y bajaron los accidentes.",
    "Apoyo. Sugiero que se publique un cronograma por barrio para saber cuándo llega.",
]
CONTRA = [
    "No estoy de acuerdo: primero hay que arreglar los huecos de las calles de {barrio}.",
    "Esto suena bien pero no dice de dónde sale la plata. Así no se puede aprobar.",
    "En {barrio} la mayoría usa carro o bus; esta medida nos va a complicar más.",
    "Me opongo. Los comerciantes de la feria no fuimos consultados sobre esto.",
    "Es muy ambicioso para el presupuesto de la zonal. Prefiero metas más realistas.",
    "No creo que funcione sin control: hoy ya existen reglas y nadie las respeta.",
]
QUESTIONS = [
    "¿Quién controla que esto se cumpla? ¿La Agencia de Tránsito o la zonal?",
    "¿Esto aplica también a las calles de tierra o solo a las asfaltadas?",
    "¿Cuál es el plazo? El artículo no lo dice.",
    "¿Se consultará a los barrios antes de hacer las obras?",
    "¿Hay un mapa de dónde se va a aplicar primero?",
]
REPLIES = [
    "Coincido con usted, en mi barrio pasa lo mismo.",
    "No es así: el artículo sí dice quién se encarga, léalo completo.",
    "Buena observación. Deberían incluirla en la próxima versión.",
    "En la asamblea de {barrio} se habló de esto y se pidió lo mismo.",
    "Yo pienso distinto: sin esta regla nada va a cambiar.",
    "Gracias por explicarlo, no lo había entendido así.",
]
WORDINGS = [
    "Añadir al final: «con un cronograma público por barrio».",
    "Cambiar «se promoverá» por «la administración zonal garantizará».",
    "Añadir: «previa consulta a la asamblea barrial correspondiente».",
]
HIDDEN = [
    (
        "Vendo lotes baratos en Calderón con escrituras, llame ya al 0990000000.",
        "spam",
        "Publicidad comercial, ajena a la consulta.",
    ),
    (
        "Todos los de la zonal son unos ladrones y vagos, no sirven para nada.",
        "ofensivo",
        "Insultos a personas; puede expresar su crítica sin agredir.",
    ),
    (
        "¿Alguien sabe a qué hora juega la Liga el domingo?",
        "fuera_de_tema",
        "No trata del artículo en consulta.",
    ),
]
FLAGGED_ONLY = 4  # flagged comments left for the zone's staff to review
MOBILITY_RESIDENTS = 40


def _neighbours(zone_page, count):
    """Verified residents of the zone who take part in the big consultation."""
    from accounts.models import Resident
    from privacy.consent import consent_ensure_current

    user_model = get_user_model()
    parishes = list(zone_page.zone.parishes.order_by("name"))
    users = []
    for number in range(count):
        email = f"vecino-consulta-{number}@quitodecide.localhost"
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model.objects.create_user(email=email)  # no usable password
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            parish = parishes[number % len(parishes)]
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
            Resident.objects.create(
                user=user,
                display_name=f"{first} {last}",
                zone=parish.zone,
                parish=parish,
                verification_status=Resident.Verification.VERIFIED,
                verification_method="demo",
                verified_at=timezone.now(),
            )
        consent_ensure_current(user)  # as sign-up records it: participation needs it
        users.append(user)
    return users


def _backdate(comment, when) -> None:
    from discussions.models import Comment

    Comment.objects.filter(pk=comment.pk).update(created_at=when)


def _mobility_comments(page, staff, now) -> None:
    """About 200 comments over the articles (more on the contested ones), with replies,
    proposed wordings, supports, an official answer, open flags and three hidden comments,
    all through the services; their dates spread over the days the consultation has been open."""
    import random

    from discussions.models import Flag

    rng = random.Random(20261201)  # noqa: S311 (a repeatable demo, not a secret)
    people = _neighbours(ZonePage.objects.get(pk=page.get_parent().pk), MOBILITY_RESIDENTS)
    keys = list(
        page.versions.get()
        .provisions.filter(thread__isnull=False)
        .exclude(key__startswith="disp")
        .values_list("key", flat=True)
    )
    keys = [k for k in keys if k.startswith("art-")]
    opened = page.opens_at
    span = (now - opened).total_seconds()
    written = []  # (comment, when)
    cursor = 0

    def when():
        return opened + datetime.timedelta(seconds=rng.uniform(0.02, 0.98) * span)

    def author():
        nonlocal cursor
        cursor += 1
        return people[(cursor * 7) % len(people)]

    for position, key in enumerate(keys):
        hot = position in (4, 6, 8, 12, 21, 26, 30)  # jerarquía, aceras, cruces, ciclovía...
        count = rng.randint(8, 12) if hot else rng.randint(2, 5)
        for _number in range(count):
            barrio = rng.choice(BARRIOS)
            pool, stance = rng.choice(
                [(FAVOR, "favor"), (FAVOR, "favor"), (CONTRA, "contra"), (QUESTIONS, "")]
            )
            comment = services.consultation_comment(
                consultation=page,
                user=author(),
                provision_key=key,
                stance=stance,
                body=rng.choice(pool).format(barrio=barrio),
                proposed_wording=rng.choice(WORDINGS) if stance and rng.random() < 0.15 else "",
            )
            stamp = when()
            _backdate(comment, stamp)
            written.append((comment, stamp))
    # Replies to about a quarter of them, a little later.
    for comment, stamp in rng.sample(written, len(written) // 4):
        reply = services.consultation_comment(
            consultation=page,
            user=author(),
            parent=comment,
            body=rng.choice(REPLIES).format(barrio=rng.choice(BARRIOS)),
        )
        _backdate(reply, min(stamp + datetime.timedelta(hours=rng.randint(1, 48)), now))
    # Supports: the first comments of the hot articles gather the most.
    for comment, _stamp in written:
        for supporter in rng.sample(people, rng.choice([0, 0, 0, 1, 1, 2, 3, 6])):
            if supporter.pk != comment.author_id:
                discussion_services.support_toggle(comment=comment, user=supporter)
    # An official answer from the zone's staff to the first question.
    question = next(c for c, _s in written if c.stance == "" and c.body.startswith("¿"))
    discussion_services.official_answer_create(
        parent=question,
        author=staff,
        body="La Administración Zonal Calderón coordinará con la Agencia Metropolitana de "
        "Tránsito; el plazo se fijará en el reglamento, que también se someterá a consulta.",
    )
    # Three comments hidden by the moderators after residents flagged them, with the public
    # reason; a few more flagged and waiting for the staff's review.
    for (body, reason, why), key in zip(HIDDEN, (keys[5], keys[12], keys[20]), strict=True):
        comment = services.consultation_comment(
            consultation=page, user=author(), provision_key=key, body=body
        )
        _backdate(comment, when())
        for flagger in people[:2]:
            discussion_services.flag_create(comment=comment, user=flagger, reason=reason)
        discussion_services.comment_hide(comment=comment, actor=staff, reason=why)
    for comment, _stamp in [w for w in written if w[0].stance == "contra"][:FLAGGED_ONLY]:
        flagger = next(p for p in people[-3:] if p.pk != comment.author_id)
        discussion_services.flag_create(comment=comment, user=flagger, reason=Flag.Reason.OFF_TOPIC)
