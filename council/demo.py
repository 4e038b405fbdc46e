"""Demo council for `make run` / `manage.py load_demo_council`: 21 invented councillors
(not real people), four commissions, past sessions with attendance and roll-call votes,
and upcoming sessions, one of whose agenda items links to a demo consultation.

Also the demo secretariat login (secretaria.concejo@quitodecide.localhost, in the
"Secretaría General del Concejo" group, with TOTP; `manage.py demo_logins` does not list
it yet: its password is `home.demo.demo_password(email)`). Everything is written through
council.services as that user. Idempotent: sessions are looked up by kind and number.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from . import services
from .groups import ensure_secretariat_group
from .models import (
    AgendaItem,
    Attendance,
    Commission,
    Councillor,
    CouncilSession,
    RollCallVote,
)

SECRETARIAT_EMAIL = "secretaria.concejo@quitodecide.localhost"
CONSULTATION_SLUG = "ordenanza-participacion-ciudadana"
PARTIES = ("Movimiento Ciudad Viva", "Alianza Quiteña", "Frente Cívico del Sur", "Independiente")
COUNCILLORS = (
    ("Ana Lucía Benalcázar Torres", "Circunscripción Norte"),
    ("Bernardo Cevallos Ruiz", "Circunscripción Norte"),
    ("Carmen Elena Quishpe Ayala", "Circunscripción Norte"),
    ("Diego Armando Salazar Proaño", "Circunscripción Norte"),
    ("Estefanía Guerrero Paredes", "Circunscripción Norte"),
    ("Fausto Morales Tipán", "Circunscripción Centro"),
    ("Gabriela Andrade Villacís", "Circunscripción Centro"),
    ("Hernán Pazmiño Cárdenas", "Circunscripción Centro"),
    ("Isabel Chiriboga Almeida", "Circunscripción Centro"),
    ("Jorge Luis Toapanta Mena", "Circunscripción Centro"),
    ("Karina Espinosa Lara", "Circunscripción Sur"),
    ("Luis Fernando Cando Yánez", "Circunscripción Sur"),
    ("María José Herrera Ortiz", "Circunscripción Sur"),
    ("Nelson Chicaiza Guamán", "Circunscripción Sur"),
    ("Olga Patricia Vinueza Reyes", "Circunscripción Sur"),
    ("Pablo Andrés Jácome Vega", "Circunscripción Rural"),
    ("Rosa Elvira Caiza Sánchez", "Circunscripción Rural"),
    ("Santiago Egas Montalvo", "Circunscripción Rural"),
    ("Teresa Lucero Pilataxi", "Circunscripción Rural"),
    ("Vicente Ortega Calderón", "Circunscripción Rural"),
    ("Ximena Albuja Recalde", "Circunscripción Rural"),
)
COMMISSIONS = (
    ("Comisión de Uso de Suelo", "uso-de-suelo"),
    ("Comisión de Movilidad", "movilidad"),
    ("Comisión de Participación Ciudadana y Gobierno Abierto", "participacion-ciudadana"),
    ("Comisión de Presupuesto, Finanzas y Tributación", "presupuesto"),
)
PLACE = "Salón de la Ciudad, Palacio Municipal (Venezuela y Espejo)"
VIDEO = "https://www.youtube.com/@ConcejoQuito/videos"
MINUTES = "https://www.quito.gob.ec/concejo/actas/"
Kind, Status = CouncilSession.Kind, CouncilSession.Status
COMMISSION_MEMBERS = 5
Presence, Choice = Attendance.Presence, RollCallVote.Choice

# (kind, commission slug, number, days from now, status, [(title, summary, outcome)])
SESSIONS = (
    (
        Kind.ORDINARY,
        None,
        "045",
        -40,
        Status.HELD,
        [
            (
                "Aprobación del acta de la sesión ordinaria 044",
                "Lectura y aprobación del acta de la sesión anterior.",
                AgendaItem.Outcome.APPROVED,
            ),
            (
                "Primer debate de la ordenanza de espacio público en el Centro Histórico",
                "Regula el uso del espacio público por comerciantes autónomos y eventos.",
                AgendaItem.Outcome.APPROVED,
            ),
        ],
    ),
    (
        Kind.COMMISSION,
        "uso-de-suelo",
        "CUS-012",
        -25,
        Status.HELD,
        [
            (
                "Informe sobre el cambio de zonificación en Carapungo",
                "Informe técnico de la Secretaría de Territorio sobre la solicitud de cambio de "
                "uso de suelo.",
                AgendaItem.Outcome.DEFERRED,
            ),
        ],
    ),
    (
        Kind.ORDINARY,
        None,
        "047",
        -10,
        Status.HELD,
        [
            (
                "Segundo debate de la ordenanza de espacio público en el Centro Histórico",
                "Votación final del texto con las observaciones del primer debate.",
                AgendaItem.Outcome.APPROVED,
            ),
            (
                "Resolución sobre la tarifa del transporte municipal",
                "Propuesta de ajuste de la tarifa del trolebús y la Ecovía.",
                AgendaItem.Outcome.REJECTED,
            ),
        ],
    ),
    (
        Kind.COMMISSION,
        "movilidad",
        "CM-020",
        9,
        Status.CONVENED,
        [
            (
                "Ciclovías emergentes en la avenida Amazonas",
                "Presentación de la Secretaría de Movilidad.",
                AgendaItem.Outcome.PENDING,
            ),
        ],
    ),
    (
        Kind.ORDINARY,
        None,
        "050",
        21,
        Status.CONVENED,
        [
            (
                "Primer debate de la ordenanza de participación ciudadana",
                "El proyecto de ordenanza que estuvo en consulta pública en Quito Decide: "
                "asambleas, presupuestos participativos y silla vacía.",
                AgendaItem.Outcome.PENDING,
            ),
            (
                "Informe de rendición de cuentas del primer semestre",
                "Presentación del informe de la Alcaldía.",
                AgendaItem.Outcome.PENDING,
            ),
        ],
    ),
)


def secretariat_user():
    """The demo secretariat login, marked as having passed MFA (the demo acts as it)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from home.demo import _login_account, refuse_in_production
    from quitodecide.mfa import mark_user

    refuse_in_production()
    user = _login_account(SECRETARIAT_EMAIL, first_name="Secretaría del Concejo", is_active=True)
    user.groups.add(ensure_secretariat_group())
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    user.__dict__.pop("_council_secretariat", None)
    mark_user(user, True)
    return user


