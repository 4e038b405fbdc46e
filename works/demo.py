"""Demo public works for `make run`: about sixty works across the ten zones, in every status,
with dated updates over the last eighteen months, photos, follow-up committees, contractors,
residents' observations (one work where residents contradict the official status), and the
works that the published demo budget results create.

Everything goes through `works.services` (so the rule book and the status rules apply), as
the zone's staff. Two things a real work cannot do are done by hand, here only:

- `work_create` stamps today on a work's first update ("Work registered."); the demo moves
  that first update back to the day the work was registered, before posting the rest, so
  every later update is checked by the services as usual (dates forward, never future).
- Residents' observations get their dates moved back after they are posted (the services
  stamp "now"), so they spread over the work's life.

Deterministic (a seeded random, and dates counted back from today) and idempotent: nothing
is done when the demo works (codes starting with DEMO-) already exist.
"""

import datetime
import io
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont, ImageOps

from accounts.cedula import check_digit
from accounts.models import Resident
from discussions.models import Comment
from quitodecide.mfa import mark_user
from territory.models import Parish, Zone
from territory.services import zone_group_name

from . import services, veeduria
from .models import CommitteeMember, Observation, Work, WorkUpdate
from .status import WorkStatus

S = WorkStatus
CODE_PREFIX = "DEMO-"
SEED = 20261201
MAX_DAYS_BACK = 540  # about eighteen months
STAFF_EMAIL = "obras.{slug}@quitodecide.localhost"
RESIDENT_EMAIL = "veedor-{slug}-{number}@quitodecide.localhost"
RESIDENTS_PER_ZONE = 5

# --- what the works are ---------------------------------------------------------------------
# kind: (lowest and highest assigned amount in USD, who builds it, planned duration in days)
KINDS = {
    "adoquinado": ((90_000, 260_000), "zone", (120, 210)),
    "casa_comunal": ((120_000, 320_000), "zone", (180, 300)),
    "cancha": ((45_000, 120_000), "zone", (90, 150)),
    "muro": ((150_000, 450_000), "EPMMOP", (150, 270)),
    "alumbrado": ((30_000, 95_000), "EEQ", (60, 120)),
    "graderios": ((60_000, 160_000), "zone", (90, 180)),
    "parque": ((40_000, 110_000), "zone", (90, 150)),
    "aceras": ((50_000, 150_000), "zone", (90, 180)),
    "escalinatas": ((35_000, 100_000), "zone", (60, 150)),
    "alcantarillado": ((120_000, 380_000), "EPMAPS", (150, 270)),
    "puente": ((180_000, 520_000), "EPMMOP", (180, 330)),
}
UNITS = {
    "EPMMOP": "EPMMOP – Empresa Pública Metropolitana de Movilidad y Obras Públicas",
    "EPMAPS": "EPMAPS Agua de Quito",
    "EEQ": "Empresa Eléctrica Quito",
}
# For contract numbers: the contracting unit's initials.
UNIT_CODES = {
    "EPMMOP": "EPMMOP",
    "EPMAPS": "EPMAPS",
    "EEQ": "EEQ",
    "calderon": "AZCA",
    "eugenio-espejo": "AZEE",
    "manuela-saenz": "AZMS",
    "eloy-alfaro": "AZEA",
    "quitumbe": "AZQ",
    "la-delicia": "AZLD",
    "tumbaco": "AZT",
    "los-chillos": "AZLCH",
    "choco-andino": "AZCHA",
    "la-mariscal": "AZLM",
}
DESCRIPTIONS = {
    "adoquinado": (
        "Adoquinado de {metres} m de calzada con bordillos, cunetas y sumideros para el agua "
        "lluvia. La calle es de tierra y en invierno se vuelve intransitable. Beneficia a unas "
        "{families} familias del barrio {barrio}."
    ),
    "casa_comunal": (
        "Casa comunal de dos plantas con salón de uso múltiple, cocina, baterías sanitarias "
        "accesibles y oficina para la directiva barrial. Beneficia a unas {families} familias."
    ),
    "cancha": (
        "Cancha de uso múltiple (fútbol, ecuavóley y básquet) de hormigón, con cerramiento de "
        "malla, iluminación y drenaje. Espacio de encuentro para unas {families} familias."
    ),
    "muro": (
        "Muro de contención de hormigón armado de {metres} m de largo para estabilizar el "
        "talud y proteger las viviendas cercanas de deslizamientos en la época lluviosa."
    ),
    "alumbrado": (
        "Alumbrado público con luminarias LED en {metres} m de vía, para que los vecinos, "
        "sobre todo mujeres y estudiantes, caminen seguros por la noche."
    ),
    "graderios": (
        "Graderíos de hormigón para unas {seats} personas y cubierta metálica sobre la "
        "cancha, para los campeonatos barriales y los actos de la comunidad."
    ),
    "parque": (
        "Parque infantil con juegos inclusivos, piso de caucho, bancas, basureros y "
        "jardineras con plantas nativas. Beneficia a unas {families} familias con niños."
    ),
    "aceras": (
        "Aceras de {metres} m con rampas en las esquinas, bordillos y pasos cebra, para que "
        "peatones, personas con discapacidad y coches de bebé circulen con seguridad."
    ),
    "escalinatas": (
        "Escalinatas de hormigón de {metres} m con pasamanos, descansos e iluminación, que "
        "acortan el camino de los vecinos a la parada del bus y a la escuela."
    ),
    "alcantarillado": (
        "Red de alcantarillado combinado de {metres} m con pozos de revisión y conexiones "
        "domiciliarias, para dejar atrás los pozos sépticos. Beneficia a unas {families} "
        "familias."
    ),
    "puente": (
        "Puente de {metres} m de luz, con estructura de hormigón y pasamanos, que reemplaza "
        "el paso provisional de madera que usan la comunidad y los estudiantes."
    ),
}

