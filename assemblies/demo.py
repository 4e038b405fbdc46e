"""Demo assemblies for `make run`: `/asambleas/`, one upcoming (a barrio assembly in
Carapungo next week), one in progress today (Calderón's zonal assembly, with a vote open and
questions), and finished ones with results and minutes (text and PDF), including barrio
assemblies in 2021 and 2022 for the zone statistics. None has a stream URL: the live page
shows its local placeholder, never a third-party video.

Idempotent: every page is looked up by its slug first; run it as often as you like. On an
older database the live assembly is moved to today, the upcoming one back into the coming
week, and the third-party stream URL the first demo gave the live assembly is removed.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from wagtail.documents import get_document_model

from home.demo import RESIDENT_EMAIL, STAFF_EMAIL
from home.models import HomePage
from territory.models import ZonePage

from . import services
from .models import AgendaItem, AssemblyIndexPage, AssemblyKind, AssemblyPage, Poll

DEMO_STAFF_EMAIL = STAFF_EMAIL
DEMO_RESIDENT_EMAIL = RESIDENT_EMAIL


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (ASCII), built by hand: no PDF library needed."""
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font "
        b"<< /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out += trailer.encode()
    return bytes(out)


def _staff_for(zone_page: ZonePage):
    """The zone's demo coordinator (`home.demo`), marked as having passed MFA: the demo plays
    them at a meeting, code already confirmed (staff services refuse anyone else)."""
    from home.demo import demo_accounts

    return demo_accounts()["staff"]


def _demo_parish(zone_page: ZonePage):
    """Llano Chico, where the demo's parish assembly is held and its voter lives."""
    parishes = zone_page.zone.parishes.order_by("name")
    return parishes.filter(name="Llano Chico").first() or parishes.first()


def _verified_resident(zone_page: ZonePage):
    from home.demo import demo_accounts

    return demo_accounts()["resident"]


def _redate(page: AssemblyPage, starts_at, **fields) -> None:
    """Change a demo assembly's date (and fields) as an editor would: a published revision."""
    page = page.specific
    page.starts_at = starts_at
    for name, value in fields.items():
        setattr(page, name, value)
    page.save_revision().publish()


def _assembly(zone_page, slug, *, title, kind, starts_at, place, agenda, **fields):
    page = AssemblyPage.objects.filter(slug=slug).first()
    if page is not None:
        return page, False
    page = AssemblyPage(
        title=title, slug=slug, kind=kind, starts_at=starts_at, place=place, **fields
    )
    for position, (item_title, description) in enumerate(agenda):
        page.agenda_items.add(
            AgendaItem(title=item_title, description=description, sort_order=position)
        )
    zone_page.add_child(instance=page)
    page.save_revision().publish()
    return page, True


LIVE_QUESTIONS = [
    (
        "vecino-consulta-3@quitodecide.localhost",
        "¿Se van a arreglar las aceras de la calle Carapungo antes de que empiece el año escolar?",
        "approve",
    ),
    (
        "vecino-consulta-8@quitodecide.localhost",
        "¿Qué pasa con la obra del muro de Zabala que quedó parada?",
        "approve",
    ),
    (
        "vecino-consulta-12@quitodecide.localhost",
        "¿Cómo se eligen los delegados de cada barrio a esta asamblea?",
        "",
    ),
]


def _add_questions(live: AssemblyPage, staff) -> bool:
    """More questions from residents (two approved, one awaiting moderation), once; their
    authors come from the consultations demo and are skipped when it was not loaded."""
    from .models import Question

    if Question.objects.filter(assembly=live).count() > 1:
        return False
    User = get_user_model()
    added = False
    for email, text, action in LIVE_QUESTIONS:
        author = User.objects.filter(email=email).first()
        if author is None:
            continue
        question = services.question_submit(assembly=live, author=author, text=text)
        if action:
            services.question_moderate(question=question, actor=staff, action=action)
        added = True
    return added