def _presence(index, session_index):
    """Deterministic attendance: most present, a few absent, excused or replaced."""
    turn = (index * 7 + session_index * 5) % 21
    if turn == 0:
        return Presence.ABSENT
    if turn == 1:
        return Presence.EXCUSED
    if turn == 2:
        return Presence.ALTERNATE
    return Presence.PRESENT


def _choice(index, item_index, outcome):
    turn = (index * 3 + item_index * 11) % 21
    if outcome == AgendaItem.Outcome.REJECTED:
        return Choice.YES if turn < 7 else (Choice.NO if turn < 19 else Choice.ABSTAIN)
    if turn < 14:
        return Choice.YES
    if turn < 18:
        return Choice.NO
    return Choice.ABSTAIN if turn < 20 else Choice.BLANK


@transaction.atomic
def load_demo_council() -> list[str]:
    from consultations.models import ConsultationPage

    actor = secretariat_user()
    done = [f"secretariat login: {SECRETARIAT_EMAIL}"]
    councillors = []
    for index, (name, constituency) in enumerate(COUNCILLORS):
        existing = Councillor.objects.filter(name=name).first()
        councillors.append(
            existing
            or services.councillor_save(
                actor=actor,
                name=name,
                party=PARTIES[index % len(PARTIES)],
                constituency=constituency,
            )
        )
    commissions = {}
    for name, slug in COMMISSIONS:
        commissions[slug] = Commission.objects.filter(
            slug=slug
        ).first() or services.commission_save(actor=actor, name=name, slug=slug)
    consultation = (
        ConsultationPage.objects.filter(slug=CONSULTATION_SLUG).first()
        or ConsultationPage.objects.live().order_by("pk").first()
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for session_index, (kind, slug, number, days, status, items) in enumerate(SESSIONS):
        if CouncilSession.objects.filter(kind=kind, number=number).exists():
            continue
        starts_at = (now + datetime.timedelta(days=days)).replace(hour=10)
        held = status == Status.HELD
        session = services.session_save(
            actor=actor,
            kind=kind,
            commission=commissions[slug] if slug else None,
            number=number,
            starts_at=starts_at,
            place=PLACE,
            video_url=VIDEO if held else "",
            minutes_url=MINUTES if held else "",
            status=status,
        )
        # A commission session records only its members (no commission membership is
        # modelled: the demo takes the first few councillors as the members).
        present = councillors[:COMMISSION_MEMBERS] if kind == Kind.COMMISSION else councillors
        if held:
            services.attendance_record(
                actor=actor,
                session=session,
                presence={c: _presence(i, session_index) for i, c in enumerate(present)},
            )
        for position, (title, summary, outcome) in enumerate(items, start=1):
            item = services.item_save(
                actor=actor,
                session=session,
                position=position,
                title=title,
                summary=summary,
                consultation=consultation if (number == "050" and position == 1) else None,
                empty_seat=not held,
                outcome=outcome if held else "",
            )
            if held:
                attendance = dict(session.attendance.values_list("councillor_id", "presence"))
                services.roll_call_record(
                    actor=actor,
                    item=item,
                    votes={
                        c.pk: (
                            _choice(i, session_index + position, outcome)
                            if attendance[c.pk] in services.VOTERS
                            else Choice.ABSENT
                        )
                        for i, c in enumerate(present)
                    },
                )
        done.append(f"/concejo/sesion/{session.pk}/")
    return done