# The municipal works: zone | parish | barrio | title | kind | the status they reach.
# La Mariscal holds no whole parish: see _la_mariscal_work.
WORKS_TABLE = """
eugenio-espejo | Comité del Pueblo | Comité del Pueblo N.º 1 | Adoquinado de la calle Jorge Garcés, Comité del Pueblo | adoquinado | en_ejecucion
eugenio-espejo | Zámbiza | Centro | Casa comunal de Zámbiza | casa_comunal | finalizada
eugenio-espejo | Cochapamba | San José de Cochapamba | Muro de contención en la quebrada El Colegio | muro | suspendida
eugenio-espejo | Nayón | Tanda | Escalinatas de Tanda hacia la vía a Nayón | escalinatas | en_contratacion
eugenio-espejo | Guayllabamba | Santa Rosa | Cancha de uso múltiple del barrio Santa Rosa | cancha | planificada
eugenio-espejo | Kennedy | La Kennedy | Parque infantil de la calle Vicente Duque, La Kennedy | parque | finalizada
eloy-alfaro | Chilibulo | Marcopamba | Muro de contención en la calle Quimiag, Marcopamba | muro | en_ejecucion
eloy-alfaro | La Argelia | Argelia Alta | Escalinatas de la calle Yanacocha, Argelia Alta | escalinatas | finalizada
eloy-alfaro | Solanda | Solanda sector 3 | Graderíos y cubierta de la cancha del sector 3 de Solanda | graderios | en_ejecucion
eloy-alfaro | La Ferroviaria | Ferroviaria Alta | Alumbrado público en la calle Cóndor Ñan | alumbrado | finalizada
eloy-alfaro | Lloa | San José del Cinto | Adoquinado de la vía a San José del Cinto | adoquinado | cancelada
eloy-alfaro | La Mena | Mena Dos | Casa comunal de Mena Dos | casa_comunal | planificada
quitumbe | Guamaní | Caupicho | Adoquinado de la calle S58 Los Cedros, Caupicho | adoquinado | en_ejecucion
quitumbe | Chillogallo | Santa Rita | Alcantarillado del barrio Santa Rita | alcantarillado | suspendida
quitumbe | Turubamba | Turubamba de Monjas | Parque infantil de Turubamba de Monjas | parque | en_contratacion
quitumbe | La Ecuatoriana | La Ecuatoriana | Aceras y bordillos de la avenida principal de La Ecuatoriana | aceras | finalizada
quitumbe | Quitumbe | Las Cuadras | Cancha de uso múltiple de Las Cuadras | cancha | planificada
la-delicia | Carcelén | Carcelén Bajo | Cancha de uso múltiple de Carcelén Bajo | cancha | finalizada
la-delicia | El Condado | Pisulí | Muro de contención en la quebrada de Pisulí | muro | en_ejecucion
la-delicia | Pomasqui | Centro | Aceras de la calle Quito, centro de Pomasqui | aceras | en_contratacion
la-delicia | San Antonio | Caspigasí | Alumbrado público en la vía a Caspigasí | alumbrado | suspendida
la-delicia | Cotocollao | La Delicia | Casa comunal del barrio La Delicia | casa_comunal | cancelada
los-chillos | Conocoto | La Armenia | Adoquinado de la calle Los Arupos, La Armenia | adoquinado | finalizada
los-chillos | Alangasí | El Tingo | Graderíos de la cancha de El Tingo | graderios | en_ejecucion
los-chillos | Amaguaña | Cuendina | Puente peatonal sobre el río San Pedro en Cuendina | puente | en_contratacion
los-chillos | Píntag | Centro | Casa comunal de la parroquia Píntag | casa_comunal | en_ejecucion
los-chillos | Guangopolo | Centro | Parque infantil de Guangopolo | parque | planificada
manuela-saenz | Centro Histórico | San Roque | Rehabilitación de las escalinatas de la calle Chimborazo, San Roque | escalinatas | en_ejecucion
manuela-saenz | Puengasí | Monjas | Muro de contención en la calle Camilo Orejuela, Monjas | muro | suspendida
manuela-saenz | Itchimbía | La Vicentina | Parque infantil del barrio La Vicentina | parque | finalizada
manuela-saenz | San Juan | San Juan Alto | Alumbrado público en las escalinatas de San Juan Alto | alumbrado | planificada
manuela-saenz | La Libertad | La Libertad Alta | Cancha de uso múltiple de La Libertad Alta | cancha | en_contratacion
choco-andino | Nanegalito | Centro | Graderíos y cubierta del coliseo de Nanegalito | graderios | finalizada
choco-andino | Pacto | Centro | Puente vehicular sobre el río Pachijal | puente | suspendida
choco-andino | Gualea | Gualea Cruz | Casa comunal de Gualea Cruz | casa_comunal | en_ejecucion
choco-andino | Nono | Centro | Adoquinado de la calle principal de Nono | adoquinado | en_contratacion
choco-andino | Calacalí | Centro | Aceras y bordillos de la calle Simón Bolívar, Calacalí | aceras | planificada
la-mariscal | Mariscal Sucre | La Mariscal | Alumbrado ornamental de la plaza Foch | alumbrado | finalizada
la-mariscal | Mariscal Sucre | La Mariscal | Aceras de la calle Reina Victoria entre Foch y Colón | aceras | en_ejecucion
la-mariscal | Mariscal Sucre | La Mariscal | Renovación del parque infantil Gabriela Mistral | parque | planificada
calderon | Calderón | Oyacoto | Muro de contención en la quebrada de Oyacoto | muro | en_ejecucion
calderon | Llano Chico | San Miguel | Escalinatas de San Miguel hacia la escuela | escalinatas | finalizada
tumbaco | Tumbaco | Collaquí | Adoquinado de la calle Francisco de Orellana, Collaquí | adoquinado | suspendida
tumbaco | Puembo | Centro | Cancha de uso múltiple de Puembo | cancha | cancelada
"""  # noqa: E501
WORKS = [
    tuple(cell.strip() for cell in line.split("|")) for line in WORKS_TABLE.strip().splitlines()
]
# Works where residents contradict the official status in the last 30 days (the alert).
CONTRADICTED = {
    "Adoquinado de la calle S58 Los Cedros, Caupicho": (
        "detenida",
        [
            "Hace tres semanas que no hay nadie trabajando; la calle sigue abierta.",
            "La maquinaria está parada y el material se moja con la lluvia.",
            "Desde el feriado no han vuelto los obreros. No podemos sacar los carros.",
        ],
    ),
    "Alumbrado público en la vía a Caspigasí": (
        "avanza",
        [
            "Esta semana sí vinieron a colocar postes, aunque dicen que está suspendida.",
            "Ya instalaron las luminarias del primer tramo.",
            "Están trabajando de nuevo, vimos la grúa de la Empresa Eléctrica.",
        ],
    ),
}
# Works from the demo budget results that move on: title -> steps after the results.
RESULT_STEPS = {
    "Adoquinado de la calle Carapungo Oe3": [
        (S.PLANNED, "Estudios definitivos y presupuesto referencial aprobados por la zonal."),
        (S.PROCUREMENT, "Proceso de contratación publicado en el portal de compras públicas."),
    ],
    "Mercado de productores de Tumbaco": [
        (S.PROCUREMENT, "Proceso de contratación publicado; se reciben ofertas hasta fin de mes."),
    ],
    "Casa barrial de Collas": [
        (S.PLANNED, "Visita técnica con el comité de seguimiento para ubicar el predio."),
    ],
    "Parque lineal del río San Pedro": [
        (S.PLANNED, "Levantamiento topográfico terminado; se elaboran los diseños."),
    ],
    "Aceras en la calle principal de Llano Chico": [
        (S.PLANNED, "Socialización del diseño con los vecinos en la casa parroquial."),
    ],
}
RESULT_OBSERVATION = (
    "Adoquinado de la calle Carapungo Oe3",
    "avanza",
    "Ya vinieron los topógrafos a medir la calle. Ojalá empiecen pronto.",
)

