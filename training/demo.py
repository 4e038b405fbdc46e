"""Demo training for `manage.py load_demo_training` (after `manage.py load_demo`): a plan
for Calderón with three modules, two past sessions (registrations, attendance,
certificates, evaluations answered) and two upcoming ones (one full, with a waiting
list), and a plan for La Mariscal with one upcoming session. The people are invented.

Plans, modules and sessions are written through training.services as the demo zone
coordinator (Calderón) or, for La Mariscal, directly; registrations through
training.services.register; attendance through training.services.attendance_save; the
evaluations through surveys.services.submit_invited. Idempotent: records are looked up
by slug, position and title; a session that has registrations is left as it is."""

import datetime

from django.db import transaction
from django.utils import timezone

from territory.models import Parish, Zone

from . import services
from .models import Module, Registration, TrainingPlan, TrainingSession

CALDERON_SLUG = "participacion-ciudadana-calderon-2026"
MARISCAL_SLUG = "participacion-ciudadana-la-mariscal-2026"
PARTNER = "Universidad Central del Ecuador"
MODULES = (
    ("El Sistema Metropolitano de Participación Ciudadana", 4),
    ("Presupuestos participativos y rendición de cuentas", 4),
    ("Veeduría y control social de las obras", 3),
)
PEOPLE = (
    "María José Guamán",
    "Luis Alberto Tituaña",
    "Rosa Elena Quilumba",
    "Carlos Andrés Simbaña",
    "Patricia Lema Cabascango",
    "Jorge Enrique Farinango",
    "Verónica Tupiza Andrango",
    "Segundo Pilatasig",
    "Gladys Catucuamba",
    "Fernando Collaguazo",
    "Mónica Alexandra Iza",
    "Wilson Chicaiza",
    "Nancy Pillajo",
    "Edison Caiza",
    "Lorena Tipanluisa",
    "Ramiro Quinatoa",
    "Sofía Anrango",
)
# (title, module index, days from today, capacity, people registered, attended, place)
SESSIONS = (
    (
        "Introducción al sistema de participación: asambleas y cabildos",
        0,
        -40,
        25,
        10,
        8,
        "Casa Somos Carapungo, Av. Padre Luis Vaccari",
    ),
    (
        "Cómo se priorizan las obras del presupuesto participativo",
        1,
        -12,
        20,
        9,
        7,
        "Administración Zonal Calderón, sala de reuniones",
    ),
    (
        "Veeduría ciudadana: seguimiento de una obra paso a paso",
        2,
        9,
        15,
        17,
        0,
        "Casa barrial de Llano Chico",
    ),
    (
        "Rendición de cuentas de la administración zonal",
        1,
        23,
        30,
        5,
        0,
        "",
    ),
)


