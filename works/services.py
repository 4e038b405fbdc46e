"""Writes for public works: creating and editing works, dated updates, works from budget
results, residents' observations and follows. Every write checks its rule here (the rule
book) and every staff write leaves an audit entry."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from discussions import services as discussion_services
from discussions.models import Thread
from proposals.images import MAX_IMAGES, discard_on_failure, reencoded, store
from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied

from . import audit
from .models import (
    Follow,
    Observation,
    Work,
    WorkPhoto,
    WorkSource,
    WorkUpdate,
)
from .ruc import validate_ruc
from .status import WorkStatus, check_update

OBSERVATIONS_PER_WORK_PER_DAY = 3
MIN_YEAR, MAX_YEAR = 2000, 2100
RESULTS_CODE_PREFIX = "PP-"  # reserved: PP-<cycle year>-<request>, given by the results
EDITABLE_FIELDS = (
    "title",
    "description",
    "parish",
    "barrio_name",
    "latitude",
    "longitude",
    "year",
    "responsible_unit",
    "contractor_name",
    "contractor_ruc",
    "contract_number",
    "amount_assigned",
    "amount_contracted",
    "planned_start",
    "planned_end",
)


# --- codes --------------------------------------------------------------------------------
def next_code(year: int) -> str:
    """The next free public code of a year: OB-2026-00001, OB-2026-00002...
    Called inside the creating transaction; the unique constraint settles any race."""
    prefix = f"OB-{year}-"
    last = (
        Work.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{number:05d}"


# --- details ------------------------------------------------------------------------------
def clean_details(values: dict, *, zone) -> dict:
    """Check the descriptive fields of a work; raise ValidationError by field."""
    errors = {}
    parish = values.get("parish")
    if "parish" in values and parish is None and zone.parishes.exists():
        errors["parish"] = _("Choose the parish of the work.")
    if parish is not None and parish.zone_id != zone.pk:
        errors["parish"] = _("The parish must belong to the work's zone (%(zone)s).") % {
            "zone": zone.name
        }
    ruc = values.get("contractor_ruc") or ""
    if ruc:
        try:
            values["contractor_ruc"] = validate_ruc(ruc)
        except ValidationError as error:
            errors["contractor_ruc"] = error.messages
    for start, end in (("planned_start", "planned_end"),):
        if values.get(start) and values.get(end) and values[end] < values[start]:
            errors[end] = _("The end date cannot be before the start date.")
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        errors["longitude"] = _("Give both latitude and longitude, or neither.")
    elif latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        errors["latitude"] = _("This is not a position on Earth.")
    for field in ("amount_assigned", "amount_contracted"):
        if values.get(field) is not None and values[field] < 0:
            errors[field] = _("Amounts cannot be negative.")
    year = values.get("year")
    if year is not None and not (MIN_YEAR <= year <= MAX_YEAR):
        errors["year"] = _("The year goes from %(min)d to %(max)d.") % {
            "min": MIN_YEAR,
            "max": MAX_YEAR,
        }
    code = values.get("code") or ""
    if code.upper().startswith(RESULTS_CODE_PREFIX):
        errors["code"] = _(
            "Codes that begin with %(prefix)s are given to works from budget results."
        ) % {"prefix": RESULTS_CODE_PREFIX}
    if errors:
        raise ValidationError(errors)
    return values


def _new_thread(work: Work) -> Thread:
    return Thread.objects.create(zone=work.zone, title=str(work)[:255])


@transaction.atomic
def work_create(*, actor, zone, **values) -> Work:
    """Staff add a work to their zone (a municipal one, or a budget one they register by
    hand). It starts planned, with a first update that says so."""
    if not rulebook.allowed(actor, "works.create", zone):
        raise PermissionDenied(_("Only this zone's staff can add works to it."))
    values = {key: value for key, value in values.items() if key in EDITABLE_FIELDS + ("code",)}
    values.setdefault("parish", None)
    if values.get("year") is None:
        values["year"] = timezone.localdate().year
    values = clean_details(values, zone=zone)
    year = values["year"]
    if not values.get("code"):
        values["code"] = next_code(year)
    elif Work.objects.filter(code=values["code"]).exists():
        raise ValidationError({"code": _("Another work already has this code.")})
    work = Work(zone=zone, source=WorkSource.MUNICIPAL, **values)
    work.full_clean(exclude=["thread"])
    work.save()
    work.thread = _new_thread(work)
    work.save(update_fields=["thread"])
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the site's language
        text = _("Work registered.")
    _first_update(work, actor=actor, text=text, origin=WorkUpdate.Origin.STAFF)
    log(instance=work, action=audit.WORK_CREATE, user=actor, data={"code": work.code})
    return work


@transaction.atomic
def work_edit(*, work: Work, actor, **values) -> Work:
    """Change a work's descriptive fields. Status and progress change only by updates."""
    if not rulebook.allowed(actor, "works.edit", work):
        raise PermissionDenied(_("Only this zone's staff can edit this work."))
    values = {key: value for key, value in values.items() if key in EDITABLE_FIELDS}
    values = clean_details(values, zone=work.zone)
    changed = []
    for field, value in values.items():
        if getattr(work, field) != value:
            setattr(work, field, value)
            changed.append(field)
    if changed:
        work.full_clean(exclude=["thread"])
        work.save()
        log(instance=work, action=audit.WORK_EDIT, user=actor, data={"fields": changed})
    return work


