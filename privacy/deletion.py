"""Deleting one's account (LOPDP, right to deletion), and the anonymisation it performs.

The flow: a resident asks on /cuenta/mis-datos/ with their password (`deletion_request`);
an e-mail carries a signed, expiring link; following it and confirming (a POST) schedules
the deletion ACCOUNT_DELETION_GRACE_DAYS ahead (`deletion_confirm`); until then the person
can still log in, read and cancel (`deletion_cancel`), but not participate (the rule book's
participation predicate asks `is_scheduled_for_deletion`). The daily `manage.py
purge_accounts` (`purge`) then deletes what is due, and accounts whose e-mail was never
confirmed after UNCONFIRMED_ACCOUNT_DAYS.

`account_delete` is the heart: in one transaction it unlinks every public contribution and
every counted vote (explicit UPDATE … SET <person> = NULL per model, listed in KEPT), then
deletes the user, which takes with it everything personal (resident profile, e-mail
addresses, MFA authenticators, consents, exports and their files, follows, the deletion
request itself), deletes the person's sessions, scrubs the labels Wagtail's audit log kept
of the person's profile and comments, and leaves a DeletionRecord with counts only.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import models, router, transaction
from django.db.models import Value
from django.db.models.deletion import Collector
from django.db.models.functions import Concat, Substr
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from quitodecide.errors import DomainError
from territory.permissions import acts_as_staff

from .models import AccountDeletion, DeletionRecord

logger = logging.getLogger(__name__)

TOKEN_SALT = "privacy.deletion.confirm"  # noqa: S105 - a signing salt, not a secret
# The e-mailed link works for this long; after that the person asks again.
TOKEN_MAX_AGE = datetime.timedelta(hours=48)

REASON_REQUEST = "request"
REASON_UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class Kept:
    """A contribution or a counted vote that outlives its person: `field` (a nullable
    foreign key to the user, or to the resident when `via_resident`) is set to NULL."""

    key: str  # the name of its count in the DeletionRecord
    model: str
    field: str
    via_resident: bool = False


# Every link from a person's contributions and votes to the person. The test
# tests/privacy/test_deletion.py::test_every_link_to_a_person_is_classified fails when a new
# foreign key to the user or the resident is neither here nor declared personal (deleted
# with the account) or staff bookkeeping (SET_NULL).
KEPT = (
    Kept("comments", "discussions.Comment", "author"),
    Kept("comment_supports", "discussions.Support", "user"),
    Kept("comment_flags", "discussions.Flag", "user"),
    Kept("assembly_questions", "assemblies.Question", "author"),
    Kept("question_upvotes", "assemblies.QuestionUpvote", "user"),
    Kept("assembly_votes", "assemblies.Ballot", "voter"),
    Kept("requests", "proposals.Request", "author"),
    Kept("request_supports", "proposals.Support", "resident", via_resident=True),
    # The budget ballot keeps its per-cycle voter key (budgets/models/participation.py), so
    # one person one vote survives; only the link to the resident goes.
    Kept("budget_ballots", "budgets.Ballot", "resident", via_resident=True),
)


# --- Reading ------------------------------------------------------------------------------


def deletion_of(user) -> AccountDeletion | None:
    if not (user and user.is_authenticated):
        return None
    return AccountDeletion.objects.filter(user_id=user.pk).first()


def is_scheduled_for_deletion(user) -> bool:
    """True while a confirmed deletion waits for its date: the person may log in, read and
    cancel, not participate. Cached on the user object for the request."""
    if not (user and getattr(user, "is_authenticated", False)):
        return False
    cached = getattr(user, "_scheduled_for_deletion", None)
    if cached is None:
        cached = AccountDeletion.objects.filter(
            user_id=user.pk, status=AccountDeletion.Status.SCHEDULED
        ).exists()
        user._scheduled_for_deletion = cached
    return cached


def page_context(user) -> dict:
    """What /cuenta/mis-datos/ needs for its "Eliminar mi cuenta" section."""
    from .views_deletion import DeletionRequestForm

    deletion = deletion_of(user)
    return {
        "deletion": deletion,
        "deletion_form": DeletionRequestForm(user=user),
        "deletion_grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        "deletion_link_hours": int(TOKEN_MAX_AGE.total_seconds() // 3600),
    }


# --- The confirmation link ---------------------------------------------------------------


def _token_payload(deletion: AccountDeletion) -> dict:
    # Bound to this request's time: a new request, or a cancellation followed by a new
    # one, makes every earlier link useless.
    return {"u": deletion.user_id, "r": deletion.requested_at.isoformat()}


def confirmation_token(deletion: AccountDeletion) -> str:
    return signing.dumps(_token_payload(deletion), salt=TOKEN_SALT, compress=False)


def confirmation_url(deletion: AccountDeletion) -> str:
    from quitodecide.site_links import site_url

    return site_url(
        reverse("privacy:deletion_confirm", kwargs={"token": confirmation_token(deletion)})
    )


def deletion_for_token(user, token: str) -> AccountDeletion:
    """The deletion awaiting confirmation that `token` confirms for `user`; DomainError
    with the reason otherwise (tampered, expired, someone else's, already used)."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            _("This link has expired. Ask again for the deletion of your account.")
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This link is not valid. Check that you copied it whole.")) from None
    if not isinstance(payload, dict) or payload.get("u") != user.pk:
        raise DomainError(
            _("This link belongs to another account. Log in with the account that asked for it.")
        )
    deletion = deletion_of(user)
    if (
        deletion is None
        or deletion.status != AccountDeletion.Status.AWAITING_CONFIRMATION
        or payload.get("r") != deletion.requested_at.isoformat()
    ):
        raise DomainError(
            _(
                "This link is no longer valid: the request was cancelled, already confirmed "
                "or replaced by a newer one."
            )
        )
    return deletion


# --- Writing ------------------------------------------------------------------------------


@transaction.atomic
def deletion_request(*, user, now: datetime.datetime | None = None) -> AccountDeletion:
    """Ask for the deletion of `user`'s account (the caller checked the password). Sends
    the confirmation link after commit. Asking again replaces an earlier request that was
    not confirmed, or one that was cancelled."""
    now = now or timezone.now()
    deletion = AccountDeletion.objects.select_for_update().filter(user_id=user.pk).first()
    if deletion is not None and deletion.status == AccountDeletion.Status.SCHEDULED:
        raise DomainError(_("The deletion of your account is already scheduled."))
    if deletion is None:
        deletion = AccountDeletion(user_id=user.pk)
    deletion.status = AccountDeletion.Status.AWAITING_CONFIRMATION
    deletion.requested_at = now
    deletion.confirmed_at = deletion.due_at = deletion.cancelled_at = None
    deletion.save()
    transaction.on_commit(lambda: _enqueue_email(deletion.pk, "request"))
    return deletion


@transaction.atomic
def deletion_confirm(*, user, token: str, now: datetime.datetime | None = None):
    """Confirm by the e-mailed link: the account is deleted after the grace period."""
    now = now or timezone.now()
    AccountDeletion.objects.select_for_update().filter(user_id=user.pk).first()
    deletion = deletion_for_token(user, token)
    deletion.status = AccountDeletion.Status.SCHEDULED
    deletion.confirmed_at = now
    deletion.due_at = now + datetime.timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)
    deletion.save(update_fields=["status", "confirmed_at", "due_at"])
    user._scheduled_for_deletion = True
    transaction.on_commit(lambda: _enqueue_email(deletion.pk, "scheduled"))
    return deletion


