"""Public pages of training: the plans (per zone and year) and upcoming sessions, a plan,
a session with its registration form, the cancel link, and the certificates (PDF download
and the public verification). Views parse and render; training.services writes."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from quitodecide import exports, ratelimit, rulebook
from quitodecide.errors import DomainError, PermissionDenied
from territory.models import Zone

from . import certificates, services
from .forms import RegistrationForm, VerifyForm
from .models import Registration, TrainingPlan, TrainingSession

CERTIFICATE_EXPORT = exports.register(
    "training.certificate",
    formats=("pdf",),
    description="An attendee's certificate of attendance (PDF), by its verification code.",
)
ATTEMPT_RATE = [("ip", "30/h")]
REGISTER_RATE = [("ip", "10/h")]
VERIFY_RATE = [("ip", "60/h")]
SESSION_KEY = "training_registrations"


def _pk(value) -> int:
    if not 0 < value < 2**31:
        raise Http404
    return value


def _published_sessions():
    return TrainingSession.objects.filter(plan__is_published=True).select_related(
        "plan__zone", "module"
    )


def _confirmed_count():
    return Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED))


def index(request):
    plans = TrainingPlan.objects.filter(is_published=True).select_related("zone")
    zones = Zone.objects.filter(training_plans__is_published=True).distinct().order_by("name")
    years = sorted(set(plans.values_list("year", flat=True)), reverse=True)
    zone_slug = (request.GET.get("zona") or "").strip()[:60]
    year_text = (request.GET.get("anio") or "").strip()[:4]
    zone = zones.filter(slug=zone_slug).first() if zone_slug else None
    year = int(year_text) if year_text.isascii() and year_text.isdigit() else None
    if zone is not None:
        plans = plans.filter(zone=zone)
    if year is not None:
        plans = plans.filter(year=year)
    upcoming = (
        _published_sessions()
        .filter(status=TrainingSession.Status.SCHEDULED, starts_at__gt=timezone.now())
        .annotate(confirmed=_confirmed_count())
    )
    if zone is not None:
        upcoming = upcoming.filter(plan__zone=zone)
    if year is not None:
        upcoming = upcoming.filter(plan__year=year)
    upcoming = list(upcoming[:30])
    for session in upcoming:
        session.places_left = max(session.capacity - session.confirmed, 0)
    return TemplateResponse(
        request,
        "training/index.html",
        {
            "plans": plans.order_by("-year", "zone__name", "title"),
            "zones": zones,
            "years": years,
            "zone": zone,
            "year": year,
            "upcoming": upcoming,
        },
    )


def plan(request, slug: str):
    found = TrainingPlan.objects.filter(slug=slug, is_published=True).select_related("zone").first()
    if found is None:
        raise Http404
    now = timezone.now()
    sessions = list(found.sessions.select_related("module").annotate(confirmed=_confirmed_count()))
    for session in sessions:
        session.places_left = max(session.capacity - session.confirmed, 0)
    return TemplateResponse(
        request,
        "training/plan.html",
        {
            "plan": found,
            "modules": found.modules.all(),
            "upcoming": [s for s in sessions if s.starts_at > now],
            "past": [s for s in sessions if s.starts_at <= now][::-1],
        },
    )


def _session_or_404(pk):
    session = _published_sessions().filter(pk=_pk(pk)).first()
    if session is None:
        raise Http404
    return session


def _add_errors(form, error) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error.message))


@require_http_methods(["GET", "POST"])
def session_detail(request, pk: int):
    session = _session_or_404(pk)
    user = request.user if request.user.is_authenticated else None
    form = RegistrationForm(user=user)
    refusal = None
    if not rulebook.allowed(request.user, services.REGISTER, session):
        refusal = rulebook.explain(request.user, services.REGISTER, session)
    # An account without an e-mail cannot register: it is told to add one.
    needs_email = user is not None and not (user.email or "").strip()
    status = 200
    if request.method == "POST" and refusal is not None:
        status = 403
    elif request.method == "POST" and needs_email:
        status = 400
    elif request.method == "POST":
        form = RegistrationForm(request.POST, user=user)
        try:
            ratelimit.limits(request, "training.register_attempt", ATTEMPT_RATE)
            if form.is_valid():
                ratelimit.limits(request, "training.register", REGISTER_RATE)
                data = form.cleaned_data
                registration = services.register(
                    user,
                    session,
                    name=data["name"],
                    email=data.get("email", ""),
                    parish=data.get("parish"),
                    privacy_consent=data.get("privacy_consent", False),
                )
                mine = [int(x) for x in request.session.get(SESSION_KEY, []) if str(x).isdigit()]
                request.session[SESSION_KEY] = [*mine[-19:], registration.pk]
                return redirect("training:registered", session.pk)
        except PermissionDenied as error:
            refusal = error.refusal or rulebook.Refusal(str(error.message))
            status = 403
        except ratelimit.RateLimited as error:
            _add_errors(form, error)
            status = 429
        except (DomainError, ValidationError) as error:
            _add_errors(form, error)
        if refusal is None and form.errors and status == 200:
            status = 400
    confirmed = session.registrations.filter(status=Registration.Status.CONFIRMED).count()
    waiting = session.registrations.filter(status=Registration.Status.WAITLISTED).count()
    mine = None
    if user is not None:
        mine = (
            session.registrations.filter(user=user)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
    return TemplateResponse(
        request,
        "training/session.html",
        {
            "session": session,
            "plan": session.plan,
            "form": form,
            "refusal": refusal,
            "places_left": max(session.capacity - confirmed, 0),
            "waiting": waiting,
            "phase": session.phase(),
            "mine": mine,
            "needs_email": needs_email,
        },
        status=status,
    )


def registered(request, pk: int):
    session = _session_or_404(pk)
    ids = [int(x) for x in request.session.get(SESSION_KEY, []) if str(x).isdigit()]
    registration = session.registrations.filter(pk__in=ids).order_by("-pk").first() if ids else None
    if registration is None:
        return redirect("training:session", session.pk)
    return TemplateResponse(
        request,
        "training/registered.html",
        {"session": session, "registration": registration},
    )


@require_http_methods(["GET", "POST"])
def cancel(request, token: str):
    registration = services.registration_by_token(token)
    if registration is None:
        raise Http404
    error = ""
    done = registration.status == Registration.Status.CANCELLED
    # Why it can no longer be cancelled (the session cancelled or started, the registrant
    # marked present): shown instead of the button, and a POST changes nothing.
    closed = "" if done else services.cancel_refusal(registration)
    if request.method == "POST" and not done and not closed:
        try:
            registration = services.cancel_registration(registration)
            done = True
        except DomainError as refused:
            error = str(refused.message)
    session = registration.session
    return TemplateResponse(
        request,
        "training/cancel.html",
        {
            "registration": registration,
            "session": session,
            "done": done,
            "error": error,
            "closed": closed,
            "session_public": session.plan.is_published,
        },
        status=400 if error else 200,
    )


def _limited(request) -> bool:
    try:
        ratelimit.limits(request, "training.certificate_verify", VERIFY_RATE)
    except ratelimit.RateLimited:
        return True
    return False


def certificate_pdf(request, code: str):
    if _limited(request):
        return TemplateResponse(
            request,
            "training/certificate.html",
            {"limited": True, "form": VerifyForm()},
            status=429,
        )
    registration = certificates.valid_certificate(code)
    if registration is None:
        raise Http404
    content = certificates.certificate_pdf(registration)
    return exports.pdf_response(
        CERTIFICATE_EXPORT,
        filename=f"certificado-{registration.certificate_code.lower()}",
        content=content,
    )


def _verification(request, code: str, form, status=200):
    limited = _limited(request)
    registration = None if limited else certificates.valid_certificate(code)
    return TemplateResponse(
        request,
        "training/certificate.html",
        {
            "form": form,
            "checked": True,
            "limited": limited,
            "registration": registration,
            "code": code[:30],
        },
        status=429 if limited else status,
    )


def certificate(request, code: str):
    return _verification(request, code, VerifyForm(initial={"codigo": code[:30]}))


def verify(request):
    if "codigo" not in request.GET:
        return TemplateResponse(request, "training/certificate.html", {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return TemplateResponse(request, "training/certificate.html", {"form": form}, status=400)
    return _verification(request, form.cleaned_data["codigo"], form)
