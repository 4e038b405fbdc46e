"""The enacted text: the sanctioned ordinance attached as the consultation's final version,
its diff against the consulted draft, and the contributions taken up for each changed
article.

- `enacted_attach` (service): staff of the consultation's zone, MFA passed, once the
  consultation closed (`consultations.enact`), attach the text the council sanctioned, its
  number, its sanction date and optionally the official document. It becomes version N + 1
  (its articles matched to the consulted draft's like any version, so every article keeps
  its thread) and no later version is ever published. Audited; everyone who commented is
  told by e-mail (consultations.tasks_enacted).
- One enacted text per consultation, and it cannot be replaced here: a sanctioned ordinance
  does not change; a wrong attachment is corrected by the platform's administrators (see
  docs), which leaves the first audit entry in the page's history.
- `enacted_summary` (selector): the consulted draft (the latest version that is not the
  enacted one), the enacted version, the diff between them (selectors.version_diff) and,
  for each article, the contributions whose disposition took them up (fully or partly),
  found by the article's thread (its identity across versions). A fixed number of queries.
- `enacted_view`: the public page `texto-sancionado/`, 404 until an enacted text exists.
"""

import datetime

from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.errors import DomainError

from . import audit, matching, selectors, services
from .models import ConsultationPage, Disposition, DraftVersion
from .parser import MAX_TEXT_LENGTH, ParseError, parse_ordinance

MAX_NUMBER_LENGTH = 60
TAKEN_UP = (Disposition.Outcome.ACCEPTED, Disposition.Outcome.PARTIAL)


# --- checks shared by the service and the admin form ---------------------------------------
def parse_errors(text: str) -> list[str]:
    """The parser's messages for `text` (empty when it parses)."""
    if not (text or "").strip():
        return [_("Paste the enacted text or upload it as a file.")]
    if "\x00" in text:
        return [_("The file is not plain text.")]
    if len(text) > MAX_TEXT_LENGTH:
        return [_("The text is longer than 500,000 characters.")]
    try:
        parse_ordinance(text)
    except ParseError as error:
        return list(error.messages)
    return []


def date_error(consultation, enacted_on) -> str | None:
    """Why `enacted_on` cannot be the sanction date, or None."""
    if not isinstance(enacted_on, datetime.date):
        return _("Give the date on which the ordinance was sanctioned.")
    if isinstance(enacted_on, datetime.datetime):
        enacted_on = enacted_on.date()
    if enacted_on > timezone.localdate():
        return _("The sanction date cannot be in the future.")
    opened = timezone.localdate(consultation.opens_at)
    if enacted_on < opened:
        return _("The sanction date cannot be before the consultation opened (%(date)s).") % {
            "date": opened.strftime("%d/%m/%Y")
        }
    return None


def number_error(ordinance_number: str) -> str | None:
    number = (ordinance_number or "").strip()
    if not number:
        return _("Give the ordinance's number.")
    if "\x00" in number:
        return _("The ordinance number has characters that are not allowed.")
    if len(number) > MAX_NUMBER_LENGTH:
        return _("The ordinance number has at most 60 characters.")
    return None


def enacted_version(consultation) -> DraftVersion | None:
    return consultation.versions.filter(is_enacted=True).select_related("enacted_document").first()


def consulted_version(consultation) -> DraftVersion | None:
    """The draft that was consulted: the latest version that is not the enacted text."""
    return consultation.versions.filter(is_enacted=False).order_by("-number").first()


# --- the service ------------------------------------------------------------------------
@transaction.atomic
def enacted_attach(
    *,
    consultation: ConsultationPage,
    actor,
    text: str,
    enacted_on: datetime.date,
    ordinance_number: str,
    document=None,
    corrections: dict[str, str] | None = None,
) -> DraftVersion:
    """Attach the sanctioned ordinance as the consultation's final version (see the module
    docstring). Raises PermissionDenied (the rule's reason) or DomainError (Spanish)."""
    rulebook.require(actor, "consultations.enact", consultation)
    # One at a time: the row lock makes "already enacted?" and the insert one step.
    ConsultationPage.objects.select_for_update().filter(pk=consultation.pk).first()
    if consultation.versions.filter(is_enacted=True).exists():
        raise DomainError(
            _(
                "This consultation already has its enacted text; a sanctioned ordinance is "
                "attached only once."
            )
        )
    if consulted_version(consultation) is None:
        raise DomainError(_("This consultation has no published draft to compare with."))
    errors = parse_errors(text)
    if errors:
        raise DomainError(" ".join(str(message) for message in errors))
    if isinstance(enacted_on, datetime.datetime):
        enacted_on = enacted_on.date()
    problem = date_error(consultation, enacted_on) or number_error(ordinance_number)
    if problem:
        raise DomainError(problem)
    if corrections:
        problems = matching.correction_problems(
            list(consulted_version(consultation).provisions.all()),
            parse_ordinance(text).provisions,
            corrections,
        )
        if problems:
            raise DomainError(" ".join(problems))
    version = services.version_create(
        consultation=consultation,
        text=text,
        actor=actor,
        corrections=corrections,
        enacted=True,
        enacted_on=enacted_on,
        ordinance_number=ordinance_number.strip(),
        enacted_document=document,
    )
    log(
        instance=consultation,
        action=audit.ENACTED_ATTACH,
        user=actor,
        data={
            "version": version.number,
            "ordinance_number": version.ordinance_number,
            "enacted_on": enacted_on.isoformat(),
            "document": document.pk if document is not None else None,
            "corrected_pairs": len(corrections or {}),
        },
    )
    from .tasks_enacted import notify_enacted

    consultation_id = consultation.pk
    transaction.on_commit(lambda: notify_enacted.enqueue(consultation_id))
    return version