def work_related_changed(*, work: Work, actor, parts: list[str]) -> None:
    """Record that staff changed a work's committee or documents (edited inline)."""
    if not rulebook.allowed(actor, "works.edit", work):
        raise PermissionDenied(_("Only this zone's staff can edit this work."))
    log(instance=work, action=audit.WORK_EDIT, user=actor, data={"fields": sorted(parts)})


def _first_update(work: Work, *, actor, text: str, origin: str, date=None) -> WorkUpdate:
    update = WorkUpdate.objects.create(
        work=work,
        date=date or timezone.localdate(),
        text=text,
        from_status="",
        status=work.status,
        physical_progress=work.physical_progress,
        financial_progress=work.financial_progress,
        origin=origin,
        author=actor,
    )
    Work.objects.filter(pk=work.pk).update(last_update_on=update.date)
    work.last_update_on = update.date
    return update


# --- dated updates ------------------------------------------------------------------------
def check_new_update(
    work: Work,
    *,
    date: datetime.date,
    status: str,
    physical_progress: Decimal,
    financial_progress: Decimal,
    text: str = "",
    amount_executed: Decimal | None = None,
    today: datetime.date | None = None,
) -> dict[str, list[str]]:
    """Every problem with posting this update on `work` as it is now, by field (empty when
    it can be posted). The admin form, the importer and `update_post` all ask this."""
    today = today or timezone.localdate()
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    if work.is_final:
        add(
            "status",
            _("This work is closed (%(status)s): it takes no more updates.")
            % {"status": work.get_status_display()},
        )
    if date is None:
        add("date", _("Give the date of the update."))
    else:
        if date > today:
            add("date", _("The date of an update cannot be in the future."))
        if work.last_update_on and date < work.last_update_on:
            add(
                "date",
                _("The work already has an update of %(date)s; updates go forward in time.")
                % {"date": work.last_update_on.strftime("%d/%m/%Y")},
            )
    if amount_executed is not None and amount_executed < 0:
        add("amount_executed", _("Amounts cannot be negative."))
    if len(text or "") > 3000:
        add("text", _("The text can have at most 3000 characters."))
    for problem in check_update(
        current_status=work.status,
        current_physical=work.physical_progress,
        current_financial=work.financial_progress,
        status=status,
        physical=physical_progress,
        financial=financial_progress,
        reason=text,
    ):
        add(problem.field, problem.message)
    return problems


def is_no_change(work: Work, *, status, physical_progress, financial_progress, amount_executed):
    """Whether an update would leave the work's figures exactly as they are."""
    return (
        work.status == status
        and work.physical_progress == physical_progress
        and work.financial_progress == financial_progress
        and (amount_executed is None or work.amount_executed == amount_executed)
    )