@transaction.atomic
def deletion_cancel(*, user, now: datetime.datetime | None = None) -> AccountDeletion:
    """Withdraw the request, confirmed or not, before the account is deleted."""
    now = now or timezone.now()
    deletion = AccountDeletion.objects.select_for_update().filter(user_id=user.pk).first()
    if deletion is None or deletion.status == AccountDeletion.Status.CANCELLED:
        raise DomainError(_("There is no deletion of your account to cancel."))
    was_scheduled = deletion.status == AccountDeletion.Status.SCHEDULED
    deletion.status = AccountDeletion.Status.CANCELLED
    deletion.cancelled_at = now
    deletion.due_at = None
    deletion.save(update_fields=["status", "cancelled_at", "due_at"])
    user._scheduled_for_deletion = False
    if was_scheduled:
        transaction.on_commit(lambda: _enqueue_email(deletion.pk, "cancelled"))
    return deletion


# --- E-mails ------------------------------------------------------------------------------


def _enqueue_email(deletion_id: int, kind: str) -> None:
    send_deletion_email.enqueue(deletion_id, kind)


def _recipients(user) -> list[str]:
    from allauth.account.models import EmailAddress

    addresses = list(
        EmailAddress.objects.filter(user_id=user.pk, verified=True).values_list("email", flat=True)
    )
    return addresses or [user.email]


