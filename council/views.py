"""Public pages of the Concejo Metropolitano: the calendar of sessions (/concejo/), a
session, an agenda item with its roll call, a councillor's record, and the open data."""

import datetime
import re
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opendata.registry import LICENCE, LICENCE_URL, PUBLISHER
from quitodecide import exports

from . import selectors
from .models import CouncilSession

OPENDATA_EXPORT = exports.register(
    "council.opendata",
    description=(
        "The council's sessions, agenda items (with their consultation and tally), "
        "attendance and roll-call votes per councillor: CSV and JSON (CC BY 4.0)."
    ),
)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
PAGE = re.compile(r"^[1-9]\d{0,5}$")


def _month(value):
    match = MONTH.match(value or "")
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


@require_GET
def calendar(request):
    """Filters (all optional, wrong values are ignored with a note): tipo (kind),
    comision (a commission's slug), mes (YYYY-MM)."""
    problems = []
    kind = request.GET.get("tipo", "")
    if kind and kind not in CouncilSession.Kind.values:
        problems.append(_("Unknown kind of session: showing every kind."))
        kind = ""
    all_commissions = selectors.commissions()
    commission = None
    slug = request.GET.get("comision", "")
    if slug:
        commission = next((c for c in all_commissions if c.slug == slug), None)
        if commission is None:
            problems.append(_("Unknown commission: showing every commission."))
    month_text = request.GET.get("mes", "")
    month = _month(month_text)
    if month_text and month is None:
        problems.append(
            _("The month is written YYYY-MM (for example 2026-03): showing every month.")
        )
    page_text = request.GET.get("pagina", "")
    page = int(page_text) if PAGE.match(page_text) else 1
    upcoming, past, pages = selectors.calendar_sessions(
        kind=kind, commission=commission, month=month, page=page
    )
    selected = {
        "tipo": kind,
        "comision": commission.slug if commission else "",
        "mes": month.strftime("%Y-%m") if month else "",
    }
    keep = urlencode({key: value for key, value in selected.items() if value})

    def page_link(number):
        query = f"{keep}&pagina={number}" if keep else f"pagina={number}"
        return f"?{query}#past-heading"

    context = {
        "upcoming": upcoming,
        "past": past,
        "pages": pages,
        "previous_page": page_link(pages["number"] - 1) if pages["number"] > 1 else "",
        "next_page": page_link(pages["number"] + 1) if pages["number"] < pages["count"] else "",
        "kinds": CouncilSession.Kind.choices,
        "commissions": all_commissions,
        "selected": selected,
        "filtered": bool(kind or commission or month),
        "problems": problems,
    }
    return render(request, "council/calendar.html", context)


@require_GET
def session_detail(request, session_pk):
    session = selectors.session_detail(session_pk)
    if session is None:
        raise Http404(_("There is no such council session."))
    attendance = selectors.session_attendance(session)
    context = {
        "session": session,
        "items": selectors.session_items(session),
        "attendance": attendance,
        "attendance_counts": selectors.attendance_counts(attendance),
    }
    return render(request, "council/session_detail.html", context)


@require_GET
def item_detail(request, session_pk, position):
    item = selectors.item_detail(session_pk, position)
    if item is None:
        raise Http404(_("This session has no such agenda item."))
    votes = selectors.item_votes(item)
    context = {
        "item": item,
        "session": item.session,
        "votes": votes,
        "tally": selectors.tally(votes),
    }
    return render(request, "council/item_detail.html", context)


@require_GET
def councillor_detail(request, councillor_pk):
    councillor = selectors.councillor_detail(councillor_pk)
    if councillor is None:
        raise Http404(_("There is no such councillor."))
    context = {"councillor": councillor, **selectors.councillor_record(councillor)}
    return render(request, "council/councillor_detail.html", context)


# --- open data -------------------------------------------------------------------
SESSION_COLUMNS = (
    "session_id",
    "kind",
    "kind_label",
    "commission",
    "number",
    "starts_at",
    "place",
    "status",
    "video_url",
    "minutes_url",
    "agenda_items",
    "url",
)
ITEM_COLUMNS = (
    "item_id",
    "session_id",
    "session_starts_at",
    "position",
    "title",
    "summary",
    "consultation_url",
    "outcome",
    "votes_a_favor",
    "votes_en_contra",
    "votes_abstencion",
    "votes_blanco",
    "votes_ausente",
    "url",
)
ATTENDANCE_COLUMNS = (
    "session_id",
    "session_starts_at",
    "councillor_id",
    "councillor",
    "party",
    "presence",
)
VOTE_COLUMNS = (
    "session_id",
    "item_id",
    "position",
    "councillor_id",
    "councillor",
    "party",
    "empty_seat_organisation",
    "choice",
)
# dataset name in the URL -> (file stem, columns, rows(base_url))
DOWNLOADS = {
    "sesiones": ("concejo-sesiones", SESSION_COLUMNS, selectors.session_rows),
    "puntos": ("concejo-puntos-orden-del-dia", ITEM_COLUMNS, selectors.item_rows),
    "asistencia": (
        "concejo-asistencia",
        ATTENDANCE_COLUMNS,
        lambda _base: selectors.attendance_rows(),
    ),
    "votaciones": ("concejo-votaciones", VOTE_COLUMNS, lambda _base: selectors.vote_rows()),
}


def _download(request, name, fmt):
    stem, columns, build = DOWNLOADS[name]
    base_url = request.build_absolute_uri("/").rstrip("/")
    rows = build(base_url)
    if fmt == "csv":
        return exports.csv_response(OPENDATA_EXPORT, filename=stem, header=columns, rows=rows)
    data = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "publisher": PUBLISHER,
        name: [{column: row[column] for column in columns} for row in rows],
    }
    return exports.json_response(OPENDATA_EXPORT, filename=stem, data=data)


def _download_view(name, fmt):
    @require_GET
    def view(request):
        return _download(request, name, fmt)

    view.__name__ = f"{name}_{fmt}"
    return view


download_views = {
    (name, fmt): _download_view(name, fmt) for name in DOWNLOADS for fmt in ("csv", "json")
}
