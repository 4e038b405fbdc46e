"""Writes for requests: submission, supports, pre-feasibility verdicts, status changes."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from accounts.selectors import resident_of
from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from territory.models import Barrio, Parish

from . import audit
from .images import MAX_IMAGES, discard_on_failure, reencoded, store
from .models import Request, RequestImage, StatusChange, Support, Verdict
from .tasks import send_verdict_email

Status = Request.Status
SUPPORTABLE = {Status.SUBMITTED, Status.VIABLE}


def request_set_status(*, request: Request, status: str, actor, note: str = "") -> bool:
    """Change a request's status and keep it in the history. Returns whether it changed."""
    if request.status == status:
        return False
    StatusChange.objects.create(
        request=request, from_status=request.status, to_status=status, actor=actor, note=note
    )
    request.status = status
    request.save(update_fields=["status", "updated_at"])
    return True


@discard_on_failure
@transaction.atomic
def request_submit(
    *,
    cycle,  # the container: a budget cycle (see proposals.rules)
    user,
    kind: str,
    title: str,
    description: str,
    parish: Parish,
    barrio_name: str,
    estimated_cost: Decimal,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    organisation: str = "",
    images: list[tuple] = (),
) -> Request:
    """A resident files a request in their zone's cycle. `images` are (file, description)."""
    if not rulebook.allowed(user, "proposals.submit", cycle):
        raise PermissionDenied(
            _(
                "Only residents of this zone with a verified e-mail can submit requests, "
                "and only while the requests phase is open."
            )
        )
    if parish.zone_id != cycle.zone_id:
        raise DomainError(_("The parish must belong to this cycle's zone."))
    if estimated_cost is None or estimated_cost <= 0:
        raise DomainError(_("The estimated cost must be greater than zero."))
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both the latitude and the longitude, or neither."))
    if kind not in Request.Kind.values:
        raise DomainError(_("Choose the type of request."))
    if len(images) > MAX_IMAGES:
        raise DomainError(_("Attach at most %(count)s images.") % {"count": MAX_IMAGES})
    # Every photo is decoded and re-encoded before anything is written (the form already
    # did it: then this costs nothing), so a damaged one refuses the whole submission cleanly.
    try:
        photos = [(reencoded(upload), alt_text) for upload, alt_text in images]
    except ValidationError as error:
        raise DomainError(error.messages[0]) from None
    barrio_name = barrio_name.strip()
    barrio = Barrio.objects.filter(parish=parish, name__iexact=barrio_name).first()
    request = Request.objects.create(
        cycle=cycle,
        author=user,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        parish=parish,
        barrio=barrio,
        barrio_name=barrio.name if barrio else barrio_name,
        latitude=latitude,
        longitude=longitude,
        estimated_cost=estimated_cost,
        organisation=organisation.strip(),
    )
    StatusChange.objects.create(
        request=request, from_status="", to_status=request.status, actor=user
    )
    for photo, alt_text in photos:
        item = RequestImage(
            request=request, alt_text=alt_text, width=photo.width, height=photo.height
        )
        store(item.image, photo)  # deleted again by discard_on_failure if we fail later
        item.save()
    return request


@transaction.atomic
def request_support(*, request: Request, user) -> Support:
    """A verified resident of the zone supports a request. Supporting twice changes nothing:
    the unique constraint keeps one support per resident, even under concurrent clicks."""
    if not rulebook.allowed(user, "proposals.support", request.cycle):
        raise PermissionDenied(
            _("Only verified residents of this zone can support requests, while supports open.")
        )
    if request.status not in SUPPORTABLE:
        raise DomainError(_("This request no longer takes supports."))
    resident = resident_of(user)
    try:
        with transaction.atomic():
            support, _created = Support.objects.get_or_create(request=request, resident=resident)
    except IntegrityError:
        support = Support.objects.get(request=request, resident=resident)
    return support


@transaction.atomic
def request_unsupport(*, request: Request, user) -> None:
    """Take one's support back while supports are open (with or without a standing
    consent: taking back never needs one)."""
    if not rulebook.may_take_back(user, "proposals.support", request.cycle):
        raise PermissionDenied(_("Supports are closed for this request."))
    Support.objects.filter(request=request, resident=resident_of(user)).delete()


@transaction.atomic
def verdict_record(
    *,
    request: Request,
    actor,
    viable: bool,
    reason: str = "",
    technical_cost: Decimal | None = None,
    notes: str = "",
) -> Verdict:
    """Staff record the pre-feasibility verdict; the author is told by e-mail after commit."""
    if not rulebook.allowed(actor, "proposals.assess", request.cycle):
        raise PermissionDenied(
            _("Only this zone's staff can record verdicts, during requests and pre-feasibility.")
        )
    reason = reason.strip()
    if not viable and not reason:
        raise DomainError(_("Explain why the request is not viable."))
    if viable and (technical_cost is None or technical_cost <= 0):
        raise DomainError(_("A viable request needs a technical cost estimate."))
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.status not in {Status.SUBMITTED, Status.VIABLE, Status.NOT_VIABLE}:
        raise DomainError(_("This request has already been prioritised."))
    verdict, _created = Verdict.objects.update_or_create(
        request=request,
        defaults={
            "viable": viable,
            "reason": reason,
            "technical_cost": technical_cost if viable else None,
            "notes": notes.strip(),
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    new_status = Status.VIABLE if viable else Status.NOT_VIABLE
    request_set_status(request=request, status=new_status, actor=actor, note=reason)
    log(
        instance=request,
        action=audit.VERDICT_RECORD,
        user=actor,
        data={"viable": viable, "technical_cost": str(technical_cost or "")},
    )
    if request.author_id:
        request_id = request.pk
        transaction.on_commit(lambda: send_verdict_email.enqueue(request_id))
    return verdict


def request_thread(*, request: Request):
    """The request's discussion thread, created on first use."""
    from discussions.models import Thread

    if request.thread_id is None:
        with transaction.atomic():
            locked = Request.objects.select_for_update().get(pk=request.pk)
            if locked.thread_id is None:
                locked.thread = Thread.objects.create(
                    zone=request.cycle.zone, title=f"{request.reference} · {request.title}"[:255]
                )
                locked.save(update_fields=["thread"])
            request.thread = locked.thread
    return request.thread


@transaction.atomic
def request_comment(*, request: Request, user, body: str, parent=None):
    """A comment (or a reply) on a request, through the discussion engine."""
    from discussions import services as discussion_services

    from .rules import comment_refusal

    refusal = comment_refusal(user, request.cycle)
    if refusal:
        raise PermissionDenied(refusal)
    thread = request_thread(request=request)
    if parent is not None and parent.thread_id != thread.pk:
        raise DomainError(_("That comment is not part of this request."))
    return discussion_services.comment_create(thread=thread, author=user, body=body, parent=parent)