def _render_and_send(kind: str, recipients: list[str], context: dict) -> None:
    from quitodecide.site_links import site_identity

    # Always in Spanish: the owner reads it, whatever language the browser used.
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site_name": site_identity().name, **context}
        subject = render_to_string(f"privacy/email/deletion_{kind}_subject.txt", context)
        body = render_to_string(f"privacy/email/deletion_{kind}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)


@task
def send_deletion_email(deletion_id: int, kind: str) -> bool:
    """The e-mail of one step ("request", "scheduled", "cancelled") of a deletion; nothing
    when the request moved on since (the e-mail would be stale)."""
    from quitodecide.site_links import site_url

    deletion = AccountDeletion.objects.select_related("user").filter(pk=deletion_id).first()
    expected = {
        "request": AccountDeletion.Status.AWAITING_CONFIRMATION,
        "scheduled": AccountDeletion.Status.SCHEDULED,
        "cancelled": AccountDeletion.Status.CANCELLED,
    }
    if deletion is None or deletion.status != expected.get(kind):
        return False
    context = {
        "deletion": deletion,
        "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
        "link_hours": int(TOKEN_MAX_AGE.total_seconds() // 3600),
        "my_data_url": site_url(reverse("privacy:my_data")),
    }
    if kind == "request":
        context["confirm_url"] = confirmation_url(deletion)
    _render_and_send(kind, _recipients(deletion.user), context)
    return True


# --- The deletion itself ------------------------------------------------------------------


def _kept_counts_and_unlink(user, resident) -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for kept in KEPT:
        try:
            model = apps.get_model(kept.model)
        except LookupError:
            continue
        field = model._meta.get_field(kept.field)
        owner = resident if kept.via_resident else user
        if owner is None:
            counts[kept.key] = 0
            continue
        if not field.null:
            # Deleting would cascade the votes or contributions away: refuse instead.
            raise RuntimeError(
                f"{kept.model}.{kept.field} must be nullable (SET_NULL) before accounts can "
                "be deleted."
            )
        counts[kept.key] = model.objects.filter(**{field.attname: owner.pk}).update(
            **{field.attname: None}
        )
    return counts


def _training_registrations(user) -> dict[str, int]:
    """Registrations for sessions still to come go; past ones keep the attendance (the
    plan's figures) without the person: no name, no e-mail, no parish, no certificate.
    The counts (only those above zero) join the DeletionRecord's."""
    from training.models import Registration

    mine = Registration.objects.filter(user_id=user.pk)
    upcoming = mine.filter(session__starts_at__gt=timezone.now())
    deleted, _ = upcoming.delete()
    anonymised = 0
    for pk in mine.values_list("pk", flat=True):
        anonymised += Registration.objects.filter(pk=pk).update(
            user=None,
            name="",
            email=f"eliminada-{pk}@cuenta-eliminada.invalid",
            parish=None,
            certificate_code=None,
        )
    counts = {"training_registrations_deleted": deleted, "training_registrations": anonymised}
    return {key: count for key, count in counts.items() if count}


def _scrub_audit_labels(user, resident, comment_ids) -> None:
    """Wagtail's log keeps a label of each logged object (`str(obj)` at the time): a
    resident's is their name or e-mail, a comment's starts with its author's id. The entries
    stay (they record what staff did); the labels stop naming the person. Entries made by
    the person keep the bare user id Wagtail stores without a foreign key (shown as a
    deleted user), which points to no one once the account is gone."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    from accounts.models import Resident
    from discussions.models import Comment

    anonymous = _("Anonymous participant")
    User = get_user_model()
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(label=anonymous)
    if resident is not None:
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Resident), object_id=str(resident.pk)
        ).update(label=anonymous)
        # Verification requests and records: entries logged with an older label (the
        # resident's name or e-mail) get the current one, which names no one.
        from verification.models import VerificationRecord, VerificationRequest

        for model in (VerificationRequest, VerificationRecord):
            content_type = ContentType.objects.get_for_model(model)
            for obj in model.objects.filter(resident=resident):
                ModelLogEntry.objects.filter(
                    content_type=content_type, object_id=str(obj.pk)
                ).update(label=str(obj)[:255])
    if comment_ids:
        prefix = f"{user.pk}:"
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Comment),
            object_id__in=[str(pk) for pk in comment_ids],
            label__startswith=prefix,
        ).update(label=Concat(Value("—:"), Substr("label", len(prefix) + 1)))


def _session_keys_of(user_id) -> list[str]:
    engine = settings.SESSION_ENGINE
    if engine not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        return []  # other stores cannot be searched; their sessions die with the user row
    from django.contrib.sessions.models import Session

    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            keys.append(session.session_key)
    return keys


def _delete_sessions(keys) -> None:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


def _files_of(collector: Collector) -> list[tuple[object, str]]:
    """(storage, name) of every file stored by a row the deletion removes."""
    files = []
    querysets = [*collector.fast_deletes]
    for model, instances in collector.data.items():
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for instance in instances:
            for field in file_fields:
                value = getattr(instance, field.attname)
                if value:
                    files.append((field.storage, str(value)))
    for queryset in querysets:
        model = queryset.model
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if file_fields:
            for row in queryset.values_list(*[f.attname for f in file_fields]):
                for field, value in zip(file_fields, row, strict=True):
                    if value:
                        files.append((field.storage, str(value)))
    return files


def _delete_files(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:  # already gone; nothing points to it any more
            logger.warning("A file of a deleted account could not be removed.")


@transaction.atomic
def account_delete(*, user, reason: str) -> DeletionRecord:
    """Delete `user`'s account. Contributions and votes stay, unlinked ("Participante
    anónimo"); everything personal goes. Returns the DeletionRecord (counts only)."""
    from discussions.models import Comment

    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    resident = getattr(user, "resident", None)  # RelatedObjectDoesNotExist is an AttributeError
    deletion = AccountDeletion.objects.filter(user_id=user.pk).first()
    requested_at = deletion.requested_at if deletion and reason == REASON_REQUEST else None
    # A deleted author's comments no longer notify anyone and point to no one.
    comment_ids = list(Comment.objects.filter(author_id=user.pk).values_list("pk", flat=True))
    counts = _kept_counts_and_unlink(user, resident)
    counts.update(_training_registrations(user))
    _scrub_audit_labels(user, resident, comment_ids)
    sessions = _session_keys_of(user.pk)
    collector = Collector(using=router.db_for_write(User))
    collector.collect([user])
    files = _files_of(collector)
    collector.delete()
    record = DeletionRecord.objects.create(
        requested_at=requested_at, reason=reason, anonymised=counts
    )
    transaction.on_commit(lambda: _delete_sessions(sessions))
    transaction.on_commit(lambda: _delete_files(files))
    # No id, no address, no name: only what happened.
    logger.info("Account deleted (%s); deletion record %s.", reason, record.pk)
    return record


def _notify_deleted(recipients: list[str]) -> None:
    """The last e-mail, sent in this process right after commit: the addresses are never
    written to the task queue, so nothing of the person outlives the account."""
    try:
        _render_and_send("done", recipients, {})
    except Exception:  # the account is gone either way; the e-mail is a courtesy
        logger.warning("The deletion notice could not be sent.")


def purge(now: datetime.datetime | None = None) -> dict[str, int]:
    """The daily task: delete the accounts whose grace period ended, the accounts whose
    e-mail was never confirmed UNCONFIRMED_ACCOUNT_DAYS after sign-up (staff accounts
    excepted), and the expired data exports. Idempotent: a second run finds nothing."""
    now = now or timezone.now()
    User = get_user_model()
    done = {"requested": 0, "unconfirmed": 0, "exports": 0}

    due = AccountDeletion.objects.filter(
        status=AccountDeletion.Status.SCHEDULED, due_at__lte=now
    ).values_list("user_id", flat=True)
    for user_id in list(due):
        with transaction.atomic():
            # A cancellation may have won the race since the list was read.
            deletion = (
                AccountDeletion.objects.select_for_update()
                .filter(user_id=user_id, status=AccountDeletion.Status.SCHEDULED, due_at__lte=now)
                .select_related("user")
                .first()
            )
            if deletion is None:
                continue
            recipients = _recipients(deletion.user)
            account_delete(user=deletion.user, reason=REASON_REQUEST)
            transaction.on_commit(lambda recipients=recipients: _notify_deleted(recipients))
        done["requested"] += 1

    joined_before = now - datetime.timedelta(days=settings.UNCONFIRMED_ACCOUNT_DAYS)
    unconfirmed = (
        # Staff here are members of a zone's or the city's group (is_staff is not set for
        # them): never deleted by this clean-up, whatever their e-mail's state.
        User.objects.filter(date_joined__lt=joined_before, is_staff=False, is_superuser=False)
        .filter(groups__isnull=True, user_permissions__isnull=True)
        .exclude(emailaddress__verified=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    for user_id in list(unconfirmed):
        with transaction.atomic():
            user = (
                User.objects.select_for_update()
                .filter(pk=user_id, date_joined__lt=joined_before)
                .exclude(emailaddress__verified=True)
                .first()
            )
            if user is None or acts_as_staff(user):
                continue
            account_delete(user=user, reason=REASON_UNCONFIRMED)
        done["unconfirmed"] += 1

    try:
        from . import exports
    except ImportError:
        exports = None
    purge_expired = getattr(exports, "purge_expired", None)
    if callable(purge_expired):
        purged = purge_expired(now)
        done["exports"] = purged if isinstance(purged, int) else 0
    return done


@task
def purge_accounts() -> dict[str, int]:
    """`purge` as a background task, for a scheduler that enqueues tasks rather than
    running `manage.py purge_accounts`."""
    return purge()