def _tz(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


@transaction.atomic
def load_demo_assemblies() -> list[str]:
    """Create the demo assemblies; returns the titles of those created now."""
    home = HomePage.objects.get()
    if not AssemblyIndexPage.objects.exists():
        home.add_child(
            instance=AssemblyIndexPage(
                title="Asambleas",
                slug="asambleas",
                intro="<p>Las asambleas barriales, parroquiales y zonales de Quito, y la "
                "Asamblea de Quito: sígalas en vivo, vote y pregunte.</p>",
            )
        ).save_revision().publish()
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    staff = _staff_for(zone_page)
    resident = _verified_resident(zone_page)
    parish = _demo_parish(zone_page)
    created = []

    live, new = _assembly(
        zone_page,
        "asamblea-zonal-calderon-en-vivo",
        title="Asamblea zonal de Calderón: prioridades de obra",
        kind=AssemblyKind.ZONAL,
        starts_at=timezone.now().replace(minute=0, second=0, microsecond=0),
        place="Casa Somos Calderón, Av. Carapungo",
        summary="La zona prioriza las obras del presupuesto participativo del próximo año.",
        agenda=[
            ("Bienvenida y verificación del quórum", ""),
            ("Informe de la administración zonal", ""),
            ("Votación de prioridades", "Vías, agua y espacios públicos."),
            ("Preguntas de la comunidad", ""),
        ],
    )
    if new:
        created.append(live.title)
        services.assembly_start(assembly=live, actor=staff)
        services.announcement_post(
            assembly=live, actor=staff, text="Bienvenidos. La asamblea se transmite en vivo."
        )
        services.agenda_advance(assembly=live, actor=staff)
        services.agenda_advance(assembly=live, actor=staff)
        poll = services.poll_open(
            assembly=live,
            actor=staff,
            question="¿Cuál debe ser la primera prioridad de obra?",
            options=["Vías y aceras", "Agua potable", "Espacios públicos"],
            mode=Poll.Mode.BOTH,
        )
        services.ballot_cast(poll=poll, voter=resident, option=poll.options.first())
        question = services.question_submit(
            assembly=live, author=resident, text="¿Cuándo empiezan las obras de agua en Marianitas?"
        )
        services.question_moderate(question=question, actor=staff, action="approve")
        services.question_moderate(question=question, actor=staff, action="pin")
        _add_questions(live, staff)

    else:
        today = timezone.localdate()
        stale_stream = bool(live.stream_url)  # the first demo's third-party video
        if timezone.localtime(live.starts_at).date() != today or stale_stream:
            _redate(
                live,
                timezone.now().replace(minute=0, second=0, microsecond=0),
                stream_url="",
            )
            created.append(f"re-dated: {live.title}")
        if _add_questions(live, staff):
            created.append(f"questions: {live.title}")

    week = timezone.localtime() + datetime.timedelta(days=6)
    upcoming_at = week.replace(hour=18, minute=30, second=0, microsecond=0)
    upcoming, new = _assembly(
        zone_page,
        "asamblea-barrial-carapungo-proxima",
        title="Asamblea barrial de Carapungo: presupuesto participativo",
        kind=AssemblyKind.BARRIAL,
        starts_at=upcoming_at,
        place="Casa barrial de Carapungo, calle Luis Vacarí",
        parish=zone_page.zone.parishes.filter(name="Calderón").first(),
        summary="Los vecinos de Carapungo eligen las solicitudes que llevarán al nuevo ciclo "
        "de presupuestos participativos y a sus cuatro representantes.",
        agenda=[
            ("Registro de asistentes y verificación del quórum", ""),
            ("Solicitudes del barrio para el nuevo ciclo", "Aceras, alumbrado y parques."),
            ("Elección de los cuatro representantes a la asamblea parroquial", ""),
            ("Varios", ""),
        ],
    )
    if new:
        created.append(upcoming.title)
    elif upcoming.starts_at <= timezone.now():
        _redate(upcoming, upcoming_at)
        created.append(f"re-dated: {upcoming.title}")

    past, new = _assembly(
        zone_page,
        "asamblea-parroquial-llano-chico-2026",
        title="Asamblea parroquial de Llano Chico",
        kind=AssemblyKind.PARROQUIAL,
        starts_at=_tz(2026, 3, 14, 9, 0),
        place="Casa parroquial de Llano Chico",
        parish=parish,
        agenda=[("Rendición de cuentas", ""), ("Votación del proyecto parroquial", "")],
        minutes_text="<p>Se instaló la asamblea con 84 asistentes. Se aprobó priorizar el "
        "adoquinado de la calle principal.</p>",
        attendees=84,
    )
    if new:
        created.append(past.title)
        Document = get_document_model()
        document = Document(title="Acta de la asamblea parroquial de Llano Chico")
        document.file.save(
            "acta-llano-chico-2026.pdf",
            ContentFile(_minimal_pdf("Acta de la asamblea parroquial de Llano Chico")),
            save=False,
        )
        document.save()
        past.minutes_document = document
        past.save_revision().publish()
        services.assembly_start(assembly=past, actor=staff)
        services.agenda_advance(assembly=past, actor=staff)
        poll = services.poll_open(
            assembly=past,
            actor=staff,
            question="¿Aprueba priorizar el adoquinado de la calle principal?",
            options=["Sí", "No", "Abstención"],
            mode=Poll.Mode.BOTH,
        )
        services.ballot_cast(poll=poll, voter=resident, option=poll.options.first())
        services.poll_close(poll=poll, actor=staff)
        counts = dict(zip(poll.options.values_list("pk", flat=True), [61, 15, 8], strict=True))
        services.poll_record_room_counts(poll=poll, actor=staff, counts=counts)
        services.poll_publish_results(poll=poll, actor=staff)
        services.assembly_end(assembly=past, actor=staff)

    # Barrio assemblies held in 2021 and 2022, for the statistics on the zone page.
    for year, count in ((2021, 3), (2022, 5)):
        for n in range(1, count + 1):
            page, new = _assembly(
                zone_page,
                f"asamblea-barrial-calderon-{year}-{n}",
                title=f"Asamblea barrial {n} de {year}",
                kind=AssemblyKind.BARRIAL,
                starts_at=_tz(year, 2 + n, 10, 18, 30),
                place="Casa barrial",
                agenda=[("Priorización barrial", "")],
                attendees=18 + 7 * n + (year - 2021) * 5,  # from the attendance sheet
            )
            if new:
                created.append(page.title)
                services.assembly_start(assembly=page, actor=staff)
                services.assembly_end(assembly=page, actor=staff)
    return created