CONTRACTORS = [
    ("Constructora Andina Pichincha S.A.", "company"),
    ("Consorcio Vías del Norte", "company"),
    ("Hormigones y Adoquines del Sur Cía. Ltda.", "company"),
    ("Ingeniería y Construcción Ilaló Cía. Ltda.", "company"),
    ("Estructuras Metálicas Cotopaxi S.A.", "company"),
    ("Electromontajes Los Andes Cía. Ltda.", "company"),
    ("Consorcio Obras Comunitarias Quito", "company"),
    ("Construcciones Pululahua S.A.", "company"),
    ("Ing. María Fernanda Guamán Quishpe", "person"),
    ("Ing. Luis Alberto Chiluisa Tipán", "person"),
    ("Arq. Diego Sebastián Vásconez Mora", "person"),
]
_FIRST = (
    "María José Rosa Luis Carmen Segundo Patricia Jorge Gladys Fernando Mercedes Wilson "
    "Blanca Ramiro Nancy Édison Lucía Marco"
)
FIRST_NAMES = _FIRST.split()
_LAST = (
    "Quishpe Tipán Chicaiza Guamán Andrango Simbaña Cevallos Morales Pillajo Jácome Toapanta "
    "Lema Guachamín Pazmiño Caiza Chiluisa"
)
LAST_NAMES = _LAST.split()
ASCII = str.maketrans("áéíóúñÁÉÍÓÚÑ", "aeiounAEIOUN")
OBSERVATION_TEXTS = {
    "avanza": [
        "Ya están trabajando todos los días, se nota el avance.",
        "Esta semana colocaron los bordillos de la primera cuadra.",
        "Los obreros llegan temprano; la obra avanza bien.",
    ],
    "detenida": [
        "La obra está parada desde hace semanas, como dice el aviso.",
        "No hay nadie trabajando y la zanja sigue abierta.",
    ],
    "terminada": [
        "Ya entregaron la obra y quedó bien. Gracias.",
        "Los niños del barrio ya la usan todas las tardes.",
    ],
    "con_problemas": [
        "El polvo es insoportable, no riegan agua en la vía.",
        "Dejaron material en la vereda sin señalización; es peligroso de noche.",
    ],
}