def _email(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return ".".join(plain.split()[:2]) + "@demo.quitodecide.localhost"


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _plan(actor, zone, slug, title, description):
    plan = TrainingPlan.objects.filter(slug=slug).first()
    if plan is None:
        plan = services.plan_save(
            actor=actor,
            zone=zone,
            year=2026,
            title=title,
            slug=slug,
            description=description,
        )
    return plan


def _register_people(session, people):
    parishes = list(Parish.objects.filter(zone=session.plan.zone).order_by("name"))
    for index, name in enumerate(people):
        services.register(
            None,
            session,
            name=name,
            email=_email(name),
            parish=parishes[index % len(parishes)],
            privacy_consent=True,
        )


def _answer_evaluations(session):
    from surveys.invitations import make_token, read_token
    from surveys.services import submit_invited

    session.refresh_from_db()
    survey = session.evaluation
    if survey is None or survey.responses.exists():
        return
    questions = list(survey.questions.prefetch_related("choices"))
    attendees = session.registrations.filter(attended=True).order_by("pk")
    for index, registration in enumerate(attendees):
        data = {}
        for question in questions:
            if question.kind == "scale":
                data[question.pk] = 5 - (index + question.position) % 3
            elif question.kind == "single":
                data[question.pk] = question.choices.all()[0 if index % 4 else 1].pk
            elif question.kind in ("short", "long"):
                data[question.pk] = "Más ejemplos de nuestros barrios." if index % 3 == 0 else ""
        invitation = read_token(
            make_token(survey, f"training-registration:{registration.pk}", registration.name)
        )
        submit_invited(invitation, data)


@transaction.atomic
def load_demo_training() -> list[str]:
    from home.demo import demo_accounts

    actor = demo_accounts()["staff"]
    calderon = Zone.objects.get(slug="calderon")
    plan = _plan(
        actor,
        calderon,
        CALDERON_SLUG,
        "Plan de formación en participación ciudadana 2026 · Calderón",
        "Formación para dirigentes barriales, cabildos y vecinos de Calderón, con la "
        "Universidad Central del Ecuador: cómo funciona el sistema de participación, el "
        "presupuesto participativo, la veeduría y la rendición de cuentas.",
    )
    modules = []
    for position, (title, hours) in enumerate(MODULES, start=1):
        module = Module.objects.filter(plan=plan, position=position).first()
        if module is None:
            module = services.module_save(
                actor=actor, plan=plan, position=position, title=title, hours=hours
            )
        modules.append(module)
    for title, module_index, days, capacity, registered, attended, place in SESSIONS:
        session = TrainingSession.objects.filter(plan=plan, title=title).first()
        if session is None:
            start = _at(abs(days), 18)  # registered while upcoming, then moved if past
            session = services.session_save(
                actor=actor,
                plan=plan,
                module=modules[module_index],
                title=title,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2, minutes=30),
                capacity=capacity,
                facilitator="Mgs. Paola Andrade (UCE)" if days < 0 else "Lcdo. Marco Vinueza",
                partner=PARTNER,
                place=place,
                online_url="" if place else "https://meet.jit.si/quitodecide-calderon-rendicion",
            )
        if session.registrations.exists():
            continue
        _register_people(session, PEOPLE[:registered])
        if days < 0:
            start = _at(days, 18)
            TrainingSession.objects.filter(pk=session.pk).update(
                starts_at=start, ends_at=start + datetime.timedelta(hours=2, minutes=30)
            )
            session.refresh_from_db()
            present = list(
                session.registrations.filter(status=Registration.Status.CONFIRMED)
                .order_by("pk")
                .values_list("pk", flat=True)[:attended]
            )
            services.attendance_save(actor=actor, session=session, attended_ids=present)
            _answer_evaluations(session)

    mariscal = Zone.objects.get(slug="la-mariscal")
    other = TrainingPlan.objects.filter(slug=MARISCAL_SLUG).first()
    if other is None:
        other = TrainingPlan.objects.create(
            zone=mariscal,
            year=2026,
            title="Plan de formación en participación ciudadana 2026 · La Mariscal",
            slug=MARISCAL_SLUG,
            description="Para comerciantes, residentes y organizaciones culturales de La "
            "Mariscal, con la Pontificia Universidad Católica del Ecuador.",
        )
    module = Module.objects.filter(plan=other, position=1).first() or Module.objects.create(
        plan=other, position=1, title="Convivencia y participación en el espacio público", hours=3
    )
    if not other.sessions.exists():
        start = _at(16, 17)
        TrainingSession.objects.create(
            plan=other,
            module=module,
            title="Cabildos de La Mariscal: cómo participar",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="Centro Cultural Metropolitano, sala 2",
            capacity=40,
            facilitator="Dra. Daniela Montalvo",
            partner="Pontificia Universidad Católica del Ecuador",
        )
    lines = ["/formacion/", plan.get_absolute_url(), other.get_absolute_url()]
    lines += [s.get_absolute_url() for s in plan.sessions.order_by("starts_at")]
    code = (
        Registration.objects.filter(session__plan=plan, certificate_code__isnull=False)
        .order_by("pk")
        .values_list("certificate_code", flat=True)
        .first()
    )
    if code:
        lines.append(f"/formacion/certificados/{code}/")
    return lines
