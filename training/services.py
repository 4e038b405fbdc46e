"""Writes of training: plans, modules and sessions (zone staff, rule book training.manage),
registrations and their cancellation (anyone, training.register; the cancel link), and
attendance (zone staff from the session's day, training.attendance), which issues the
certificates and sends the evaluation survey.

Decisions:
- With an account, the registration uses the account's e-mail (a confirmed address is not
  required: the confirmation e-mail goes to it, and the cancel link is the proof); the name
  given is the one printed on the certificate. Without an account: name, e-mail, parish and
  acceptance of the privacy notice.
- One live (not cancelled) registration per e-mail and per account and session (database
  constraints; a race is answered with the same message).
- Confirmed while fewer than `capacity` are confirmed, else on the waiting list; the
  session's row is locked while counting (no over-booking). A cancelled confirmed place,
  or a larger capacity, goes to the first on the waiting list, who is told by e-mail.
- The cancel link's token is random (secrets.token_urlsafe), only its SHA-256 is stored;
  it is made when the e-mail is sent (training.tasks), so no secret waits in the task
  queue. Each e-mail with a link makes a new token: the latest link is the valid one.
- Attendance is a checklist of the confirmed registrations. Marking one attended issues a
  certificate code; unmarking it keeps the code but the certificate stops verifying (the
  PDF and the verification need attended), and marking it again brings the same code back,
  so the link already e-mailed works again. Unmarking revokes the attendee's evaluation
  invitation; marking them again sends a new one. Anyone marked attended for the first
  time, also after the others were e-mailed, gets the evaluation e-mail once.
- A registration marked attended cannot be cancelled by its link; a session that started
  or has attendance cannot be cancelled by staff (its certificates stand).
"""

import datetime
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.changes import changes, snapshot
from quitodecide.errors import DomainError

from . import audit
from .models import Module, Registration, TrainingPlan, TrainingSession, new_certificate_code