@dataclass
class Step:
    gap: int  # days after the previous update
    status: str
    physical: int
    financial: int
    text: str
    photos: int = 0
    sign: bool = False  # the contract is signed just before this update


@dataclass
class Summary:
    created: bool = False
    works: int = 0
    from_results: int = 0
    updates: int = 0
    photos: int = 0
    observations: int = 0
    committee_members: int = 0
    zones: set = field(default_factory=set)

    def as_dict(self) -> dict:
        values = dict(self.__dict__)
        values["zones"] = len(self.zones)
        return values


# --- people ---------------------------------------------------------------------------------
def _staff(zone: Zone):
    """The zone's demo works officer: in the zone's staff group, MFA-marked (the services ask
    the rule book, which refuses staff whose session did not pass MFA)."""
    User = get_user_model()
    email = STAFF_EMAIL.format(slug=zone.slug)
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": "Fiscalización de obras", "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.add(Group.objects.get(name=zone_group_name(zone)))
    mark_user(user, True)
    return user


def _residents(zone: Zone) -> list:
    """Verified residents of the zone (verified e-mail too), spread over its parishes."""
    from privacy.consent import consent_ensure_current

    User = get_user_model()
    parishes = list(zone.parishes.order_by("name"))
    users = []
    for number in range(RESIDENTS_PER_ZONE):
        email = RESIDENT_EMAIL.format(slug=zone.slug, number=number)
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email)  # no usable password
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            names = random.Random(email)  # noqa: S311 (the same name for the same e-mail)
            Resident.objects.create(
                user=user,
                display_name=f"{names.choice(FIRST_NAMES)} {names.choice(LAST_NAMES)[0]}.",
                zone=zone,
                parish=parishes[number % len(parishes)] if parishes else None,
                verification_status=Resident.Verification.VERIFIED,
                verification_method="demo",
                verified_at=timezone.now(),
            )
        consent_ensure_current(user)  # as sign-up records it: participation needs it
        users.append(user)
    return users


def _committee(work: Work, rng: random.Random) -> int:
    roles = [CommitteeMember.Role.CHAIR, CommitteeMember.Role.SECRETARY]
    roles += [CommitteeMember.Role.MEMBER] * rng.randint(0, 2)
    for role in roles:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        address = f"{first}.{last}{rng.randint(10, 99)}".lower().translate(ASCII)
        CommitteeMember.objects.create(
            work=work,
            display_name=f"{first} {last}",
            role=role,
            consents_to_publish_name=rng.random() < 0.6,
            phone=f"09{rng.randint(80, 99)}{rng.randint(0, 999999):06d}",
            email=f"{address}@example.org",
        )
    return len(roles)


def _ruc(name: str, kind: str, rng: random.Random) -> str:
    """A well-formed Pichincha RUC: companies have 9 as third digit; a natural person's is
    a cédula (with its check digit) followed by 001."""
    if kind == "company":
        return f"179{rng.randint(0, 9_999_999):07d}001"
    first_nine = f"17{rng.randint(0, 5)}{rng.randint(0, 999_999):06d}"
    return f"{first_nine}{check_digit(first_nine)}001"


# --- photos ---------------------------------------------------------------------------------
def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow without FreeType: the bitmap font, fixed size
        return ImageFont.load_default()


def _plain(text: str) -> str:
    """Without accents: Pillow's built-in font has no glyphs for them."""
    decomposed = unicodedata.normalize("NFKD", text.replace("·", "-"))
    return "".join(ch for ch in decomposed if ch.isascii())


def _photo(rng: random.Random, title: str, caption: str) -> ContentFile:
    """A small JPEG (a few dozen KB): a sky-to-ground gradient, a few blocks for a
    building site, and a label with the work and the date."""
    width, height = 480, 320
    hue = rng.random()
    sky = tuple(int(c) for c in (120 + 80 * hue, 170 + 40 * hue, 230))
    ground = tuple(int(c) for c in (110 + 60 * hue, 90 + 40 * hue, 60))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = ImageOps.colorize(gradient, black=sky, white=ground)
    draw = ImageDraw.Draw(image)
    for _block in range(rng.randint(3, 6)):
        x = rng.randint(10, width - 90)
        w, h = rng.randint(40, 110), rng.randint(30, 120)
        y = height - 70 - h
        shade = rng.randint(90, 200)
        draw.rectangle((x, y, x + w, height - 70), fill=(shade, shade - 20, shade - 40))
    draw.rectangle((0, height - 64, width, height), fill=(30, 30, 30))
    draw.text((12, height - 58), _plain(title)[:48], fill=(255, 255, 255), font=_font(18))
    draw.text((12, height - 30), _plain(caption), fill=(230, 230, 160), font=_font(16))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return ContentFile(buffer.getvalue(), name="foto.jpg")