@discard_on_failure
@transaction.atomic
def update_post(
    *,
    work: Work,
    actor,
    date: datetime.date,
    status: str,
    physical_progress: Decimal,
    financial_progress: Decimal,
    text: str = "",
    amount_executed: Decimal | None = None,
    photos: list[tuple] = (),
    origin: str = WorkUpdate.Origin.STAFF,
    batch=None,
    audit_entry: bool = True,
) -> WorkUpdate:
    """Append a dated update and make its figures the work's. `photos` are (file, text).
    Raises ValidationError (by field) when a rule is broken; nothing is written then."""
    if not rulebook.allowed(actor, "works.post_update", work):
        raise PermissionDenied(_("Only this zone's staff can post updates on this work."))
    work = Work.objects.select_for_update().get(pk=work.pk)
    text = (text or "").replace("\r\n", "\n").strip()
    problems = check_new_update(
        work,
        date=date,
        status=status,
        physical_progress=physical_progress,
        financial_progress=financial_progress,
        text=text,
        amount_executed=amount_executed,
    )
    if len(photos) > MAX_IMAGES:
        problems.setdefault("photos", []).append(
            _("At most %(max)d photos per update.") % {"max": MAX_IMAGES}
        )
    if problems:
        raise ValidationError(problems)
    previous = work.status
    update = WorkUpdate.objects.create(
        work=work,
        date=date,
        text=text,
        from_status=previous,
        status=status,
        physical_progress=physical_progress,
        financial_progress=financial_progress,
        amount_executed=amount_executed,
        origin=origin,
        batch=batch,
        author=actor,
    )
    for upload, alt_text in photos:
        alt_text = (alt_text or "").strip()[:250]
        if not alt_text:
            raise ValidationError(
                {"photos": _("Describe each photo for people who cannot see it.")}
            )
        photo = WorkPhoto(update=update, alt_text=alt_text)
        cleaned = reencoded(upload)
        store(photo.image, cleaned)
        photo.width, photo.height = cleaned.width, cleaned.height
        photo.save()
    work.status = status
    work.physical_progress = physical_progress
    work.financial_progress = financial_progress
    if amount_executed is not None:
        work.amount_executed = amount_executed
    if status == WorkStatus.UNDER_WAY and work.actual_start is None:
        work.actual_start = date
    if status == WorkStatus.FINISHED:
        work.actual_end = date
        if work.actual_start is None:
            work.actual_start = date
    work.last_update_on = date
    work.save()
    if audit_entry:
        log(
            instance=work,
            action=audit.UPDATE_POST,
            user=actor,
            data={
                "update": update.pk,
                "date": date.isoformat(),
                "status": status,
                "physical": str(physical_progress),
                "financial": str(financial_progress),
            },
        )
    if status != previous:
        from .tasks import notify_status_change

        transaction.on_commit(lambda: notify_status_change.enqueue(update.pk))
    return update


# --- from budget results ------------------------------------------------------------------
def _untouched(work: Work) -> bool:
    """Created from results and never moved on: safe to remove with the results. Anything
    people added (an update, an observation, a committee, a document, a follower) keeps it."""
    return (
        work.status == WorkStatus.PLANNED
        and not work.updates.exclude(origin=WorkUpdate.Origin.RESULTS).exists()
        and not work.observations.exists()
        and not work.committee.exists()
        and not work.documents.exists()
        and not work.follows.exists()
    )


def sync_works_with_results(*, cycle, actor) -> dict[str, int]:
    """Called (in the publishing transaction) when a cycle's results are published: each
    selected request gets its work, once; a work whose request is no longer selected
    (results recomputed after a late acta) is removed while nothing happened to it, and
    refuses the publication otherwise."""
    from budgets.models import ResultLine

    lines = (
        ResultLine.objects.filter(result__cycle=cycle, selected=True)
        .select_related("request__parish", "request__verdict")
        .order_by("result__parish__name", "rank")
    )
    selected_ids = set()
    created = 0
    zone = cycle.zone
    year = _execution_year(cycle)
    for line in lines:
        request = line.request
        selected_ids.add(request.pk)
        if Work.objects.filter(request=request).exists():
            continue
        code = f"{RESULTS_CODE_PREFIX}{cycle.year}-{request.pk:05d}"
        if Work.objects.filter(code=code).exists():  # only if typed by hand before the rule
            raise DomainError(
                _("The code %(code)s, reserved for this request's work, is taken by another work.")
                % {"code": code}
            )
        work = Work(
            code=code,
            title=request.title[:200],
            description=request.description,
            zone=zone,
            parish=request.parish,
            barrio_name=request.barrio_name,
            latitude=request.latitude,
            longitude=request.longitude,
            year=year,
            source=WorkSource.BUDGET,
            cycle=cycle,
            request=request,
            responsible_unit=zone.official_name[:200],
            amount_assigned=line.cost,
        )
        work.save()
        work.thread = _new_thread(work)
        work.save(update_fields=["thread"])
        with translation.override(settings.LANGUAGE_CODE):  # stored: the site's language
            text = _(
                "Prioritised in the %(year)s participatory budget (rank %(rank)s, %(votes)s votes)."
            ) % {"year": cycle.year, "rank": line.rank, "votes": line.votes}
        _first_update(work, actor=actor, text=text, origin=WorkUpdate.Origin.RESULTS)
        created += 1
    removed = 0
    for work in Work.objects.filter(cycle=cycle, request__isnull=False).exclude(
        request_id__in=selected_ids
    ):
        if not _untouched(work):
            raise DomainError(
                _(
                    "The work %(code)s is no longer among the selected projects, but it has "
                    "already moved on (updates, observations, committee, documents or "
                    "followers); it cannot be removed with these results."
                )
                % {"code": work.code}
            )
        _remove(work)
        removed += 1
    if created or removed:
        log(
            instance=cycle,
            action=audit.FROM_RESULTS,
            user=actor,
            data={"created": created, "removed": removed},
        )
    return {"created": created, "removed": removed}


