"""Attendance certificates: a one-page PDF (fpdf2, its core font Helvetica: Latin-1, which
covers Spanish; any other character is replaced) with the attendee's name, the session,
plan, zone, date, hours, facilitator and partner, and the verification code with the
public URL where anyone checks it. The code (60 random bits) is the certificate's secret:
whoever has it may download the PDF and verify it."""

import re

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .models import Registration

CODE_SHAPE = re.compile(r"^QD-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def normalise_code(value) -> str:
    """The code as typed (any case, spaces around) in its canonical form, or ""."""
    if not isinstance(value, str):
        return ""
    code = value.strip().upper()[:30]
    return code if CODE_SHAPE.match(code) else ""


def valid_certificate(code: str):
    """The attended registration whose certificate has this code, or None."""
    code = normalise_code(code)
    if not code:
        return None
    return (
        Registration.objects.select_related("session__plan__zone", "session__module")
        .filter(certificate_code=code, attended=True, status=Registration.Status.CONFIRMED)
        .first()
    )


def session_hours(session) -> str:
    """The module's hours when it gives them, else the session's length (e.g. "2,5")."""
    if session.module is not None and session.module.hours:
        hours = session.module.hours
    else:
        hours = round((session.ends_at - session.starts_at).total_seconds() / 3600, 1)
        if hours == int(hours):
            hours = int(hours)
    return formats.number_format(hours)


def verify_url(code: str) -> str:
    from quitodecide.site_links import site_url

    return site_url(reverse("training:certificate", args=[code]))


_TYPOGRAPHY = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "\u00a0": " "}
)


def _latin1(text) -> str:
    """Text the core font can print: typographic marks made plain, control characters
    dropped, anything else outside Latin-1 as "?"."""
    text = str(text or "").translate(_TYPOGRAPHY)
    text = "".join(ch for ch in text if ch in "\n" or ch.isprintable())
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(registration) -> bytes:
    from fpdf import FPDF

    session = registration.session
    with translation.override(settings.LANGUAGE_CODE):
        start = timezone.localtime(session.starts_at)
        rows = [
            (_("Session"), session.title),
            (_("Training plan"), f"{session.plan.title} ({session.plan.year})"),
            (_("Zonal administration"), session.plan.zone.name),
            (_("Date"), formats.date_format(start, "DATE_FORMAT")),
            (_("Hours"), session_hours(session)),
            (_("Facilitator"), session.facilitator),
        ]
        if session.partner:
            rows.append((_("Partner institution"), session.partner))
        title = _("Certificate of attendance")
        intro = _("Quito Decide certifies that")
        attended = _("attended the training session:")
        code_label = _("Verification code")
        check = _("Check this certificate at")
        footer = _("Quito Decide · Distrito Metropolitano de Quito")
        url = verify_url(registration.certificate_code)

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_author("Quito Decide")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("Helvetica", "B", 24)
    pdf.multi_cell(width, 12, _latin1(title), align="C")
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 13)
    pdf.multi_cell(width, 8, _latin1(intro), align="C")
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(width, 10, _latin1(registration.name), align="C")
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 13)
    pdf.multi_cell(width, 8, _latin1(attended), align="C")
    pdf.ln(6)
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(width, 6, _latin1(label))
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(width, 6, _latin1(value))
        pdf.ln(1)
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(width, 7, _latin1(f"{code_label}: {registration.certificate_code}"))
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(width, 6, _latin1(f"{check}: {url}"))
    pdf.ln(10)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(width, 5, _latin1(footer), align="C")
    return bytes(pdf.output())