# --- how each work goes ---------------------------------------------------------------------
def _execution(rng, target_physical: int, *, photos_every: float = 0.4) -> list[Step]:
    """Monthly progress updates from the start of works up to `target_physical`."""
    steps = []
    physical, financial = rng.randint(0, 5), 30
    steps.append(
        Step(
            rng.randint(20, 40),
            S.UNDER_WAY,
            physical,
            financial,
            "Contrato firmado y anticipo del 30 % entregado. Inicio de obra con la "
            "instalación del campamento y la señalización.",
            photos=1 if rng.random() < 0.3 else 0,
            sign=True,
        )
    )
    texts = [
        "Excavación y mejoramiento del suelo.",
        "Fundición de cimientos y colocación de armaduras.",
        "Avance según el cronograma; planilla mensual aprobada por fiscalización.",
        "Trabajos de drenaje y obras complementarias.",
        "Colocación de acabados; se corrigen observaciones de fiscalización.",
    ]
    while physical < target_physical:
        physical = min(target_physical, physical + rng.randint(10, 22))
        financial = min(100, max(financial, round(physical * 0.9)))
        steps.append(
            Step(
                rng.randint(24, 38),
                S.UNDER_WAY,
                physical,
                financial,
                rng.choice(texts),
                photos=1 if rng.random() < photos_every else 0,
            )
        )
    return steps


SUSPENSION_REASONS = [
    "Obra suspendida por las lluvias intensas: el terreno está saturado.",
    "Suspendida mientras la EPMAPS reubica una tubería de agua potable hallada en la zanja.",
    "Suspendida por el atraso en el pago de planillas; se gestiona la reprogramación.",
    "Suspendida por un reclamo de los vecinos sobre el diseño; se revisa con el comité.",
]


