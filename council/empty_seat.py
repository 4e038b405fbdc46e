"""The silla vacía: an organisation applies for the empty seat on one agenda item, the
council secretariat accredits or rejects it (with a reason), the applicant may withdraw it,
and everyone involved hears of each step by e-mail.

One deadline for everything: `CouncilSession.empty_seat_deadline` (`empty_seat_days` before
the session). Organisations apply and withdraw, and the secretariat decides, until then
(the rule book: `council.apply_empty_seat`, `council.accredit`).

One seat per item: the law gives the empty seat on an item to one organisation (when several
apply, they agree on who takes it). So at most one application per item is accredited at a
time: accrediting a second one is refused with a message that says so; the secretariat
rejects (or the organisation withdraws) the first one before accrediting another.

Supporting documents are PDFs (1 to MAX_DOCUMENTS, MAX_DOCUMENT_BYTES each), checked before
anything is written: the name ends in .pdf, the content starts with `%PDF-` and has `%%EOF`
near its end. They are stored in the private storage under random names (the original,
sanitised name is kept for display) and only written once every check passed, inside the
transaction; any failure after that deletes what was written. The service must be the
outermost transaction for that guarantee (the views call it outside any other).
"""

import contextlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied

from . import audit
from .models import AgendaItem, EmptySeatApplication, EmptySeatDocument

logger = logging.getLogger(__name__)

MAX_DOCUMENTS = 5
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# Where `%%EOF` must be: within the last bytes of the file (writers add a line break or a
# few bytes of padding after it).
EOF_WINDOW = 1024
PDF_MAGIC = b"%PDF-"
PDF_EOF = b"%%EOF"
# Submissions per account per hour (quitodecide.ratelimit, counted by the view).
SUBMIT_RATE = "5/h"
# Every POST of the form, valid or not, per account per hour (uploads cost us work).
ATTEMPT_RATE = "20/h"

LIVE = (EmptySeatApplication.Status.RECEIVED, EmptySeatApplication.Status.ACCREDITED)
TEXT_FIELDS = {
    "organisation": 200,
    "legal_registration": 120,
    "legal_representative": 200,
    "delegate": 200,
    "alternate": 200,
}
REQUIRED = ("organisation", "legal_registration", "legal_representative", "delegate")
EMAIL_FIELDS = ("delegate_email", "alternate_email", "contact_email")
REQUIRED_EMAILS = ("delegate_email", "contact_email")
REASON_MAX = 2000


@dataclass(frozen=True)
class Document:
    """A checked upload: its display name and content."""

    name: str
    content: bytes


# --- checks -----------------------------------------------------------------------------
_UNSAFE_NAME = re.compile(r"[^\w .()-]+")