def remove_works_of_withdrawn_results(*, cycle, actor) -> int:
    """Called (in the withdrawing transaction) when a cycle's results are withdrawn: the
    works they created go too, unless one has moved on, which refuses the withdrawal."""
    works = list(Work.objects.filter(cycle=cycle, request__isnull=False))
    for work in works:
        if not _untouched(work):
            raise DomainError(
                _(
                    "The work %(code)s, created from these results, has already moved on "
                    "(updates, observations, committee, documents or followers): the results "
                    "can no longer be withdrawn."
                )
                % {"code": work.code}
            )
    for work in works:
        _remove(work)
    if works:
        log(
            instance=cycle,
            action=audit.FROM_RESULTS,
            user=actor,
            data={"created": 0, "removed": len(works)},
        )
    return len(works)


def _remove(work: Work) -> None:
    thread_id = work.thread_id
    work.delete()
    if thread_id:
        Thread.objects.filter(pk=thread_id).delete()


def _execution_year(cycle) -> int:
    """Works prioritised in a cycle enter the next year's budget (the city's yearly rule)."""
    return cycle.year + 1


# --- residents ----------------------------------------------------------------------------
@discard_on_failure
@transaction.atomic
def observation_post(
    *, work: Work, user, assessment: str, text: str, photo=None, photo_alt: str = ""
) -> Observation:
    """A verified resident of the zone reports from the ground. Through the discussion
    engine (its rate limit, flags and moderation); at most a few per work and day."""
    from .models import Assessment

    if not rulebook.allowed(user, "works.observe", work):
        raise PermissionDenied(
            _("Only verified residents of this zone can post observations on its works.")
        )
    if assessment not in Assessment.values:
        raise ValidationError({"assessment": _("Choose how the work is going.")})
    since = timezone.now() - datetime.timedelta(days=1)
    recent = Observation.objects.filter(
        work=work, comment__author=user, created_at__gte=since
    ).count()
    if recent >= OBSERVATIONS_PER_WORK_PER_DAY:
        raise DomainError(
            _(
                "You have already posted %(count)d observations on this work today. "
                "Come back tomorrow."
            )
            % {"count": recent}
        )
    photo_alt = (photo_alt or "").strip()
    if photo is not None and not photo_alt:
        raise ValidationError({"photo_alt": _("Describe the photo for people who cannot see it.")})
    if len(photo_alt) > 250:
        raise ValidationError({"photo_alt": _("The description has at most 250 characters.")})
    if work.thread_id is None:
        work.thread = _new_thread(work)
        work.save(update_fields=["thread"])
    comment = discussion_services.comment_create(thread=work.thread, author=user, body=text)
    observation = Observation(work=work, comment=comment, assessment=assessment)
    if photo is not None:
        cleaned = reencoded(photo)
        store(observation.photo, cleaned)
        observation.photo_width, observation.photo_height = cleaned.width, cleaned.height
        observation.photo_alt = photo_alt
    observation.save()
    return observation


def follow_toggle(*, work: Work, user) -> bool:
    """Follow or stop following a work. Returns whether the user follows it now. Stopping
    is always possible for the follower (even without a standing consent: stopping a
    processing never needs one); starting is the rule book's `works.follow`."""
    if user is not None and user.is_authenticated:
        deleted, _details = Follow.objects.filter(work=work, user=user).delete()
        if deleted:
            return False
    rulebook.require(user, "works.follow", work)
    try:
        with transaction.atomic():
            Follow.objects.create(work=work, user=user)
    except IntegrityError:
        pass  # a second click at the same time: already following
    return True