def _plan(rng: random.Random, status: str, number: int) -> list[Step]:
    """The updates that take a new (planned) work to `status`, with the days between them."""
    studies = Step(
        rng.randint(20, 50), S.PLANNED, 0, 0, "Se elaboran los estudios y diseños definitivos."
    )
    procurement = Step(
        rng.randint(30, 60),
        S.PROCUREMENT,
        0,
        0,
        "Proceso de contratación publicado en el Sistema Oficial de Contratación Pública.",
    )
    if status == S.PLANNED:
        if number % 3 == 0:  # a procurement that failed and goes back to planning
            return [
                studies,
                procurement,
                Step(
                    rng.randint(25, 40),
                    S.PLANNED,
                    0,
                    0,
                    "Proceso declarado desierto: ninguna oferta cumplió los requisitos. "
                    "Se ajusta el presupuesto referencial para relanzarlo.",
                ),
            ]
        return [studies] if number % 2 else []
    if status == S.PROCUREMENT:
        return [
            studies,
            procurement,
            Step(
                rng.randint(15, 30),
                S.PROCUREMENT,
                0,
                0,
                "Ofertas en evaluación; la comisión técnica emitirá su informe.",
            ),
        ]
    if status == S.CANCELLED:
        variant = (number // 3) % 3
        if variant == 0:
            return [
                studies,
                Step(
                    rng.randint(30, 60),
                    S.CANCELLED,
                    0,
                    0,
                    "Cancelada: el predio no está legalizado a nombre del Municipio y no "
                    "puede recibir inversión pública.",
                ),
            ]
        if variant == 1:
            return [
                studies,
                procurement,
                Step(
                    rng.randint(40, 70),
                    S.CANCELLED,
                    0,
                    0,
                    "Cancelada: el proceso quedó desierto dos veces y los recursos se "
                    "reasignan a otra obra priorizada por la parroquia.",
                ),
            ]
        steps = [procurement, *_execution(rng, rng.randint(20, 35), photos_every=0.2)]
        last = steps[-1]
        steps.append(
            Step(
                rng.randint(20, 40),
                S.SUSPENDED,
                last.physical,
                last.financial,
                rng.choice(SUSPENSION_REASONS),
            )
        )
        steps.append(
            Step(
                rng.randint(60, 90),
                S.CANCELLED,
                last.physical,
                last.financial,
                "Terminación unilateral del contrato por incumplimiento del contratista. "
                "Se ejecutarán las garantías y se contratará el saldo de obra.",
            )
        )
        return steps
    direct = number % 5 == 4  # administración directa: no procurement, no contractor
    if direct:
        start = Step(
            rng.randint(30, 60),
            S.UNDER_WAY,
            rng.randint(5, 10),
            10,
            "Inicio de obra por administración directa, con personal y maquinaria de la "
            "administración zonal y mingas de los vecinos.",
            photos=1,
        )
        steps = [studies, start]
        physical = start.physical
        target = {S.UNDER_WAY: 60, S.SUSPENDED: 40, S.FINISHED: 100}[status]
        while physical < min(target, 90):
            physical = min(target, physical + rng.randint(15, 25))
            steps.append(
                Step(
                    rng.randint(25, 35),
                    S.UNDER_WAY,
                    physical,
                    round(physical * 0.9),
                    "Minga comunitaria y trabajos de la cuadrilla de la zonal.",
                    photos=1 if rng.random() < 0.4 else 0,
                )
            )
    else:
        target = {
            S.UNDER_WAY: rng.randint(35, 90),
            S.SUSPENDED: rng.randint(20, 60),
            S.FINISHED: rng.randint(85, 95),
        }[status]
        steps = [studies, procurement, *_execution(rng, target)]
    if status == S.UNDER_WAY:
        return steps
    last = steps[-1]
    if status == S.SUSPENDED:
        steps.append(
            Step(
                rng.randint(20, 40),
                S.SUSPENDED,
                last.physical,
                last.financial,
                rng.choice(SUSPENSION_REASONS),
                photos=1 if rng.random() < 0.5 else 0,
            )
        )
        return steps
    # Finished: some went through a suspension on the way.
    if number % 3 == 1:
        index = max(3, len(steps) - 2)
        before = steps[index - 1]
        steps[index:index] = [
            Step(
                rng.randint(15, 25),
                S.SUSPENDED,
                before.physical,
                before.financial,
                rng.choice(SUSPENSION_REASONS),
            ),
            Step(
                rng.randint(20, 45),
                S.UNDER_WAY,
                before.physical,
                before.financial,
                "Se reanudan los trabajos tras superar la causa de la suspensión.",
            ),
        ]
    steps.append(
        Step(
            rng.randint(20, 35),
            S.FINISHED,
            100,
            rng.choice([92, 95, 100]),
            "Obra terminada. Recepción provisional con el comité de seguimiento; el acta "
            "de entrega-recepción está firmada.",
            photos=2,
        )
    )
    return steps


# Days from a work's last update to today, by the status it reached: works finished or
# cancelled long ago, and works whose last report is recent.
TAILS = {S.FINISHED: (10, 320), S.CANCELLED: (10, 220), S.SUSPENDED: (5, 90)}


def _fit(steps: list[Step], status: str, rng: random.Random, *, tail_at_least: int = 3) -> int:
    """Days back from today of the registration, squeezing the gaps into the window."""
    total = sum(step.gap for step in steps)
    lowest, highest = TAILS.get(status, (3, 40))
    lowest = max(lowest, tail_at_least)
    tail = rng.randint(lowest, max(lowest, min(highest, MAX_DAYS_BACK - total)))
    room = MAX_DAYS_BACK - tail
    if total > room:
        for step in steps:
            step.gap = max(1, step.gap * room // total)
        total = sum(step.gap for step in steps)
    return total + tail


def _location(place, rng: random.Random):
    """Near the parish's point when it has one, else near the zone's; about a kilometre."""
    lat, lon = place
    if lat is None or lon is None:
        return None, None
    offset = Decimal("0.000001")
    return (
        (Decimal(lat) + Decimal(rng.uniform(-0.012, 0.012))).quantize(offset),
        (Decimal(lon) + Decimal(rng.uniform(-0.012, 0.012))).quantize(offset),
    )


def _backdate_first_update(work: Work, day: datetime.date) -> None:
    """Move a fresh work's only update (stamped today by the services) back to `day`.
    Demo only: real works are registered on the day they are."""
    if work.updates.count() != 1:
        raise RuntimeError(f"{work.code} already has a history; not moving its dates.")
    work.updates.update(date=day)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)))
    Work.objects.filter(pk=work.pk).update(last_update_on=day, created_at=moment)
    work.last_update_on = day


def _backdate_observation(observation: Observation, day: datetime.date, hour: int) -> None:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 15)))
    Observation.objects.filter(pk=observation.pk).update(created_at=moment)
    Comment.objects.filter(pk=observation.comment_id).update(created_at=moment)


def _contract_number(work: Work, unit_key: str, day: datetime.date, rng: random.Random) -> str:
    procedure = "LICO" if work.amount_assigned > 300_000 else rng.choice(["COTO", "MCO", "SIE"])
    unit = UNIT_CODES.get(unit_key) or UNIT_CODES.get(work.zone.slug, "AZ")
    return f"{procedure}-{unit}-{day.year}-{rng.randint(1, 150):03d}"


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def _la_mariscal_work(zones, staff, values):
    """La Mariscal holds no whole parish (it covers a sector of Mariscal Sucre, a parish of
    Eugenio Espejo): its works have no parish, as the services allow for such a zone."""
    values = {**values, "parish": None}
    return services.work_create(actor=staff["la-mariscal"], zone=zones["la-mariscal"], **values)