def clean_filename(name: str) -> str:
    """The name to show for an upload: no folders, no control or odd characters, at most
    120 characters, always ending in .pdf ("../../x\\y.PDF" -> "y.pdf")."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = _UNSAFE_NAME.sub("-", stem).strip(" .-_")[:116]
    return f"{stem or 'documento'}.pdf"


def _read(upload, limit: int) -> bytes:
    """At most `limit` + 1 bytes of an upload (enough to know it is too big)."""
    if hasattr(upload, "seek"):
        with contextlib.suppress(OSError, ValueError):
            upload.seek(0)
    data = upload.read(limit + 1)
    return bytes(data or b"")


def check_document(upload) -> Document:
    """One upload as a Document, or ValidationError with the reason in words."""
    raw_name = getattr(upload, "name", "") or ""
    shown = clean_filename(raw_name)
    if not str(raw_name).lower().endswith(".pdf"):
        raise ValidationError(
            _("“%(name)s” is not a PDF file: only PDF documents are accepted.") % {"name": shown}
        )
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise ValidationError(_too_big(shown))
    content = _read(upload, MAX_DOCUMENT_BYTES)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_too_big(shown))
    if not content:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": shown})
    if not content.startswith(PDF_MAGIC) or PDF_EOF not in content[-EOF_WINDOW:]:
        raise ValidationError(
            _("“%(name)s” is not a valid PDF document (it may be damaged or another kind of file).")
            % {"name": shown}
        )
    return Document(name=shown, content=content)


def _too_big(name: str) -> str:
    return _("“%(name)s” is larger than %(size)d MB.") % {
        "name": name,
        "size": MAX_DOCUMENT_BYTES // 2**20,
    }


def check_documents(uploads) -> list[Document]:
    """All uploads checked; ValidationError listing every problem (count, each file)."""
    uploads = list(uploads or [])
    if not uploads:
        raise ValidationError(_("Attach at least one supporting document (PDF)."))
    if len(uploads) > MAX_DOCUMENTS:
        raise ValidationError(_("Attach at most %(count)d documents.") % {"count": MAX_DOCUMENTS})
    documents, problems = [], []
    for upload in uploads:
        try:
            documents.append(check_document(upload))
        except ValidationError as error:
            problems.extend(error.messages)
    if problems:
        raise ValidationError(problems)
    return documents


def normalise_registration(value: str) -> str:
    """The registration as stored and compared: spaces collapsed, upper case."""
    return " ".join(str(value or "").split()).upper()


def check_fields(data: dict) -> dict:
    """The application's fields, stripped and checked; ValidationError by field."""
    errors: dict[str, list[str]] = {}
    cleaned = {}
    required = str(forms.Field.default_error_messages["required"])
    for field, max_length in TEXT_FIELDS.items():
        value = " ".join(str(data.get(field) or "").split())
        if "\x00" in value:
            value = value.replace("\x00", "")
        if field in REQUIRED and not value:
            errors.setdefault(field, []).append(required)
        elif len(value) > max_length:
            errors.setdefault(field, []).append(
                _("At most %(count)d characters.") % {"count": max_length}
            )
        cleaned[field] = value
    cleaned["legal_registration"] = normalise_registration(cleaned["legal_registration"])
    for field in EMAIL_FIELDS:
        value = str(data.get(field) or "").strip()
        cleaned[field] = value
        if not value:
            if field in REQUIRED_EMAILS:
                errors.setdefault(field, []).append(required)
            continue
        try:
            validate_email(value)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)
        if len(value) > 254:
            errors.setdefault(field, []).append(_("At most %(count)d characters.") % {"count": 254})
    if cleaned["alternate_email"] and not cleaned["alternate"]:
        errors.setdefault("alternate", []).append(
            _("Give the alternate's name, or leave the alternate's e-mail empty.")
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def closed_reason(item: AgendaItem, now=None) -> str:
    """Why applications for `item` are not taken now ("" when they are)."""
    session = item.session
    if not item.empty_seat:
        return _("This agenda item does not take empty-seat applications.")
    if session.status != session.Status.CONVENED:
        return _("The session is not convened any more: applications are closed.")
    if not session.empty_seat_open(now):
        return _("Applications closed on %(deadline)s, %(days)d days before the session.") % {
            "deadline": timezone.localtime(session.empty_seat_deadline).strftime("%d/%m/%Y %H:%M"),
            "days": session.empty_seat_days,
        }
    return ""


# --- services ---------------------------------------------------------------------------
def _notify(application: EmptySeatApplication, event: str) -> None:
    from .tasks import notify_empty_seat

    transaction.on_commit(lambda: notify_empty_seat.enqueue(application.pk, event))


def _delete_files(storage, names) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - nothing else to do; logged for the operator
            logger.warning("A supporting document of a refused application was not removed.")


def application_submit(
    *,
    item: AgendaItem,
    applicant,
    organisation: str,
    legal_registration: str,
    legal_representative: str,
    delegate: str,
    delegate_email: str,
    contact_email: str,
    alternate: str = "",
    alternate_email: str = "",
    files=(),
) -> EmptySeatApplication:
    """An organisation's application for the empty seat on `item`, with its documents.

    Raises PermissionDenied (the rule: logged in, verified e-mail, consent, open until the
    deadline), ValidationError by field ("documents" for the files), DomainError when the
    organisation already has a live application for the item. Nothing is stored unless
    everything is accepted."""
    item = AgendaItem.objects.select_related("session").get(pk=item.pk)
    rulebook.require(
        applicant, "council.apply_empty_seat", item, message=closed_reason(item) or None
    )
    data = {
        "organisation": organisation,
        "legal_registration": legal_registration,
        "legal_representative": legal_representative,
        "delegate": delegate,
        "delegate_email": delegate_email,
        "alternate": alternate,
        "alternate_email": alternate_email,
        "contact_email": contact_email,
    }
    errors = {}
    try:
        cleaned = check_fields(data)
    except ValidationError as error:
        errors.update(error.message_dict)
        cleaned = None
    try:
        documents = check_documents(files)
    except ValidationError as error:
        errors["documents"] = error.messages
    if errors:
        raise ValidationError(errors)

    storage = EmptySeatDocument._meta.get_field("file").storage
    written: list[str] = []
    try:
        with transaction.atomic():
            # One decision at a time per item (duplicates, the accredited one).
            AgendaItem.objects.select_for_update().filter(pk=item.pk).first()
            if EmptySeatApplication.objects.filter(
                item=item,
                legal_registration__iexact=cleaned["legal_registration"],
                status__in=LIVE,
            ).exists():
                raise DomainError(_duplicate_message())
            try:
                with transaction.atomic():
                    application = EmptySeatApplication.objects.create(
                        item=item, applicant=applicant, **cleaned
                    )
            except IntegrityError as error:
                raise DomainError(_duplicate_message()) from error
            for document in documents:
                row = EmptySeatDocument(
                    application=application,
                    original_name=document.name,
                    size=len(document.content),
                )
                row.file.save(
                    f"{secrets.token_hex(16)}.pdf", ContentFile(document.content), save=False
                )
                written.append(row.file.name)
                row.save()
            _notify(application, "received")
    except BaseException:
        _delete_files(storage, written)
        raise
    return application


def _duplicate_message() -> str:
    return _(
        "This organisation (by its legal registration) already has an application for this "
        "item that is received or accredited. Withdraw it first to apply again."
    )


@transaction.atomic
def application_withdraw(*, application: EmptySeatApplication, actor) -> EmptySeatApplication:
    """The applicant takes their application back (received or accredited), until the
    deadline. Withdrawing never needs the privacy consent (rulebook.may_take_back)."""
    application = (
        EmptySeatApplication.objects.select_for_update()
        .select_related("item__session")
        .get(pk=application.pk)
    )
    if not (actor and actor.is_authenticated and application.applicant_id == actor.pk):
        raise PermissionDenied(_("Only the person who submitted the application can withdraw it."))
    item = application.item
    if not rulebook.may_take_back(actor, "council.apply_empty_seat", item):
        raise PermissionDenied(
            closed_reason(item)
            or _("You cannot withdraw this application now (confirm your e-mail address).")
        )
    if application.status not in LIVE:
        raise DomainError(_("This application was already rejected or withdrawn."))
    application.status = EmptySeatApplication.Status.WITHDRAWN
    application.save(update_fields=["status"])
    _notify(application, "withdrawn")
    return application


@transaction.atomic
def application_decide(
    *, application: EmptySeatApplication, actor, accredit: bool, reason: str = ""
) -> EmptySeatApplication:
    """The secretariat accredits or rejects an application (rule `council.accredit`: the
    secretariat's group, MFA, before the deadline). A reason is required to reject; a
    received application may be accredited or rejected, an accredited one rejected (its
    accreditation revoked, with the reason). One accredited organisation per item."""
    application = (
        EmptySeatApplication.objects.select_related("item__session").filter(pk=application.pk).get()
    )
    item = application.item
    rulebook.require(actor, "council.accredit", item)
    # Serialise decisions on the item (the one accredited organisation).
    AgendaItem.objects.select_for_update().filter(pk=item.pk).first()
    application = EmptySeatApplication.objects.select_for_update().get(pk=application.pk)
    reason = str(reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("At most %(count)d characters.") % {"count": REASON_MAX}}
        )
    Status = EmptySeatApplication.Status
    if accredit:
        if application.status != Status.RECEIVED:
            raise DomainError(_("Only a received application can be accredited."))
        other = (
            EmptySeatApplication.objects.filter(item=item, status=Status.ACCREDITED)
            .exclude(pk=application.pk)
            .first()
        )
        if other is not None:
            raise DomainError(
                _(
                    "“%(organisation)s” is already accredited for this item, and the item has "
                    "one empty seat. Reject that accreditation (with a reason) before "
                    "accrediting another organisation; if several organisations agreed on a "
                    "delegate, accredit the application that names them."
                )
                % {"organisation": other.organisation}
            )
        application.status = Status.ACCREDITED
    else:
        if not reason:
            raise ValidationError({"reason": _("Give the reason for the rejection.")})
        if application.status not in LIVE:
            raise DomainError(_("This application was already rejected or withdrawn."))
        application.status = Status.REJECTED
    previous = application.decided_at
    application.decision_reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    log(
        instance=application,
        action=audit.EMPTY_SEAT_DECIDE,
        user=actor,
        data={
            "status": application.status,
            "reason": reason,
            "item": item.pk,
            "revoked": previous is not None,
        },
    )
    _notify(application, "accredited" if accredit else "rejected")
    return application