# --- the selector -----------------------------------------------------------------------
def taken_up_by_thread(consultation) -> dict[int | None, list[Disposition]]:
    """The dispositions of `consultation` that took their contribution up (fully or
    partly), by the thread of the article they were about (None: the ordinance as a
    whole). Hidden or deleted comments are left out. One query."""
    dispositions = (
        Disposition.objects.filter(consultation=consultation, outcome__in=TAKEN_UP)
        .select_related("comment__author__resident", "observation__session")
        .order_by("pk")
    )
    general = consultation.general_thread_id
    grouped: dict[int | None, list[Disposition]] = {}
    for disposition in dispositions:
        if disposition.comment_id:
            comment = disposition.comment
            if comment.status != comment.Status.VISIBLE or comment.is_official:
                continue
            thread_id = disposition.comment.thread_id
        else:
            thread_id = disposition.observation.thread_id
        if thread_id == general:
            thread_id = None
        grouped.setdefault(thread_id, []).append(disposition)
    _label_versions(consultation, grouped)
    return grouped


def _label_versions(consultation, grouped) -> None:
    """Set `about` on each disposition: the version its contribution was about and the
    article's label in that version ("on version 1, Artículo 6"), which is not always its
    label in the enacted text. One query."""
    from .models import Provision

    labels = {
        (thread_id, number): label
        for thread_id, number, label in Provision.objects.filter(
            version__consultation=consultation, thread__isnull=False
        ).values_list("thread_id", "version__number", "label")
    }
    for thread_id, dispositions in grouped.items():
        for disposition in dispositions:
            contribution = disposition.comment or disposition.observation
            revision = contribution.revision
            label = labels.get((contribution.thread_id, revision)) if thread_id else None
            if revision and label:
                disposition.about = _("on version %(number)s, %(label)s") % {
                    "number": revision,
                    "label": label,
                }
            elif revision:
                disposition.about = _("on version %(number)s") % {"number": revision}
            else:
                disposition.about = ""


CHANGE_ORDER = ("changed", "renumbered", "moved", "added", "removed", "unchanged")


def enacted_summary(consultation) -> dict | None:
    """Everything the enacted text's page shows, or None when there is none yet."""
    enacted = enacted_version(consultation)
    if enacted is None:
        return None
    consulted = consulted_version(consultation)
    rows = selectors.version_diff(consulted, enacted) if consulted is not None else []
    taken_up = taken_up_by_thread(consultation)
    changes = []
    unchanged = []
    counts = dict.fromkeys(CHANGE_ORDER, 0)
    for row in rows:
        provision = row["provision"]
        if provision.kind == "heading":
            continue
        before = row.get("before")
        row = {
            **row,
            "taken_up": taken_up.get(provision.thread_id, []) if provision.thread_id else [],
            "label_before": (
                before.label if before is not None and before.label != provision.label else ""
            ),
            "has_diff": any(op != "equal" for op, _text in row.get("segments") or []),
            # The article's discussion, relative to the page: `articulo/<key>/`; a removed
            # article's key is read in the consulted draft (another article may have it now).
            "thread_path": consultation.reverse_subpage("provision_thread", args=[provision.key])
            + (f"?version={consulted.number}" if row["change"] == "removed" else ""),
        }
        counts[row["change"]] = counts.get(row["change"], 0) + 1
        (unchanged if row["change"] == "unchanged" else changes).append(row)
    return {
        "enacted": enacted,
        "consulted": consulted,
        "provisions": list(enacted.provisions.all()),
        "changes": changes,
        "unchanged": unchanged,
        "counts": counts,
        "general_taken_up": taken_up.get(None, []),
        "taken_up_total": sum(len(items) for items in taken_up.values()),
        "general_path": consultation.reverse_subpage("general_discussion"),
    }


# --- the page ---------------------------------------------------------------------------
def enacted_view(request, consultation):
    summary = enacted_summary(consultation)
    if summary is None:
        raise Http404
    return TemplateResponse(
        request,
        "consultations/enacted.html",
        {"page": consultation, "base_url": consultation.url, **summary},
    )