# --- the loader -----------------------------------------------------------------------------
class _Loader:
    def __init__(self):
        self.rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
        self.today = timezone.localdate()
        self.summary = Summary()
        self.zones = {zone.slug: zone for zone in Zone.objects.all()}
        self.staff = {slug: _staff(zone) for slug, zone in self.zones.items()}
        self.residents = {slug: _residents(zone) for slug, zone in self.zones.items()}
        self.parishes = {
            (parish.zone.slug, parish.name): parish
            for parish in Parish.objects.select_related("zone")
        }
        self.mariscal_sucre = Parish.objects.filter(name="Mariscal Sucre").first()

    def post(self, work, step: Step, day: datetime.date, actor, amount_base) -> Work:
        photos = [
            (
                _photo(
                    self.rng,
                    work.title,
                    f"{day:%d/%m/%Y} · avance físico {step.physical} %",
                ),
                f"{work.title}: estado de la obra el {day:%d/%m/%Y} "
                f"({step.physical} % de avance físico).",
            )
            for _n in range(step.photos)
        ]
        executed = _money(amount_base * step.financial / 100) if amount_base else None
        services.update_post(
            work=work,
            actor=actor,
            date=day,
            status=step.status,
            physical_progress=Decimal(step.physical),
            financial_progress=Decimal(step.financial),
            amount_executed=executed,
            text=step.text,
            photos=photos,
        )
        self.summary.updates += 1
        self.summary.photos += len(photos)
        return Work.objects.get(pk=work.pk)

    def municipal(self, number, spec) -> None:
        rng = self.rng
        zone_slug, parish_name, barrio, title, kind, status = spec
        zone = self.zones[zone_slug]
        (low, high), unit_key, (shortest, longest) = KINDS[kind]
        steps = _plan(rng, status, number)
        # The works residents contradict had their last official update a while ago.
        days_back = _fit(steps, status, rng, tail_at_least=25 if title in CONTRADICTED else 3)
        registered = self.today - datetime.timedelta(days=days_back)
        start_gap = 0  # days from registration to the start of works (or to the end)
        for step in steps:
            start_gap += step.gap
            if step.status == S.UNDER_WAY:
                break
        planned_start = registered + datetime.timedelta(days=start_gap + rng.randint(-10, 20))
        planned_start = max(planned_start, registered + datetime.timedelta(days=30))
        planned_end = planned_start + datetime.timedelta(days=rng.randint(shortest, longest))
        # Some of the oldest works come from the previous year's budget (obras de arrastre).
        year = registered.year - 1 if days_back > 450 else registered.year
        if zone_slug == "la-mariscal":
            parish = self.mariscal_sucre
        else:
            parish = self.parishes[(zone_slug, parish_name)]
        place = (parish.lat, parish.lon) if parish.lat is not None else (zone.lat, zone.lon)
        latitude, longitude = _location(place, rng)
        assigned = _money(rng.randrange(low, high, 500))
        description = DESCRIPTIONS[kind].format(
            metres=rng.randrange(60, 480, 10),
            families=rng.randrange(80, 900, 10),
            seats=rng.randrange(150, 600, 50),
            barrio=barrio,
        )
        values = {
            "code": f"{CODE_PREFIX}{year}-{number + 1:04d}",
            "title": title,
            "description": description,
            "parish": parish,
            "barrio_name": barrio,
            "latitude": latitude,
            "longitude": longitude,
            "year": year,
            "responsible_unit": UNITS.get(unit_key, zone.official_name),
            "amount_assigned": assigned,
            "planned_start": planned_start,
            "planned_end": planned_end,
        }
        actor = self.staff[zone_slug]
        if zone_slug == "la-mariscal":
            work = _la_mariscal_work(self.zones, self.staff, values)
        else:
            work = services.work_create(actor=actor, zone=zone, **values)
        _backdate_first_update(work, registered)
        self.summary.updates += 1
        day = registered
        amount_base = None
        for step in steps:
            day = day + datetime.timedelta(days=step.gap)
            if step.sign:
                contractor, contractor_kind = rng.choice(CONTRACTORS)
                contracted = _money(assigned * Decimal(rng.randint(86, 98)) / 100)
                work = services.work_edit(
                    work=work,
                    actor=actor,
                    contractor_name=contractor,
                    contractor_ruc=_ruc(contractor, contractor_kind, rng),
                    contract_number=_contract_number(work, unit_key, day, rng),
                    amount_contracted=contracted,
                )
                amount_base = contracted
            elif step.status == S.UNDER_WAY and amount_base is None:
                amount_base = assigned  # administración directa: spent against the budget
            work = self.post(work, step, day, actor, amount_base)
        if rng.random() < 0.75 or status in (S.UNDER_WAY, S.FINISHED):
            self.summary.committee_members += _committee(work, rng)
        self.observations(work, steps, registered)
        self.count(work)

    def observations(self, work: Work, steps: list[Step], registered: datetime.date) -> None:
        """A few residents' observations that matched how the work was going at the time
        (those that contradict today's status are older than the alert's window, so they
        raise no alert), and the three recent contradicting ones of CONTRADICTED."""
        rng = self.rng
        if work.status == S.CANCELLED:
            return  # the rule book takes no observations on a cancelled work
        residents = self.residents[work.zone.slug]
        matching = {S.UNDER_WAY: "avanza", S.SUSPENDED: "detenida", S.FINISHED: "terminada"}
        old_enough = self.today - datetime.timedelta(days=veeduria.WINDOW_DAYS + 5)
        contradicting_now = veeduria.CONTRADICTS.get(work.status, frozenset())
        latest = self.today - datetime.timedelta(days=1)
        moments, day = [], registered
        for step in steps:
            day = day + datetime.timedelta(days=step.gap)
            assessment = matching.get(step.status)
            # What contradicts today's status must be older than the alert's window.
            last_day = old_enough if assessment in contradicting_now else latest
            if assessment and day + datetime.timedelta(days=2) <= last_day:
                moments.append((day, assessment, last_day))
        chosen = rng.sample(moments, min(len(moments), rng.randint(0, 3)))
        if work.status == S.FINISHED and moments and moments[-1] not in chosen:
            chosen.append(moments[-1])  # somebody always says when it is finished
        for number, (day, assessment, last_day) in enumerate(sorted(chosen)):
            if assessment != "terminada" and rng.random() < 0.25:
                assessment = "con_problemas"
            when = min(day + datetime.timedelta(days=rng.randint(2, 12)), last_day)
            self._observe(
                work,
                residents[number % len(residents)],
                assessment,
                rng.choice(OBSERVATION_TEXTS[assessment]),
                when,
                photo=rng.random() < 0.3,
            )
        if work.title in CONTRADICTED:
            # Posted in the last days, so the alert shows for weeks after `make run`.
            assessment, texts = CONTRADICTED[work.title]
            for number, text in enumerate(texts):
                self._observe(
                    work,
                    residents[(number + 2) % len(residents)],
                    assessment,
                    text,
                    self.today - datetime.timedelta(days=5 - 2 * number),
                    photo=number == 0,
                )

    def _observe(self, work, user, assessment, text, day, *, photo=False) -> None:
        image = (
            _photo(self.rng, work.title, f"{day:%d/%m/%Y} · foto de un vecino") if photo else None
        )
        observation = services.observation_post(
            work=work,
            user=user,
            assessment=assessment,
            text=text,
            photo=image,
            photo_alt=f"Foto de un vecino de la obra {work.title}" if photo else "",
        )
        _backdate_observation(observation, day, hour=8 + self.rng.randint(0, 10))
        self.summary.observations += 1

    def from_results(self) -> None:
        """Works the published demo budget results create (their demo publishes without the
        signal), moved back to the results' date, some of them moved on."""
        from budgets.models import BudgetCyclePage, ResultSet

        cycles = BudgetCyclePage.objects.filter(
            pk__in=ResultSet.objects.values("cycle_id")
        ).order_by("pk")
        for cycle in cycles:
            services.sync_works_with_results(cycle=cycle, actor=None)
            results = cycle.phases.filter(kind="results").first()
            published = results.starts_on + datetime.timedelta(days=12) if results else None
            published = min(published or self.today, self.today)
            works = Work.objects.filter(cycle=cycle, request__isnull=False).order_by("code")
            for work in works:
                fresh = (
                    work.last_update_on == self.today
                    and work.updates.count() == 1
                    and work.updates.filter(origin=WorkUpdate.Origin.RESULTS).exists()
                )
                if not fresh:
                    continue
                _backdate_first_update(work, published)
                self.summary.from_results += 1
                self.summary.updates += 1
                self.result_steps(work, published)
                self.count(work)

    def result_steps(self, work: Work, published: datetime.date) -> None:
        rng = self.rng
        actor = self.staff[work.zone.slug]
        # The demo requests have no map point nor schedule: staff complete them.
        parish, zone = work.parish, work.zone
        place = (parish.lat, parish.lon) if parish.lat is not None else (zone.lat, zone.lon)
        latitude, longitude = _location(place, rng)
        planned_start = datetime.date(work.year, 2, 1) + datetime.timedelta(
            days=rng.randint(0, 120)
        )
        work = services.work_edit(
            work=work,
            actor=actor,
            latitude=latitude if work.latitude is None else work.latitude,
            longitude=longitude if work.longitude is None else work.longitude,
            planned_start=planned_start,
            planned_end=planned_start + datetime.timedelta(days=rng.randint(90, 240)),
        )
        if rng.random() < 0.5:
            self.summary.committee_members += _committee(work, rng)
        steps = RESULT_STEPS.get(work.title, [])
        room = (self.today - published).days - 1
        if not steps or room < 2 * len(steps):
            return
        day = published
        for status, text in steps:
            day = day + datetime.timedelta(days=rng.randint(1, room // len(steps)))
            work = self.post(work, Step(0, status, 0, 0, text), day, actor, None)
        title, assessment, text = RESULT_OBSERVATION
        if work.title == title:
            residents = self.residents[work.zone.slug]
            self._observe(work, residents[0], assessment, text, min(day, self.today))

    def count(self, work: Work) -> None:
        self.summary.works += 1
        self.summary.zones.add(work.zone.slug)


@transaction.atomic
def load_demo_works() -> dict:
    """Build the demo works; returns a summary (`created` is False when they were there)."""
    from home.demo import refuse_in_production

    refuse_in_production()
    if Work.objects.filter(code__startswith=CODE_PREFIX).exists():
        return Summary().as_dict()
    loader = _Loader()
    loader.from_results()
    for number, spec in enumerate(WORKS):
        loader.municipal(number, spec)
    loader.summary.created = True
    return loader.summary.as_dict()
