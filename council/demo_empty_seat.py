"""Demo of the silla vacía (`load_demo_empty_seat`, called after the council's demo): on an
upcoming agenda item linked to a consultation, an accredited organisation (delegate and
alternate, with a small PDF generated here), a rejected one with its reason, and one
waiting for the secretariat. Invented organisations and people. Idempotent: applications
are looked up by item and legal registration.

Written through council.empty_seat as a demo applicant and the demo secretariat login.
"""

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from quitodecide.mfa import mark_user

from . import empty_seat
from .groups import ensure_secretariat_group
from .models import AgendaItem, EmptySeatApplication

APPLICANT_EMAIL = "organizaciones.demo@quitodecide.localhost"
SECRETARIAT_EMAIL = "secretaria.concejo@quitodecide.localhost"

ORGANISATIONS = (
    {
        "organisation": "Federación de Barrios del Noroccidente",
        "legal_registration": "MIES-ACUERDO-2019-0457",
        "legal_representative": "Rosa Amelia Tituaña Lema",
        "delegate": "Marco Vinicio Guamán Pilco",
        "delegate_email": "delegado.fbn@example.ec",
        "alternate": "Lucía Fernanda Morocho Quilumba",
        "alternate_email": "alterna.fbn@example.ec",
        "contact_email": "secretaria.fbn@example.ec",
        "decision": "accredit",
        "reason": "",
    },
    {
        "organisation": "Colectivo Ciclistas de la Mitad del Mundo",
        "legal_registration": "1792345678001",
        "legal_representative": "Andrés Sebastián Paucar Yépez",
        "delegate": "Daniela Torres Caicedo",
        "delegate_email": "daniela.torres@example.ec",
        "alternate": "",
        "alternate_email": "",
        "contact_email": "contacto.ciclistas@example.ec",
        "decision": "reject",
        "reason": (
            "El nombramiento del representante legal adjunto está caducado (2022). Puede "
            "presentar una nueva solicitud con el nombramiento vigente antes del plazo."
        ),
    },
    {
        "organisation": "Comité Pro Mejoras Barrio La Roldós",
        "legal_registration": "MIDUVI-2015-0112",
        "legal_representative": "José Luis Sisalema Chango",
        "delegate": "Martha Cecilia Quinatoa Ushiña",
        "delegate_email": "martha.quinatoa@example.ec",
        "alternate": "Segundo Ramiro Yugcha Toapanta",
        "alternate_email": "ramiro.yugcha@example.ec",
        "contact_email": "comite.laroldos@example.ec",
        "decision": "",
        "reason": "",
    },
)


def demo_pdf(title: str) -> bytes:
    """A small, valid one-page PDF saying `title` (ASCII), with a correct cross-reference
    table: what a supporting document looks like in the demo and in the tests."""
    text = "".join(ch for ch in title if 32 <= ord(ch) < 127).replace("\\", "")
    text = text.replace("(", "[").replace(")", "]")[:80]
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _demo_item():
    """An upcoming agenda item taking applications: one linked to a consultation if there
    is one (the council demo links one), else the first open one."""
    now = timezone.now()
    items = (
        AgendaItem.objects.filter(empty_seat=True)
        .select_related("session")
        .order_by(F("consultation").asc(nulls_last=True), "session__starts_at", "position")
    )
    for item in items:
        if item.session.empty_seat_open(now):
            return item
    return None


def _applicant():
    from allauth.account.models import EmailAddress

    from privacy.consent import consent_ensure_current

    User = get_user_model()
    user, created = User.objects.get_or_create(email=APPLICANT_EMAIL)
    if created:
        from home.demo import demo_password

        user.set_password(demo_password(APPLICANT_EMAIL))
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=APPLICANT_EMAIL, defaults={"verified": True, "primary": True}
    )
    consent_ensure_current(user)
    return user


def _secretary():
    User = get_user_model()
    user = User.objects.filter(email=SECRETARIAT_EMAIL).first()
    if user is None:
        return None
    user.groups.add(ensure_secretariat_group())
    mark_user(user, True)  # the demo acts as a secretary who passed MFA
    return user


def load_demo_empty_seat() -> list[str]:
    """Load the demo applications; returns what it did, one line each."""
    item = _demo_item()
    if item is None:
        return ["Silla vacía: no upcoming agenda item with a consultation (run load_demo_council)."]
    applicant = _applicant()
    secretary = _secretary()
    done = []
    for entry in ORGANISATIONS:
        data = {k: v for k, v in entry.items() if k not in ("decision", "reason")}
        existing = EmptySeatApplication.objects.filter(
            item=item,
            legal_registration=empty_seat.normalise_registration(data["legal_registration"]),
        ).first()
        if existing is not None:
            continue
        files = [
            SimpleUploadedFile(
                "registro-legal.pdf",
                demo_pdf(f"{data['organisation']}: registro legal"),
                content_type="application/pdf",
            ),
            SimpleUploadedFile(
                "carta-designacion-delegado.pdf",
                demo_pdf(f"Designacion de {data['delegate']}"),
                content_type="application/pdf",
            ),
        ]
        application = empty_seat.application_submit(
            item=item, applicant=applicant, files=files, **data
        )
        if entry["decision"] and secretary is not None:
            empty_seat.application_decide(
                application=application,
                actor=secretary,
                accredit=entry["decision"] == "accredit",
                reason=entry["reason"],
            )
        done.append(f"Silla vacía: {data['organisation']} ({application.get_status_display()}).")
    return done or ["Silla vacía: demo applications already there."]