MANAGE = "training.manage"
ATTENDANCE = "training.attendance"
REGISTER = "training.register"
Status = Registration.Status
LIVE = (Status.CONFIRMED, Status.WAITLISTED)
EVALUATION_DAYS = 30  # the evaluation survey stays open this long after the session


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """(token, its hash)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def _text(value, limit, *, required=False, message=""):
    value = (value or "").strip()
    if required and not value:
        raise DomainError(message)
    return value[:limit]


# --- plans, modules, sessions -------------------------------------------------------------
PLAN_FIELDS = ("zone_id", "year", "title", "slug", "description", "is_published")
MODULE_FIELDS = ("plan_id", "position", "title", "description", "hours")
SESSION_FIELDS = (
    "plan_id",
    "module_id",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "capacity",
    "facilitator",
    "partner",
    "status",
)


@transaction.atomic
def plan_save(
    *,
    actor,
    zone,
    year: int,
    title: str,
    slug: str,
    description: str = "",
    is_published: bool = True,
    plan: TrainingPlan | None = None,
) -> TrainingPlan:
    if plan is not None:
        rulebook.require(actor, MANAGE, plan)
    rulebook.require(actor, MANAGE, TrainingPlan(zone=zone))
    title = _text(title, 200, required=True, message=_("A training plan needs a title."))
    slug = _text(slug, 80, required=True, message=_("A training plan needs a slug."))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("Give a year between 2000 and 2100."))
    clash = TrainingPlan.objects.filter(slug=slug)
    if plan is not None:
        clash = clash.exclude(pk=plan.pk)
    if clash.exists():
        raise DomainError(_("Another training plan has this slug."))
    created = plan is None
    before = snapshot(plan, PLAN_FIELDS)
    plan = plan or TrainingPlan()
    plan.zone, plan.year, plan.title, plan.slug = zone, year, title, slug
    plan.description = (description or "").strip()
    plan.is_published = bool(is_published)
    plan.save()
    log(
        instance=plan,
        action=audit.PLAN_SAVE,
        user=actor,
        data={"created": created, "changed": changes(before, plan, PLAN_FIELDS)},
    )
    return plan


@transaction.atomic
def module_save(
    *,
    actor,
    plan: TrainingPlan,
    position: int,
    title: str,
    description: str = "",
    hours: int | None = None,
    module: Module | None = None,
) -> Module:
    if module is not None:
        rulebook.require(actor, MANAGE, module.plan)
    rulebook.require(actor, MANAGE, plan)
    title = _text(title, 200, required=True, message=_("A module needs a title."))
    if not isinstance(position, int) or not 1 <= position <= 999:
        raise DomainError(_("Give the module's position, a number from 1."))
    if hours is not None and (not isinstance(hours, int) or not 0 <= hours <= 1000):
        raise DomainError(_("Give the module's hours as a whole number."))
    clash = Module.objects.filter(plan=plan, position=position)
    if module is not None:
        clash = clash.exclude(pk=module.pk)
    if clash.exists():
        raise DomainError(_("Another module of this plan has this position."))
    created = module is None
    before = snapshot(module, MODULE_FIELDS)
    module = module or Module()
    module.plan, module.position, module.title = plan, position, title
    module.description = (description or "").strip()
    module.hours = hours
    module.save()
    log(
        instance=module,
        action=audit.MODULE_SAVE,
        user=actor,
        data={"created": created, "changed": changes(before, module, MODULE_FIELDS)},
    )
    return module


@transaction.atomic
def session_save(
    *,
    actor,
    plan: TrainingPlan,
    title: str,
    starts_at,
    ends_at,
    capacity: int,
    facilitator: str,
    module: Module | None = None,
    description: str = "",
    place: str = "",
    online_url: str = "",
    partner: str = "",
    status: str = TrainingSession.Status.SCHEDULED,
    session: TrainingSession | None = None,
) -> TrainingSession:
    """Create or edit a session. Cancelling it tells its registrants by e-mail; a larger
    capacity confirms people from the waiting list."""
    from council.services import check_link

    if session is not None:
        session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        rulebook.require(actor, MANAGE, session.plan)
    rulebook.require(actor, MANAGE, plan)
    title = _text(title, 200, required=True, message=_("A session needs a title."))
    facilitator = _text(
        facilitator, 200, required=True, message=_("A session needs a facilitator.")
    )
    if module is not None and module.plan_id != plan.pk:
        raise DomainError(_("The module belongs to another training plan."))
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(_("A session ends after it starts."))
    if not isinstance(capacity, int) or not 1 <= capacity <= 100000:
        raise DomainError(_("Give the number of places, at least 1."))
    place = _text(place, 255)
    online_url = check_link(online_url)
    if not place and not online_url:
        raise DomainError(_("Give the place, or the link of an online session."))
    if status not in TrainingSession.Status.values:
        raise DomainError(_("Choose a status."))
    was_cancelled = session is not None and session.status == TrainingSession.Status.CANCELLED
    if was_cancelled and status != TrainingSession.Status.CANCELLED:
        raise DomainError(_("A cancelled session cannot be scheduled again."))
    if (
        status == TrainingSession.Status.CANCELLED
        and session is not None
        and not was_cancelled
        and (
            session.starts_at <= timezone.now()
            or session.registrations.filter(attended=True).exists()
        )
    ):
        raise DomainError(
            _(
                "This session has started or its attendance was taken: it can no longer be "
                "cancelled."
            )
        )
    created = session is None
    before = snapshot(session, SESSION_FIELDS)
    session = session or TrainingSession()
    session.plan, session.module, session.title = plan, module, title
    session.description = (description or "").strip()
    session.starts_at, session.ends_at = starts_at, ends_at
    session.place, session.online_url = place, online_url
    session.capacity, session.facilitator = capacity, facilitator
    session.partner = _text(partner, 200)
    session.status = status
    session.save()
    log(
        instance=session,
        action=audit.SESSION_SAVE,
        user=actor,
        data={"created": created, "changed": changes(before, session, SESSION_FIELDS)},
    )
    if status == TrainingSession.Status.CANCELLED and not was_cancelled and not created:
        from .tasks import notify_registration

        ids = list(session.registrations.filter(status__in=LIVE).values_list("pk", flat=True))
        transaction.on_commit(
            lambda: [notify_registration.enqueue(pk, "session_cancelled") for pk in ids]
        )
    elif status == TrainingSession.Status.SCHEDULED and session.phase() != "held":
        _promote(session)
    return session


# --- registrations ------------------------------------------------------------------------
def _promote(session) -> list[int]:
    """Confirm the first ones on the waiting list while places are free (the session's row
    is locked by the caller); each is told by e-mail."""
    from .tasks import notify_registration

    confirmed = session.registrations.filter(status=Status.CONFIRMED).count()
    free = session.capacity - confirmed
    if free <= 0:
        return []
    waiting = list(
        session.registrations.filter(status=Status.WAITLISTED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    if waiting:
        Registration.objects.filter(pk__in=waiting).update(status=Status.CONFIRMED)
        transaction.on_commit(
            lambda: [notify_registration.enqueue(pk, "promoted") for pk in waiting]
        )
    return waiting


def account_name(user) -> str:
    """The name an account registers with by default: its public display name, else its
    full name."""
    from accounts.selectors import resident_of

    resident = resident_of(user)
    if resident is not None and resident.display_name:
        return resident.display_name
    return (user.get_full_name() or "").strip()


def register(
    user, session, *, name: str = "", email: str = "", parish=None, privacy_consent=False
) -> Registration:
    """Register for `session`: `user` an account (its e-mail is used) or None (name, e-mail,
    parish and the privacy notice's acceptance needed). Raises PermissionDenied (closed,
    cancelled) or DomainError (a field missing, already registered)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from accounts.selectors import resident_of

    account = user if (user is not None and user.is_authenticated) else None
    rulebook.require(user, REGISTER, session)
    name = (name or "").strip() or (account_name(account) if account else "")
    if account is not None:
        email = account.email
        if parish is None and resident_of(account) is not None:
            parish = resident_of(account).parish
    email = (email or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Write your full name (it goes on the certificate).")
    elif len(name) > 200:
        errors["name"] = _("Write at most 200 characters.")
    try:
        validate_email(email)
        if len(email) > 254:
            raise ValidationError("long")
    except ValidationError:
        errors["email"] = (
            _(
                "Your account has no e-mail address: add one to your account to register (we "
                "send the confirmation and the cancel link there)."
            )
            if account is not None
            else _("Write a valid e-mail address.")
        )
    if account is None:
        if parish is None:
            errors["parish"] = _("Choose your parish.")
        if not privacy_consent:
            errors["privacy_consent"] = _("You must accept the privacy notice to register.")
    if errors:
        raise ValidationError(errors)
    duplicate = _("You are already registered for this session (or on its waiting list).")
    with transaction.atomic():
        locked = (
            TrainingSession.objects.select_for_update().select_related("plan").get(pk=session.pk)
        )
        rulebook.require(user, REGISTER, locked)
        live = locked.registrations.filter(status__in=LIVE)
        if live.filter(email__iexact=email).exists() or (
            account is not None and live.filter(user=account).exists()
        ):
            raise DomainError(duplicate)
        confirmed = live.filter(status=Status.CONFIRMED).count()
        registration = Registration(
            session=locked,
            user=account,
            name=name,
            email=email,
            parish=parish,
            status=Status.CONFIRMED if confirmed < locked.capacity else Status.WAITLISTED,
            token_hash=new_token()[1],  # replaced, with the link, when the e-mail is sent
        )
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError as error:
            raise DomainError(duplicate) from error
    from .tasks import notify_registration

    transaction.on_commit(lambda: notify_registration.enqueue(registration.pk, "registered"))
    return registration


def registration_by_token(token: str):
    """The registration a cancel link names, or None (the same for any unknown token)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return (
        Registration.objects.select_related("session__plan__zone")
        .filter(token_hash=hash_token(token))
        .first()
    )


def cancel_refusal(registration: Registration, session=None) -> str:
    """Why the cancel link can no longer cancel this registration, or "" when it can."""
    session = session or registration.session
    if session.status == TrainingSession.Status.CANCELLED:
        return _("This session was cancelled.")
    if registration.attended:
        return _(
            "You were marked present at this session: the registration can no longer be cancelled."
        )
    if session.phase() not in {"upcoming", "today"}:
        return _("The session has started: the registration can no longer be cancelled.")
    return ""


def cancel_registration(registration: Registration) -> Registration:
    """Cancel by the cancel link (whoever holds it is the registrant). A confirmed place
    goes to the first on the waiting list. Refused once the session started, when it was
    cancelled, and when the registrant was marked present."""
    with transaction.atomic():
        session = TrainingSession.objects.select_for_update().get(pk=registration.session_id)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == Status.CANCELLED:
            return registration
        refusal = cancel_refusal(registration, session)
        if refusal:
            raise DomainError(refusal)
        was_confirmed = registration.status == Status.CONFIRMED
        registration.status = Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        if was_confirmed and session.status == TrainingSession.Status.SCHEDULED:
            _promote(session)
    return registration


# --- attendance ---------------------------------------------------------------------------
def _issue_code(registration) -> None:
    for _attempt in range(10):
        code = new_certificate_code()
        if not Registration.objects.filter(certificate_code=code).exists():
            try:
                with transaction.atomic():
                    Registration.objects.filter(pk=registration.pk).update(certificate_code=code)
            except IntegrityError:
                continue
            registration.certificate_code = code
            return
    raise DomainError(_("No certificate code could be issued; try again."))


@transaction.atomic
def attendance_save(*, actor, session: TrainingSession, attended_ids) -> dict:
    """Record who attended among the session's confirmed registrations (`attended_ids`:
    their ids; the others did not attend). Returns {"attended": n, "evaluations": n}."""
    session = TrainingSession.objects.select_for_update().select_related("plan").get(pk=session.pk)
    rulebook.require(actor, ATTENDANCE, session)
    attended_ids = {int(pk) for pk in attended_ids}
    confirmed = list(session.registrations.filter(status=Status.CONFIRMED))
    unknown = attended_ids - {r.pk for r in confirmed}
    if unknown:
        raise DomainError(_("Only confirmed registrations of this session can attend."))
    now = timezone.now()
    changed = {"marked": [], "unmarked": []}
    for registration in confirmed:
        present = registration.pk in attended_ids
        if present == registration.attended:
            continue
        registration.attended = present
        registration.attendance_marked_at = now
        registration.attendance_marked_by = actor
        fields = ["attended", "attendance_marked_at", "attendance_marked_by"]
        if not present and registration.evaluation_sent_at and _revoke_invitation(registration):
            registration.evaluation_sent_at = None  # marked again: a new invitation
            fields.append("evaluation_sent_at")
        registration.save(update_fields=fields)
        if present and not registration.certificate_code:
            _issue_code(registration)
        changed["marked" if present else "unmarked"].append(registration.pk)
    log(instance=session, action=audit.ATTENDANCE_SAVE, user=actor, data=changed)
    sent = send_evaluations(session)
    return {"attended": len([r for r in confirmed if r.attended]), "evaluations": sent}


def invitation_key(registration) -> str:
    """The key of the attendee's invitation to the session's evaluation survey."""
    return f"training-registration:{registration.pk}"


def _revoke_invitation(registration) -> bool:
    """End the unmarked attendee's evaluation invitation (when the surveys app can): True
    when it was revoked, so that marking them again sends a new one."""
    from surveys import invitations

    revoke = getattr(invitations, "revoke", None)
    survey = registration.session.evaluation
    if revoke is None or survey is None:
        return False
    revoke(survey, invitation_key(registration))
    return True


def _free_slug(base: str) -> str:
    from surveys.models import Survey

    taken = set(Survey.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    for n in range(2, 1000):
        if f"{base}-{n}" not in taken:
            return f"{base}-{n}"
    return f"{base}-{secrets.token_hex(4)}"


def evaluation_survey(session):
    """The session's evaluation survey, created (by the surveys app) when missing; its slug
    is "evaluacion-formacion-<pk>", with a suffix when another survey has it."""
    if session.evaluation_id:
        return session.evaluation
    from surveys.services import create_evaluation_survey

    opens_at = min(session.starts_at, timezone.now())
    closes_at = max(session.ends_at, timezone.now()) + datetime.timedelta(days=EVALUATION_DAYS)
    slug = _free_slug(f"evaluacion-formacion-{session.pk}")
    survey = create_evaluation_survey(session.title, session.plan.zone, opens_at, closes_at, slug)
    TrainingSession.objects.filter(pk=session.pk).update(evaluation=survey)
    session.evaluation = survey
    return survey


def send_evaluations(session) -> int:
    """E-mail the evaluation survey to the attendees not sent it yet (once each)."""
    from .tasks import notify_evaluation

    pending = list(
        session.registrations.filter(attended=True, evaluation_sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not pending:
        return 0
    evaluation_survey(session)
    Registration.objects.filter(pk__in=pending).update(evaluation_sent_at=timezone.now())
    transaction.on_commit(lambda: [notify_evaluation.enqueue(pk) for pk in pending])
    return len(pending)
