"""The resident's verification page, /cuenta/verificacion/: their current verification and
the ways to get one (census look-up, one-time code, a request to the zone's staff).

Census look-ups and code entries are rate-limited per account and per address; a failed
census look-up always gives the same answer, whether the cédula is not in the census or the
date of birth is wrong. Nothing typed here is logged or kept: the census match found is
carried to the confirmation step in the session as hashes and ids only.
"""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import services as account_services
from accounts.selectors import zone_office
from quitodecide.errors import DomainError
from quitodecide.ratelimit import RateLimited, limits

from . import selectors, services
from .forms import CensusConfirmForm, CensusForm, CodeForm, RequestForm

CENSUS_RATES = [("user", "5/h"), ("ip", "20/h")]
# An assembly's attendees share one address (the venue's Wi-Fi): a higher limit per
# address, the same per account. 2**50 codes make guessing hopeless at either rate.
CODE_RATES = [("user", "5/h"), ("ip", "100/h")]
SESSION_MATCH = "verification_census_match"
MATCH_SECONDS = 600  # the confirmation step must follow the look-up within ten minutes


def _census_failure() -> str:
    return _(
        "The data you entered do not match the census. Check them, or use another way of "
        "getting verified below."
    )


def _too_many() -> str:
    return _("Too many attempts in a short time. Please try again in an hour.")


def _error_message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error.message)


@never_cache
@login_required
def index(request):
    resident = account_services.resident_for(request.user)
    forms = {
        "census_form": CensusForm(prefix="censo", initial={"parish": resident.parish_id}),
        "code_form": CodeForm(prefix="codigo"),
        "request_form": RequestForm(prefix="solicitud"),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        handler = {
            "census": _census,
            "census_confirm": _census_confirm,
            "code": _code,
            "request": _request,
        }.get(action)
        if handler is not None:
            response = handler(request, resident, forms)
            if response is not None:
                return response
    resident.refresh_from_db()
    return TemplateResponse(
        request,
        "verification/index.html",
        {
            "resident": resident,
            "open_request": selectors.open_request_of(resident),
            "last_request": selectors.last_request_of(resident),
            "zone_office": zone_office(resident.zone),
            **forms,
        },
    )


def _done(request, resident):
    resident.refresh_from_db()
    messages.success(
        request,
        _("Your residency in %(parish)s (%(zone)s) is verified.")
        % {"parish": resident.parish.name, "zone": resident.zone.name},
    )
    return redirect("verification:index")


def _census(request, resident, forms):
    form = CensusForm(request.POST, prefix="censo")
    forms["census_form"] = form
    if not form.is_valid():
        return None
    try:
        limits(request, "verification.census", CENSUS_RATES, message=_too_many())
    except RateLimited as error:
        form.add_error(None, error.message)
        return None
    data = form.cleaned_data
    match = selectors.census_match(
        cedula=data["cedula"], born_on=data["born_on"], parish=data["parish"]
    )
    if match is None:
        form.add_error(None, _census_failure())
        return None
    same_home = match.parish is not None and (resident.zone_id, resident.parish_id) == (
        match.zone.pk,
        match.parish.pk,
    )
    if same_home:
        return _verify_census(request, resident, match, form)
    # The census places them elsewhere than their profile (or knows only the zone): say so,
    # and ask them to confirm the residence before anything changes.
    request.session[SESSION_MATCH] = {**match.as_session(), "at": time.time()}
    return _confirm_page(
        request,
        resident,
        match,
        CensusConfirmForm(
            prefix="confirmar",
            zone=match.zone,
            parish_fixed=match.parish_fixed,
            initial={"parish": getattr(match.parish, "pk", None)},
        ),
    )


def _confirm_page(request, resident, match, form):
    return TemplateResponse(
        request,
        "verification/census_confirm.html",
        {"resident": resident, "match": match, "form": form},
    )


def _verify_census(request, resident, match, form):
    try:
        services.census_verify_self(user=request.user, match=match)
    except (DomainError, ValidationError) as error:
        form.add_error(None, _error_message(error))
        return None
    request.session.pop(SESSION_MATCH, None)
    return _done(request, resident)


def _census_confirm(request, resident, forms):
    stored = request.session.get(SESSION_MATCH) or {}
    match = selectors.match_from_session(stored)
    if match is None or time.time() - float(stored.get("at", 0)) > MATCH_SECONDS:
        request.session.pop(SESSION_MATCH, None)
        messages.error(request, _("The confirmation took too long. Enter your data again."))
        return redirect("verification:index")
    form = CensusConfirmForm(
        request.POST, prefix="confirmar", zone=match.zone, parish_fixed=match.parish_fixed
    )
    if not form.is_valid():
        return _confirm_page(request, resident, match, form)
    if not match.parish_fixed:
        # A birth-date census knows only the zone: the parish is the person's, within it
        # (the form offers only the zone's). A parish census's parish is never changed here
        # (and the verifier takes the census row's parish whatever the match says).
        match = selectors.CensusMatch(
            match.entry_id, match.cedula_hash, match.zone, form.cleaned_data["parish"]
        )
    response = _verify_census(request, resident, match, form)
    return response if response is not None else _confirm_page(request, resident, match, form)


def _code(request, resident, forms):
    form = CodeForm(request.POST, prefix="codigo")
    forms["code_form"] = form
    try:
        limits(request, "verification.code", CODE_RATES, message=_too_many())
    except RateLimited as error:
        form.is_valid()
        form.add_error(None, error.message)
        return None
    if not form.is_valid():
        return None
    try:
        services.code_verify_self(user=request.user, code=form.cleaned_data["code"])
    except (DomainError, ValidationError) as error:
        form.add_error(None, _error_message(error))
        return None
    return _done(request, resident)


def _request(request, resident, forms):
    form = RequestForm(request.POST, prefix="solicitud")
    forms["request_form"] = form
    if not form.is_valid():
        return None
    try:
        services.request_create(user=request.user, message=form.cleaned_data["message"])
    except (DomainError, ValidationError) as error:
        form.add_error(None, _error_message(error))
        return None
    messages.success(
        request,
        _("Your request was sent to the staff of %(zone)s. We will write to you by e-mail.")
        % {"zone": resident.zone.name},
    )
    return redirect("verification:index")
